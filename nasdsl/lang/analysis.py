"""Static analysis of a spec's search space, without any framework.

* `space_size(spec)`: how many architectures the space holds (and training
  configurations), or which continuous decisions make it infinite.
* `chain_measures(spec, data)`: for a layer chain, the exact distribution of params /
  model bytes / FLOPs over the discrete architectures, using `nasdsl.space.shapes` (the
  same shape inference the backends agree with).
* `analyze(spec, checker, describe)`: the NAS408–NAS413 and NAS421 diagnostics.

Shapes come from the data description: the registry's entry for a built-in dataset, or
what the caller's `describe` (nasdsl.data.describe_spec) reads off a file source's
headers. This stage never reads a data file itself.
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
MAX_WORK = 20_000  # … or beyond this many shape inferences (keeps `check` within ~10 ms)


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

    def satisfying(self, measure: str, op: str, limit: float,
                   quantized: str | None = None) -> int:
        """Architectures whose measure meets `measure OP limit` (after quantization)."""
        index = {"params": 0, "model_size": 1, "flops": 2}[measure]
        scale = quantized_scale(measure, quantized)
        ok = (lambda v: v <= limit) if op == "<=" else (lambda v: v < limit)
        return sum(n for key, n in self.counts.items() if ok(key[index] * scale))

    def extent(self, measure: str, quantized: str | None = None) -> tuple[float, float]:
        """Smallest and largest value of a measure over the buildable architectures."""
        index = {"params": 0, "model_size": 1, "flops": 2}[measure]
        scale = quantized_scale(measure, quantized)
        values = [key[index] * scale for key in self.counts]
        return min(values), max(values)

    def quantiles(self, measure: str) -> tuple[int, int, int]:
        """Minimum, median and maximum of a measure, each architecture counted once."""
        index = {"params": 0, "model_size": 1, "flops": 2}[measure]
        pairs = sorted((key[index], n) for key, n in self.counts.items())
        total = sum(n for _, n in pairs)
        seen, median = 0, pairs[-1][0]
        for value, n in pairs:
            seen += n
            if 2 * seen >= total:
                median = value
                break
        return pairs[0][0], median, pairs[-1][0]


def quantized_scale(measure: str, quantized: str | None) -> float:
    """Factor from float32 model bytes to bytes after quantization (1 for other measures)."""
    if quantized is None or measure != "model_size":
        return 1.0
    return reg.QUANTIZATIONS[quantized][1] / 4.0


class _TooLarge(Exception):
    pass


class _Group:
    """The enumeration states that share one shape: (params, bytes, flops) → architectures.

    The counts are kept relative to an offset, so a layer that adds the same amounts to
    every state (all of them, for one input shape) costs O(1); the counts dict is shared
    between groups and never changed once built.
    """

    __slots__ = ("params", "bytes", "flops", "counts")

    def __init__(self, params: int, bytes_: int, flops: int,
                 counts: dict[tuple[int, int, int], int]):
        self.params, self.bytes, self.flops = params, bytes_, flops
        self.counts = counts

    def shifted(self, params: int, bytes_: int, flops: int) -> _Group:
        """The same states with the amounts of one more layer added."""
        return _Group(self.params + params, self.bytes + bytes_, self.flops + flops,
                      self.counts)


_States = dict[tuple[int, ...], _Group]  # shape → its states


def _size(states: _States) -> int:
    """How many distinct (shape, params, bytes, flops) states there are."""
    return sum(len(group.counts) for group in states.values())


def _merge(states: _States, shape: tuple[int, ...], group: _Group) -> None:
    """Add a group's states to those of `shape` (counts of equal states add up)."""
    have = states.get(shape)
    if have is None:
        states[shape] = group
        return
    dp, db, df = group.params - have.params, group.bytes - have.bytes, group.flops - have.flops
    counts = dict(have.counts)
    get = counts.get
    for (p, b, f), n in group.counts.items():
        key = (p + dp, b + db, f + df)
        counts[key] = get(key, 0) + n
    states[shape] = _Group(have.params, have.bytes, have.flops, counts)


def _merge_all(states: _States, more: _States) -> None:
    """Add every group of `more` to `states`."""
    for shape, group in more.items():
        _merge(states, shape, group)


def builtin_description(spec: ast.Spec) -> reg.DatasetSpec | None:
    """The registry's description of a spec's built-in dataset (None for file sources)."""
    return reg.DATASETS.get(spec.data.source) if spec.data.kind == "builtin" else None


