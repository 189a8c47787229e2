"""Search strategies as Optuna samplers, chosen by name from the compiled config.

Every strategy is an Optuna sampler, so all of them share one trial database, resume
and importance analysis. Importing this module is cheap: Optuna and the samplers are
imported inside the factories.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nasdsl.search.pruners import PRUNER_FACTORIES, PrunerFactory, make_pruner

__all__ = ["PRUNER_FACTORIES", "STRATEGY_FACTORIES", "PrunerFactory", "SamplerFactory",
           "check_strategy", "make_pruner", "make_sampler"]

# factory(strategy parameters, seed, compiled config or None) → optuna BaseSampler
SamplerFactory = Callable[..., Any]


def _random(params: dict[str, Any], seed: int, config: dict[str, Any] | None = None) -> Any:
    import optuna

    return optuna.samplers.RandomSampler(seed=seed)


def _grid(params: dict[str, Any], seed: int, config: dict[str, Any] | None = None) -> Any:
    from nasdsl.search.grid import GridSampler

    if config is not None:
        check_strategy({**config, "strategy": {"name": "grid", **params}})
    return GridSampler(resolution=params.get("resolution"), shuffle=params.get("shuffle", False),
                       seed=seed)


def _tpe(params: dict[str, Any], seed: int, config: dict[str, Any] | None = None) -> Any:
    import warnings

    import optuna

    multivariate = bool(params.get("multivariate", True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        # group=True: decisions that appear together (a repeat copy) are modelled jointly,
        # which is what makes multivariate TPE work on a conditional space.
        # constant_liar: a trial still training counts as a poor result, so parallel
        # workers are not handed the candidate (or its near twin) another one is training.
        # With one worker nothing is running at an ask, and the proposals are unchanged.
        return optuna.samplers.TPESampler(
            n_startup_trials=int(params.get("startup", 10)), multivariate=multivariate,
            group=multivariate, constant_liar=bool(params.get("constant_liar", True)),
            seed=seed)


def _bayesian(params: dict[str, Any], seed: int, config: dict[str, Any] | None = None) -> Any:
    from nasdsl.search.bayesian import GaussianProcessSampler

    return GaussianProcessSampler(initial=int(params.get("initial", 10)),
                                  kernel=str(params.get("kernel", "matern")),
                                  acquisition=str(params.get("acquisition", "ei")), seed=seed)


def _evolution(params: dict[str, Any], seed: int, config: dict[str, Any] | None = None) -> Any:
    from nasdsl.search.evolution import RegularizedEvolutionSampler

    return RegularizedEvolutionSampler(
        population=int(params.get("population", 20)), sample=int(params.get("sample", 5)),
        aging=bool(params.get("aging", True)),
        mutation_rate=float(params.get("mutation_rate", 0.0)), seed=seed)


def _rl(params: dict[str, Any], seed: int, config: dict[str, Any] | None = None) -> Any:
    from nasdsl.search.rl import ReinforceSampler

    return ReinforceSampler(lr=float(params.get("lr", 0.15)),
                            entropy=float(params.get("entropy", 1e-4)),
                            baseline_decay=float(params.get("baseline_decay", 0.8)), seed=seed)


def _local(params: dict[str, Any], seed: int, config: dict[str, Any] | None = None) -> Any:
    from nasdsl.search.local import LocalSearchSampler

    return LocalSearchSampler(neighbors=int(params.get("neighbors", 4)),
                              restart=int(params.get("restart", 10)), seed=seed)


def _nsga2(params: dict[str, Any], seed: int, config: dict[str, Any] | None = None) -> Any:
    import optuna

    mutation = params.get("mutation")
    return optuna.samplers.NSGAIISampler(
        population_size=int(params.get("population", 20)),
        crossover_prob=float(params.get("crossover", 0.9)),
        mutation_prob=None if mutation is None else float(mutation), seed=seed)


def _cfo(params: dict[str, Any], seed: int, config: dict[str, Any] | None = None) -> Any:
    from nasdsl.search.cfo import CFOSampler

    return CFOSampler(step=float(params.get("step", 0.1)), seed=seed)


def _auto(params: dict[str, Any], seed: int, config: dict[str, Any] | None = None) -> Any:
    from nasdsl.search.auto import choose

    name, chosen, reason = choose(config)
    sampler = STRATEGY_FACTORIES[name]({**chosen, **params} if name != "grid" else chosen,
                                       seed, config)
    sampler.explanation = f"auto chose {name}: {reason}"
    return sampler


def _weight_sharing(name: str) -> SamplerFactory:
    def factory(params: dict[str, Any], seed: int, config: dict[str, Any] | None = None) -> Any:
        from nasdsl.search.errors import StrategyError
        from nasdsl.weightsharing.sampler import WeightSharingSampler

        if config is None:
            raise StrategyError(f"{name} needs the experiment config (it trains a supernet)")
        return WeightSharingSampler(name, params, config, seed)

    factory.__doc__ = f"The {name} weight-sharing sampler (nasdsl.weightsharing)."
    return factory


# name → factory(strategy parameters, seed, config=None) → optuna.samplers.BaseSampler
STRATEGY_FACTORIES: dict[str, SamplerFactory] = {
    "random": _random,
    "grid": _grid,
    "tpe": _tpe,
    "bayesian": _bayesian,
    "evolution": _evolution,
    "rl": _rl,
    "local": _local,
    "nsga2": _nsga2,
    "cfo": _cfo,
    "auto": _auto,
    "enas": _weight_sharing("enas"),
    "darts": _weight_sharing("darts"),
    "ofa": _weight_sharing("ofa"),
}

# Strategies that are not wrapped with the static constraint filter: grid must visit
# every architecture in its own order (the runner rejects the infeasible ones for free).
# Weight-sharing strategies check the limits themselves when they pick their candidates.
_UNFILTERED = ("grid", "enas", "darts", "ofa")


def _params(strategy: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in strategy.items() if k not in ("name", "early_stop")}


def check_strategy(config: dict[str, Any]) -> None:
    """Raise StrategyError (a ValueError) when the config's strategy cannot run on its space.

    Cheap (no Optuna import): unknown names, a grid over a continuous space without
    `resolution`, an unknown early-stopping rule.
    """
    from nasdsl.search.errors import StrategyError
    from nasdsl.search.pruners import early_stop_settings

    strategy = config["strategy"]
    name = strategy["name"]
    if name not in STRATEGY_FACTORIES:
        raise StrategyError(f"unknown strategy '{name}' "
                            f"(available: {', '.join(STRATEGY_FACTORIES)})")
    if name == "grid" and not _params(strategy).get("resolution"):
        import math

        from nasdsl.search.auto import space_size

        if math.isinf(space_size(config)):
            raise StrategyError(
                "grid search needs a finite space, but this one has a continuous decision "
                "(uniform or loguniform); fix it with an override, replace it by choice(…), "
                "or set `resolution = 5` in the strategy block to try 5 points of each")
    if name in ("enas", "darts", "ofa"):
        from nasdsl.weightsharing.settings import check_config

        check_config(name, _params(strategy), config)
    early = early_stop_settings(strategy)
    if early is not None and early[0] not in PRUNER_FACTORIES:
        raise StrategyError(f"unknown early stopping '{early[0]}' "
                            f"(available: {', '.join(PRUNER_FACTORIES)})")


def make_sampler(strategy: dict[str, Any], seed: int, config: dict[str, Any] | None = None) -> Any:
    """The Optuna sampler for `strategy` (the config's strategy mapping), seeded.

    With the whole experiment `config`, `auto` can look at the space and the budget; the
    NAS samplers complete each proposal on the real space before they check that it is
    new; and every strategy but grid is wrapped so that candidates breaking a static
    limit (params, model size, FLOPs) are turned away before the trial starts, and so
    that the strategy learns from every rejected candidate.
    """
    from nasdsl.search.errors import StrategyError

    name = strategy["name"]
    if name not in STRATEGY_FACTORIES:
        raise StrategyError(f"unknown strategy '{name}' "
                            f"(available: {', '.join(STRATEGY_FACTORIES)})")
    sampler = STRATEGY_FACTORIES[name](_params(strategy), seed, config)
    if config is not None and hasattr(sampler, "use_space"):
        sampler.use_space(config)  # proposals completed before they are checked as new
    if config is not None and name not in _UNFILTERED and \
            type(sampler).__name__ != "GridSampler":
        from nasdsl.search.feasibility import StaticConstraintSampler, hard_limits

        # Wrapped for latency-only limits too: the sampler then learns from the candidates
        # the runner rejects after measuring them (nasdsl.search.rejections).
        if hard_limits(config):
            sampler = StaticConstraintSampler(sampler, config, seed=seed)
    return sampler
