"""Rejected candidates as infeasible observations for Optuna's constrained samplers.

The constraint filter turns infeasible candidates away before a trial starts, and the
runner tells a candidate it rejected (a latency limit, a shape error) as FAIL. Neither
reaches a sampler such as TPE, which reads only COMPLETE and PRUNED trials: it would keep
proposing the large layers that score best. `RejectionMemory` keeps every rejected
candidate as a COMPLETE trial carrying an Optuna constraint value (how far past its
limits it is) and shows the sampler a view of the study that includes them, so Optuna's
own feasibility handling (TPE puts infeasible trials in its "bad" density, ranked by
violation) steers it away. The study itself is not changed: budgets, reports and trial
numbers count only real trials. Each trial keeps the candidates rejected before it in a
system attribute, so a resumed run or another worker rebuilds the same memory.
"""

from __future__ import annotations

from typing import Any

from optuna.distributions import (
    BaseDistribution,
    distribution_to_json,
    json_to_distribution,
)
from optuna.study import Study
from optuna.trial import FrozenTrial, TrialState, create_trial

from nasdsl.search.common import is_bad, key

REJECTIONS_ATTR = "nasdsl:rejections"
CONSTRAINT_NAME = "nasdsl_limits"
# A runner-rejected trial records no distance past its limits; count it as one limit's worth.
RUNNER_EXCESS = 1.0


class RejectionMemory:
    """Every rejected candidate of a study, as infeasible COMPLETE trials."""

    def __init__(self) -> None:
        self._virtual: dict[tuple[tuple[str, str], ...], FrozenTrial] = {}
        self._seen_trials: set[int] = set()  # trial ids whose attributes were read

    def __len__(self) -> int:
        return len(self._virtual)

    def add(self, study: Study, params: dict[str, Any],
            dists: dict[str, BaseDistribution], excess: float) -> dict[str, Any] | None:
        """Remember one rejected candidate; its record for the trial's attribute, or None
        when the same candidate was rejected before."""
        k = key(params)
        if k in self._virtual or not params:
            return None
        self._virtual[k] = _infeasible_trial(study, params, dists, excess)
        return {"params": params, "dists": {n: distribution_to_json(d) for n, d in dists.items()},
                "excess": excess}

    def sync(self, study: Study) -> None:
        """Read rejections recorded by trials this process has not seen (resume, workers),
        and the candidates the runner rejected."""
        for t in study.get_trials(deepcopy=False):
            if t._trial_id in self._seen_trials:
                continue
            if t.state.is_finished():
                self._seen_trials.add(t._trial_id)
            for record in t.system_attrs.get(REJECTIONS_ATTR, []) or []:
                try:
                    dists = {n: json_to_distribution(d) for n, d in record["dists"].items()}
                    self.add(study, dict(record["params"]), dists, float(record["excess"]))
                except (KeyError, TypeError, ValueError):
                    continue  # a record written by another version: skip it
            if is_bad(t) and t.params:
                self.add(study, dict(t.params), dict(t.distributions), RUNNER_EXCESS)

    def view(self, study: Study) -> Study:
        """The study as the sampler should see it: its trials plus the rejected candidates."""
        if not self._virtual:
            return study
        return _StudyWithRejections(study, list(self._virtual.values()))  # type: ignore[return-value]


def _infeasible_trial(study: Study, params: dict[str, Any],
                      dists: dict[str, BaseDistribution], excess: float) -> FrozenTrial:
    # The objective values are never read for an infeasible trial (Optuna ranks those by
    # their constraint value alone), but a COMPLETE trial must have them.
    return create_trial(state=TrialState.COMPLETE, values=[0.0] * len(study.directions),
                        params=dict(params), distributions=dict(dists),
                        constraints={CONSTRAINT_NAME: float(excess)})


class _StudyWithRejections:
    """A read-mostly proxy of a Study whose trial lists include the rejected candidates."""

    def __init__(self, study: Study, virtual: list[FrozenTrial]):
        self._study = study
        self._extra = virtual

    def __getattr__(self, name: str) -> Any:
        return getattr(self._study, name)

    def _with_extra(self, trials: list[FrozenTrial], states: Any) -> list[FrozenTrial]:
        if states is not None and TrialState.COMPLETE not in tuple(states):
            return trials
        return [*trials, *self._extra]

    def _get_trials(self, deepcopy: bool = True, states: Any = None,
                    use_cache: bool = False) -> list[FrozenTrial]:
        trials = self._study._get_trials(deepcopy=deepcopy, states=states, use_cache=use_cache)
        return self._with_extra(list(trials), states)

    def get_trials(self, deepcopy: bool = True, states: Any = None) -> list[FrozenTrial]:
        """The study's trials and the rejected candidates (as infeasible COMPLETE trials)."""
        return self._with_extra(list(self._study.get_trials(deepcopy=deepcopy, states=states)),
                                states)

    @property
    def trials(self) -> list[FrozenTrial]:
        """Every trial, rejected candidates included."""
        return self.get_trials()


def record(study: Study, trial: FrozenTrial, records: list[dict[str, Any]]) -> None:
    """Keep a trial's new rejections in its system attributes (rebuilt by `sync`)."""
    if records:
        study._storage.set_trial_system_attr(trial._trial_id, REJECTIONS_ATTR, records)
