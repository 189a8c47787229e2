"""Every name the editor can complete or document, read from nasdsl.lang.registry.

The registry is the single source of truth; this module only turns its tables into
uniform `Entry` records (name, category, documentation, one-line detail).
"""

from __future__ import annotations

from dataclasses import dataclass

from nasdsl.lang import registry as reg
from nasdsl.lang.units import RATE_PERIODS, UNITS, Dimension

# Words of the language that are not registry keys of a block.
SPACE_WORDS = {
    "repeat": "repeat COUNT { layers }: the body repeated COUNT times; each copy has its own "
              "decisions. COUNT may be a number, range(low, high) or choice(…).",
    "optional": "optional OP: the op is present or absent (a boolean decision).",
}
DIRECTIONS = {
    "maximize": "maximize METRIC: larger is better, e.g. `maximize val.accuracy`.",
    "minimize": "minimize METRIC: smaller is better, e.g. `minimize val.loss`.",
}
BOOLEANS = {"true": "Boolean true.", "false": "Boolean false."}


@dataclass(frozen=True)
class Entry:
    """A completable, documented name."""

    name: str
    category: str  # block, key, op, strategy, metric, measure, dataset, optimizer, unit, …
    doc: str
    detail: str = ""


def doc_of(value: object) -> str:
    """Documentation of a registry value: a plain string or an object with `.doc`."""
    return value if isinstance(value, str) else str(getattr(value, "doc", "") or "")


def _table(table: dict[str, object], category: str, detail: str = "") -> list[Entry]:
    return [Entry(name, category, doc_of(value), detail) for name, value in table.items()]


def _param_detail(p: object) -> str:
    kind = getattr(p, "kind", "")
    if getattr(p, "required", False):
        return f"{kind}, required"
    default = getattr(p, "default", None)
    return f"{kind}, default {default}" if default is not None else str(kind)


def _params(params: object, category: str) -> list[Entry]:
    return [Entry(p.name, category, p.doc, _param_detail(p)) for p in params or ()]


def experiment_entries() -> list[Entry]:
    """The top-level block."""
    spec = reg.BLOCKS.get("experiment")
    return [Entry("experiment", "block", doc_of(spec) if spec else "The experiment block.")]


def block_keys(block: str) -> list[Entry]:
    """Keys (attributes and nested blocks) accepted inside `block`."""
    spec = reg.BLOCKS.get(block)
    if spec is None:
        return []
    out = []
    for key in spec.keys:
        doc = key.doc
        nested = reg.BLOCKS.get(key.name)
        if key.is_block and nested is not None and doc_of(nested) not in doc:
            doc = f"{doc}\n\n{doc_of(nested)}"
        detail = ("block" if key.is_block else "key") + (", required" if key.required else "")
        out.append(Entry(key.name, "block" if key.is_block else "key", doc, detail))
    return out


def ops() -> list[Entry]:
    """Layer ops of a space."""
    return [Entry(name, "op", doc_of(op), _signature(name, getattr(op, "params", ())))
            for name, op in reg.OPS.items()]


def _signature(name: str, params: object) -> str:
    names = [p.name for p in params or ()]
    return f"{name}({', '.join(names)})" if names else name


def space_words() -> list[Entry]:
    """`repeat` and `optional` inside a space."""
    return [Entry(k, "keyword", v) for k, v in SPACE_WORDS.items()]


def op_params(op: str) -> list[Entry]:
    """Parameters of one op."""
    spec = reg.OPS.get(op)
    return _params(getattr(spec, "params", ()), "param") if spec else []


def optimizers() -> list[Entry]:
    """Training optimizers."""
    return [Entry(name, "optimizer", doc_of(o), _signature(name, getattr(o, "params", ())))
            for name, o in reg.OPTIMIZERS.items()]


def optimizer_params(name: str) -> list[Entry]:
    """Parameters of one optimizer."""
    spec = reg.OPTIMIZERS.get(name)
    return _params(getattr(spec, "params", ()), "param") if spec else []


def strategies() -> list[Entry]:
    """Search strategies."""
    return _table(reg.STRATEGIES, "strategy", "strategy")


def strategy_params(name: str) -> list[Entry]:
    """Parameters of one strategy's block."""
    spec = reg.STRATEGIES.get(name)
    return _params(getattr(spec, "params", ()), "param") if spec else []


def datasets() -> list[Entry]:
    """Built-in datasets."""
    return [Entry(name, "dataset", doc_of(d), getattr(getattr(d, "task", None), "value", ""))
            for name, d in reg.DATASETS.items()]


def metrics(splits: tuple[str, ...] = ("val",)) -> list[Entry]:
    """split.metric names, plus the model measures."""
    out = [Entry(f"{split}.{name}", "metric", doc_of(m),
                 "higher is better" if getattr(m, "higher_is_better", True) else
                 "lower is better")
           for split in splits for name, m in reg.METRICS.items()]
    return out + measures()


def bare_metrics() -> list[Entry]:
    """Metric names without a split (constraint targets)."""
    return _table(reg.METRICS, "metric", "metric target")


def measures() -> list[Entry]:
    """Properties of the model itself (params, model_size, flops, latency)."""
    return [Entry(name, "measure", doc_of(m), getattr(getattr(m, "dimension", None), "value", ""))
            for name, m in reg.MEASURES.items()]


def backends() -> list[Entry]:
    """Framework backends."""
    return _table(reg.BACKENDS, "backend", "backend")


def space_kinds() -> list[Entry]:
    """Kinds of search space."""
    return _table(reg.SPACE_KINDS, "space kind", "space kind")


def activations() -> list[Entry]:
    """Activation names."""
    return _table(reg.ACTIVATIONS, "activation", "activation")


def primitives() -> list[Entry]:
    """Search primitives: choice, range, uniform, loguniform."""
    return _table(reg.SEARCH_PRIMITIVES, "primitive", "search primitive")


def booleans() -> list[Entry]:
    """true and false."""
    return _table(BOOLEANS, "constant")


def directions() -> list[Entry]:
    """maximize and minimize."""
    return _table(DIRECTIONS, "keyword")


def units(dimension: Dimension | None = None) -> list[Entry]:
    """Unit symbols, optionally of one dimension."""
    return [Entry(u.symbol, "unit", f"{u.doc} — {u.dimension.describe()}", u.dimension.value)
            for u in UNITS.values() if dimension is None or u.dimension is dimension]


def rate_periods() -> list[Entry]:
    """Periods accepted after a price: $2.48/h."""
    return [Entry(p, "unit", f"price per {p}", "money rate") for p in RATE_PERIODS]


def everything() -> list[Entry]:
    """All documented names, for hover when the context says nothing more precise."""
    out = experiment_entries()
    for block in reg.BLOCKS:
        out += block_keys(block)
    out += ops() + space_words() + optimizers() + strategies() + datasets() + bare_metrics()
    out += measures() + backends() + space_kinds() + activations() + primitives() + directions()
    out += booleans()
    return out