def chain_measures(spec: ast.Spec, data: reg.DatasetSpec | None = None) -> ChainMeasures | None:
    """Exact params/bytes/FLOPs counts of a layer chain, or None.

    `data` describes the source (default: the built-in dataset's registry entry). None
    when the space is not a layer chain, uses custom ops, the data has no description,
    shape inference is unavailable, or the space is too large to enumerate (more than
    MAX_STATES distinct intermediate states).
    """
    sp = spec.space
    ds = data if data is not None else builtin_description(spec)
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
    invalid = 0
    work = 0

    def effect(layer: Any, shp: tuple[int, ...]) -> tuple[tuple[int, ...], int, int, int] | None:
        """(output shape, params, bytes, flops) the layer adds on this input; None: unbuildable."""
        try:
            if layer.op == "dense" and len(shp) == 3:
                shp, *_ = layer_measures(Layer("flatten"), shp)
            new, lp, lb, lf = layer_measures(layer, shp)
        except ShapeError:
            return None
        return tuple(new), lp, lb, lf

    def apply(states: _States, layer: Any) -> _States:
        nonlocal invalid, work
        work += _size(states)
        if work > MAX_WORK:
            raise _TooLarge()
        out: _States = {}
        for shp, group in states.items():
            added = effect(layer, shp)
            if added is None:
                invalid += sum(group.counts.values())
                continue
            new, lp, lb, lf = added
            _merge(out, new, group.shifted(lp, lb, lf))
        if _size(out) > MAX_STATES:
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

    def run_op(states: _States, op: ast.LayerOp) -> _States:
        out: _States = {}
        for layer in op_layers(op):
            _merge_all(out, apply(states, layer))
        return out

    def run(states: _States, items: Iterable[ast.LayerItem]) -> _States:
        for it in items:
            if isinstance(it, ast.LayerOp):
                states = run_op(states, it)
            elif isinstance(it, ast.OptionalLayer):
                with_layer = run_op(states, it.layer)
                states = dict(states)
                _merge_all(states, with_layer)
            elif isinstance(it, ast.Repeat):
                out: _States = {}
                for r in _count_values(it.count):
                    s = states
                    for _ in range(r):
                        s = run(s, it.body)
                    _merge_all(out, s)
                states = out
            else:
                out = {}
                for option in it.options:
                    _merge_all(out, run(states, option))
                states = out
            if _size(states) > MAX_STATES:
                raise _TooLarge()
        return states

    try:
        states = run({shape: _Group(0, 0, 0, {(0, 0, 0): 1})}, sp.items)
        flat: Counter[tuple[int, int, int]] = Counter()
        for shp, group in states.items():
            if len(shp) == 3:
                shp, *_ = layer_measures(Layer("flatten"), shp)
            new, lp, lb, lf = layer_measures(
                Layer("dense", {"units": outputs, "activation": "linear", "bias": True}), shp)
            lp, lb, lf = lp + group.params, lb + group.bytes, lf + group.flops
            for (p, b, f), n in group.counts.items():
                flat[(p + lp, b + lb, f + lf)] += n
    except _TooLarge:
        return None
    return ChainMeasures(flat, invalid, sum(flat.values()) + invalid)


# ---------------------------------------------------------------- diagnostics


_STATIC = ("params", "model_size", "flops")


def analyze(spec: ast.Spec, c: Checker, describe: Any = None) -> SpaceSize:
    """Record the static-analysis diagnostics of a checked spec; return the space size.

    `describe(spec)` reads a file source's description (see nasdsl.lang.DescribeData).
    """
    size = space_size(spec)
    data = None
    if spec.data.kind != "builtin" and describe is not None:
        try:
            data = describe(spec)
        except (ValueError, OSError) as err:
            c.warning("NAS421", f"the data source cannot be read: {err}", spec.data.span,
                      hint="`nasdsl run` will stop on this; static measures need the data's "
                      "shape")
    measures = chain_measures(spec, data)
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
        if k.subject not in _STATIC:
            continue
        ok = m.satisfying(k.subject, k.op, k.value, k.quantized)
        low, high = m.extent(k.subject, k.quantized)
        dim = Dimension.SIZE if k.subject == "model_size" else Dimension.COUNT
        after = f" after {k.quantized} quantization" if k.quantized else ""
        extent = (f"the space ranges from {format_quantity(low, dim)} to "
                  f"{format_quantity(high, dim)} {k.subject}{after}")
        limit = f"{k.subject} {k.op} {k.text}"
        if ok == 0 and not k.soft:
            c.error("NAS420", f"even the smallest architecture breaks {limit}", k.span,
                    hint="raise the limit, shrink the layers, or add `soft` to make it a "
                    "penalty", notes=(extent,))
        elif ok == 0:
            c.warning("NAS408", f"{limit} excludes the whole space", k.span,
                      hint="raise the limit or shrink the layers", notes=(extent,))
        elif ok < 0.1 * buildable:
            c.warning("NAS409", f"{limit} excludes more than 90% of the space: only {ok:,} "
                      f"of {buildable:,} architectures satisfy it", k.span, notes=(extent,))
        elif ok < buildable:
            c.info("NAS409", f"only {ok:,} of {buildable:,} architectures satisfy {limit}",
                   k.span, notes=(extent,))


# ---------------------------------------------------------------- `nasdsl space`


@dataclass(frozen=True)
class MeasureSummary:
    """Minimum, median and maximum of one static measure over the space (or a sample)."""

    name: str
    low: float
    median: float
    high: float


@dataclass(frozen=True)
class ConstraintShare:
    """The share of the space that satisfies one static constraint."""

    text: str
    share: float
    soft: bool


