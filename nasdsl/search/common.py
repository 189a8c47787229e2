"""Shared pieces of the NAS samplers: trial scores, value moves and a proposal base sampler.

The space is define-by-run: a trial's decisions are known only as it draws them, and
a decision inside a `repeat` copy exists only when the copy does. The samplers here
therefore work on *proposals*, partial assignments {decision name: value} made when a
trial starts; a decision the proposal does not cover (a new copy, say) is drawn fresh.
Given the space (`use_space`), a sampler completes each proposal before it checks it
against the trials already made: a mutation that adds a copy exposes decisions the
parent never had, one that removes a copy leaves decisions the trial will never draw,
and only the completed assignment says which architecture the trial will build.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.samplers import BaseSampler
from optuna.study import Study, StudyDirection
from optuna.trial import FrozenTrial, TrialState

from nasdsl.search.errors import StrategyError  # noqa: F401 (re-exported for the samplers)

# Runner statuses (user attr "status") that mean the architecture itself is unusable.
BAD_STATUSES = ("infeasible", "invalid")
WORST = -math.inf


def signs(study: Study) -> list[float]:
    """+1 for each maximized objective, -1 for each minimized one."""
    return [1.0 if d == StudyDirection.MAXIMIZE else -1.0 for d in study.directions]


def is_bad(trial: FrozenTrial) -> bool:
    """True for a trial the runner rejected as infeasible or invalid (told as FAIL)."""
    return trial.state == TrialState.FAIL and trial.user_attrs.get("status") in BAD_STATUSES


def score(trial: FrozenTrial, study_signs: list[float]) -> float:
    """The first objective made 'higher is better'; -inf for rejected or failed trials.

    A trial stopped early (PRUNED) scores its last reported value when it has one.
    """
    if trial.state == TrialState.COMPLETE and trial.values:
        return study_signs[0] * float(trial.values[0])
    if trial.state == TrialState.PRUNED and trial.intermediate_values:
        last = trial.intermediate_values[max(trial.intermediate_values)]
        if math.isfinite(last):
            return study_signs[0] * float(last)
    return WORST


def finished(study: Study) -> list[FrozenTrial]:
    """Finished trials (complete, pruned or failed) in trial-number order."""
    states = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
    return sorted(study.get_trials(deepcopy=False, states=states), key=lambda t: t.number)


def key(params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """A hashable identity of an assignment (floats rounded so equal points compare equal)."""
    return tuple(sorted((k, repr(round(v, 9) if isinstance(v, float) else v))
                        for k, v in params.items()))


def sortable_choices(dist: CategoricalDistribution) -> list[Any]:
    """The choices in a meaningful order: numbers and booleans ascending, names as declared."""
    choices = list(dist.choices)
    if all(isinstance(c, int | float | bool) and c is not None for c in choices):
        return sorted(choices, key=float)
    return choices


def n_values(dist: BaseDistribution) -> float:
    """Number of distinct values a decision can take (inf for a continuous one)."""
    if isinstance(dist, CategoricalDistribution):
        return len(dist.choices)
    if isinstance(dist, IntDistribution):
        return (dist.high - dist.low) // dist.step + 1
    if isinstance(dist, FloatDistribution) and dist.step is not None:
        return int(round((dist.high - dist.low) / dist.step)) + 1
    return math.inf


def to_unit(dist: BaseDistribution, value: Any) -> float:
    """Position of a value in [0, 1] (log scale for log decisions, choice order otherwise)."""
    if isinstance(dist, CategoricalDistribution):
        choices = sortable_choices(dist)
        k = len(choices)
        return (choices.index(value) + 0.5) / k if value in choices else 0.5
    low, high = float(dist.low), float(dist.high)  # type: ignore[attr-defined]
    if high == low:
        return 0.5
    if getattr(dist, "log", False):
        return (math.log(float(value)) - math.log(low)) / (math.log(high) - math.log(low))
    return (float(value) - low) / (high - low)


def from_unit(dist: BaseDistribution, u: float) -> Any:
    """The value at position u ∈ [0, 1] (inverse of to_unit, rounded to the grid)."""
    u = min(max(float(u), 0.0), 1.0)
    if isinstance(dist, CategoricalDistribution):
        choices = sortable_choices(dist)
        return choices[min(int(u * len(choices)), len(choices) - 1)]
    low, high = float(dist.low), float(dist.high)  # type: ignore[attr-defined]
    if getattr(dist, "log", False):
        x = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
    else:
        x = low + u * (high - low)
    step = getattr(dist, "step", None)
    if isinstance(dist, IntDistribution):
        n = round((x - low) / dist.step)
        return int(min(max(low + n * dist.step, dist.low), dist.high))
    if step is not None:
        x = low + round((x - low) / step) * step
    return float(min(max(x, low), high))


def random_value(dist: BaseDistribution, rng: np.random.RandomState) -> Any:
    """A uniform draw (log-uniform for log decisions)."""
    if isinstance(dist, CategoricalDistribution):
        return dist.choices[int(rng.randint(len(dist.choices)))]
    if isinstance(dist, IntDistribution) and not dist.log:
        return int(dist.low + dist.step * rng.randint((dist.high - dist.low) // dist.step + 1))
    return from_unit(dist, float(rng.uniform()))


def mutate(dist: BaseDistribution, value: Any, rng: np.random.RandomState) -> Any:
    """A different value: another choice, a nearby integer, a perturbed float."""
    if n_values(dist) <= 1:
        return value
    if isinstance(dist, CategoricalDistribution):
        others = [c for c in dist.choices if c != value]
        return others[int(rng.randint(len(others)))]
    for _ in range(16):
        if isinstance(dist, IntDistribution) and n_values(dist) <= 8:
            new = random_value(dist, rng)
        else:
            new = from_unit(dist, to_unit(dist, value) + rng.normal(0.0, 0.15))
        if new != value:
            return new
    return random_value(dist, rng)


def neighbours(dist: BaseDistribution, value: Any) -> list[Any]:
    """The values one move away: every other choice, the next integers, floats ± 10 %."""
    if isinstance(dist, CategoricalDistribution):
        return [c for c in dist.choices if c != value]
    if isinstance(dist, IntDistribution):
        out = [value - dist.step, value + dist.step]
        return [v for v in out if dist.low <= v <= dist.high]
    u = to_unit(dist, value)
    out = [from_unit(dist, u - 0.1), from_unit(dist, u + 0.1)]
    return [v for i, v in enumerate(out) if v != value and v not in out[:i]]


def contains(dist: BaseDistribution, value: Any) -> bool:
    """True when value is a legal value of dist."""
    try:
        return bool(dist._contains(dist.to_internal_repr(value)))
    except (ValueError, TypeError):
        return False


class ProposalSampler(BaseSampler):
    """Base of the NAS samplers: each trial starts from a proposal made in `before_trial`.

    Subclasses implement `propose`. State is rebuilt from the study's trials, so a
    resumed study continues where it stopped; `reject` lets a constraint filter hand a
    statically infeasible proposal back before any compute is spent.
    """

    def __init__(self, seed: int | None = None):
        self._seed = seed
        self._rng = np.random.RandomState(seed)
        self._proposals: dict[int, dict[str, Any]] = {}
        self._rejected: set[tuple[tuple[str, str], ...]] = set()
        self._space: Any = None

    def use_space(self, config: dict[str, Any]) -> None:
        """Complete proposals by walking the experiment's real search space (see `complete`)."""
        from nasdsl.space.search_space import SearchSpace

        self._space = SearchSpace(config)

    def walk(self, pick: Any) -> dict[str, Any] | None:
        """Every decision a trial draws when each is chosen by pick(name, distribution).

        The space is walked in the runner's define-by-run order, so a decision inside a
        copy comes up only when the copy exists. None without a space (`use_space`).
        """
        if self._space is None:
            return None
        from nasdsl.search.feasibility import PickSuggest
        from nasdsl.space.shapes import ShapeError

        drawn: dict[str, Any] = {}

        def record(name: str, dist: BaseDistribution) -> Any:
            drawn[name] = pick(name, dist)
            return drawn[name]

        try:
            self._space.sample(PickSuggest(record))
        except ShapeError:
            pass  # the trial stops at the same decision: `drawn` is all it will draw
        return drawn

    def complete(self, params: dict[str, Any]) -> dict[str, Any]:
        """The assignment a trial given `params` as its proposal will actually draw.

        Each decision takes its value from `params` when that is legal, else a `fill`;
        decisions the walk never reaches are dropped. Without a space `params` comes back
        as it is.
        """
        def pick(name: str, dist: BaseDistribution) -> Any:
            value = params.get(name)
            return value if name in params and contains(dist, value) else self.fill(name, dist)

        drawn = self.walk(pick)
        return params if drawn is None else drawn

    def propose(self, study: Study, trial: FrozenTrial) -> dict[str, Any]:
        """The assignment the new trial should try ({} for a random one)."""
        raise NotImplementedError

    def fill(self, name: str, dist: BaseDistribution) -> Any:
        """Value of a decision the proposal does not cover (random by default)."""
        return random_value(dist, self._rng)

    def reject(self, study: Study, trial: FrozenTrial, params: dict[str, Any]) -> None:
        """The constraint filter found `params` infeasible: remember it and propose again."""
        self._rejected.add(key(params))
        self._proposals[trial.number] = self.propose(study, trial)

    def known(self, study: Study) -> set[tuple[tuple[str, str], ...]]:
        """Assignments already tried (any state) or rejected, as keys."""
        tried = {key(t.params) for t in study.get_trials(deepcopy=False) if t.params}
        return tried | self._rejected

    def infer_relative_search_space(self, study: Study,
                                    trial: FrozenTrial) -> dict[str, BaseDistribution]:
        """No joint sampling: every decision goes through `sample_independent`."""
        return {}

    def sample_relative(self, study: Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        """Unused (see infer_relative_search_space)."""
        return {}

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        """Make the trial's proposal."""
        self._proposals[trial.number] = self.propose(study, trial)

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        """The proposal's value for this decision, or a fresh one."""
        proposal = self._proposals.get(trial.number, {})
        if param_name in proposal and contains(param_distribution, proposal[param_name]):
            return proposal[param_name]
        value = self.fill(param_name, param_distribution)
        proposal[param_name] = value
        return value

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState,
                    values: Any) -> None:
        """Forget the trial's proposal."""
        self._proposals.pop(trial.number, None)

    def reseed_rng(self) -> None:
        """Reseed (Optuna calls this for parallel workers)."""
        self._rng = np.random.RandomState()


def distributions_of(trials: Iterable[FrozenTrial]) -> dict[str, BaseDistribution]:
    """Every decision seen in the trials, with its distribution, in first-seen order."""
    out: dict[str, BaseDistribution] = {}
    for t in trials:
        for name, dist in t.distributions.items():
            out.setdefault(name, dist)
    return out
