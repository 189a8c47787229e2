"""Every name the editor can complete or document, read from nasdsl.lang.registry.

The registry is the single source of truth; this module only turns its tables into
uniform `Entry` records (name, category, documentation, one-line detail). Tables are
looked up by name with `getattr`, so a table the registry does not have (yet) is
simply empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nasdsl.lang import registry as reg
from nasdsl.lang.units import RATE_PERIODS, UNITS, Dimension

# (registry table, category shown to the user), in the order a hover prefers them.
NAME_TABLES: tuple[tuple[str, str], ...] = (
    ("OPS", "op"), ("LAYER_KEYWORDS", "keyword"), ("CELL_OPS", "cell op"),
    ("OPTIMIZERS", "optimizer"), ("SCHEDULES", "schedule"),
    ("EARLY_STOPPING", "early stopping"), ("STRATEGIES", "strategy"), ("DATASETS", "dataset"),
    ("DATA_SOURCES", "data source"), ("METRICS", "metric"), ("METRIC_PATTERNS", "metric"),
    ("MEASURES", "measure"), ("BACKENDS", "backend"), ("LAUNCHERS", "launcher"),
    ("DISPATCH", "dispatch"),
    ("DEVICES", "device"), ("EXPORT_FORMATS", "export format"),
    ("BASELINE_MODELS", "model"), ("SPACE_KINDS", "space kind"), ("CELL_ROLES", "cell role"),
    ("NB201_LAYOUT_ITEMS", "layout item"), ("COMBINES", "combine"),
    ("SEARCH_PRIMITIVES", "primitive"), ("ACTIVATIONS", "activation"),
    ("PRECISIONS", "precision"), ("NORMALIZATIONS", "normalization"), ("TASKS", "task"),
    ("CONSTRAINT_MODIFIERS", "modifier"), ("AUGMENTATIONS", "augmentation"),
)
# Tables whose entries take named parameters: name(param = …).
CALL_TABLES = ("OPS", "OPTIMIZERS", "SCHEDULES", "EARLY_STOPPING", "DATA_SOURCES",
               "BASELINE_MODELS", "MEASURES", "STRATEGIES")

DIRECTIONS = ("maximize", "minimize")
BOOLEANS = {"true": "Boolean true.", "false": "Boolean false."}


@dataclass(frozen=True)
class Entry:
    """A completable, documented name."""

    name: str
    category: str  # block, key, op, strategy, metric, measure, dataset, optimizer, unit, …
    doc: str
    detail: str = ""


def table(name: str) -> dict[str, object]:
    """A registry table by name (empty when the registry has no such table)."""
    value = getattr(reg, name, None)
    return value if isinstance(value, dict) else {}


def doc_of(value: object) -> str:
    """Documentation of a registry value: a string, an object with `.doc`, or (doc, …)."""
    if isinstance(value, str):
        return value
    if isinstance(value, tuple) and value and isinstance(value[0], str):
        return value[0]
    return str(getattr(value, "doc", "") or "")


def params_of(value: object) -> tuple[object, ...]:
    """Named parameters of a callable registry value."""
    return tuple(getattr(value, "params", ()) or ())


def _signature(name: str, value: object) -> str:
    names = [p.name for p in getattr(value, "positional", ()) or ()]
    names += [f"{p.name} = …" for p in params_of(value)]
    return f"{name}({', '.join(names)})" if names else ""


def _entries(table_name: str, category: str) -> list[Entry]:
    return [Entry(name, category, doc_of(v), _signature(name, v) or category)
            for name, v in table(table_name).items()]


@cache
def index() -> dict[str, list[Entry]]:
    """Every documented name → its entries (a name may be in several tables)."""
    out: dict[str, list[Entry]] = {}
    for table_name, category in NAME_TABLES:
        for entry in _entries(table_name, category):
            out.setdefault(entry.name, []).append(entry)
    for entry in [Entry(k, "constant", v) for k, v in BOOLEANS.items()] + experiment():
        out.setdefault(entry.name, []).append(entry)
    for block in reg.BLOCKS:
        for entry in block_keys(block):
            out.setdefault(entry.name, []).append(entry)
    return out


def named(names: object, prefer: str | None = None) -> list[Entry]:
    """Entries for a list of names, documented from whichever table holds them."""
    out = []
    for name in names or ():
        found = index().get(str(name), [])
        pick = next((e for e in found if e.category == prefer), found[0] if found else None)
        out.append(pick or Entry(str(name), prefer or "value", ""))
    return out


def by_table(table_name: str) -> list[Entry]:
    """All entries of one registry table."""
    category = dict(NAME_TABLES).get(table_name, table_name.lower())
    return _entries(table_name, category)


def experiment() -> list[Entry]:
    """The top-level block."""
    spec = reg.BLOCKS.get("experiment")
    return [Entry("experiment", "block", doc_of(spec) if spec else "The experiment block.")]


def block_keys(block: str) -> list[Entry]:
    """Keys (attributes and nested blocks) accepted inside `block`."""
    spec = reg.BLOCKS.get(block)
    out = []
    for key in getattr(spec, "keys", ()) or ():
        doc = key.doc
        nested = reg.BLOCKS.get(key.name)
        if key.is_block and nested is not None and doc_of(nested) not in doc:
            doc = f"{doc}\n\n{doc_of(nested)}"
        kind = getattr(key, "kind", "") or ("block" if key.is_block else "key")
        detail = kind + (", required" if key.required else "")
        out.append(Entry(key.name, "block" if key.is_block else "key", doc, detail))
    return out


def key_spec(block: str, key: str) -> object | None:
    """The registry's KeySpec of `key` in `block`."""
    spec = reg.BLOCKS.get(block)
    return next((k for k in getattr(spec, "keys", ()) or () if k.name == key), None)


def callee(name: str) -> object | None:
    """The registry entry of a callable name (op, optimizer, schedule, measure, …)."""
    for table_name in CALL_TABLES:
        if name in table(table_name):
            return table(table_name)[name]
    return None


def param_entries(params: object) -> list[Entry]:
    """Entries for ParamSpecs."""
    out = []
    for p in params or ():
        kind = getattr(p, "kind", "")
        default = getattr(p, "default", None)
        detail = f"{kind}, required" if getattr(p, "required", False) else (
            f"{kind}, default {default}" if default is not None else str(kind))
        out.append(Entry(p.name, "param", p.doc, detail))
    return out


def metrics(split: str = "val") -> list[Entry]:
    """split.metric names, plus the model measures."""
    out = [Entry(f"{split}.{name}", "metric", doc_of(m),
                 "higher is better" if getattr(m, "higher_is_better", True) else
                 "lower is better")
           for name, m in table("METRICS").items()]
    return out + by_table("MEASURES")


def booleans() -> list[Entry]:
    """true and false."""
    return [Entry(k, "constant", v) for k, v in BOOLEANS.items()]


def units(dimension: Dimension | None = None) -> list[Entry]:
    """Unit symbols, optionally of one dimension."""
    return [Entry(u.symbol, "unit", f"{u.doc} — {u.dimension.describe()}", u.dimension.value)
            for u in UNITS.values() if dimension is None or u.dimension is dimension]


def rate_periods() -> list[Entry]:
    """Periods accepted after a price: $2.48/h."""
    return [Entry(p, "unit", f"price per {p}", "money rate") for p in RATE_PERIODS]


def splits() -> list[Entry]:
    """train, val, test."""
    return [Entry(s, "keyword", f"The {s} split.") for s in getattr(reg, "SPLITS", ())]
