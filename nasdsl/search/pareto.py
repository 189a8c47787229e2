"""Pareto fronts of multi-objective searches."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def _sign(direction: Any) -> float:
    text = str(getattr(direction, "name", direction)).lower()
    if text not in ("maximize", "minimize"):
        raise ValueError(f"direction must be maximize or minimize, got {direction!r}")
    return 1.0 if text == "maximize" else -1.0


def _values(trial: Any) -> list[float] | None:
    """Objective values of an Optuna trial, a TrialResult or a mapping; None when unfinished."""
    state = getattr(trial, "state", None)
    if state is not None and getattr(state, "name", "COMPLETE") != "COMPLETE":
        return None
    if isinstance(trial, dict):
        values = trial.get("objectives", trial.get("values"))
        if trial.get("status", "ok") != "ok":
            return None
    else:
        values = getattr(trial, "values", None)
        if values is None:
            values = getattr(trial, "objectives", None)
        if getattr(trial, "status", "ok") not in ("ok", None):
            return None
    if values is None or any(v is None or not math.isfinite(float(v)) for v in values):
        return None
    return [float(v) for v in values]


def dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    """True when a is at least as good as b everywhere and better somewhere (maximizing)."""
    return all(x >= y for x, y in zip(a, b, strict=True)) and any(
        x > y for x, y in zip(a, b, strict=True))


def pareto_front(trials: Sequence[T], directions: Sequence[Any]) -> list[T]:
    """The non-dominated completed trials, in their original order.

    `trials` may be Optuna FrozenTrials (only COMPLETE ones count), runner TrialResults
    (status 'ok', `objectives`) or mappings with `objectives`/`values`; `directions` are
    'maximize'/'minimize' strings or Optuna StudyDirections, one per objective.
    """
    signs = [_sign(d) for d in directions]
    scored: list[tuple[T, list[float]]] = []
    for t in trials:
        values = _values(t)
        if values is None or len(values) != len(signs):
            continue
        scored.append((t, [s * v for s, v in zip(signs, values, strict=True)]))
    return [t for t, v in scored if not any(dominates(w, v) for _, w in scored)]
