"""Weight-sharing supernets built from a search space: one module, every candidate inside.

* `nb201` spaces: the reference macro skeleton (stem, cells, residual reductions, head)
  with a `MixedEdge` (every candidate op) on every cell edge; all cells share one set of
  edge decisions, as the space does.
* `cells` (NASNet-style) spaces: each cell holds, for every block and every state the
  block may read, a `MixedEdge`. A block sums the ops on its two inputs whatever the
  `combine` decision says, and a cell outputs the *mean* of its loose ends (DARTS: of all
  its blocks), so every cell keeps C channels whichever sub-network runs.
* `layers` spaces: an elastic chain. Dense and conv layers are allocated at their widest
  (most units / channels, largest kernel) and a sub-network uses the first units and
  channels and the centre of the kernel (once-for-all weight sharing); `repeat` holds its
  most copies and runs the first `count`; `optional` and `choose` switch branches.

Batch norm in a supernet always normalises with the statistics of the batch it sees
(no running averages): the statistics of a shared layer differ from one sub-network to
the next. Decisions the supernet does not share (see nasdsl.weightsharing.decisions)
take their reference value.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812
from nasdsl.backends.torch.cells import ResReduceModule
from nasdsl.backends.torch.layers import _ACTIVATIONS, _module
from nasdsl.backends.torch.ops import FactorizedReduce, ReLUConvBN, cell_op
from torch import nn

from nasdsl.space.cell_space import NB201_OPS
from nasdsl.space.cells import NasnetCell, Nb201Cell
from nasdsl.space.decisions import FixedSuggest, draw
from nasdsl.space.ir import Architecture, Layer
from nasdsl.space.ops import reduce_side
from nasdsl.space.search_space import SearchSpace
from nasdsl.space.shapes import layer_measures
from nasdsl.weightsharing.decisions import draw_subnet, middle, options_of, reference

Values = dict[str, Any]


class MixedEdge(nn.Module):
    """Every candidate op between two states; one runs, or all mixed by softmax weights."""

    def __init__(self, ops: list[str], channels: int, stride: int):
        super().__init__()
        self.names = list(ops)
        self.ops = nn.ModuleList(cell_op(op, channels, channels, stride) for op in ops)

    def forward(self, x: torch.Tensor, op: str | None = None,
                weights: torch.Tensor | None = None) -> torch.Tensor:
        """The chosen op's output, or Σ weight · op(x) over every op."""
        if op is not None:
            return self.ops[self.names.index(op)](x)
        assert weights is not None
        return sum(w * m(x) for w, m in zip(weights, self.ops, strict=True))


class SuperNb201Cell(nn.Module):
    """An NB201 cell with a mixed edge between every pair of nodes."""

    def __init__(self, nodes: int, ops: list[str], channels: int):
        super().__init__()
        self.nodes = nodes
        self.names = [f"space.cell.e{i}_{j}" for j in range(1, nodes) for i in range(j)]
        self.edges = nn.ModuleList(MixedEdge(ops, channels, 1) for _ in self.names)

    def forward(self, x: torch.Tensor, values: Values | None = None,
                weights: torch.Tensor | None = None) -> torch.Tensor:
        """Run the DAG with the chosen ops (values) or the mixture (weights: edges × ops)."""
        nodes = [x]
        e = 0
        for j in range(1, self.nodes):
            terms = []
            for i in range(j):
                if values is not None:
                    terms.append(self.edges[e](nodes[i], op=values[self.names[e]]))
                else:
                    assert weights is not None
                    terms.append(self.edges[e](nodes[i], weights=weights[e]))
                e += 1
            nodes.append(sum(terms[1:], terms[0]))
        return nodes[-1]


