"""A NASNet-style controller trained with REINFORCE, as an Optuna sampler (numpy only).

The policy is autoregressive: each decision is drawn from a softmax whose logits are a
per-decision bias plus a term for the value the previous decision took in the same
trial, so the controller can learn pairs ("3×3 conv here goes with skip there"), and
it follows the define-by-run order of the space, conditional decisions included.
Continuous decisions are cut into `bins` equal cells (log cells for log decisions) and
a value is drawn uniformly inside the chosen cell.

After each finished trial the policy takes one REINFORCE step: advantage = reward −
baseline (an exponential moving average, `baseline_decay`), normalised by the running
spread of rewards, plus `entropy` × the gradient of the policy's entropy. Rejected
(infeasible or invalid) architectures get the worst reward seen so far, so the policy
steers away from them. The policy is rebuilt from the study's trials on resume.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from optuna.distributions import BaseDistribution, CategoricalDistribution, IntDistribution
from optuna.study import Study
from optuna.trial import FrozenTrial, TrialState

from nasdsl.search.common import (
    ProposalSampler,
    StrategyError,
    contains,
    finished,
    from_unit,
    is_bad,
    key,
    n_values,
    score,
    signs,
    to_unit,
)

_START = ("<start>", 0)


def _n_actions(dist: BaseDistribution, bins: int) -> int:
    n = n_values(dist)
    return int(n) if n <= max(bins, 16) else bins


def _action_of(dist: BaseDistribution, value: Any, bins: int) -> int:
    k = _n_actions(dist, bins)
    if isinstance(dist, CategoricalDistribution):
        return list(dist.choices).index(value)
    if isinstance(dist, IntDistribution) and k == n_values(dist):
        return (int(value) - dist.low) // dist.step
    return min(int(to_unit(dist, value) * k), k - 1)


class ReinforceSampler(ProposalSampler):
    """REINFORCE over an autoregressive softmax policy."""

    def __init__(self, lr: float = 0.15, entropy: float = 1e-4, baseline_decay: float = 0.8,
                 bins: int = 8, retries: int = 50, seed: int | None = None):
        super().__init__(seed)
        if lr <= 0 or entropy < 0 or not 0.0 <= baseline_decay < 1.0:
            raise StrategyError(f"rl needs lr > 0, entropy ≥ 0 and 0 ≤ baseline_decay < 1, got "
                                f"lr={lr}, entropy={entropy}, baseline_decay={baseline_decay}")
        self.lr = float(lr)
        self.entropy = float(entropy)
        self.decay = float(baseline_decay)
        self.bins = int(bins)
        self.retries = max(1, int(retries))
        self._bias: dict[str, np.ndarray] = {}
        self._pair: dict[tuple[str, str, int], np.ndarray] = {}
        self._baseline: float | None = None
        self._spread = 0.0
        self._worst: float | None = None
        self._learned = -1  # highest trial number learned from
        self._episodes: dict[int, list[tuple[str, int, int, str, int]]] = {}

    # --- the policy -------------------------------------------------------------------

    def _logits(self, name: str, k: int, prev: tuple[str, int]) -> np.ndarray:
        bias = self._bias.setdefault(name, np.zeros(k))
        pair = self._pair.setdefault((name, prev[0], prev[1]), np.zeros(k))
        if bias.shape[0] != k or pair.shape[0] != k:  # the decision changed shape
            bias = self._bias[name] = np.zeros(k)
            pair = self._pair[(name, prev[0], prev[1])] = np.zeros(k)
        return bias + pair

    @staticmethod
    def _softmax(logits: np.ndarray) -> np.ndarray:
        z = np.exp(logits - logits.max())
        return z / z.sum()

    def probabilities(self, name: str, dist: BaseDistribution,
                      prev: tuple[str, int] = _START) -> np.ndarray:
        """The policy's distribution over the actions of one decision."""
        k = _n_actions(dist, self.bins)
        return self._softmax(self._logits(name, k, prev))

    # --- sampling ------------------------------------------------------------------------

    def propose(self, study: Study, trial: FrozenTrial) -> dict[str, Any]:
        """Learn from newly finished trials, then draw the decisions the last trial had.

        The draw is repeated (up to `retries` times) while it gives an architecture already
        tried, so a converging policy does not spend the budget on repeats; decisions the
        draw does not cover (a new conditional copy) are drawn from the policy as they come.
        """
        self._learn(study)
        self._episodes[trial.number] = []
        done = finished(study)
        if not done:
            return {}
        order = list(done[-1].distributions.items())
        known = self.known(study)
        params: dict[str, Any] = {}
        for _ in range(self.retries):
            prev = _START

            def pick(name: str, dist: BaseDistribution) -> Any:
                nonlocal prev
                probs = self.probabilities(name, dist, prev)
                action = int(self._rng.choice(len(probs), p=probs))
                prev = (name, action)
                return self._value(dist, action, len(probs))

            # The real space's walk draws exactly the decisions this trial will have (a
            # copy's decisions only when the policy picks the copy); the last trial's
            # decisions stand in for it without one.
            walked = self.walk(pick)
            params = walked if walked is not None else {name: pick(name, dist)
                                                        for name, dist in order}
            if key(params) not in known:
                break
        return params

    def fill(self, name: str, dist: BaseDistribution) -> Any:
        """Unused: `sample_independent` draws from the policy."""
        raise NotImplementedError

    def _value(self, dist: BaseDistribution, action: int, k: int) -> Any:
        if isinstance(dist, CategoricalDistribution):
            return dist.choices[action]
        if isinstance(dist, IntDistribution) and k == n_values(dist):
            return dist.low + action * dist.step
        return from_unit(dist, (action + self._rng.uniform()) / k)

    def sample_independent(self, study: Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        """The proposal's value, or a draw from the policy conditioned on the previous one."""
        episode = self._episodes.setdefault(trial.number, [])
        prev = (episode[-1][0], episode[-1][1]) if episode else _START
        k = _n_actions(param_distribution, self.bins)
        proposal = self._proposals.get(trial.number, {})
        if param_name in proposal and contains(param_distribution, proposal[param_name]):
            value = proposal[param_name]
            action = _action_of(param_distribution, value, self.bins)
        else:
            probs = self.probabilities(param_name, param_distribution, prev)
            action = int(self._rng.choice(k, p=probs))
            value = self._value(param_distribution, action, k)
        episode.append((param_name, action, k, prev[0], prev[1]))
        return value

    def reject(self, study: Study, trial: FrozenTrial, params: dict[str, Any]) -> None:
        """A statically infeasible draw: learn from it as a worst-reward episode, draw again."""
        episode = self._episodes.get(trial.number, [])
        if episode and self._worst is not None:
            self._update(episode, self._worst)
        self._episodes[trial.number] = []
        super().reject(study, trial, params)

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState,
                    values: Any) -> None:
        """Keep the episode until the trial is learned from."""
        self._proposals.pop(trial.number, None)

    # --- learning ------------------------------------------------------------------------

    def _episode_of(self, trial: FrozenTrial) -> list[tuple[str, int, int, str, int]]:
        episode = self._episodes.pop(trial.number, None)
        if episode:
            return episode
        out, prev = [], _START  # resumed (or drawn elsewhere): rebuild it from the params
        for name, dist in trial.distributions.items():
            action = _action_of(dist, trial.params[name], self.bins)
            out.append((name, action, _n_actions(dist, self.bins), prev[0], prev[1]))
            prev = (name, action)
        return out

    def _learn(self, study: Study) -> None:
        s = signs(study)
        for t in finished(study):
            if t.number <= self._learned:
                continue
            self._learned = t.number
            if not t.params:
                continue
            value = score(t, s)
            if value == -math.inf:
                if not is_bad(t) or self._worst is None:
                    self._episodes.pop(t.number, None)
                    continue
                value = self._worst
            self._worst = value if self._worst is None else min(self._worst, value)
            self._update(self._episode_of(t), value)

    def _update(self, episode: list[tuple[str, int, int, str, int]], reward: float) -> None:
        if self._baseline is None:
            self._baseline = reward
        advantage = reward - self._baseline
        self._spread = self.decay * self._spread + (1 - self.decay) * abs(advantage)
        scaled = advantage / (self._spread + 1e-8) if self._spread > 0 else 0.0
        scaled = float(np.clip(scaled, -5.0, 5.0))
        for name, action, k, prev_name, prev_action in episode:
            probs = self._softmax(self._logits(name, k, (prev_name, prev_action)))
            grad = -probs
            grad[action] += 1.0
            logp = np.log(probs + 1e-12)
            entropy = -float((probs * logp).sum())
            grad_h = -probs * (logp + entropy)
            step = self.lr * (scaled * grad + self.entropy * grad_h)
            self._bias[name] += step
            self._pair[(name, prev_name, prev_action)] += step
        self._baseline = self.decay * self._baseline + (1 - self.decay) * reward
