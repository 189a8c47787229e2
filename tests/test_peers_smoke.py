"""The peer benchmark (benchmarks/peers/) compares like with like, and its driver runs.

The peers' packages (keras-tuner, optuna, torch, keras) are in the dev install, so
every check below runs everywhere `make test` does:
- the peers' data splits are nasdsl's, array for array;
- KerasTuner's build(hp) and the Optuna objective ask exactly the spec's decisions
  (names and distributions), and build models of the same size as nasdsl's;
- the figures (best, test of best, time to target, ratio) follow from the trial logs;
- the driver runs each peer and nasdsl for a few seconds and prints a table row each.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pytest
from conftest import ROOT

from nasdsl.compile import spec_to_config
from nasdsl.data import load_data
from nasdsl.lang import load_spec
from nasdsl.space.search_space import OptunaSuggest, SearchSpace
from nasdsl.space.shapes import measure

PEERS_DIR = ROOT / "benchmarks" / "peers"
sys.path.insert(0, str(PEERS_DIR))

import anytime  # noqa: E402
import kerastuner_bo  # noqa: E402
import optuna_tpe  # noqa: E402
import peer_table  # noqa: E402
from peer_tasks import TASKS, load_splits  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.WARNING)
TASK_NAMES = sorted(TASKS)


def spec_config(task: str, seed: int = 0) -> dict[str, Any]:
    result = load_spec(TASKS[task].spec)
    assert result.ok, result.rendered()
    config = spec_to_config(result.spec)
    config["experiment"]["seed"] = seed
    return config


def largest_params(task: str) -> dict[str, Any]:
    """Decisions that switch on every conditional part of the space (max repeats, all optionals)."""
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    space = SearchSpace(spec_config(task))
    trial = study.ask()
    space.sample(OptunaSuggest(trial))
    forced = {}
    for name, dist in trial.distributions.items():
        if name.endswith(".repeat"):
            forced[name] = dist.high
        elif name.endswith(".present"):
            forced[name] = True
    return forced


def nasdsl_trial(task: str, params: dict[str, Any]) -> optuna.trial.FrozenTrial:
    """Sample the spec's space with `params` fixed; the rest random (seeded)."""
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    study.enqueue_trial(params, skip_if_exists=False)
    trial = study.ask()
    arch = SearchSpace(spec_config(task)).sample(OptunaSuggest(trial))
    study.tell(trial, 0.0)
    frozen = study.trials[-1]
    frozen.set_user_attr("params_count", measure(arch).params)
    return frozen