class SuperNasnetCell(nn.Module):
    """A NASNet cell with a mixed edge from every readable state into every block."""

    def __init__(self, prefix: str, blocks: int, ops: list[str], channels: int,
                 reduction: bool, skip: tuple[int, ...], x: tuple[int, ...]):
        super().__init__()
        self.prefix, self.blocks, self.reduction = prefix, blocks, reduction
        self.pre0 = (ReLUConvBN(skip[0], channels, 1, 1) if skip[1:] == x[1:]
                     else FactorizedReduce(skip[0], channels))
        self.pre1 = ReLUConvBN(x[0], channels, 1, 1)
        self.edges = nn.ModuleDict({
            f"b{b}_s{s}": MixedEdge(ops, channels, 2 if reduction and s < 2 else 1)
            for b in range(blocks) for s in range(b + 2)})

    def forward(self, skip: torch.Tensor, x: torch.Tensor, values: Values | None = None,
                weights: torch.Tensor | None = None) -> torch.Tensor:
        """Chosen blocks (values) or DARTS mixture (weights: blocks × states × ops)."""
        states = [self.pre0(skip), self.pre1(x)]
        read: set[int] = set()
        for b in range(self.blocks):
            if values is not None:
                p = f"{self.prefix}.b{b}"
                out = 0
                for slot in (0, 1):
                    s = int(values[f"{p}.in{slot}"])
                    read.add(s)
                    out = out + self.edges[f"b{b}_s{s}"](states[s], op=values[f"{p}.op{slot}"])
            else:
                assert weights is not None
                out = sum(self.edges[f"b{b}_s{s}"](states[s], weights=weights[b, s])
                          for s in range(b + 2))
            states.append(out)
        loose = [states[s] for s in range(2, self.blocks + 2)
                 if values is None or s not in read]
        return torch.stack(loose).mean(dim=0)


# ----------------------------------------------------------------- elastic layer chains


class ElasticLinear(nn.Module):
    """A dense layer at its widest; a sub-network uses the first inputs and units."""

    def __init__(self, fan_in: int, units: int, bias: bool = True):
        super().__init__()
        self.inner = nn.Linear(fan_in, units, bias=bias)

    def forward(self, x: torch.Tensor, units: int) -> torch.Tensor:
        """Flatten an image first, as the IR's dense does."""
        if x.dim() > 2:
            x = x.flatten(1)
        w = self.inner.weight[:units, :x.shape[1]]
        b = None if self.inner.bias is None else self.inner.bias[:units]
        return F.linear(x, w, b)


