"""Cell IR: NASNet-style cells, NAS-Bench-201 DAG cells and the NB201 residual reduction.

Each of them is one composite entry of `Architecture.layers`, so a cell network is still
an ordered chain `stem layers → cells → head layers` and the layer-chain IR is unchanged:

* `Layer("cell", NasnetCell(...).to_params())` — a NASNet cell. It reads two states: the
  output of the layer before it, and, if that layer was itself a `cell`, the output of the
  layer before that (otherwise the previous output again). That is the usual
  `s0, s1 = s1, cell(s0, s1)` recurrence with `s0 = s1 = stem`.
* `Layer("nb201_cell", Nb201Cell(...).to_params())` — a NAS-Bench-201 cell (one input).
* `Layer("res_reduce", {"channels": C})` — NB201's residual block with stride 2.

NASNet cell semantics (the choices this package makes, identical in every backend):

1. Preprocessing: each of the two inputs is mapped to the cell's `channels` C by
   ReLU → conv 1×1 → BN; the older input goes through a factorized reduce instead when it
   is spatially larger than the newer one (the cell before was a reduction cell).
   States 0 and 1 are the two preprocessed inputs; an input no block reads is not
   preprocessed (it would have no effect, and Keras drops layers off the output's path).
2. Block b (0-based) reads two states among 0 … b + 1, applies one cell op to each — with
   stride 2 when the cell is a reduction cell and the state is one of its inputs (0 or 1) —
   and combines the two results: `add` sums them (C channels); `concat` concatenates them
   along channels and projects 2C back to C with ReLU → conv 1×1 → BN. The result is
   state b + 2.
3. The cell output is the concatenation, along channels, of the block outputs no block
   reads (at least the last block), in block order: k·C channels. No extra projection is
   made: the next cell's preprocessing (step 1) already maps it to that cell's C, and the
   head sees k·C channels.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nasdsl.space.ops import (
    OPS,
    Cost,
    ShapeError,
    cell_op_cost,
    factorized_reduce,
    reduce_side,
    relu_conv_bn,
)

COMBINES = ("add", "concat")


@dataclass(frozen=True)
class Block:
    """One NASNet block: two input states, one op on each, combined."""

    inputs: tuple[int, int]
    ops: tuple[str, str]


@dataclass(frozen=True)
class NasnetCell:
    """A NASNet-style cell with its channel count."""

    blocks: tuple[Block, ...]
    channels: int
    reduction: bool = False
    combine: str = "add"

    def __post_init__(self) -> None:
        if not self.blocks:
            raise ShapeError("a cell needs at least one block")
        if self.combine not in COMBINES:
            raise ShapeError(f"combine must be one of {COMBINES}, not {self.combine!r}")
        for b, block in enumerate(self.blocks):
            for i in block.inputs:
                if not 0 <= i < b + 2:
                    raise ShapeError(f"block {b} cannot read state {i} (0 … {b + 1})")
            for op in block.ops:
                if op not in OPS or OPS[op].kind != "cell":
                    raise ShapeError(f"block {b}: '{op}' is not a cell op")

    @property
    def unused(self) -> tuple[int, ...]:
        """States (≥ 2) no block reads: concatenated as the cell output."""
        read = {i for block in self.blocks for i in block.inputs}
        return tuple(s for s in range(2, len(self.blocks) + 2) if s not in read)

    @property
    def read(self) -> frozenset[int]:
        """States some block reads (an unread input is not preprocessed at all)."""
        return frozenset(i for block in self.blocks for i in block.inputs)

    def stride(self, state: int) -> int:
        """Stride of an op applied to a state."""
        return 2 if self.reduction and state < 2 else 1

    def to_params(self) -> dict[str, Any]:
        """Plain, JSON-ready params of the IR layer."""
        return {"channels": self.channels, "reduction": self.reduction,
                "combine": self.combine,
                "blocks": [{"inputs": list(b.inputs), "ops": list(b.ops)} for b in self.blocks]}

    @staticmethod
    def from_params(p: dict[str, Any]) -> NasnetCell:
        """Inverse of to_params."""
        blocks = tuple(Block((int(b["inputs"][0]), int(b["inputs"][1])),
                             (str(b["ops"][0]), str(b["ops"][1]))) for b in p["blocks"])
        return NasnetCell(blocks, int(p["channels"]), bool(p.get("reduction", False)),
                          str(p.get("combine", "add")))

    def describe(self) -> str:
        """Short text: 'normal cell[16](sep_conv_3x3+identity, …)'."""
        role = "reduction" if self.reduction else "normal"
        sign = "+" if self.combine == "add" else "|"
        parts = ", ".join(f"{b.ops[0]}@{b.inputs[0]}{sign}{b.ops[1]}@{b.inputs[1]}"
                          for b in self.blocks)
        return f"{role} cell[{self.channels}]({parts})"


@dataclass(frozen=True)
class Nb201Cell:
    """A NAS-Bench-201 cell: node j sums op(i→j)(node i) over i < j; the last node is out."""

    nodes: int
    edges: tuple[str, ...]  # ops in edge order (1←0), (2←0), (2←1), (3←0), …

    def __post_init__(self) -> None:
        if self.nodes < 2:
            raise ShapeError("a NAS-Bench-201 cell needs at least 2 nodes")
        if len(self.edges) != edge_count(self.nodes):
            raise ShapeError(f"{self.nodes} nodes need {edge_count(self.nodes)} edge ops, "
                             f"got {len(self.edges)}")
        for op in self.edges:
            if op not in OPS or OPS[op].kind != "cell":
                raise ShapeError(f"'{op}' is not a cell op")

    def edge_list(self) -> Iterator[tuple[int, int, str]]:
        """(source, target, op) of every edge, in edge order."""
        ops = iter(self.edges)
        for j in range(1, self.nodes):
            for i in range(j):
                yield i, j, next(ops)

    def to_params(self) -> dict[str, Any]:
        """Plain, JSON-ready params of the IR layer."""
        return {"nodes": self.nodes, "edges": list(self.edges)}

    @staticmethod
    def from_params(p: dict[str, Any]) -> Nb201Cell:
        """Inverse of to_params."""
        return Nb201Cell(int(p["nodes"]), tuple(str(e) for e in p["edges"]))

    def describe(self) -> str:
        """The NAS-Bench-201 string form: |op~0|+|op~0|op~1|+…"""
        groups: dict[int, list[str]] = {}
        for i, j, op in self.edge_list():
            groups.setdefault(j, []).append(f"{op}~{i}")
        return "+".join("|" + "|".join(g) + "|" for g in groups.values())


def edge_count(nodes: int) -> int:
    """Edges of a DAG cell with every pair i < j connected."""
    return nodes * (nodes - 1) // 2


def _image(shape: tuple[int, ...], what: str) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise ShapeError(f"{what} needs an image input (C, H, W), got shape {shape}")
    return shape[0], shape[1], shape[2]


def preprocess_cost(skip: tuple[int, ...], x: tuple[int, ...], channels: int) -> tuple[Cost, Cost]:
    """Costs of the two input preprocessings of a NASNet cell (older input first)."""
    cs, hs, ws = _image(skip, "a cell")
    cx, hx, wx = _image(x, "a cell")
    if (hs, ws) == (hx, wx):
        pre0 = relu_conv_bn(cs, channels, 1, hs, ws, 1)
    elif (reduce_side(hs, 2), reduce_side(ws, 2)) == (hx, wx):
        pre0 = factorized_reduce(cs, channels, hs, ws)
    else:
        raise ShapeError(f"a cell cannot combine inputs of sizes {hs}x{ws} and {hx}x{wx}")
    return pre0, relu_conv_bn(cx, channels, 1, hx, wx, 1)


def nasnet_cell_cost(cell: NasnetCell, skip: tuple[int, ...], x: tuple[int, ...]) -> Cost:
    """Exact cost of a NASNet cell on its two inputs (the older one first)."""
    c = cell.channels
    if c < 1 or (cell.reduction and c < 2):
        raise ShapeError(f"a cell needs at least {2 if cell.reduction else 1} channels")
    pre0, pre1 = preprocess_cost(skip, x, c)
    total = Cost(pre1.shape)
    for state, pre in ((0, pre0), (1, pre1)):
        if state in cell.read:
            total = total.then(pre)
    _, h, w = pre1.shape
    oh, ow = (reduce_side(h, 2), reduce_side(w, 2)) if cell.reduction else (h, w)
    n = oh * ow
    for block in cell.blocks:
        for state, op in zip(block.inputs, block.ops, strict=True):
            sh, sw = (h, w) if state < 2 else (oh, ow)
            total = total.then(cell_op_cost(op, c, c, sh, sw, cell.stride(state)))
        if cell.combine == "add":
            total = total.then(Cost((c, oh, ow), flops=c * n))
        else:
            total = total.then(relu_conv_bn(2 * c, c, 1, oh, ow, 1))
    return Cost((c * len(cell.unused), oh, ow), total.params, total.buffers, total.flops)


def nb201_cell_cost(cell: Nb201Cell, x: tuple[int, ...]) -> Cost:
    """Exact cost of a NAS-Bench-201 cell (channels and size are kept)."""
    c, h, w = _image(x, "an nb201 cell")
    total = Cost((c, h, w))
    for _, _, op in cell.edge_list():
        total = total.then(cell_op_cost(op, c, c, h, w, 1))
    adds = sum(j - 1 for j in range(1, cell.nodes))  # node j sums j inputs
    return Cost((c, h, w), total.params, total.buffers, total.flops + adds * c * h * w)


def res_reduce_cost(channels: int, x: tuple[int, ...]) -> Cost:
    """NB201 residual reduction: ReLU-conv3×3/2-BN → ReLU-conv3×3-BN, plus a shortcut of
    avg-pool 2×2/2 (ceil mode, padding excluded) → conv 1×1 (no bias); summed."""
    c, h, w = _image(x, "res_reduce")
    a = relu_conv_bn(c, channels, 3, h, w, 2)
    b = relu_conv_bn(channels, channels, 3, a.shape[1], a.shape[2], 1)
    n = a.shape[1] * a.shape[2]
    shortcut = Cost(a.shape, c * channels, 0, c * n * 4 + 2 * c * channels * n)
    return a.then(b).then(shortcut).then(Cost(a.shape, flops=channels * n))
