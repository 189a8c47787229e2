"""Exhaustive grid search over a conditional (define-by-run) space.

The sampler walks the tree of decisions: at each decision it looks at the trials whose
earlier decisions agree with the current trial's and takes the first value (or, with
`shuffle`, a seeded random one) whose subtree still holds an untried architecture.
So every architecture of a finite space is tried exactly once, conditional decisions
included (a decision inside a `repeat` copy is only a branch under that copy). A
continuous decision makes the space infinite: it is an error unless `resolution` cuts
it into that many points.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.samplers import BaseSampler
from optuna.study import Study
from optuna.trial import FrozenTrial, TrialState

from nasdsl.search.common import StrategyError


class GridExhausted(RuntimeError):
    """Every architecture of the space has been tried."""


def grid_values(name: str, dist: BaseDistribution, resolution: int | None) -> list[Any]:
    """The values grid search tries for one decision."""
    if isinstance(dist, CategoricalDistribution):
        return list(dist.choices)
    if isinstance(dist, IntDistribution):
        return list(range(dist.low, dist.high + 1, dist.step))
    if isinstance(dist, FloatDistribution) and dist.step is not None:
        n = int(round((dist.high - dist.low) / dist.step))
        return [dist.low + i * dist.step for i in range(n + 1)]
    if isinstance(dist, FloatDistribution) and resolution:
        if resolution == 1:
            return [math.sqrt(dist.low * dist.high) if dist.log else (dist.low + dist.high) / 2]
        if dist.log:
            return [float(v) for v in np.geomspace(dist.low, dist.high, resolution)]
        return [float(v) for v in np.linspace(dist.low, dist.high, resolution)]
    raise StrategyError(
        f"grid search needs a finite space, but decision '{name}' is continuous "
        f"({'loguniform' if getattr(dist, 'log', False) else 'uniform'}"
        f"({getattr(dist, 'low', '?')}, {getattr(dist, 'high', '?')})); fix it with an override "
        f"such as {name}=…, replace it by choice(…), or set `resolution = 5` in the strategy "
        f"block to try 5 evenly spaced points")


def _index(values: list[Any], value: Any) -> int:
    if value in values:
        return values.index(value)
    if isinstance(value, int | float) and all(isinstance(v, int | float) for v in values):
        return int(np.argmin([abs(float(v) - float(value)) for v in values]))
    return -1


class _Node:
    """A decision in the tree of tried architectures."""

    __slots__ = ("children", "leaf", "name", "size")

    def __init__(self) -> None:
        self.name: str | None = None
        self.size = 0
        self.children: dict[int, _Node] = {}
        self.leaf = False

    def exhausted(self) -> bool:
        if self.leaf:
            return True
        if self.name is None or len(self.children) < self.size:
            return False
        return all(c.exhausted() for c in self.children.values())


class GridSampler(BaseSampler):
    """Enumerate every architecture once (define-by-run aware)."""

    def __init__(self, resolution: int | None = None, shuffle: bool = False,
                 seed: int | None = None):
        if resolution is not None and int(resolution) < 1:
            raise StrategyError(f"grid resolution must be ≥ 1, got {resolution}")
        self.resolution = None if resolution is None else int(resolution)
        self.shuffle = bool(shuffle)
        self._rng = np.random.RandomState(seed)
        self._drawn: dict[int, dict[str, Any]] = {}

    def infer_relative_search_space(self, study: Study,
                                    trial: FrozenTrial) -> dict[str, BaseDistribution]:
        """Every decision is drawn on its own."""
        return {}

    def sample_relative(self, study: Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        """Unused."""
        return {}

    def _tree(self, study: Study, trial: FrozenTrial, prefix: dict[str, Any]) -> _Node:
        """The tried subtrees below the current trial's decisions so far."""
        root = _Node()
        for other in study.get_trials(deepcopy=False):
            if other.number == trial.number or other.state == TrialState.WAITING:
                continue
            params = other.params
            if any(params.get(k, _MISSING) != v for k, v in prefix.items()):
                continue
            node = root
            for name, dist in other.distributions.items():
                if name in prefix:
                    continue
                values = grid_values(name, dist, self.resolution)
                node.name, node.size = name, len(values)
                i = _index(values, params[name])
                if i < 0:
                    break
                node = node.children.setdefault(i, _Node())
            else:
                node.leaf = True
        return root

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        """The next untried value of this decision under the trial's earlier decisions."""
        values = grid_values(param_name, param_distribution, self.resolution)
        prefix = self._drawn.setdefault(trial.number, {})
        root = self._tree(study, trial, prefix)
        if not prefix and root.name is not None and root.exhausted():
            raise GridExhausted(f"grid search has tried all {_count_leaves(root)} "
                                f"architectures of the space")
        open_ = [i for i in range(len(values))
                 if root.name != param_name or i not in root.children
                 or not root.children[i].exhausted()]
        if not open_:  # only possible when trials run in parallel
            open_ = list(range(len(values)))
        i = int(self._rng.choice(open_)) if self.shuffle else open_[0]
        prefix[param_name] = values[i]
        return values[i]

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState,
                    values: Any) -> None:
        """Forget the trial's path; stop `study.optimize` once the grid is exhausted."""
        self._drawn.pop(trial.number, None)
        root = self._tree(study, trial, {})
        node = root
        for name, dist in trial.distributions.items():
            vals = grid_values(name, dist, self.resolution)
            node.name, node.size = name, len(vals)
            node = node.children.setdefault(_index(vals, trial.params[name]), _Node())
        node.leaf = True
        if root.exhausted():
            try:
                study.stop()
            except RuntimeError:  # not inside study.optimize: the next trial raises instead
                pass


_MISSING = object()


def _count_leaves(node: _Node) -> int:
    if node.leaf:
        return 1
    return sum(_count_leaves(c) for c in node.children.values())