class ElasticConv(nn.Module):
    """A conv at its most channels and largest kernel; a sub-network uses a slice of it."""

    def __init__(self, c_in: int, c_out: int, kernel: int, bias: bool = True):
        super().__init__()
        self.inner = nn.Conv2d(c_in, c_out, kernel, bias=bias)
        self.kernel = kernel

    def forward(self, x: torch.Tensor, channels: int, kernel: int, stride: int) -> torch.Tensor:
        """The first `channels` filters, the centre `kernel`×`kernel` of each."""
        crop = (self.kernel - kernel) // 2
        w = self.inner.weight[:channels, :x.shape[1], crop:crop + kernel, crop:crop + kernel]
        b = None if self.inner.bias is None else self.inner.bias[:channels]
        return F.conv2d(x, w, b, stride, kernel // 2)


class ElasticNorm(nn.Module):
    """Batch norm at the widest size, normalising with batch statistics."""

    def __init__(self, features: int):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(features))
        self.bias = nn.Parameter(torch.zeros(features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise the first C features or channels."""
        c = x.shape[1]
        return F.batch_norm(x, None, None, self.weight[:c], self.bias[:c], training=True)


Shapes = set[tuple[int, ...]]


def _key(path: str) -> str:
    return path.replace(".", "_")


def _widest(item: dict[str, Any], name: str, default: Any) -> Any:
    value = (item.get("params") or {}).get(name, default)
    options = [o for o in options_of(value) if o is not None]
    return max(options) if options else default


def _kernels(item: dict[str, Any]) -> list[int]:
    return [int(k) for k in options_of((item.get("params") or {}).get("kernel", 3))]


class ElasticChain(nn.Module):
    """The elastic supernet of a layer chain (compiled `space.layers` items)."""

    def __init__(self, items: list[dict[str, Any]], input_shape: tuple[int, ...], outputs: int):
        super().__init__()
        self.items = items
        self.mods = nn.ModuleDict()
        shapes = self._build(items, "layers", {tuple(input_shape)})
        fan_in = max(_numel(s) for s in shapes)
        self.head = ElasticLinear(fan_in, outputs)
        self.outputs = outputs

    # --- construction: the widest module of every op, and the shapes that can reach it

    def _build(self, items: list[dict[str, Any]], prefix: str, shapes: Shapes) -> Shapes:
        for index, item in enumerate(items):
            path = f"{prefix}.{index}"
            if "op" in item:
                shapes = self._op(item, path, shapes)
            elif "optional" in item:
                shapes = shapes | self._op(item["optional"], path, shapes)
            elif "choose" in item:
                out: Shapes = set()
                for k, option in enumerate(item["choose"]):
                    out |= self._build(option, f"{path}.c{k}", shapes)
                shapes = out
            else:
                counts = [int(c) for c in options_of(item["repeat"])]
                result = set(shapes) if 0 in counts else set()
                current = shapes
                for copy in range(max(counts)):
                    current = self._build(item["body"], f"{path}.r{copy}", current)
                    if copy + 1 in counts:
                        result |= current
                shapes = result
        return shapes

    def _op(self, item: dict[str, Any], path: str, shapes: Shapes) -> Shapes:
        op, p = item["op"], item.get("params") or {}
        key = _key(path)
        if op == "dense":
            units = int(_widest(item, "units", 1))
            self.mods[key] = ElasticLinear(max(_numel(s) for s in shapes), units,
                                           bool(reference(p.get("bias", True))))
            return {(units,)}
        if op == "conv":
            images = [s for s in shapes if len(s) == 3]
            if not images:
                raise ValueError(f"{path}: conv needs an image input")
            channels = int(_widest(item, "channels", 1))
            stride = int(reference(p.get("stride", 1)))
            self.mods[key] = ElasticConv(max(s[0] for s in images), channels,
                                         max(_kernels(item)), bool(reference(p.get("bias", True))))
            return {(channels, (h + 2 * (k // 2) - k) // stride + 1,
                     (w + 2 * (k // 2) - k) // stride + 1)
                    for _, h, w in images for k in _kernels(item)}
        if op == "batch_norm":
            self.mods[key] = ElasticNorm(max(s[0] for s in shapes))
            return shapes
        fixed = Layer(op, {k: reference(v) for k, v in p.items()})
        return {layer_measures(fixed, s)[0] for s in shapes
                if len(s) == 3 or op not in ("max_pool", "avg_pool", "global_avg_pool",
                                             "global_max_pool")}

    # --- running one sub-network

    def forward(self, x: torch.Tensor, values: Values) -> torch.Tensor:
        """Run the sub-network whose decisions are `values`."""
        x = self._run(self.items, "layers", x, FixedSuggest(values))
        return self.head(x, self.outputs)

    def _run(self, items: list[dict[str, Any]], prefix: str, x: torch.Tensor,
             suggest: FixedSuggest) -> torch.Tensor:
        for index, item in enumerate(items):
            path = f"{prefix}.{index}"
            if "op" in item:
                x = self._apply(item, path, x, suggest)
            elif "optional" in item:
                inner = item["optional"]
                if draw({"dist": "choice", "options": [False, True]},
                        f"{path}.{inner['op']}.present", suggest):
                    x = self._apply(inner, path, x, suggest)
            elif "choose" in item:
                pick = int(draw({"dist": "choice", "options": list(range(len(item["choose"])))},
                                f"{path}.choose", suggest))
                x = self._run(item["choose"][pick], f"{path}.c{pick}", x, suggest)
            else:
                for copy in range(int(draw(item["repeat"], f"{path}.repeat", suggest))):
                    x = self._run(item["body"], f"{path}.r{copy}", x, suggest)
        return x

    def _apply(self, item: dict[str, Any], path: str, x: torch.Tensor,
               suggest: FixedSuggest) -> torch.Tensor:
        op = item["op"]
        p = {k: draw(v, f"{path}.{op}.{k}", suggest) for k, v in (item.get("params") or {}).items()}
        key = _key(path)
        if op == "dense":
            x = self.mods[key](x, int(p["units"]))
        elif op == "conv":
            x = self.mods[key](x, int(p["channels"]), int(p.get("kernel", 3)),
                               int(p.get("stride", 1)))
        elif op == "batch_norm":
            return self.mods[key](x)
        elif op == "dropout":
            return F.dropout(x, float(p.get("rate", 0.5)), self.training)
        elif op in ("max_pool", "avg_pool"):
            size = int(p.get("size", 2))
            pool = F.max_pool2d if op == "max_pool" else F.avg_pool2d
            return pool(x, size)
        elif op in ("global_avg_pool", "global_max_pool"):
            return x.mean(dim=(2, 3)) if op == "global_avg_pool" else x.amax(dim=(2, 3))
        elif op == "flatten":
            return x.flatten(1)
        elif op in _ACTIVATIONS:
            return _ACTIVATIONS[op]()(x)
        else:
            raise ValueError(f"the supernet has no elastic form of op '{op}'")
        act = p.get("activation", "linear")
        return x if act == "linear" else _ACTIVATIONS[act]()(x)


def _numel(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


# ----------------------------------------------------------------- the supernet


class Supernet(nn.Module):
    """The supernet of a compiled config's space; forward(x, values=…) or (x, alphas=…)."""

    def __init__(self, config: dict[str, Any]):
        super().__init__()
        self.space = SearchSpace(config)
        self.kind = self.space.kind
        self.reference, _, _ = draw_subnet(self.space, middle)
        self.alpha_shapes: dict[str, tuple[tuple[int, ...], list[str]]] = {}
        if self.kind == "layers":
            self.chain = ElasticChain(list(config["space"]["layers"]), self.space.input_shape,
                                      self.space.outputs)
        else:
            self._build_cells(config["space"])
        for m in self.modules():  # batch statistics only (see the module doc)
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.track_running_stats = False
                m.running_mean = m.running_var = m.num_batches_tracked = None

    def _build_cells(self, cfg: dict[str, Any]) -> None:
        arch: Architecture = self.reference
        self.stages = nn.ModuleList()
        self.roles: list[str] = []  # "plain" | "nb201" | "cell"
        shape = skip = tuple(arch.input_shape)
        for layer in arch.layers:
            if layer.op == "nb201_cell":
                cell = Nb201Cell.from_params(layer.params)
                ops = list(cfg.get("ops") or NB201_OPS)
                self.alpha_shapes["space.cell"] = ((len(list(cell.edge_list())), len(ops)), ops)
                self.stages.append(SuperNb201Cell(cell.nodes, ops, shape[0]))
                self.roles.append("nb201")
                skip = shape
            elif layer.op == "cell":
                cell = NasnetCell.from_params(layer.params)
                role = "reduction" if cell.reduction else "normal"
                prefix = f"space.{role}"
                ops = list((cfg.get(role) or cfg["normal"])["ops"])
                b = len(cell.blocks)
                self.alpha_shapes[prefix] = ((b, b + 1, len(ops)), ops)
                self.stages.append(SuperNasnetCell(prefix, b, ops, cell.channels, cell.reduction,
                                                   skip, shape))
                self.roles.append("cell")
                side = (reduce_side(shape[1], 2), reduce_side(shape[2], 2)) \
                    if cell.reduction else shape[1:]
                skip, shape = shape, (cell.channels, *side)
            else:
                if layer.op == "res_reduce":
                    self.stages.append(ResReduceModule(shape[0], int(layer.params["channels"])))
                else:
                    self.stages.append(nn.Sequential(*_module(layer, shape)))
                self.roles.append("plain")
                shape = skip = layer_measures(layer, shape)[0]

    def forward(self, x: torch.Tensor, values: Values | None = None,
                alphas: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        """One sub-network (`values`: decision → value) or the DARTS mixture (`alphas`)."""
        if self.kind == "layers":
            assert values is not None
            return self.chain(x, values)
        weights = None if alphas is None else {k: F.softmax(a, dim=-1) for k, a in alphas.items()}
        skip = x
        for stage, role in zip(self.stages, self.roles, strict=True):
            if role == "nb201":
                x = stage(x, values, None if weights is None else weights["space.cell"])
                skip = x
            elif role == "cell":
                w = None if weights is None else weights[stage.prefix]
                skip, x = x, stage(skip, x, values, w)
            else:
                x = stage(x)
                skip = x
        return x
