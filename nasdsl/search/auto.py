"""`strategy auto`: pick a strategy from the space, the objectives and the budget, and say why."""

from __future__ import annotations

import math
import random
from typing import Any

from nasdsl.space.search_space import is_distribution


def _values(value: Any) -> float:
    """Distinct values of one config value (1 for a fixed one, inf for a continuous one)."""
    if not is_distribution(value):
        return 1
    kind = value["dist"]
    if kind == "choice":
        return len(value["options"])
    if kind == "int":
        return (int(value["high"]) - int(value["low"])) // int(value.get("step", 1) or 1) + 1
    return math.inf


def _layer_size(item: dict[str, Any]) -> float:
    size: float = 1
    for v in (item.get("params") or {}).values():
        size *= _values(v)
    return size


def _items_size(items: list[dict[str, Any]]) -> float:
    size: float = 1
    for item in items:
        if "op" in item:
            size *= _layer_size(item)
        elif "optional" in item:
            size *= 1 + _layer_size(item["optional"])
        else:
            count = item["repeat"]
            body = _items_size(item["body"])
            if is_distribution(count) and count["dist"] == "choice":
                counts = [int(c) for c in count["options"]]
            elif is_distribution(count) and count["dist"] == "int":
                counts = list(range(int(count["low"]), int(count["high"]) + 1,
                                    int(count.get("step", 1) or 1)))
            else:
                counts = [int(count)]
            size *= sum(body ** n for n in counts)
    return size


class _Recorder:
    """A Suggest that draws at random and remembers each decision's number of values."""

    def __init__(self, seed: int = 0):
        self.rng = random.Random(seed)
        self.values: dict[str, float] = {}

    def categorical(self, name: str, options: list[Any]) -> Any:
        """A random option."""
        self.values[name] = len(options)
        return options[self.rng.randrange(len(options))]

    def integer(self, name: str, low: int, high: int, step: int) -> int:
        """A random integer."""
        self.values[name] = (high - low) // step + 1
        return self.rng.randrange(low, high + 1, step)

    def real(self, name: str, low: float, high: float, log: bool) -> float:
        """A random float."""
        self.values[name] = math.inf
        return self.rng.uniform(low, high)


def _cell_decisions(config: dict[str, Any]) -> dict[str, float]:
    """Decision name → number of values of a cell space (and training), found by drawing it.

    Conditional decisions (a cell's `blocks`, a layout count) are the union over a few
    draws, so the product of the values is an upper bound of the space's size.
    """
    from nasdsl.space.search_space import SearchSpace

    space = SearchSpace(config)
    recorder = _Recorder()
    for _ in range(16):
        try:
            space.sample(recorder)
        except ValueError:  # a draw whose shapes do not fit still names its decisions
            continue
    return recorder.values


def space_size(config: dict[str, Any]) -> float:
    """Number of distinct candidates of a compiled config's space (inf when continuous)."""
    if config["space"].get("kind", "layers") != "layers":
        return math.prod(_cell_decisions(config).values())
    size = _items_size(list(config["space"]["layers"]))
    train = config["train"]
    size *= _values(train["epochs"]) * _values(train["batch_size"])
    for name, value in train["optimizer"].items():
        if name != "name":
            size *= _values(value)
    return size


def _count_decisions(items: list[dict[str, Any]]) -> tuple[int, int]:
    """(decisions, continuous decisions) counting each repeat body at its largest."""
    total = cont = 0
    for item in items:
        layers = [item] if "op" in item else [item["optional"]] if "optional" in item else []
        if "optional" in item:
            total += 1
        for layer in layers:
            for v in (layer.get("params") or {}).values():
                if is_distribution(v):
                    total += 1
                    cont += math.isinf(_values(v))
        if "body" in item:
            t, c = _count_decisions(item["body"])
            count = item["repeat"]
            most = (max(int(o) for o in count["options"]) if is_distribution(count)
                    and count["dist"] == "choice" else int(count["high"])
                    if is_distribution(count) else int(count))
            total += most * t + is_distribution(count)
            cont += most * c
    return total, cont


def choose(config: dict[str, Any] | None) -> tuple[str, dict[str, Any], str]:
    """(strategy name, its parameters, the reason) for this config."""
    if config is None:
        return "tpe", {}, "no experiment config was given, so the general-purpose TPE is used"
    goals = len(config.get("objective") or [])
    if goals > 1:
        return "nsga2", {}, (f"the objective has {goals} goals, so a Pareto front is searched "
                             f"with NSGA-II")
    budget = (config.get("budget") or {}).get("trials")
    size = space_size(config)
    train = config["train"]
    train_items = [{"params": {k: v for k, v in train["optimizer"].items() if k != "name"}},
                   {"params": {"epochs": train["epochs"], "batch_size": train["batch_size"]}}]
    if config["space"].get("kind", "layers") != "layers":
        values = _cell_decisions(config)
        decisions, continuous = len(values), sum(math.isinf(v) for v in values.values())
    else:
        decisions, continuous = _count_decisions(list(config["space"]["layers"]))
        for item in train_items:
            for v in item["params"].values():
                if is_distribution(v):
                    decisions += 1
                    continuous += math.isinf(_values(v))
    if budget is not None and size <= budget:
        return "grid", {}, (f"the space has {int(size)} candidates and the budget allows "
                            f"{budget} trials, so every one is tried (grid)")
    if budget is not None and budget <= 40 and decisions <= 20:
        return "bayesian", {"initial": max(3, min(10, budget // 4))}, (
            f"a small budget ({budget} trials) over {decisions} decisions suits a "
            f"Gaussian-process model of the accuracy (bayesian)")
    if continuous * 2 < max(decisions, 1) and (budget is None or budget >= 100):
        pop = 20 if budget is None else max(10, min(50, budget // 5))
        return "evolution", {"population": pop, "sample": max(2, pop // 4)}, (
            f"{decisions - continuous} of the {decisions} decisions are discrete architecture "
            f"choices and the budget is large ({budget or 'unbounded'} trials), where "
            f"regularized evolution does best on NAS benchmarks")
    return "tpe", {}, (f"{decisions} decisions ({continuous} continuous) and a budget of "
                       f"{budget or 'unbounded'} trials suit TPE, which models conditional "
                       f"decisions jointly")
