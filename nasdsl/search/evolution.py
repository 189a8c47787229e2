"""Regularized (aging) evolution (Real et al., 2019) as an Optuna sampler.

The population is rebuilt from the study's trials every time, so a resumed study
continues with the same population: with aging, the `population` most recent usable
trials; without, the `population` best. A child is the winner of a tournament of
`sample` random members with one decision changed (each further decision changes with
probability `mutation_rate`). Rejected (infeasible or invalid) architectures never enter
the population and are never proposed again.
"""

from __future__ import annotations

from typing import Any

from optuna.study import Study
from optuna.trial import FrozenTrial, TrialState

from nasdsl.search.common import (
    ProposalSampler,
    StrategyError,
    finished,
    is_bad,
    key,
    mutate,
    n_values,
    score,
    signs,
)


class RegularizedEvolutionSampler(ProposalSampler):
    """Tournament selection plus mutation over the decisions of the parent trial."""

    def __init__(self, population: int = 20, sample: int = 5, aging: bool = True,
                 mutation_rate: float = 0.0, seed: int | None = None, max_retries: int = 32):
        super().__init__(seed)
        if population < 2 or not 1 <= sample <= population:
            raise StrategyError(f"evolution needs population ≥ 2 and 1 ≤ sample ≤ population, "
                                f"got population={population}, sample={sample}")
        if not 0.0 <= mutation_rate <= 1.0:
            raise StrategyError(f"mutation_rate must be in [0, 1], got {mutation_rate}")
        self.population = int(population)
        self.sample = int(sample)
        self.aging = bool(aging)
        self.mutation_rate = float(mutation_rate)
        self.max_retries = max_retries

    def members(self, study: Study) -> list[tuple[float, FrozenTrial]]:
        """The current population as (score, trial) pairs."""
        s = signs(study)
        usable = [t for t in finished(study)
                  if t.state != TrialState.FAIL and t.params]
        scored = [(score(t, s), t) for t in usable]
        if self.aging:
            return scored[-self.population:]
        return sorted(scored, key=lambda p: (-p[0], p[1].number))[:self.population]

    def propose(self, study: Study, trial: FrozenTrial) -> dict[str, Any]:
        """Random until the population is full, then a mutated tournament winner."""
        population = self.members(study)
        if len(population) < self.population:
            return {}
        known = self.known(study) | {key(t.params) for t in finished(study) if is_bad(t)}
        child: dict[str, Any] = {}
        for _ in range(self.max_retries):
            picks = self._rng.choice(len(population), size=self.sample, replace=False)
            parent = max((population[i] for i in picks), key=lambda p: (p[0], -p[1].number))[1]
            child = self.complete(self._mutate(parent))
            if key(child) not in known:
                return child
        return child

    def _mutate(self, parent: FrozenTrial) -> dict[str, Any]:
        child = dict(parent.params)
        names = [n for n, d in parent.distributions.items() if n_values(d) > 1]
        if not names:
            return child
        first = names[int(self._rng.randint(len(names)))]
        for name in names:
            if name == first or self._rng.uniform() < self.mutation_rate:
                child[name] = mutate(parent.distributions[name], child[name], self._rng)
        return child
