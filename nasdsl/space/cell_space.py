"""Sampling of cell spaces: NASNet-style `kind: cells` and NAS-Bench-201 `kind: nb201`.

The compiled config shapes (what `nasdsl compile` emits under `space:`) are::

    space:                              # NASNet-style cells
      kind: cells
      stem: [ITEM, …]                   # layer-chain items, as in `space.layers`
                                        #   default [{op: conv, params: {channels: 16, kernel: 3}}]
      channels: C                       # optional, int or distribution; default: the channels
                                        #   of the stem's output
      normal:    {blocks: B, ops: [OP, …], combine: add}   # B: int or distribution;
                                        #   combine: add | concat (or a choice of them)
      reduction: {blocks: B, ops: [OP, …], combine: add}   # optional (null: same as normal,
                                        #   with its own decisions)
      layout: [{cell: normal, count: N}, {cell: reduction, count: 1}, …]
                                        # count: int or distribution; default
                                        #   [normal x 2, reduction, normal x 2]
      head: [ITEM, …]                   # default [{op: global_avg_pool}]; a trailing
                                        #   `dense` without units is the output layer

    space:                              # NAS-Bench-201 DAG cells
      kind: nb201
      nodes: 4                          # default 4; every pair i < j is an edge
      ops: [none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3]   # the default
      cells: N                          # cells per stage for the default layout (default 5)
      channels: C                       # channels of the default stem (default 16)
      stem: [ITEM, …]                   # default [conv(channels = C, kernel = 3, bias =
                                        #   false), batch_norm]
      layout: [{cell: cell, count: N}, {cell: reduce, count: 1}, …]
                                        # default [cell x N, reduce, cell x N, reduce, cell x N]
      head: [ITEM, …]                   # default [batch_norm, relu, global_avg_pool]

An ITEM is `{op: NAME, params: {…}}`, `{optional: ITEM}` or `{repeat: COUNT, body: [ITEM…]}`;
a parameter value or count is a literal or `{dist: choice|int|uniform|loguniform, …}`.
Every NASNet copy of the normal (reduction) cell shares one sampled genotype; each
reduction doubles the channels. Every NB201 cell shares one sampled set of edge ops; each
`reduce` is a residual block with stride 2 that doubles the channels.

Decision names: `space.channels`, `space.stem.I.OP.PARAM`, `space.normal.blocks`,
`space.normal.combine`, `space.normal.bK.in0|in1` (a state 0 … K + 1),
`space.normal.bK.op0|op1`, the same under `space.reduction`, `space.layout.I.count`,
`space.head.I.OP.PARAM`, and for nb201 `space.cell.eI_J` (the op of edge I → J).
"""

from __future__ import annotations

from typing import Any

from nasdsl.space.cells import Block, NasnetCell, Nb201Cell
from nasdsl.space.decisions import Suggest, draw, expand_layers
from nasdsl.space.ir import Layer
from nasdsl.space.ops import NB201_OPS, OPS, ShapeError
from nasdsl.space.shapes import layer_measures

CELL_STEM: list[dict[str, Any]] = [{"op": "conv", "params": {"channels": 16, "kernel": 3}}]
CELL_LAYOUT: list[dict[str, Any]] = [{"cell": "normal", "count": 2},
                                     {"cell": "reduction", "count": 1},
                                     {"cell": "normal", "count": 2}]
CELL_HEAD: list[dict[str, Any]] = [{"op": "global_avg_pool", "params": {}}]
NB201_HEAD: list[dict[str, Any]] = [{"op": "batch_norm", "params": {}},
                                    {"op": "relu", "params": {}},
                                    {"op": "global_avg_pool", "params": {}}]


def nb201_stem(channels: Any) -> list[dict[str, Any]]:
    """NAS-Bench-201's stem: conv 3×3 without bias, then batch norm."""
    return [{"op": "conv", "params": {"channels": channels, "kernel": 3, "bias": False}},
            {"op": "batch_norm", "params": {}}]


def nb201_layout(cells: Any) -> list[dict[str, Any]]:
    """NAS-Bench-201's macro skeleton with `cells` cells per stage."""
    return [{"cell": "cell", "count": cells}, {"cell": "reduce", "count": 1},
            {"cell": "cell", "count": cells}, {"cell": "reduce", "count": 1},
            {"cell": "cell", "count": cells}]


def _check_ops(ops: list[str], where: str) -> list[str]:
    bad = [op for op in ops if op not in OPS or OPS[op].kind != "cell"]
    if bad or not ops:
        known = ", ".join(n for n, o in OPS.items() if o.kind == "cell")
        raise ValueError(f"{where}: {', '.join(bad) or 'no ops'} — cell ops are {known}")
    return list(ops)


def _chain(items: list[dict[str, Any]], prefix: str, suggest: Suggest) -> list[Layer]:
    out: list[Layer] = []
    expand_layers(items, prefix, suggest, out)
    return out


