"""Search guarantees checked through `nasdsl run` as a user runs it: seeded runs repeat,
grid search stops when the grid is exhausted, infeasible candidates are never trained,
and pruning decisions use intermediate values written by another process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SHARED

NB201_TABLE = SHARED / "benchmarks" / "nb201" / "cifar10.csv"


def _results(runs: Path, name: str) -> tuple[Path, list[dict]]:
    (run_dir,) = (runs / name).iterdir()
    trials = sorted((run_dir / "trials").glob("trial_*.json"))
    return run_dir, [json.loads(p.read_text()) for p in trials]


@pytest.mark.parametrize("strategy", ["evolution", "rl", "tpe"])
def test_seeded_runs_repeat_exactly(strategy: str, tmp_path: Path, cli) -> None:
    assert NB201_TABLE.is_file(), f"the NAS-Bench-201 table is missing: {NB201_TABLE}"
    sequences = []
    for attempt, seed in enumerate((3, 3, 4)):
        runs = tmp_path / f"runs{attempt}"
        done = cli("run", str(ROOT / "specs" / "nb201.nas"), "budget.trials=25",
                   f"experiment.seed={seed}", f"strategy.name={strategy}", "--quiet",
                   "--runs-dir", str(runs))
        assert done.returncode == 0, done.stderr
        _, results = _results(runs, "nb201")
        sequences.append([r["description"] for r in results])
    assert len(sequences[0]) == 25
    assert sequences[0] == sequences[1]  # same seed: the same architectures in order
    assert sequences[0] != sequences[2]  # another seed: another search


GRID_SPEC = """
experiment "tiny-grid" {
  seed = 1
  data { source = sklearn.iris }
  objective { maximize val.accuracy }
  space layers {
    dense(units = choice(4, 8), activation = relu)
  }
  train { epochs = 1; batch_size = 32; optimizer = adam(lr = 0.01) }
  budget { trials = 10 }
  strategy grid
  backend = torch
}
"""


def test_grid_exhaustion_stops_the_run(tmp_path: Path, cli) -> None:
    spec = tmp_path / "grid.nas"
    spec.write_text(GRID_SPEC, encoding="utf-8")
    done = cli("run", str(spec), "--quiet", "--runs-dir", str(tmp_path / "runs"))
    assert done.returncode == 0, done.stderr
    run_dir, results = _results(tmp_path / "runs", "tiny-grid")
    assert [r["status"] for r in results] == ["ok", "ok"]  # 2 candidates, budget 10
    units = sorted(r["architecture"]["layers"][0]["params"]["units"] for r in results)
    assert units == [4, 8]
    assert json.loads((run_dir / "run.json").read_text())["stop_reason"] == "exhausted"


INFEASIBLE_SPEC = """
experiment "tight" {
  seed = 5
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  constraints { params <= 1500 }
  space layers {
    dense(units = choice(2, 16, 64), activation = relu)
  }
  train { epochs = 1; batch_size = 64; optimizer = adam(lr = 0.01) }
  budget { trials = 6 }
  strategy random
  backend = torch
}
"""


def test_infeasible_candidates_are_never_trained(tmp_path: Path, cli) -> None:
    spec = tmp_path / "tight.nas"
    spec.write_text(INFEASIBLE_SPEC, encoding="utf-8")
    done = cli("run", str(spec), "--quiet", "--runs-dir", str(tmp_path / "runs"))
    assert done.returncode == 0, done.stderr
    run_dir, results = _results(tmp_path / "runs", "tight")
    # 64 × 64 inputs alone break params <= 1500; 16 units give 1210 parameters
    feasible = [r for r in results if r["status"] == "ok"]
    infeasible = [r for r in results if r["status"] == "infeasible"]
    assert feasible, [r["status"] for r in results]
    by_number = {r["number"]: r for r in results}
    for r in infeasible:
        assert r["history"] == [] and r["metrics"] == {}
        assert r["measures"]["params"] > 1500 and "before training" in r["reason"]
    assert all(len(r["history"]) == 1 and r["measures"]["params"] <= 1500 for r in feasible)
    for model in (run_dir / "models").glob("trial_*"):  # saved models: feasible trials only
        assert by_number[int(model.name[6:10])]["status"] == "ok"
    # The constraint filter turned infeasible proposals away before any trial started.
    import optuna

    study = optuna.load_study(study_name="tight", storage=f"sqlite:///{run_dir / 'study.db'}")
    assert sum(t.system_attrs.get("nasdsl:rejected", 0) for t in study.trials) > 0


OTHER_PROCESS = """
import sys, optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
study = optuna.load_study(study_name="shared", storage=sys.argv[1])
for value in (0.80, 0.85, 0.90, 0.95):
    trial = study.ask()
    for epoch in range(3):
        trial.report(value + 0.01 * epoch, epoch)
    study.tell(trial, value + 0.02)
"""


def test_pruning_uses_values_reported_by_another_process(tmp_path: Path) -> None:
    import optuna

    from nasdsl.search.strategies import make_pruner

    storage = f"sqlite:///{tmp_path / 'study.db'}"
    config = {"strategy": {"name": "random",
                           "early_stop": {"name": "median", "min_trials": 2, "warmup": 0}},
              "train": {"epochs": 3}}
    study = optuna.create_study(study_name="shared", storage=storage, direction="maximize",
                                pruner=make_pruner(config))
    worker = subprocess.run([sys.executable, "-c", OTHER_PROCESS, storage],
                            capture_output=True, text=True, timeout=120, check=False)
    assert worker.returncode == 0, worker.stderr
    # This process's pruner sees the other process's intermediate values in the storage.
    study = optuna.load_study(study_name="shared", storage=storage, pruner=make_pruner(config))
    weak = study.ask()
    weak.report(0.30, 0)
    weak.report(0.31, 1)
    assert weak.should_prune()
    strong = study.ask()
    strong.report(0.97, 0)
    strong.report(0.98, 1)
    assert not strong.should_prune()