def optuna_peer_trial(task: str, params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    study = optuna.create_study()
    study.enqueue_trial(params)
    trial = study.ask()
    decisions = optuna_tpe.suggest(trial, TASKS[task])
    return trial, decisions


def keras_distributions(hp: Any) -> dict[str, Any]:
    """KerasTuner hyperparameters as the Optuna distributions they stand for."""
    out: dict[str, Any] = {}
    for h in hp.space:
        kind = type(h).__name__
        if kind == "Boolean":
            out[h.name] = optuna.distributions.CategoricalDistribution([False, True])
        elif kind == "Choice":
            out[h.name] = optuna.distributions.CategoricalDistribution(list(h.values))
        elif kind == "Int":
            out[h.name] = optuna.distributions.IntDistribution(h.min_value, h.max_value,
                                                               step=h.step or 1)
        elif kind == "Float":
            out[h.name] = optuna.distributions.FloatDistribution(
                h.min_value, h.max_value, log=h.sampling == "log")
        else:
            raise AssertionError(f"unexpected KerasTuner hyperparameter {kind}")
    return out


def keras_peer(task: str, params: dict[str, Any]) -> tuple[Any, Any]:
    """Run the KerasTuner peer's build(hp) with `params` fixed; (hp, compiled model)."""
    import keras_tuner as kt

    hp = kt.HyperParameters()
    hp.values.update(params)
    hypermodel = kerastuner_bo.make_hypermodel(TASKS[task], None, None)
    model = hypermodel.build(hp)
    hp.Choice("train.batch_size", list(TASKS[task].space.batch_size))  # chosen in fit()
    return hp, model


@pytest.mark.parametrize("task", TASK_NAMES)
def test_peer_splits_are_nasdsl_splits(task: str) -> None:
    for seed in (0, 3):
        config = spec_config(task, seed)
        ours = load_data(config, image=TASKS[task].image_shape is not None)
        theirs = load_splits(TASKS[task], seed)
        for split in ("train", "val", "test"):
            x, y = ours.split(split)
            np.testing.assert_array_equal(getattr(theirs, f"x_{split}"), x)
            np.testing.assert_array_equal(getattr(theirs, f"y_{split}"), y)
    # The epochs are the spec's too.
    assert config["train"]["epochs"] == TASKS[task].epochs


@pytest.mark.parametrize("task", TASK_NAMES)
def test_optuna_peer_asks_the_spec_decisions(task: str) -> None:
    full = largest_params(task)
    for params in ({}, full, {k: v for k, v in full.items() if k.endswith(".repeat")}):
        ours = nasdsl_trial(task, params)
        theirs, _ = optuna_peer_trial(task, ours.params)
        assert theirs.distributions == ours.distributions
        assert theirs.params == ours.params
    # The largest variant really has every conditional decision.
    assert sum(name.endswith(".present") for name in nasdsl_trial(task, full).params) >= 2


@pytest.mark.parametrize("task", TASK_NAMES)
def test_kerastuner_peer_asks_the_spec_decisions(task: str) -> None:
    ours = nasdsl_trial(task, largest_params(task))
    hp, _ = keras_peer(task, ours.params)
    assert keras_distributions(hp) == ours.distributions


@pytest.mark.parametrize("task", TASK_NAMES)
def test_peers_build_models_of_nasdsl_size(task: str) -> None:
    full = largest_params(task)
    for params in ({}, full, {k: v for k, v in full.items() if k.endswith(".repeat")}):
        ours = nasdsl_trial(task, params)
        _, decisions = optuna_peer_trial(task, ours.params)
        torch_model = optuna_tpe.build(TASKS[task], decisions)
        torch_params = sum(p.numel() for p in torch_model.parameters())
        _, keras_model = keras_peer(task, ours.params)
        assert torch_params == ours.user_attrs["params_count"], ours.params
        assert keras_model.count_params() - _keras_bn_buffers(keras_model) == torch_params


def _keras_bn_buffers(model: Any) -> int:
    """Keras counts batch norm's moving mean and variance as (non-trainable) params."""
    return sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)


def _figures(config: str, seed: int, vals: list[tuple[float, float]]) -> peer_table.RunFigures:
    rows = [{"number": i, "status": "ok", "finished_s": t, "val": v, "test": v - 0.01}
            for i, (t, v) in enumerate(vals)]
    return peer_table.RunFigures("t", config, seed, rows=rows, budget_s=100.0, wall_s=110.0)


def test_table_figures_follow_from_the_logs() -> None:
    runs = [
        _figures("kerastuner-bo", 0, [(10, 0.90), (40, 0.95), (90, 0.96)]),
        _figures("optuna-tpe", 0, [(5, 0.93), (30, 0.97)]),
        _figures("nasdsl-tpe", 0, [(4, 0.94), (12, 0.96), (20, 0.98), (120, 0.99)]),
    ]
    runs[2].rows.append({"number": 9, "status": "cut", "finished_s": 25, "val": 1.0,
                         "test": 1.0})
    target = peer_table.targets(runs, None)
    assert target == {("t", 0): 0.96}  # the weaker peer's best
    assert runs[2].best["val"] == 0.98  # the 120 s trial is past the budget, "cut" never counts
    assert runs[2].time_to(0.96) == 12 and runs[1].time_to(0.96) == 30
    summary = {s["config"]: s for s in peer_table.summarize(runs, target)}
    assert summary["nasdsl-tpe"]["ratio_to_fastest_peer"] == [pytest.approx(12 / 30)]
    assert summary["nasdsl-tpe"]["trials"] == [3]
    text = peer_table.markdown(list(summary.values()), target, "rule")
    assert "| nasdsl-tpe | 0.980 | 0.970 | 3.0 | 12.0 (1/1) | 0.40 | 110.0 |" in text
    assert "met by nasdsl-tpe" in text
    assert peer_table.targets(runs, 0.5) == {("t", 0): 0.5}


