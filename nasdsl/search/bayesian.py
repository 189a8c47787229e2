"""Gaussian-process Bayesian optimisation over the encoded architecture (Auto-Keras style).

Each trial's decisions become a fixed-length vector: a one-hot block per categorical
decision, the [0, 1] position (log scale where declared) of each numeric one, and a
presence bit for conditional decisions (absent ones encode as zeros). A scikit-learn
GaussianProcessRegressor (Matérn or RBF kernel plus a noise term) is fitted on the
usable trials, and the next trial is the candidate with the best acquisition (expected
improvement, upper confidence bound or probability of improvement). Candidates are
random re-draws of observed decision patterns and one- or two-decision mutations of the
best trials, never an already-tried or rejected architecture. When the space is small,
discrete and unconditional (at most `enumerate_limit` architectures, e.g. the 15,625
cells of NAS-Bench-201), every untried architecture is a candidate instead, so the
acquisition is maximised exactly.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from optuna.distributions import BaseDistribution, CategoricalDistribution
from optuna.study import Study
from optuna.trial import FrozenTrial, TrialState

from nasdsl.search.common import (
    ProposalSampler,
    StrategyError,
    distributions_of,
    finished,
    key,
    mutate,
    n_values,
    random_value,
    score,
    signs,
    to_unit,
)

ACQUISITIONS = ("ei", "ucb", "pi")
KERNELS = ("matern", "rbf")


class _Encoder:
    """Decision assignments → vectors of a fixed length."""

    def __init__(self, dists: dict[str, BaseDistribution], conditional: set[str]):
        self.dists = dists
        self.conditional = conditional
        self.width = sum(len(d.choices) if isinstance(d, CategoricalDistribution) else 1
                         for d in dists.values()) + len(conditional)

    def __call__(self, params: dict[str, Any]) -> np.ndarray:
        out = np.zeros(self.width)
        i = 0
        for name, dist in self.dists.items():
            value = params.get(name)
            if isinstance(dist, CategoricalDistribution):
                if name in params and value in dist.choices:
                    out[i + list(dist.choices).index(value)] = 1.0
                i += len(dist.choices)
            else:
                if name in params:
                    out[i] = to_unit(dist, value)
                i += 1
        for name in self.conditional:
            out[i] = 1.0 if name in params else 0.0
            i += 1
        return out


class _Grid:
    """Every assignment of a small, discrete, unconditional space, encoded at once."""

    def __init__(self, dists: dict[str, BaseDistribution], values: list[list[Any]]):
        self.dists = dists
        self.values = values
        self.shape = tuple(len(v) for v in values)

    @classmethod
    def of(cls, dists: dict[str, BaseDistribution], limit: int) -> _Grid | None:
        """The grid of the space, or None when it is continuous or larger than `limit`."""
        sizes = [n_values(d) for d in dists.values()]
        if not sizes or math.prod(sizes) > limit:  # inf for a continuous decision
            return None
        return cls(dists, [_all_values(d) for d in dists.values()])

    def untried(self, encode: _Encoder, known: set[tuple[tuple[str, str], ...]]
                ) -> tuple[np.ndarray, Any]:
        """(encodings of the assignments not in `known`, index → assignment)."""
        names = list(self.dists)
        index = {name: {key({name: v})[0][1]: i for i, v in enumerate(vals)}
                 for name, vals in zip(names, self.values, strict=True)}
        seen = []
        for k in known:
            given = dict(k)
            if set(given) == set(names):
                try:
                    seen.append([index[n][given[n]] for n in names])
                except KeyError:
                    continue  # a value outside the current space
        mask = np.ones(math.prod(self.shape), dtype=bool)
        if seen:
            mask[np.ravel_multi_index(np.array(seen).T, self.shape)] = False
        flat = np.flatnonzero(mask)
        cells = np.array(np.unravel_index(flat, self.shape)).T  # one row of indices each
        # Each decision's values encoded once, then gathered: the encoder's own layout.
        blocks = [np.array([encode({name: v}) for v in vals])
                  for name, vals in zip(names, self.values, strict=True)]
        x = sum(block[cells[:, i]] for i, block in enumerate(blocks))

        def pick(i: int) -> dict[str, Any]:
            return {n: self.values[j][cells[i, j]] for j, n in enumerate(names)}

        return np.asarray(x), pick


def _all_values(dist: BaseDistribution) -> list[Any]:
    if isinstance(dist, CategoricalDistribution):
        return list(dist.choices)
    low, step = dist.low, dist.step  # type: ignore[attr-defined]
    return [type(low)(low + i * step) for i in range(int(n_values(dist)))]


def _copula(y: np.ndarray) -> np.ndarray:
    """Scores → normal quantiles of their ranks, so a few very bad trials (a broken
    architecture at chance accuracy) do not flatten the GP's view of the good region."""
    from scipy.stats import norm, rankdata

    return norm.ppf((rankdata(y) - 0.5) / len(y))


