"""Static analysis of a spec's search space, without any framework.

* `space_size(spec)`: how many architectures the space holds (and training
  configurations), or which continuous decisions make it infinite.
* `chain_measures(spec)`: for a layer chain on a built-in dataset, the exact
  distribution of params / model bytes / FLOPs over the discrete architectures,
  using `nasdsl.space.shapes` (the same shape inference the backends agree with).
* `analyze(spec, checker)`: the NAS408–NAS413 diagnostics built on both.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product
from typing import Any

from nasdsl.lang import ast
from nasdsl.lang import registry as reg
from nasdsl.lang.semantics import Checker
from nasdsl.lang.units import Dimension, format_quantity

MAX_STATES = 20_000  # give up exact measure counting beyond this many distinct states


@dataclass(frozen=True)
class SpaceSize:
    """Size of a search space: discrete counts, and the continuous decisions (if any)."""

    architectures: int  # discrete architectures, continuous decisions collapsed
    continuous: tuple[str, ...]  # continuous architecture decisions (make the space infinite)
    training: int  # discrete training configurations
    training_continuous: tuple[str, ...]

    @property
    def finite(self) -> bool:
        """True when no decision is continuous."""
        return not self.continuous and not self.training_continuous

    @property
    def configurations(self) -> int:
        """Discrete architectures × discrete training configurations."""
        return self.architectures * self.training

    def describe(self) -> str:
        """One line: '1,296 architectures × 2 training configurations' or '… (infinite: …)'."""
        text = f"{self.architectures:,} architecture{'s' if self.architectures != 1 else ''}"
        if self.training > 1:
            text += f" × {self.training:,} training configurations"
        cont = self.continuous + self.training_continuous
        if cont:
            text += f"; infinite: continuous {', '.join(cont)}"
        return text


class _Count:
    """Accumulates a discrete count and the names of continuous decisions."""

    def __init__(self) -> None:
        self.continuous: list[str] = []

    def value(self, v: object, name: str) -> int:
        if isinstance(v, ast.Choice):
            return len(v.options)
        if isinstance(v, ast.IntRange):
            return (v.high - v.low) // v.step + 1
        if isinstance(v, ast.Uniform | ast.LogUniform):
            if name not in self.continuous:
                self.continuous.append(name)
            return 1
        return 1

    def params(self, params: Iterable[ast.Param], prefix: str) -> int:
        n = 1
        for p in params:
            n *= self.value(p.value, f"{prefix}.{p.name}")
        return n

    def ops(self, ops: Iterable[ast.LayerOp]) -> int:
        n = 1
        for op in ops:
            n *= self.params(op.params, op.op)
        return n

    def chain(self, items: Iterable[ast.LayerItem]) -> int:
        n = 1
        for it in items:
            n *= self.item(it)
        return n

    def item(self, it: ast.LayerItem) -> int:
        if isinstance(it, ast.LayerOp):
            return self.params(it.params, it.op)
        if isinstance(it, ast.OptionalLayer):
            return 1 + self.params(it.layer.params, it.layer.op)
        if isinstance(it, ast.Repeat):
            body = self.chain(it.body)
            return sum(body ** r for r in _count_values(it.count))
        return sum(self.chain(option) for option in it.options)

    def cell(self, cell: ast.CellDef) -> int:
        total = 0
        for blocks in _count_values(cell.blocks):
            n = 1
            for b in range(blocks):
                n *= ((2 + b) * len(cell.ops)) ** 2  # two inputs and two ops per block
            total += n
        return total

    def layout(self, layout: Iterable[ast.LayoutItem]) -> int:
        n = 1
        for item in layout:
            n *= self.value(item.count, f"layout.{item.cell}")
        return n


def _count_values(v: ast.Literal | ast.IntRange | ast.Choice) -> list[int]:
    if isinstance(v, ast.IntRange):
        return list(range(v.low, v.high + 1, v.step))
    if isinstance(v, ast.Choice):
        return [int(o.value) for o in v.options]
    return [int(v.value)]


def space_size(spec: ast.Spec) -> SpaceSize:
    """How many architectures and training configurations the spec's space holds."""
    arch = _Count()
    sp = spec.space
    if isinstance(sp, ast.LayerSpace):
        n = arch.chain(sp.items)
    elif isinstance(sp, ast.CellSpace):
        n = arch.ops(sp.stem) * arch.cell(sp.normal) * arch.layout(sp.layout) * arch.ops(sp.head)
        if sp.reduction is not None:
            n *= arch.cell(sp.reduction)
    else:
        n = len(sp.ops) ** sp.edges * arch.ops(sp.stem) * arch.layout(sp.layout) \
            * arch.ops(sp.head)
    tr = _Count()
    t = spec.train
    m = tr.value(t.epochs, "train.epochs") * tr.value(t.batch_size, "train.batch_size")
    m *= tr.params(t.optimizer.params, f"train.optimizer.{t.optimizer.name}")
    if t.schedule is not None:
        m *= tr.params(t.schedule.params, f"train.schedule.{t.schedule.name}")
    if t.augment is not None:
        m *= tr.params(t.augment.params, "train.augment")
    return SpaceSize(n, tuple(arch.continuous), m, tuple(tr.continuous))


