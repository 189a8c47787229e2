"""Constraints before compute: aware strategies waste fewer trials on infeasible candidates."""

from __future__ import annotations

import statistics

from test_search_helpers import config_for, run_study

BODY = """
    repeat range(1, 3) {
      dense(units = choice(16, 32, 64, 128), activation = choice(relu, tanh))
      optional batch_norm
    }"""
# digits has 64 features: one dense(16) layer already has 1k weights
TIGHT = "params <= 3k"


def _infeasible(study) -> int:
    return sum(t.user_attrs.get("status") == "infeasible" for t in study.trials)


def test_the_constraint_excludes_most_of_the_space() -> None:
    config = config_for(BODY, lr="0.001", constraints=TIGHT)
    study = run_study(config, {"name": "random"}, 60, seed=0)
    assert _infeasible(study) > 30


def test_history_aware_strategies_avoid_infeasible_regions() -> None:
    config = config_for(BODY, lr="0.001", constraints=TIGHT)

    def mean_infeasible(strategy: dict) -> float:
        return statistics.mean(_infeasible(run_study(config, strategy, 60, seed=s))
                               for s in range(3))

    random = mean_infeasible({"name": "random"})
    for strategy in ({"name": "evolution", "population": 8, "sample": 3},
                     {"name": "local", "neighbors": 4}, {"name": "rl", "lr": 0.2}):
        assert mean_infeasible(strategy) < random, strategy["name"]


def test_static_filter_rejects_before_the_trial() -> None:
    config = config_for(BODY, lr="0.001", constraints=TIGHT)
    for name in ("random", "tpe", "evolution", "rl", "nsga2", "cfo", "local"):
        study = run_study(config, {"name": name}, 30, seed=1, with_config=True)
        assert _infeasible(study) == 0, name
        assert study.sampler.rejected > 0


def test_the_filter_is_off_without_static_limits() -> None:
    from nasdsl.search.strategies import make_sampler

    config = config_for(BODY, lr="0.001", constraints="latency <= 5 ms")
    assert type(make_sampler({"name": "tpe"}, 0, config)).__name__ == "TPESampler"
