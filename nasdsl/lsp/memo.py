"""Memoized static-space measures for the language server.

`nasdsl.lang.analysis.chain_measures` enumerates every architecture of a layer space to
find its params / model-size / FLOPs range: the most expensive step of checking a spec
(about a second for a 1,000-line space). Its result depends only on the space and the
dataset, not on where they sit in the file, so while a user edits anything else the
server reuses it. The key is the space's AST with every source span left out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import lru_cache
from typing import Any

_SIZE = 16


def fingerprint(node: object) -> object:
    """A hashable, span-free image of an AST subtree (equal for the same structure)."""
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return (type(node).__name__,) + tuple(
            fingerprint(getattr(node, f.name)) for f in dataclasses.fields(node)
            if f.name != "span" and not f.name.endswith("_span"))
    if isinstance(node, tuple | list):
        return tuple(fingerprint(item) for item in node)
    if isinstance(node, dict):
        return tuple(sorted((k, fingerprint(v)) for k, v in node.items()))
    return node


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


def memoized(measure: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`measure(spec)` cached on the spec's space and data source (a small LRU)."""
    by_space = lru_cache(maxsize=_SIZE)(lambda keyed: measure(keyed.spec))

    def cached(spec: Any) -> Any:
        return by_space(_BySpace(spec))

    cached.__wrapped__ = measure  # type: ignore[attr-defined]
    return cached


def install() -> None:
    """Route the checker's static-space enumeration through the cache (server process only)."""
    from nasdsl.lang import analysis

    current = getattr(analysis, "chain_measures", None)
    if current is not None and not hasattr(current, "__wrapped__"):
        analysis.chain_measures = memoized(current)
