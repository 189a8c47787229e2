"""Pareto search: the front helper, and multi-objective strategies."""

from __future__ import annotations

import math

import pytest
from test_search_helpers import config_for, run_study

from nasdsl.search.pareto import dominates, pareto_front


def test_dominates() -> None:
    assert dominates([1, 2], [1, 1])
    assert not dominates([1, 1], [1, 1])
    assert not dominates([2, 0], [1, 1])


def test_front_of_plain_mappings() -> None:
    rows = [{"objectives": [0.9, 1000]}, {"objectives": [0.8, 500]},
            {"objectives": [0.7, 800]}, {"objectives": [0.95, 5000]},
            {"objectives": [0.99, 9000], "status": "infeasible"}]
    front = pareto_front(rows, ["maximize", "minimize"])
    assert [r["objectives"] for r in front] == [[0.9, 1000], [0.8, 500], [0.95, 5000]]


def test_front_of_optuna_trials_ignores_unfinished_ones() -> None:
    import optuna
    from optuna.distributions import FloatDistribution
    from optuna.trial import TrialState, create_trial

    d = {"x": FloatDistribution(0, 1)}
    trials = [create_trial(values=[1.0, 1.0], params={"x": 0.1}, distributions=d),
              create_trial(values=[2.0, 2.0], params={"x": 0.2}, distributions=d),
              create_trial(state=TrialState.FAIL, params={"x": 0.3}, distributions=d)]
    directions = [optuna.study.StudyDirection.MINIMIZE, optuna.study.StudyDirection.MINIMIZE]
    assert pareto_front(trials, directions) == [trials[0]]
    with pytest.raises(ValueError, match="direction"):
        pareto_front(trials, ["up", "down"])


def _two_goals(arch, measures) -> list[float]:
    units = sum(layer.params.get("units", 0) for layer in arch.layers[:-1])
    return [math.log2(1 + units), float(measures["params"])]


@pytest.mark.parametrize("name", ["nsga2", "random", "tpe", "auto"])
def test_multi_objective_strategies_find_a_front(name: str) -> None:
    config = config_for(objective="maximize val.accuracy\n minimize params")
    study = run_study(config, {"name": name, "population": 8} if name == "nsga2"
                      else {"name": name}, 24, seed=0, objective=_two_goals,
                      with_config=name == "auto")
    front = pareto_front(study.trials, study.directions)
    assert front
    assert {t.number for t in front} == {t.number for t in study.best_trials}