@dataclass(frozen=True)
class SpaceReport:
    """What `nasdsl space` prints: size, measures and constraint shares."""

    size: SpaceSize
    exact: bool  # measures over every architecture (True) or over a random sample
    examined: int  # architectures the measures are computed over
    invalid: int  # of those, how many cannot be built
    measures: tuple[MeasureSummary, ...]
    shares: tuple[ConstraintShare, ...]
    note: str = ""  # why measures are missing, when they are

    def size_text(self) -> str:
        """The number of architectures: exact below 10^15, else its log10."""
        n = self.size.architectures
        text = f"{n:,}" if n < 10**15 else f"10^{math.log10(n):.1f}"
        if self.size.continuous:
            text += f" (times continuous: {', '.join(self.size.continuous)})"
        return text


class _RandomSuggest:
    """Seeded random decisions, without Optuna (keeps `nasdsl space` light)."""

    def __init__(self, seed: int):
        import random

        self.rng = random.Random(seed)

    def categorical(self, name: str, options: list[Any]) -> Any:
        return self.rng.choice(options)

    def integer(self, name: str, low: int, high: int, step: int) -> int:
        return self.rng.randrange(low, high + 1, step)

    def real(self, name: str, low: float, high: float, log: bool) -> float:
        if log:
            return math.exp(self.rng.uniform(math.log(low), math.log(high)))
        return self.rng.uniform(low, high)


def _sampled(spec: ast.Spec, samples: int, seed: int,
             data: reg.DatasetSpec) -> tuple[list[tuple[int, int, int]], int]:
    from nasdsl.compile import spec_to_config
    from nasdsl.space.search_space import SearchSpace
    from nasdsl.space.shapes import ShapeError, measure

    space = SearchSpace(spec_to_config(spec), data)
    suggest = _RandomSuggest(seed)
    out: list[tuple[int, int, int]] = []
    invalid = 0
    for _ in range(samples):
        try:
            m = measure(space.sample(suggest))
        except (ShapeError, ValueError):
            invalid += 1
            continue
        out.append((m.params, m.model_bytes, m.flops))
    return out, invalid


def space_report(spec: ast.Spec, samples: int = 500, seed: int = 0,
                 describe: Any = None) -> SpaceReport:
    """Size, params/bytes/FLOPs and constraint shares of a checked spec's space.

    Exact for a layer chain small enough to enumerate; otherwise over `samples` seeded
    random architectures. No framework is imported. `describe` as for `analyze`.
    """
    size = space_size(spec)
    ds = builtin_description(spec)
    unreadable = ""
    if ds is None and describe is not None:
        try:
            ds = describe(spec)
        except (ValueError, OSError) as err:
            unreadable = str(err)
    chain = chain_measures(spec, ds)
    static = [k for k in spec.constraints if k.subject in _STATIC]
    if chain is not None:
        buildable = chain.total - chain.invalid
        if not buildable:
            return SpaceReport(size, True, chain.total, chain.invalid, (), (),
                               "no architecture can be built")
        measures = tuple(MeasureSummary(name, *map(float, chain.quantiles(name)))
                         for name in _STATIC)
        shares = tuple(ConstraintShare(_limit_text(k), chain.satisfying(
            k.subject, k.op, k.value, k.quantized) / buildable, k.soft) for k in static)
        return SpaceReport(size, True, chain.total, chain.invalid, measures, shares)
    custom = isinstance(spec.space, ast.LayerSpace) and any(
        op.custom for op in _walk(spec.space.items))
    if ds is None or custom:
        why = "custom ops" if custom else (unreadable or "the data source was not read")
        return SpaceReport(size, False, 0, 0, (), (), f"measures need shapes: {why}")
    rows, invalid = _sampled(spec, samples, seed, ds)
    if not rows:
        return SpaceReport(size, False, samples, invalid, (), (),
                           "no sampled architecture can be built")
    measures = []
    for i, name in enumerate(_STATIC):
        values = sorted(r[i] for r in rows)
        measures.append(MeasureSummary(name, float(values[0]),
                                       float(values[(len(values) - 1) // 2]),
                                       float(values[-1])))
    shares = []
    for k in static:
        i = _STATIC.index(k.subject)
        scale = quantized_scale(k.subject, k.quantized)
        ok = sum(1 for r in rows if (r[i] * scale <= k.value if k.op == "<="
                                     else r[i] * scale < k.value))
        shares.append(ConstraintShare(_limit_text(k), ok / len(rows), k.soft))
    return SpaceReport(size, False, samples, invalid, tuple(measures), tuple(shares))


def _walk(items: Iterable[ast.LayerItem]) -> Iterable[ast.LayerOp]:
    from nasdsl.lang.blocks_space import walk_ops

    return walk_ops(tuple(items))


def _limit_text(k: ast.Constraint) -> str:
    text = f"{k.subject} {k.op} {k.text}"
    if k.quantized:
        text += f" quantized {k.quantized}"
    return text + (" soft" if k.soft else "")
