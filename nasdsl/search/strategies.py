"""Search strategies as Optuna samplers, chosen by name from the compiled config."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SamplerFactory = Callable[[dict[str, Any], int], Any]


def _random(params: dict[str, Any], seed: int) -> Any:
    import optuna

    return optuna.samplers.RandomSampler(seed=seed)


# name → factory(strategy parameters, seed) → optuna.samplers.BaseSampler
STRATEGY_FACTORIES: dict[str, SamplerFactory] = {
    "random": _random,
}


def make_sampler(strategy: dict[str, Any], seed: int) -> Any:
    """The Optuna sampler for `strategy` (the config's strategy mapping), seeded."""
    params = {k: v for k, v in strategy.items() if k != "name"}
    name = strategy["name"]
    if name not in STRATEGY_FACTORIES:
        raise ValueError(f"unknown strategy '{name}' (available: {', '.join(STRATEGY_FACTORIES)})")
    return STRATEGY_FACTORIES[name](params, seed)
