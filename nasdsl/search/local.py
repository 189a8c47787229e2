"""Local search over neighbouring architectures (one decision changed at a time).

From a centre architecture, try up to `neighbors` untried neighbours; move to the best
of them when it beats the centre. After `restart` steps without improvement, or when
every neighbour has been tried, restart from a random architecture. Rejected
(infeasible or invalid) neighbours score worst and are never proposed again. On resume
the centre is the best trial in the study.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from optuna.distributions import BaseDistribution
from optuna.study import Study
from optuna.trial import FrozenTrial

from nasdsl.search.common import (
    WORST,
    ProposalSampler,
    StrategyError,
    finished,
    key,
    neighbours,
    score,
    signs,
)


@dataclass
class _State:
    centre: dict[str, Any] | None = None
    centre_dists: dict[str, BaseDistribution] = field(default_factory=dict)
    centre_score: float = WORST
    pending: dict[int, str] = field(default_factory=dict)  # trial number → "start"/"step"
    step_results: list[tuple[float, FrozenTrial]] = field(default_factory=list)
    step_size: int = 0  # neighbours proposed in this step
    step_target: int = 0  # neighbours this step will try
    stale: int = 0
    seen: int = -1  # highest trial number processed


class LocalSearchSampler(ProposalSampler):
    """Best-improvement hill climbing with random restarts."""

    def __init__(self, neighbors: int = 4, restart: int = 10, seed: int | None = None):
        super().__init__(seed)
        if neighbors < 1 or restart < 1:
            raise StrategyError(f"local search needs neighbors ≥ 1 and restart ≥ 1, "
                                f"got neighbors={neighbors}, restart={restart}")
        self.neighbors = int(neighbors)
        self.restart = int(restart)
        self._state = _State()

    def _sync(self, study: Study) -> None:
        st = self._state
        s = signs(study)
        done = [t for t in finished(study) if t.number > st.seen]
        if st.seen < 0 and done and not st.pending:  # resumed: start from the best so far
            best = max(done, key=lambda t: (score(t, s), -t.number))
            if score(best, s) > WORST:
                st.centre, st.centre_dists = dict(best.params), dict(best.distributions)
                st.centre_score = score(best, s)
        for t in done:
            st.seen = max(st.seen, t.number)
            role = st.pending.pop(t.number, None)
            value = score(t, s)
            if role == "start":
                if value > WORST:
                    st.centre, st.centre_dists, st.centre_score = (
                        dict(t.params), dict(t.distributions), value)
                    st.step_results, st.step_size, st.stale = [], 0, 0
            elif role == "step":
                st.step_results.append((value, t))
        if st.centre is not None and st.step_size and len(st.step_results) >= st.step_target \
                and not any(r == "step" for r in st.pending.values()):
            self._end_step()

    def _end_step(self) -> None:
        st = self._state
        best_value, best = max(st.step_results, key=lambda p: (p[0], -p[1].number))
        if best_value > st.centre_score:
            st.centre, st.centre_dists = dict(best.params), dict(best.distributions)
            st.centre_score, st.stale = best_value, 0
        else:
            st.stale += 1
            if st.stale >= self.restart:
                st.centre = None
        st.step_results, st.step_size = [], 0

    def _untried(self, study: Study) -> list[dict[str, Any]]:
        st = self._state
        assert st.centre is not None
        known = self.known(study)
        out = []
        for name, dist in st.centre_dists.items():
            for value in neighbours(dist, st.centre[name]):
                cand = self.complete({**st.centre, name: value})
                if key(cand) not in known:
                    out.append(cand)
        return out

    def propose(self, study: Study, trial: FrozenTrial) -> dict[str, Any]:
        """A neighbour of the centre, or a random restart."""
        self._sync(study)
        st = self._state
        if st.centre is not None:
            candidates = self._untried(study)
            if not candidates and st.step_size == 0:
                st.centre = None  # a local optimum whose neighbourhood is exhausted
            elif candidates:
                if st.step_size == 0:
                    st.step_target = min(self.neighbors, len(candidates))
                st.step_size += 1
                st.pending[trial.number] = "step"
                return candidates[int(self._rng.randint(len(candidates)))]
        if st.centre is None:
            st.stale, st.step_results, st.step_size = 0, [], 0
        st.pending[trial.number] = "start"
        return {}

    def reject(self, study: Study, trial: FrozenTrial, params: dict[str, Any]) -> None:
        """Undo the bookkeeping of the rejected proposal, then propose again."""
        role = self._state.pending.pop(trial.number, None)
        if role == "step":
            self._state.step_size -= 1
        super().reject(study, trial, params)