def test_curves_follow_from_the_logs(tmp_path: Path, capsys) -> None:
    for run in (_figures("optuna-tpe", 0, [(5, 0.93), (30, 0.97)]),
                _figures("optuna-tpe", 1, [(20, 0.95), (50, 0.99)]),
                _figures("nasdsl-tpe", 0, [(4, 0.94), (12, 0.96), (120, 0.99)])):
        log = tmp_path / "t" / run.config / f"seed{run.seed}.jsonl"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("".join(json.dumps(r) + "\n" for r in run.rows))
    runs = {(r.config, r.seed): r for r in anytime.load_runs(tmp_path, 100.0)}
    assert anytime.best_by(runs["optuna-tpe", 1], 10) is None
    assert anytime.best_by(runs["nasdsl-tpe", 0], 100) == 0.96  # 120 s is past the budget
    assert anytime.main([str(tmp_path), "--budget-s", "100", "--at", "10", "60",
                         "--levels", "0.95", "0.99"]) == 0
    out = capsys.readouterr().out
    assert "| optuna-tpe | — | 0.9800 |" in out  # seed 1 had nothing by 10 s
    assert "| nasdsl-tpe | 0.9400 | 0.9600 |" in out
    assert "| optuna-tpe | 25.0 s (2/2) | 50.0 s (1/2) |" in out
    assert "| nasdsl-tpe | 12.0 s (1/1) | — (0/1) |" in out
    # trials completed by then: nasdsl's 2nd trial reached 0.95, Optuna's 2nd and 1st
    assert runs["nasdsl-tpe", 0].trials_to(0.95) == 2
    assert "| nasdsl-tpe | 2 (1/1) | — (0/1) |" in out
    assert "| optuna-tpe | 1.5 (2/2) | 2 (1/2) |" in out
    # × the fastest peer: 12 s against Optuna's 30 s on seed 0; 0.99 only Optuna reached
    assert "| nasdsl-tpe | 0.40 (1) | — | 0.40 (1) |" in out
    assert "| optuna-tpe | 1.00 (2) | 1.00 (1) | 1.00 (3) |" in out


def test_ideal_worker_ratio_schedules_the_loops_own_trials() -> None:
    loop = _figures("optuna-tpe", 0, [(1, 0.90), (2, 0.90), (3, 0.90), (4, 0.99)])
    # Four 1-second trials, the 4th at the target: two workers finish it at 2 s of 4.
    assert anytime.same_proposal_ratio(loop, 0.99, 1) == pytest.approx(1.0)
    assert anytime.same_proposal_ratio(loop, 0.99, 2) == pytest.approx(0.5)
    assert anytime.same_proposal_ratio(loop, 0.99, 4) == pytest.approx(0.25)
    assert anytime.same_proposal_ratio(loop, 0.90, 8) == pytest.approx(1.0)  # the 1st trial
    assert anytime.same_proposal_ratio(loop, 1.0, 2) is None
    # A quick trial behind a slow one: with a second worker it need not wait for it.
    uneven = _figures("optuna-tpe", 0, [(3, 0.90), (4, 0.99)])
    assert anytime.same_proposal_ratio(uneven, 0.99, 2) == pytest.approx(0.25)
    runs = [_figures("kerastuner-bo", 0, [(50, 0.99)]), loop,
            _figures("nasdsl-tpe-w2a", 0, [(1, 0.9), (3, 0.99)])]
    table = anytime.bound_table(runs, "t", (2, 4))
    assert table[2] == "| 0 | 0.990 | 4 | 4.0 | 0.50 | 0.25 | 0.75 |"


