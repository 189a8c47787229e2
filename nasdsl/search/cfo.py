"""Cost-frugal optimisation (Wu, Wang & Huang, "Frugal Optimization for Cost-related
Hyperparameters", AAAI 2021 — FLAML's CFO) as an Optuna sampler.

The randomized direct search FLOW2 runs in the normalised space [0, 1]^d of the
decisions, starting from the cheapest configuration: the smallest value of every
numeric or boolean decision (fewest copies, fewest units, optional layers absent),
the first option of a named one and the middle of a continuous one. From the
incumbent x it tries x + δu for a random unit direction u, then x − δu if that did not
improve; after 2^(d−1) (capped at 32) such failures in a row δ halves, and once δ is
below the finest resolution of the space the search restarts from a random point.
Decisions that appear later (a new `repeat` copy) start at their cheapest value too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from optuna.distributions import BaseDistribution, CategoricalDistribution, IntDistribution
from optuna.study import Study
from optuna.trial import FrozenTrial

from nasdsl.search.common import (
    WORST,
    ProposalSampler,
    StrategyError,
    finished,
    from_unit,
    key,
    n_values,
    score,
    signs,
    sortable_choices,
    to_unit,
)


def cheapest(dist: BaseDistribution) -> Any:
    """The low-cost starting value of a decision."""
    if isinstance(dist, CategoricalDistribution):
        choices = sortable_choices(dist)
        return choices[0]
    if isinstance(dist, IntDistribution) or getattr(dist, "step", None) is not None:
        return dist.low  # type: ignore[attr-defined]
    return from_unit(dist, 0.5)


@dataclass
class _Flow2:
    x: dict[str, float] | None = None  # the incumbent, in unit coordinates
    dists: dict[str, BaseDistribution] = field(default_factory=dict)
    value: float = WORST
    step: float = 0.1
    failures: int = 0
    direction: np.ndarray | None = None
    tried_minus: bool = False
    pending: dict[int, str] = field(default_factory=dict)  # trial → "start"/"plus"/"minus"
    coords: dict[int, dict[str, float]] = field(default_factory=dict)  # unrounded proposals
    seen: int = -1


class CFOSampler(ProposalSampler):
    """FLOW2 randomized direct search from a low-cost initial point."""

    def __init__(self, step: float = 0.1, seed: int | None = None):
        super().__init__(seed)
        if not 0.0 < step <= 1.0:
            raise StrategyError(f"cfo step must be in (0, 1], got {step}")
        self.initial_step = float(step)
        self._state = _Flow2(step=float(step))
        self._random_restart = False

    def fill(self, name: str, dist: BaseDistribution) -> Any:
        """New decisions start cheap (random only right after a restart)."""
        if self._random_restart:
            return super().fill(name, dist)
        return cheapest(dist)

    def _initial(self) -> float:
        # FLOW2 scales the step with the dimension: a unit direction spreads it over d axes
        return self.initial_step * math.sqrt(max(len(self._state.dists), 1))

    def _patience(self) -> int:
        return int(min(32, max(2, 2 ** (len(self._state.x or {}) - 1))))

    def _min_step(self) -> float:
        sizes = [n_values(d) for d in self._state.dists.values()]
        finite = [n for n in sizes if math.isfinite(n) and n > 1]
        return 0.5 / max(finite) if finite else 0.01

    def _sync(self, study: Study) -> None:
        st = self._state
        s = signs(study)
        for t in finished(study):
            if t.number <= st.seen:
                continue
            st.seen = t.number
            role = st.pending.pop(t.number, None)
            coords = st.coords.pop(t.number, None)
            value = score(t, s)
            if role is None and st.x is None and value > WORST:  # resumed study
                role = "start" if value >= max(score(u, s) for u in finished(study)) else None
            if role is None:
                continue
            if role == "start":
                if value > WORST:
                    self._move(t, value)
                    st.step = self._initial()
                continue
            if value > st.value:
                self._move(t, value, coords)
            elif role == "plus":
                st.tried_minus = True  # try the opposite direction next
            else:
                st.failures += 1
                st.direction, st.tried_minus = None, False
                if st.failures >= self._patience():
                    st.step, st.failures = st.step / 2, 0
                    if st.step < self._min_step():
                        st.x = None  # converged: restart from a random point

    def _move(self, t: FrozenTrial, value: float,
              coords: dict[str, float] | None = None) -> None:
        st = self._state
        st.x = {n: (coords or {}).get(n, to_unit(d, t.params[n]))
                for n, d in t.distributions.items() if n_values(d) > 1}
        st.dists = dict(t.distributions)
        st.value, st.failures = value, 0
        st.direction, st.tried_minus = None, False

    def _point(self, sign: float) -> tuple[dict[str, Any], dict[str, float]]:
        st = self._state
        assert st.x is not None and st.direction is not None
        coords = {n: min(max(st.x[n] + sign * st.step * st.direction[i], 0.0), 1.0)
                  for i, n in enumerate(st.x)}
        out = {n: from_unit(st.dists[n], u) for n, u in coords.items()}
        fixed = {n: from_unit(d, 0.5) for n, d in st.dists.items() if n not in out}
        return {**fixed, **out}, coords

    def propose(self, study: Study, trial: FrozenTrial) -> dict[str, Any]:
        """x + δu, then x − δu; the cheapest point first and after each restart a random one."""
        self._sync(study)
        st = self._state
        self._random_restart = False
        if not st.x:
            # the very first point is the cheapest one; every restart is a random point
            self._random_restart = st.seen >= 0 or bool(self._rejected) or bool(st.pending)
            st.step = self._initial()
            st.pending[trial.number] = "start"
            return {}
        known = self.known(study)
        for _ in range(16):
            if st.direction is None or not st.tried_minus:
                if st.direction is None:
                    u = self._rng.normal(size=len(st.x))
                    st.direction = u / (np.linalg.norm(u) or 1.0)
                (cand, coords), role = self._point(+1.0), "plus"
            else:
                (cand, coords), role = self._point(-1.0), "minus"
            cand = self.complete(cand)
            if key(cand) not in known:
                st.pending[trial.number] = role
                st.coords[trial.number] = coords
                return cand
            # the move lands on a tried point (a coarse decision did not change): new direction
            st.direction, st.tried_minus = None, False
            st.failures += 1
            if st.failures >= self._patience():
                st.step, st.failures = st.step / 2, 0
                if st.step < self._min_step():
                    break
        st.x = None
        self._random_restart = True
        st.step = self._initial()
        st.pending[trial.number] = "start"
        return {}

    def reject(self, study: Study, trial: FrozenTrial, params: dict[str, Any]) -> None:
        """An infeasible point counts as a failed move; propose again."""
        role = self._state.pending.pop(trial.number, None)
        if role == "plus":
            self._state.tried_minus = True
        elif role == "minus":
            self._state.direction, self._state.tried_minus = None, False
            self._state.failures += 1
        super().reject(study, trial, params)
