"""Which decisions a supernet shares weights for, and how sub-networks are drawn.

A weight-sharing search draws only the *free* decisions of the space (the ones the
supernet holds every option of: cell ops and inputs, layer widths, kernel sizes,
depths, activations, optional layers); every other decision (stem and layout sizes,
dropout rates, training hyperparameters) takes its *reference* value: the middle option
of a choice (the upper middle for an even count), the middle of an integer range, the
midpoint of a uniform range and the geometric mean of a log-uniform one. The final
architectures keep the reference values, so they are trained the way the supernet was.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from nasdsl.space.ir import Architecture
from nasdsl.space.search_space import SearchSpace

_FREE = {
    "nb201": re.compile(r"^space\.cell\.e\d+_\d+$"),
    "cells": re.compile(r"^space\.(normal|reduction)\.b\d+\.(in|op)[01]$"),
    "layers": re.compile(r"^layers\..*(\.dense\.units|\.conv\.channels|\.conv\.kernel|"
                         r"\.activation|\.present|\.repeat|\.choose)$"),
}

# pick(name, options) → one of the options
Pick = Callable[[str, list[Any]], Any]


def reference(value: Any) -> Any:
    """The reference value of a compiled literal or search primitive (see module doc)."""
    if not (isinstance(value, dict) and "dist" in value):
        return value
    kind = value["dist"]
    if kind == "choice":
        options = list(value["options"])
        return options[len(options) // 2]
    if kind == "int":
        low, high, step = int(value["low"]), int(value["high"]), int(value.get("step", 1))
        return low + step * (((high - low) // step + 1) // 2)
    low, high = float(value["low"]), float(value["high"])
    return math.sqrt(low * high) if kind == "loguniform" else (low + high) / 2


def options_of(value: Any) -> list[Any]:
    """Every value a compiled literal or discrete primitive can take ([reference] if continuous)."""
    if not (isinstance(value, dict) and "dist" in value):
        return [value]
    if value["dist"] == "choice":
        return list(value["options"])
    if value["dist"] == "int":
        return list(range(int(value["low"]), int(value["high"]) + 1, int(value.get("step", 1))))
    return [reference(value)]


def is_free(kind: str, name: str) -> bool:
    """True when the supernet of a `kind` space shares weights for decision `name`."""
    pattern = _FREE.get(kind)
    return bool(pattern and pattern.match(name))


class RoutedSuggest:
    """A Suggest: free decisions go to `pick`, the others take their reference value.

    Every value drawn is recorded in `values` (the full assignment a trial replays), and
    the free ones with their options in `free`.
    """

    def __init__(self, kind: str, pick: Pick):
        self.kind = kind
        self.pick = pick
        self.values: dict[str, Any] = {}
        self.free: dict[str, list[Any]] = {}

    def _take(self, name: str, options: list[Any]) -> Any:
        if is_free(self.kind, name):
            value = self.pick(name, options)
            self.free[name] = options
        else:
            value = options[len(options) // 2]
        self.values[name] = value
        return value

    def categorical(self, name: str, options: list[Any]) -> Any:
        """A free choice is picked; another takes its middle option."""
        return self._take(name, list(options))

    def integer(self, name: str, low: int, high: int, step: int) -> int:
        """As categorical, over the integers of the range."""
        return int(self._take(name, list(range(low, high + 1, step))))

    def real(self, name: str, low: float, high: float, log: bool) -> float:
        """Continuous decisions are never free: the reference value."""
        value = math.sqrt(low * high) if log else (low + high) / 2
        self.values[name] = value
        return value


def draw_subnet(space: SearchSpace, pick: Pick) -> tuple[Architecture, dict[str, Any],
                                                         dict[str, list[Any]]]:
    """Sample a sub-network: (architecture, every decision's value, free decisions' options)."""
    suggest = RoutedSuggest(space.kind, pick)
    arch = space.sample(suggest)
    return arch, suggest.values, suggest.free


def middle(name: str, options: list[Any]) -> Any:
    """The reference pick: the middle option."""
    return options[len(options) // 2]


def largest(name: str, options: list[Any]) -> Any:
    """The largest numeric option (the first one for names); OFA's biggest sub-network."""
    numbers = [o for o in options if isinstance(o, int | float) and not isinstance(o, bool)]
    if len(numbers) == len(options):
        return max(numbers)
    if all(isinstance(o, bool) for o in options):
        return True
    return options[0]
