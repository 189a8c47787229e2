"""What the language server remembers between versions of a document.

Two caches, both installed by `install()` in the server process only:

* the last error-free parse of each file: an edit re-parses only the statements on the
  lines it changed (`nasdsl.lang.incremental`), so a keystroke in a 1,000-line spec does
  not re-parse 1,000 lines; the diagnostics are those of a full check;
* the static-space measures: `nasdsl.lang.analysis.chain_measures` enumerates every
  architecture of a layer space to find its params / model-size / FLOPs range, the most
  expensive step of checking a spec. Its result depends only on the space and the
  dataset, not on where they sit in the file, so while a user edits anything else the
  server reuses it. The key is the space's AST with every source span left out.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import cache, lru_cache
from operator import attrgetter
from typing import Any

from nasdsl.data import describe_spec
from nasdsl.lang import Diagnostic, ParseResult, check_statements
from nasdsl.lang import parse_spec as full_parse_spec
from nasdsl.lang.incremental import reparse
from nasdsl.lang.parser import parse_statements_recovering
from nasdsl.lang.syntax import Stmt

_SIZE = 16

# file → (text, statements) of its last parse without a syntax error; None: not installed.
_last_parse: OrderedDict[str, tuple[str, list[Stmt]]] | None = None
_last_lock = threading.Lock()


def parse_spec(text: str, file: str) -> ParseResult:
    """`nasdsl.lang.parse_spec`; once installed, re-parsing only the lines an edit changed."""
    if _last_parse is None:
        return full_parse_spec(text, file, describe_spec)
    with _last_lock:
        last = _last_parse.get(file)
    stmts = reparse(last[0], last[1], text, file) if last is not None else None
    errors: list[Diagnostic] = []
    if stmts is None:
        stmts, errors = parse_statements_recovering(text, file)
    if stmts is not None and not errors:
        with _last_lock:
            _last_parse[file] = (text, stmts)
            _last_parse.move_to_end(file)
            if len(_last_parse) > _SIZE:
                _last_parse.popitem(last=False)
    return check_statements(text, file, stmts, errors, describe_spec)


# Values that stand for themselves in a fingerprint. bool and float are tagged with their
# type instead: True == 1 == 1.0 would otherwise make `choice(1, 2)` and
# `choice(true, 2)` the same space.
_PLAIN = frozenset({str, int, type(None)})


def fingerprint(node: object) -> object:
    """A hashable, span-free image of an AST subtree (equal for the same structure)."""
    cls = type(node)
    if cls in _PLAIN:
        return node
    fields = _span_free_values(cls)
    if fields is not None:
        return (cls.__name__, *[v if type(v) in _PLAIN else fingerprint(v)
                                for v in fields(node)])
    if cls is tuple or cls is list:
        return tuple([v if type(v) in _PLAIN else fingerprint(v) for v in node])  # type: ignore[attr-defined]
    if isinstance(node, dict):
        return tuple(sorted((k, fingerprint(v)) for k, v in node.items()))
    if cls is bool or cls is float:
        return cls.__name__, node
    return node


@cache
def _span_free_values(cls: type) -> Callable[[Any], tuple[Any, ...]] | None:
    """For a dataclass, a function giving a node's fields other than its spans (one C
    call, operator.attrgetter); None for any other type. A 1,000-line space has ~10,000
    nodes, and the fingerprint is computed on every check."""
    if not dataclasses.is_dataclass(cls):
        return None
    names = [f.name for f in dataclasses.fields(cls)
             if f.name != "span" and not f.name.endswith("_span")]
    if len(names) >= 2:
        return attrgetter(*names)
    if names:
        get = attrgetter(names[0])
        return lambda node: (get(node),)
    return lambda node: ()


class _BySpace:
    """A spec that hashes and compares by its span-free space and data source."""

    def __init__(self, spec: Any):
        data = getattr(spec, "data", None)
        self.spec = spec
        self.key = (fingerprint(getattr(spec, "space", None)), getattr(data, "kind", None),
                    getattr(data, "source", None))

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _BySpace) and other.key == self.key


def memoized(measure: Callable[..., Any]) -> Callable[..., Any]:
    """`measure(spec, data)` cached on the spec's space, data source and description."""
    by_space = lru_cache(maxsize=_SIZE)(lambda keyed, data: measure(keyed.spec, data))

    def cached(spec: Any, data: Any = None) -> Any:
        return by_space(_BySpace(spec), data)

    cached.__wrapped__ = measure  # type: ignore[attr-defined]
    return cached


def install() -> None:
    """Turn on both caches (server process only)."""
    global _last_parse
    from nasdsl.lang import analysis

    if _last_parse is None:
        _last_parse = OrderedDict()
    current = getattr(analysis, "chain_measures", None)
    if current is not None and not hasattr(current, "__wrapped__"):
        analysis.chain_measures = memoized(current)