def test_benchmark_specs_are_canonical_and_run(cli, tmp_path: Path) -> None:
    specs = [str(TASKS[t].spec) for t in TASK_NAMES]
    assert cli("fmt", "--check", *specs).returncode == 0
    # The driver test below runs the breast_cancer spec; run the digits CNN spec once.
    proc = cli("run", str(TASKS["digits"].spec), "budget.trials=1", "train.epochs=1",
               "--quiet", "--runs-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    trial = json.loads(next(tmp_path.rglob("trial_0000.json")).read_text())
    assert trial["status"] == "ok"
    assert any(layer["op"] == "conv" for layer in trial["architecture"]["layers"])


def test_driver_runs_each_peer_and_prints_rows(tmp_path: Path) -> None:
    configs = ["kerastuner-bo", "optuna-tpe", "optuna-tpe-j2", "nasdsl-tpe"]
    proc = subprocess.run(
        [sys.executable, str(PEERS_DIR / "run.py"), "--tasks", "breast_cancer", "--seeds", "1",
         "--budget-s", "10", "--threads", "1", "--configs", *configs, "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=400, check=False, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "| configuration | best val acc |" in proc.stdout
    results = json.loads((tmp_path / "results.json").read_text())
    assert [s["config"] for s in results["summaries"]] == configs
    for config in configs:
        row = next(line for line in proc.stdout.splitlines() if line.startswith(f"| {config}"))
        assert "not run" not in row, row
        log = tmp_path / "breast_cancer" / config / "seed0.jsonl"
        rows = [json.loads(line) for line in log.read_text().splitlines()]
        assert rows, f"{config} logged no trial"
        for r in rows:
            assert r["status"] in ("ok", "cut", "pruned") and r["finished_s"] > 0
            if r["status"] == "ok":
                assert 0.0 <= r["val"] <= 1.0 and 0.0 <= r["test"] <= 1.0
                assert "train.optimizer.lr" in r["params"]
    curves = subprocess.run([sys.executable, str(PEERS_DIR / "anytime.py"), str(tmp_path)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert curves.returncode == 0, curves.stderr
    assert "| by 10 s |" in curves.stdout and "| to 0.988 |" in curves.stdout
    assert all(f"| {config} |" in curves.stdout for config in configs)
    # The loop reaches the target (the weakest peer's best) by definition: its bound row.
    assert "| ideal ratio, 2 workers |" in curves.stdout and "\n| 0 | " in curves.stdout
    # The two-thread peer ran trials side by side, each seeded: no trial number twice.
    two = [json.loads(line) for line in
           (tmp_path / "breast_cancer" / "optuna-tpe-j2" / "seed0.jsonl").read_text().splitlines()]
    assert len({r["number"] for r in two}) == len(two) > 1


def test_nasdsl_trial_files_become_log_rows(tmp_path: Path) -> None:
    import nasdsl_runs

    trials = tmp_path / "run" / "trials"
    trials.mkdir(parents=True)
    files = [
        {"number": 0, "status": "ok", "seconds": 2.0, "params": {"a": 1},
         "metrics": {"val": {"accuracy": 0.9}, "test": {"accuracy": 0.8}}},
        {"number": 1, "status": "ok", "seconds": 0.0, "params": {"a": 1}, "reused_from": 0,
         "metrics": {"val": {"accuracy": 0.9}, "test": {"accuracy": 0.8}}},
        {"number": 2, "status": "stopped", "seconds": 1.0, "reason": "stopped early after "
         "1 epochs by the pruner", "params": {"a": 2},
         "metrics": {"val": {"accuracy": 0.5}, "test": {"accuracy": 0.5}}},
    ]
    for i, trial in enumerate(files):
        path = trials / f"trial_{i:04d}.json"
        path.write_text(json.dumps(trial))
        os.utime(path, (1000.0 + 2 * (i + 1), 1000.0 + 2 * (i + 1)))
    rows, facts = nasdsl_runs.trial_rows(tmp_path)
    assert [(r["number"], r["status"], r["finished_s"]) for r in rows] == [
        (0, "ok", 2.0), (1, "reused", 4.0), (2, "pruned", 6.0)]
    figures = peer_table.RunFigures("t", "nasdsl-tpe", 0, rows=rows, budget_s=100.0)
    assert [r["number"] for r in figures.counted] == [0, 2]  # a reused result is no trial


def test_nasdsl_configurations_are_hydra_overrides_of_the_spec():
    import nasdsl_runs

    # 3 strategies × early stop or not × 3 executions, and TPE on 4 and 8 async workers
    assert len(nasdsl_runs.CONFIGS) == 20
    assert nasdsl_runs.CONFIGS["nasdsl-tpe-w8a"].overrides(0, 60)[-3:] == [
        "execution.workers=8", "execution.launcher=joblib", "execution.dispatch=async"]
    import run

    assert ("nasdsl-tpe-w8a" in run.DEFAULT_CONFIGS) == ((os.cpu_count() or 1) >= 8)
    assert "nasdsl-tpe-w2a" in run.DEFAULT_CONFIGS and "optuna-tpe-j2" in run.DEFAULT_CONFIGS
    w2a = nasdsl_runs.CONFIGS["nasdsl-tpe-hb-w2a"].overrides(1, 60)
    assert w2a == ["experiment.seed=1", "budget.time_s=60", "strategy.name=tpe",
                   nasdsl_runs.HYPERBAND, "execution.workers=2", "execution.launcher=joblib",
                   "execution.dispatch=async"]
    assert "execution.dispatch=async" not in nasdsl_runs.CONFIGS["nasdsl-tpe-w2"].overrides(1, 60)