class GaussianProcessSampler(ProposalSampler):
    """GP surrogate + acquisition over candidate architectures."""

    def __init__(self, initial: int = 10, kernel: str = "matern", acquisition: str = "ei",
                 candidates: int = 256, seed: int | None = None):
        super().__init__(seed)
        if kernel not in KERNELS:
            raise StrategyError(f"unknown kernel '{kernel}' (available: {', '.join(KERNELS)})")
        if acquisition not in ACQUISITIONS:
            raise StrategyError(f"unknown acquisition '{acquisition}' "
                                f"(available: {', '.join(ACQUISITIONS)})")
        if initial < 1:
            raise StrategyError(f"bayesian needs initial ≥ 1, got {initial}")
        self.initial = int(initial)
        self.kernel = kernel
        self.acquisition = acquisition
        self.n_candidates = int(candidates)
        self.enumerate_limit = 20_000  # spaces up to this size are scored exhaustively
        self.max_history = 300  # the most recent usable trials the GP is fitted on
        self.refit_every = 5  # kernel hyperparameters are re-optimised every few trials
        self._kernel: Any = None
        self._fits = 0

    def propose(self, study: Study, trial: FrozenTrial) -> dict[str, Any]:
        """Random for the first `initial` trials, then the acquisition's best candidate."""
        s = signs(study)
        usable = [t for t in finished(study) if t.state != TrialState.FAIL and t.params
                  and score(t, s) > -math.inf]
        if len(usable) < self.initial:
            return {}
        usable = usable[-self.max_history:]
        all_trials = [t for t in finished(study) if t.params]
        dists = distributions_of(all_trials)
        conditional = {n for n in dists if any(n not in t.params for t in all_trials)}
        encode = _Encoder(dists, conditional)
        x = np.array([encode(t.params) for t in usable])
        y = np.array([score(t, s) for t in usable])
        grid = None if conditional else _Grid.of(dists, self.enumerate_limit)
        if grid is not None:
            xc, pick = grid.untried(encode, self.known(study))
            if not len(xc):
                return {}
        else:
            candidates = self._candidates(study, usable, y, all_trials)
            if not candidates:
                return {}
            xc = np.array([encode(c) for c in candidates])
            pick = candidates.__getitem__
        y = _copula(y)
        mean, std = self._fit_predict(x, y, xc)
        best = float(y.max())
        gain = self._acquire(mean, std, best)
        return pick(int(np.argmax(gain)))

    def _candidates(self, study: Study, usable: list[FrozenTrial], y: np.ndarray,
                    all_trials: list[FrozenTrial]) -> list[dict[str, Any]]:
        known = self.known(study)
        out: dict[tuple[tuple[str, str], ...], dict[str, Any]] = {}
        top = [usable[i] for i in np.argsort(-y)[:5]]
        patterns = [t.distributions for t in all_trials]
        tries = 0
        while len(out) < self.n_candidates and tries < 4 * self.n_candidates:
            tries += 1
            if tries % 2:
                parent = top[int(self._rng.randint(len(top)))]
                cand = dict(parent.params)
                names = [n for n, d in parent.distributions.items() if n_values(d) > 1]
                for _ in range(1 + int(self._rng.uniform() < 0.3)):
                    if names:
                        name = names[int(self._rng.randint(len(names)))]
                        cand[name] = mutate(parent.distributions[name], cand[name], self._rng)
            else:
                pattern = patterns[int(self._rng.randint(len(patterns)))]
                cand = {n: random_value(d, self._rng) for n, d in pattern.items()}
            cand = self.complete(cand)
            k = key(cand)
            if k not in known:
                out.setdefault(k, cand)
        return list(out.values())

    def _fit_predict(self, x: np.ndarray, y: np.ndarray,
                     xc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import RBF, ConstantKernel, Matern, WhiteKernel

        base = Matern(length_scale=1.0, nu=2.5) if self.kernel == "matern" else RBF(1.0)
        kernel = ConstantKernel(1.0) * base + WhiteKernel(1e-2)
        reuse = self._kernel is not None and self._fits % self.refit_every != 0
        self._fits += 1
        gp = GaussianProcessRegressor(kernel=self._kernel if reuse else kernel,
                                      normalize_y=True, n_restarts_optimizer=0,
                                      optimizer=None if reuse else "fmin_l_bfgs_b",
                                      random_state=int(self._rng.randint(2**31 - 1)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            try:
                gp.fit(x, y)
            except ValueError:  # the cached kernel no longer fits the encoding
                gp = GaussianProcessRegressor(kernel=kernel, normalize_y=True)
                gp.fit(x, y)
            self._kernel = gp.kernel_
            mean, std = gp.predict(xc, return_std=True)
        return mean, np.maximum(std, 1e-9)

    def _acquire(self, mean: np.ndarray, std: np.ndarray, best: float) -> np.ndarray:
        from scipy.stats import norm

        if self.acquisition == "ucb":
            return mean + 2.0 * std
        z = (mean - best) / std
        if self.acquisition == "pi":
            return norm.cdf(z)
        return (mean - best) * norm.cdf(z) + std * norm.pdf(z)
