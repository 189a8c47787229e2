"""Grid search enumerates a finite conditional space exactly once per architecture."""

from __future__ import annotations

import pytest
from test_search_helpers import config_for, run_study

from nasdsl.search.auto import space_size
from nasdsl.search.errors import StrategyError
from nasdsl.search.grid import GridExhausted
from nasdsl.search.strategies import make_sampler

FINITE = """
    repeat range(1, 2) {
      dense(units = choice(16, 32))
      optional batch_norm
    }"""


def _key(trial) -> tuple:
    return tuple(sorted(trial.params.items()))


@pytest.mark.parametrize("shuffle", [False, True])
def test_grid_visits_every_architecture_once(shuffle: bool) -> None:
    config = config_for(FINITE, lr="choice(0.001, 0.01)")
    size = int(space_size(config))
    assert size == (4 + 16) * 2 * 2
    study = run_study(config, {"name": "grid", "shuffle": shuffle}, size, seed=0)
    keys = [_key(t) for t in study.trials]
    assert len(set(keys)) == size == len(keys)
    # the next trial finds the grid exhausted
    with pytest.raises(GridExhausted, match=f"all {size} architectures"):
        run_study(config, {}, 1, study=study)


def test_grid_in_order_is_deterministic_and_starts_with_first_values() -> None:
    config = config_for(FINITE, lr="0.001")
    study = run_study(config, {"name": "grid"}, 5, seed=0)
    first = study.trials[0].params
    assert first["layers.0.repeat"] == 1
    assert first["layers.0.r0.0.dense.units"] == 16
    again = run_study(config, {"name": "grid"}, 5, seed=99)
    assert [t.params for t in again.trials] == [t.params for t in study.trials]


def test_grid_stops_optimize_when_exhausted() -> None:
    import optuna

    from nasdsl.space.search_space import OptunaSuggest, SearchSpace

    config = config_for(FINITE, lr="0.001")
    space = SearchSpace(config)
    study = optuna.create_study(sampler=make_sampler({"name": "grid"}, 0))
    study.optimize(lambda t: len(space.sample(OptunaSuggest(t)).layers), n_trials=100)
    assert len(study.trials) == 40


def test_grid_rejects_a_continuous_space_clearly() -> None:
    config = config_for()  # dropout uniform(…), lr loguniform(…)
    with pytest.raises(StrategyError, match="finite space.*resolution"):
        make_sampler({"name": "grid"}, 0, config)
    with pytest.raises(StrategyError, match="dropout.rate.*is continuous"):
        run_study(config, {"name": "grid"}, 1)  # define-by-run, without the config


def test_grid_resolution_cuts_continuous_decisions() -> None:
    body = """
    dense(units = choice(16, 32))
    dropout(rate = uniform(0.0, 0.3))"""
    config = config_for(body, lr="loguniform(1e-3, 1e-1)")
    study = run_study(config, {"name": "grid", "resolution": 3}, 2 * 3 * 2 * 3, seed=0,
                      with_config=True)
    keys = {_key(t) for t in study.trials}
    assert len(keys) == 36
    rates = sorted({t.params["layers.1.dropout.rate"] for t in study.trials})
    assert rates == pytest.approx([0.0, 0.15, 0.3])
    lrs = sorted({t.params["train.optimizer.lr"] for t in study.trials})
    assert lrs == pytest.approx([1e-3, 1e-2, 1e-1])