# ---------------------------------------------------------------- static measures


@dataclass(frozen=True)
class ChainMeasures:
    """Static measures over the discrete architectures of a layer chain."""

    counts: Counter[tuple[int, int, int]]  # (params, model bytes, flops) → architectures
    invalid: int  # architectures that fail shape inference
    total: int

    def satisfying(self, measure: str, op: str, limit: float) -> int:
        """Architectures whose measure meets `measure OP limit`."""
        index = {"params": 0, "model_size": 1, "flops": 2}[measure]
        ok = (lambda v: v <= limit) if op == "<=" else (lambda v: v < limit)
        return sum(n for key, n in self.counts.items() if ok(key[index]))

    def extent(self, measure: str) -> tuple[int, int]:
        """Smallest and largest value of a measure over the buildable architectures."""
        index = {"params": 0, "model_size": 1, "flops": 2}[measure]
        values = [key[index] for key in self.counts]
        return min(values), max(values)


class _TooLarge(Exception):
    pass


def chain_measures(spec: ast.Spec) -> ChainMeasures | None:
    """Exact params/bytes/FLOPs counts of a layer chain on a built-in dataset, or None.

    None when the space is not a layer chain, uses custom ops, the data is not a
    built-in dataset, shape inference is unavailable, or the space is too large to
    enumerate (more than MAX_STATES distinct intermediate states).
    """
    sp = spec.space
    ds = reg.DATASETS.get(spec.data.source) if spec.data.kind == "builtin" else None
    if not isinstance(sp, ast.LayerSpace) or ds is None:
        return None
    from nasdsl.lang.blocks_space import walk_ops

    if any(op.custom for op in walk_ops(sp.items)):
        return None
    try:
        from nasdsl.space.ir import Layer
        from nasdsl.space.shapes import ShapeError, layer_measures
    except ImportError:  # pragma: no cover - the space stage is part of the package
        return None
    image = ds.image_shape is not None and any(reg.OPS[o.op].needs_image
                                               for o in walk_ops(sp.items))
    shape: tuple[int, ...] = tuple(ds.image_shape) if image and ds.image_shape \
        else (ds.features,)
    outputs = ds.classes if ds.task is reg.Task.CLASSIFICATION else 1
    State = tuple[tuple[int, ...], int, int, int]
    invalid = 0

    def apply(states: Counter[State], layer: Any) -> Counter[State]:
        nonlocal invalid
        out: Counter[State] = Counter()
        for (shp, p, b, f), n in states.items():
            try:
                if layer.op == "dense" and len(shp) == 3:
                    shp, *_ = layer_measures(Layer("flatten"), shp)
                new, lp, lb, lf = layer_measures(layer, shp)
            except ShapeError:
                invalid += n
                continue
            out[(tuple(new), p + lp, b + lb, f + lf)] += n
        if len(out) > MAX_STATES:
            raise _TooLarge()
        return out

    def op_layers(op: ast.LayerOp) -> list[Any]:
        spec_ = reg.OPS[op.op]
        given = {p.name: p.value for p in op.params}
        names, options = [], []
        for ps in spec_.params:
            v = given.get(ps.name)
            if v is None:
                if ps.default is None:
                    continue
                vals: list[object] = [ps.default]
            elif isinstance(v, ast.Literal):
                vals = [v.value]
            elif isinstance(v, ast.Choice):
                vals = [o.value for o in v.options]
            elif isinstance(v, ast.IntRange):
                vals = list(range(v.low, v.high + 1, v.step))
            else:
                vals = [(v.low + v.high) / 2]  # continuous: no effect on the static measures
            names.append(ps.name)
            options.append(vals)
        if math.prod(len(o) for o in options) > MAX_STATES:
            raise _TooLarge()
        return [Layer(op.op, dict(zip(names, combo, strict=True))) for combo in product(*options)]

    def run_op(states: Counter[State], op: ast.LayerOp) -> Counter[State]:
        out: Counter[State] = Counter()
        for layer in op_layers(op):
            out.update(apply(states, layer))
        return out

    def run(states: Counter[State], items: Iterable[ast.LayerItem]) -> Counter[State]:
        for it in items:
            if isinstance(it, ast.LayerOp):
                states = run_op(states, it)
            elif isinstance(it, ast.OptionalLayer):
                states = states + run_op(states, it.layer)
            elif isinstance(it, ast.Repeat):
                out: Counter[State] = Counter()
                for r in _count_values(it.count):
                    s = states
                    for _ in range(r):
                        s = run(s, it.body)
                    out.update(s)
                states = out
            else:
                out = Counter()
                for option in it.options:
                    out.update(run(states, option))
                states = out
            if len(states) > MAX_STATES:
                raise _TooLarge()
        return states

    try:
        states = run(Counter({(shape, 0, 0, 0): 1}), sp.items)
        flat = Counter()
        for (shp, p, b, f), n in states.items():
            if len(shp) == 3:
                shp, *_ = layer_measures(Layer("flatten"), shp)
            new, lp, lb, lf = layer_measures(
                Layer("dense", {"units": outputs, "activation": "linear", "bias": True}), shp)
            flat[(p + lp, b + lb, f + lf)] += n
    except _TooLarge:
        return None
    return ChainMeasures(flat, invalid, sum(flat.values()) + invalid)


