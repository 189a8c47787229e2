"""Constraints before compute: reject statically infeasible candidates inside the sampler.

`StaticConstraintSampler` wraps any sampler. When a trial starts it draws a complete
candidate from the wrapped sampler by walking the real search space (the same
define-by-run order the runner uses), measures it statically (params, model bytes,
FLOPs — no framework, no training) and, while the deployment limits are broken, hands
the candidate back (`reject`, for the NAS samplers that learn from it) and draws again.
The trial then replays the accepted candidate. The NAS samplers learn from `reject`;
samplers without it (TPE, NSGA-II) see every rejected candidate, and every candidate
the runner rejected, as an infeasible trial with an Optuna constraint value
(nasdsl.search.rejections), so Optuna's constrained sampling moves them away from the
region. Should a sampler still propose infeasible points, after `max_tries // 4`
failures the rest of the draws come from a seeded random sampler. Only when `max_tries`
candidates in a row are infeasible does a violating one reach the runner, which rejects
it as before.
"""

from __future__ import annotations

from typing import Any

from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.samplers import BaseSampler
from optuna.study import Study
from optuna.trial import FrozenTrial, TrialState

from nasdsl.search.common import contains
from nasdsl.search.rejections import RejectionMemory, record

STATIC_SUBJECTS = ("params", "model_size", "flops")


def hard_limits(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The config's hard deployment limits (static or measured, e.g. latency)."""
    return [c for c in config.get("constraints", []) or []
            if not c.get("target") and not c.get("soft")]


def static_limits(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The config's deployment limits that can be checked without building a model."""
    return [c for c in config.get("constraints", []) or []
            if not c.get("target") and c.get("subject") in STATIC_SUBJECTS]


class StaticChecker:
    """Decides from decision values alone whether a candidate breaks a static limit."""

    def __init__(self, config: dict[str, Any]):
        from nasdsl.space.search_space import SearchSpace

        self.space = SearchSpace(config)
        self.limits = static_limits(config)

    def walk(self, pick: Any) -> Any:
        """Sample an Architecture, drawing each decision through pick(name, distribution)."""
        return self.space.sample(PickSuggest(pick))

    def excess(self, arch: Any) -> tuple[str | None, float]:
        """(why the architecture is infeasible or None, how far past its limits it is).

        The distance is the sum over the broken limits of |actual - limit| / |limit|
        (1.0 for an architecture whose shapes do not fit), the constraint value that
        Optuna's constrained samplers rank infeasible candidates by.
        """
        from nasdsl.run.constraints import violated_limits
        from nasdsl.space.shapes import ShapeError, measure

        try:
            m = measure(arch)
        except ShapeError as err:
            return f"invalid: {err}", 1.0
        broken = violated_limits(self.limits, {"params": m.params,
                                               "model_bytes": m.model_bytes, "flops": m.flops})
        if not broken:
            return None, 0.0
        distance = sum(abs(float(c.actual or 0.0) - c.limit) / max(abs(c.limit), 1e-12)
                       for c in broken)
        return "; ".join(c.describe() for c in broken), max(distance, 1e-6)


class PickSuggest:
    """A Suggest that builds the Optuna distribution of each decision and asks `pick`."""

    def __init__(self, pick: Any):
        self.pick = pick

    def categorical(self, name: str, options: list[Any]) -> Any:
        """Pick one of the options."""
        return self.pick(name, CategoricalDistribution(options))

    def integer(self, name: str, low: int, high: int, step: int) -> int:
        """Pick an integer."""
        return int(self.pick(name, IntDistribution(low, high, step=step)))

    def real(self, name: str, low: float, high: float, log: bool) -> float:
        """Pick a float."""
        return float(self.pick(name, FloatDistribution(low, high, log=log)))


class StaticConstraintSampler(BaseSampler):
    """Wrap a sampler so that it proposes only statically feasible candidates."""

    def __init__(self, base: BaseSampler, config: dict[str, Any], max_tries: int = 64,
                 seed: int | None = None):
        from optuna.samplers import RandomSampler

        self.base = base
        self.fallback = RandomSampler(seed=seed)
        self.checker = StaticChecker(config)
        self.max_tries = max_tries
        self.rejected = 0  # candidates turned away without spending any compute
        self._chosen: dict[int, dict[str, Any]] = {}
        self.explanation = getattr(base, "explanation", None)
        # Samplers without a `reject` hook (TPE, NSGA-II) learn from rejected candidates
        # through Optuna's constraint values instead (nasdsl.search.rejections).
        self.memory = RejectionMemory()

    def __str__(self) -> str:
        return f"{self.base} (static constraints checked before each trial)"

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        """Draw candidates until one passes the static limits."""
        self.base.before_trial(study, trial)
        fresh = study._storage.get_trial(trial._trial_id)  # sees what before_trial stored
        reject = getattr(self.base, "reject", None)
        memory = self.memory if reject is None else None
        if memory is not None:
            memory.sync(study)
        params: dict[str, Any] = {}
        rejected = 0
        records: list[dict[str, Any]] = []
        for attempt in range(self.max_tries):
            sampler = self.base if attempt < max(1, self.max_tries // 4) else self.fallback
            seen = memory.view(study) if memory is not None else study
            params, dists, arch = self._draw(seen, fresh, sampler)
            why, distance = self.checker.excess(arch)
            if why is None:
                break
            self.rejected += 1
            rejected += 1
            if reject is not None:
                reject(study, fresh, params)
            elif memory is not None:
                new = memory.add(study, params, dists, distance)
                if new is not None:
                    records.append(new)
        self._chosen[trial.number] = params
        # Kept in the study so reports (benchmarks/wasted_compute.py) can count proposals.
        study._storage.set_trial_system_attr(trial._trial_id, "nasdsl:rejected", rejected)
        record(study, fresh, records)

    def _draw(self, study: Study, trial: FrozenTrial, sampler: BaseSampler
              ) -> tuple[dict[str, Any], dict[str, BaseDistribution], Any]:
        space = sampler.infer_relative_search_space(study, trial)
        relative = sampler.sample_relative(study, trial, space) if space else {}
        params: dict[str, Any] = {}
        dists: dict[str, BaseDistribution] = {}

        def pick(name: str, dist: BaseDistribution) -> Any:
            if name in relative and contains(dist, relative[name]):
                value = relative[name]
            else:
                value = sampler.sample_independent(study, trial, name, dist)
            params[name] = value
            dists[name] = dist
            return value

        arch = self.checker.walk(pick)
        return params, dists, arch

    def infer_relative_search_space(self, study: Study,
                                    trial: FrozenTrial) -> dict[str, BaseDistribution]:
        """Every decision replays the accepted candidate."""
        return {}

    def sample_relative(self, study: Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        """Unused."""
        return {}

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        """The accepted candidate's value (the wrapped sampler's own if it has none)."""
        chosen = self._chosen.get(trial.number, {})
        if param_name in chosen and contains(param_distribution, chosen[param_name]):
            return chosen[param_name]
        return self.base.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState,
                    values: Any) -> None:
        """Pass the result on to the wrapped sampler."""
        self._chosen.pop(trial.number, None)
        self.base.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        """Reseed the wrapped sampler."""
        self.base.reseed_rng()

