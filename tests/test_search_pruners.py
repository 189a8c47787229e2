"""Early stopping: pruner factories, and pruning on a real tiny run through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nasdsl.search.errors import StrategyError
from nasdsl.search.strategies import PRUNER_FACTORIES, make_pruner

ROOT = Path(__file__).resolve().parents[1]


def _config(early, epochs=9) -> dict:
    return {"strategy": {"name": "random", "early_stop": early}, "train": {"epochs": epochs}}


def test_no_early_stop_means_no_pruner() -> None:
    assert make_pruner({"strategy": {"name": "random"}, "train": {"epochs": 3}}) is None
    assert make_pruner(_config("none")) is None


def test_pruner_factories() -> None:
    import optuna

    hb = make_pruner(_config({"name": "hyperband", "min_epochs": 1, "eta": 3}))
    assert isinstance(hb, optuna.pruners.HyperbandPruner)
    assert hb._max_resource == 9 and hb._reduction_factor == 3
    assert isinstance(make_pruner(_config({"name": "asha", "min_epochs": 2})),
                      optuna.pruners.SuccessiveHalvingPruner)
    assert isinstance(make_pruner(_config("successive_halving")),
                      optuna.pruners.SuccessiveHalvingPruner)
    median = make_pruner(_config({"name": "median", "warmup": 2, "min_trials": 3}))
    assert isinstance(median, optuna.pruners.MedianPruner)
    assert median._n_warmup_steps == 2 and median._n_startup_trials == 3
    # a searched epoch count leaves Hyperband's largest rung to Optuna
    searched = make_pruner(_config("hyperband", {"dist": "choice", "options": [5, 10]}))
    assert searched._max_resource == "auto"
    # the old signature (the strategy mapping alone) still works
    assert make_pruner({"name": "random", "early_stop": "median"}) is not None
    assert set(PRUNER_FACTORIES) >= {"hyperband", "asha", "successive_halving", "median"}


def test_bad_early_stop_settings() -> None:
    with pytest.raises(StrategyError, match="unknown early stopping 'patience'"):
        make_pruner(_config({"name": "patience"}))
    with pytest.raises(StrategyError, match="eta must be a whole number ≥ 2"):
        make_pruner(_config({"name": "hyperband", "eta": 1}))


def test_pruner_stops_weak_trials_in_a_real_run(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from nasdsl.cli import main

    code = main(["run", "--runs-dir", str(tmp_path), "--quiet",
                 str(ROOT / "specs" / "quickstart.nas"), "budget.trials=6", "train.epochs=4",
                 "budget.time_s=null",
                 "+strategy.early_stop.name=asha", "+strategy.early_stop.min_epochs=1",
                 "+strategy.early_stop.eta=3"])
    assert code == 0
    results = [json.loads(p.read_text()) for p in sorted(tmp_path.rglob("trial_*.json"))]
    assert len(results) == 6
    stopped = [r for r in results if r["status"] == "stopped"]
    assert stopped, [r["status"] for r in results]
    assert all(len(r["history"]) < 4 for r in stopped)
    assert all("pruner" in r["reason"] for r in stopped)