# ---------------------------------------------------------------- diagnostics


_STATIC = ("params", "model_size", "flops")


def analyze(spec: ast.Spec, c: Checker) -> SpaceSize:
    """Record the static-analysis diagnostics of a checked spec; return the space size."""
    size = space_size(spec)
    measures = chain_measures(spec)
    if measures is not None:
        _measure_diagnostics(spec, measures, c)
    trials = spec.budget.trials
    if size.finite and trials is not None and trials > size.configurations:
        c.warning("NAS412", f"the budget allows {trials} trials, but the space holds only "
                  f"{size.configurations:,} configurations", spec.budget.span,
                  hint=f"trials = {size.configurations} is enough to try them all",
                  notes=(f"space: {size.describe()}",))
    if spec.strategy.name == "grid" and not size.finite:
        resolution = next((p.value.value for p in spec.strategy.params
                           if p.name == "resolution" and isinstance(p.value, ast.Literal)), 3)
        c.warning("NAS413", f"grid search cuts continuous decisions into {resolution} points",
                  spec.strategy.span,
                  notes=(f"continuous: {', '.join(size.continuous + size.training_continuous)}",))
    return size


def _measure_diagnostics(spec: ast.Spec, m: ChainMeasures, c: Checker) -> None:
    if m.total and m.invalid == m.total:
        c.error("NAS410", "no architecture of the space can be built", spec.space.span,
                hint="pooling or strided convolutions shrink the input to nothing; use fewer "
                "of them or a larger input")
        return
    if m.invalid:
        c.warning("NAS411", f"{m.invalid:,} of {m.total:,} architectures cannot be built",
                  spec.space.span, hint="pooling or strided convolutions shrink the input to "
                  "nothing in those; their trials will fail")
    buildable = m.total - m.invalid
    for k in spec.constraints:
        if k.subject not in _STATIC or k.soft:
            continue
        ok = m.satisfying(k.subject, k.op, k.value)
        low, high = m.extent(k.subject)
        dim = Dimension.SIZE if k.subject == "model_size" else Dimension.COUNT
        extent = (f"the space ranges from {format_quantity(low, dim)} to "
                  f"{format_quantity(high, dim)} {k.subject}")
        if ok == 0:
            c.warning("NAS408", f"{k.subject} {k.op} {k.text} excludes the whole space",
                      k.span, hint="raise the limit or shrink the layers", notes=(extent,))
        elif ok < buildable:
            c.info("NAS409", f"only {ok:,} of {buildable:,} architectures satisfy "
                   f"{k.subject} {k.op} {k.text}", k.span, notes=(extent,))
