"""Decisions: where values come from (an Optuna trial, or recorded values) and how a
compiled search primitive or a layer-chain item list is drawn into concrete layers.

Decision names are dotted paths into the config ("layers.0.dense.units",
"space.normal.b1.op0"), so the same space always asks the same questions.
"""

from __future__ import annotations

from typing import Any, Protocol

from nasdsl.lang import registry as reg
from nasdsl.space.ir import Layer


class Suggest(Protocol):
    """Where decision values come from."""

    def categorical(self, name: str, options: list[Any]) -> Any:
        """Pick one of the options."""

    def integer(self, name: str, low: int, high: int, step: int) -> int:
        """Pick an integer in [low, high]."""

    def real(self, name: str, low: float, high: float, log: bool) -> float:
        """Pick a float in [low, high]."""


class OptunaSuggest:
    """Draw decisions from an Optuna trial."""

    def __init__(self, trial: Any):
        self.trial = trial

    def categorical(self, name: str, options: list[Any]) -> Any:
        """Pick one of the options."""
        return self.trial.suggest_categorical(name, options)

    def integer(self, name: str, low: int, high: int, step: int) -> int:
        """Pick an integer in [low, high]."""
        return self.trial.suggest_int(name, low, high, step=step)

    def real(self, name: str, low: float, high: float, log: bool) -> float:
        """Pick a float in [low, high]."""
        return self.trial.suggest_float(name, low, high, log=log)


class FixedSuggest:
    """Replay recorded decision values (e.g. a trial's params); missing ones raise KeyError."""

    def __init__(self, values: dict[str, Any]):
        self.values = values

    def categorical(self, name: str, options: list[Any]) -> Any:
        """Recorded value."""
        return self.values[name]

    def integer(self, name: str, low: int, high: int, step: int) -> int:
        """Recorded value."""
        return int(self.values[name])

    def real(self, name: str, low: float, high: float, log: bool) -> float:
        """Recorded value."""
        return float(self.values[name])


def is_distribution(value: Any) -> bool:
    """True for a compiled search primitive such as {dist: choice, options: […]}."""
    return isinstance(value, dict) and "dist" in value


def draw(value: Any, name: str, suggest: Suggest) -> Any:
    """A fixed value as is, or a search primitive drawn under the decision name."""
    if not is_distribution(value):
        return value
    kind = value["dist"]
    if kind == "choice":
        options = list(value["options"])
        return options[0] if len(options) == 1 else suggest.categorical(name, options)
    if kind == "int":
        low, high = int(value["low"]), int(value["high"])
        return low if low == high else suggest.integer(name, low, high, int(value.get("step", 1)))
    if kind in ("uniform", "loguniform"):
        return suggest.real(name, float(value["low"]), float(value["high"]),
                            kind == "loguniform")
    raise ValueError(f"unknown distribution {kind!r} for {name}")


def expand_layers(items: list[dict[str, Any]], prefix: str, suggest: Suggest,
                  out: list[Layer]) -> None:
    """Draw a compiled layer-chain item list (op / optional / repeat) into concrete layers."""
    for index, item in enumerate(items):
        path = f"{prefix}.{index}"
        if "op" in item:
            out.append(make_layer(item, path, suggest))
        elif "optional" in item:
            inner = item["optional"]
            if draw({"dist": "choice", "options": [False, True]},
                    f"{path}.{inner['op']}.present", suggest):
                out.append(make_layer(inner, path, suggest))
        elif "choose" in item:
            options = item["choose"]
            pick = int(draw({"dist": "choice", "options": list(range(len(options)))},
                            f"{path}.choose", suggest))
            expand_layers(options[pick], f"{path}.c{pick}", suggest, out)
        else:
            count = int(draw(item["repeat"], f"{path}.repeat", suggest))
            for copy in range(count):
                expand_layers(item["body"], f"{path}.r{copy}", suggest, out)


def make_layer(item: dict[str, Any], path: str, suggest: Suggest) -> Layer:
    """One op item with every parameter drawn and registry defaults filled in."""
    op = item["op"]
    given = item.get("params", {}) or {}
    spec = reg.OPS.get(op)
    params: dict[str, Any] = {}
    if spec is None:  # an op of the IR table that the language does not list
        return Layer(op, {k: draw(v, f"{path}.{op}.{k}", suggest) for k, v in given.items()})
    for p in spec.params:
        if p.name in given:
            params[p.name] = draw(given[p.name], f"{path}.{op}.{p.name}", suggest)
        elif p.default is not None:
            params[p.name] = p.default
    return Layer(op, params)