def _head(items: list[dict[str, Any]], suggest: Suggest) -> list[Layer]:
    items = list(items)
    if items and items[-1].get("op") == "dense" and "units" not in (items[-1].get("params")
                                                                    or {}):
        items = items[:-1]  # the output layer is always appended
    return _chain(items, "space.head", suggest)


def _shape_after(layers: list[Layer], shape: tuple[int, ...]) -> tuple[int, ...]:
    for layer in layers:
        shape = layer_measures(layer, shape)[0]
    return shape


def _choice(options: list[Any], name: str, suggest: Suggest) -> Any:
    return draw({"dist": "choice", "options": options}, name, suggest)


def sample_genotype(cfg: dict[str, Any], prefix: str,
                    suggest: Suggest) -> tuple[tuple[Block, ...], str]:
    """The blocks and combine rule of one NASNet cell config."""
    ops = _check_ops(list(cfg["ops"]), prefix)
    count = int(draw(cfg.get("blocks", 3), f"{prefix}.blocks", suggest))
    if count < 1:
        raise ValueError(f"{prefix}: a cell needs at least one block")
    combine = str(draw(cfg.get("combine", "add"), f"{prefix}.combine", suggest))
    blocks = []
    for b in range(count):
        states = list(range(b + 2))
        inputs = (int(_choice(states, f"{prefix}.b{b}.in0", suggest)),
                  int(_choice(states, f"{prefix}.b{b}.in1", suggest)))
        chosen = (str(_choice(ops, f"{prefix}.b{b}.op0", suggest)),
                  str(_choice(ops, f"{prefix}.b{b}.op1", suggest)))
        blocks.append(Block(inputs, chosen))
    return tuple(blocks), combine


def sample_cells(cfg: dict[str, Any], input_shape: tuple[int, ...],
                 suggest: Suggest) -> list[Layer]:
    """Stem, stacked NASNet cells and head (without the output layer) of a `cells` space."""
    stem = _chain(list(cfg.get("stem") or CELL_STEM), "space.stem", suggest)
    shape = _shape_after(stem, input_shape)
    if len(shape) != 3:
        raise ShapeError(f"the stem must keep an image, it gives shape {shape}")
    channels = int(draw(cfg["channels"], "space.channels", suggest)) \
        if cfg.get("channels") is not None else shape[0]
    layout = list(cfg.get("layout") or CELL_LAYOUT)
    normal = sample_genotype(cfg["normal"], "space.normal", suggest)
    reduction = normal
    if any(item["cell"] == "reduction" for item in layout):
        reduction = sample_genotype(cfg.get("reduction") or cfg["normal"], "space.reduction",
                                    suggest)
    layers = list(stem)
    for i, item in enumerate(layout):
        role = item["cell"]
        if role not in ("normal", "reduction"):
            raise ValueError(f"space.layout.{i}: '{role}' is not a cell (normal, reduction)")
        count = int(draw(item.get("count", 1), f"space.layout.{i}.count", suggest))
        for _ in range(count):
            if role == "reduction":
                channels *= 2
            blocks, combine = reduction if role == "reduction" else normal
            cell = NasnetCell(blocks, channels, role == "reduction", combine)
            layers.append(Layer("cell", cell.to_params()))
    return layers + _head(list(cfg.get("head") or CELL_HEAD), suggest)


def sample_nb201(cfg: dict[str, Any], input_shape: tuple[int, ...],
                 suggest: Suggest) -> list[Layer]:
    """Stem, NB201 cells with residual reductions, and head of an `nb201` space."""
    nodes = int(cfg.get("nodes") or 4)
    ops = _check_ops(list(cfg.get("ops") or NB201_OPS), "space.ops")
    stem = _chain(list(cfg.get("stem") or nb201_stem(cfg.get("channels") or 16)),
                  "space.stem", suggest)
    channels = _shape_after(stem, input_shape)[0]
    edges = tuple(str(_choice(ops, f"space.cell.e{i}_{j}", suggest))
                  for j in range(1, nodes) for i in range(j))
    cell = Layer("nb201_cell", Nb201Cell(nodes, edges).to_params())
    layers = list(stem)
    for i, item in enumerate(cfg.get("layout") or nb201_layout(cfg.get("cells") or 5)):
        role = item["cell"]
        if role not in ("cell", "reduce"):
            raise ValueError(f"space.layout.{i}: '{role}' is not cell or reduce")
        count = int(draw(item.get("count", 1), f"space.layout.{i}.count", suggest))
        for _ in range(count):
            if role == "reduce":
                channels *= 2
                layers.append(Layer("res_reduce", {"channels": channels}))
            else:
                layers.append(cell)
    return layers + _head(list(cfg.get("head") or NB201_HEAD), suggest)
