"""Parallel and distributed trials: joblib workers, a local Ray, two independent workers on
one shared storage (SQLite and an Optuna journal file), and SLURM job generation."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest
from conftest import ROOT
from test_run_faults import TINY, nasdsl


def trial_files(root):
    return [json.loads(p.read_text()) for p in root.rglob("trials/trial_*.json")]


def load_study(url):
    """Open the study the way optuna-dashboard does: storage, summaries, then the study."""
    import optuna

    from nasdsl.run.study import make_storage

    storage = make_storage(url)
    (summary,) = optuna.study.get_all_study_summaries(storage)
    return optuna.load_study(study_name=summary.study_name, storage=storage)


def _worker_pid(_):
    return os.getpid()


def test_warm_workers_are_the_ones_the_joblib_launcher_reuses():
    # nasdsl.run.warmup warms the workers through joblib with the launcher's own
    # arguments; joblib hands the same executor (the same processes) to the next call.
    from joblib import Parallel, delayed

    from nasdsl.run.warmup import joblib_arguments

    args = joblib_arguments(2)
    assert args["n_jobs"] == 2 and args["backend"] == "loky"
    first = set(Parallel(**args)(delayed(_worker_pid)(i) for i in range(4)))
    again = set(Parallel(**args)(delayed(_worker_pid)(i) for i in range(4)))
    assert first & again and os.getpid() not in first


def test_joblib_two_workers_fill_one_study(tmp_path):
    spec = tmp_path / "tiny.nas"
    spec.write_text(TINY)
    proc = nasdsl("run", str(spec), "budget.trials=4", "execution.workers=2",
                  "execution.launcher=joblib", "--quiet", "--runs-dir", str(tmp_path / "runs"))
    assert proc.returncode == 0, proc.stderr
    (run_dir,) = list((tmp_path / "runs" / "tiny").iterdir())
    got = trial_files(run_dir)
    assert sorted(r["number"] for r in got) == [0, 1, 2, 3]
    assert all(r["status"] == "ok" for r in got), [r["reason"] for r in got]
    study = load_study(f"sqlite:///{run_dir / 'study.db'}")
    assert len(study.trials) == 4 and all(t.state.name == "COMPLETE" for t in study.trials)
    for n in range(4):  # every trial is a Hydra job with its config and overrides
        overrides = (run_dir / "trials" / f"trial_{n:04d}" / ".hydra" / "overrides.yaml")
        assert f"+trial.number={n}" in overrides.read_text()


@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_two_independent_workers_share_one_storage(tmp_path, kind):
    spec = tmp_path / "tiny.nas"
    spec.write_text(TINY)
    url = (f"sqlite:///{tmp_path / 'shared.db'}" if kind == "sqlite"
           else f"journal:{tmp_path / 'shared.journal'}")
    args = [sys.executable, "-m", "nasdsl.cli", "run", str(spec), "budget.trials=6",
            f"execution.storage='{url}'", "--quiet"]
    procs = [subprocess.Popen([*args, "--runs-dir", str(tmp_path / f"w{i}")], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    got = trial_files(tmp_path / "w0") + trial_files(tmp_path / "w1")
    numbers = [r["number"] for r in got]
    assert len(numbers) == len(set(numbers))  # no trial number twice
    assert trial_files(tmp_path / "w0") and trial_files(tmp_path / "w1")
    study = load_study(url)
    assert sorted(t.number for t in study.trials) == sorted(numbers)
    assert 6 <= len(numbers) <= 7  # the study's budget, plus at most one trial in flight


@pytest.mark.slow
@pytest.mark.parametrize("dispatch", ["batches", "async"])
def test_ray_run_on_a_local_cluster(tmp_path, dispatch):
    ray_bin = os.path.join(os.path.dirname(sys.executable), "ray")
    env = {**os.environ, "RAY_ADDRESS": ""}
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # Ray's socket paths must stay short
    start = subprocess.run([ray_bin, "start", "--head", "--num-cpus=2", "--disable-usage-stats",
                            f"--temp-dir={temp}", "--include-dashboard=false"],
                           capture_output=True, text=True, timeout=180, env=env, check=False)
    assert start.returncode == 0, start.stderr
    try:
        spec = tmp_path / "tiny.nas"
        spec.write_text(TINY)
        proc = nasdsl("run", str(spec), "budget.trials=4", "execution.workers=2",
                      "execution.launcher=ray", f"execution.dispatch={dispatch}", "--quiet",
                      "--runs-dir", str(tmp_path / "runs"),
                      env={"RAY_ADDRESS": "auto"})
        assert proc.returncode == 0, proc.stderr
        (run_dir,) = list((tmp_path / "runs" / "tiny").iterdir())
        got = trial_files(run_dir)
        assert sorted(r["number"] for r in got) == [0, 1, 2, 3]
        assert all(r["status"] == "ok" for r in got)
        assert len(load_study(f"sqlite:///{run_dir / 'study.db'}").trials) == 4
    finally:
        subprocess.run([ray_bin, "stop", "--force"], capture_output=True, timeout=120, env=env,
                       check=False)
        shutil.rmtree(temp, ignore_errors=True)


def test_slurm_launcher_generates_the_job(tmp_path):
    """No cluster here: a stand-in `sbatch` keeps the submitted script and answers a job id."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    kept = tmp_path / "submitted.sh"
    sbatch = bin_dir / "sbatch"
    sbatch.write_text(f"#!/bin/sh\ncp \"$1\" {kept}\necho 'Submitted batch job 4242'\n")
    sbatch.chmod(0o755)
    srun = bin_dir / "srun"  # submitit only checks that it exists
    srun.write_text("#!/bin/sh\nexit 1\n")
    srun.chmod(0o755)
    spec = tmp_path / "tiny.nas"
    spec.write_text(TINY)
    proc = subprocess.Popen(
        [sys.executable, "-m", "nasdsl.cli", "run", str(spec), "budget.trials=2",
         "execution.launcher=slurm", "--quiet", "--runs-dir", str(tmp_path / "runs")],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"})
    try:
        end = time.monotonic() + 120
        while not kept.exists() and time.monotonic() < end and proc.poll() is None:
            time.sleep(0.2)
        assert kept.exists(), proc.stderr.read() if proc.poll() is not None else "no sbatch"
    finally:
        proc.kill()
        proc.wait()
    script = kept.read_text()
    assert script.startswith("#!/bin/bash") and "#SBATCH" in script
    assert "submitit" in script and "--job-name=nasdsl" in script
    (run_dir,) = list((tmp_path / "runs" / "tiny").iterdir())
    pickles = list((run_dir / "slurm").rglob("*_submitted.pkl"))
    assert pickles  # the job (our task function and the trial's config) is ready to run


def test_async_dispatch_keeps_the_other_worker_busy_while_one_trial_hangs(tmp_path):
    # Trial 0 hangs until its 20 s limit. In batches, trial 2 would wait for it; with
    # dispatch = async the free worker goes on to the next trial meanwhile.
    spec = tmp_path / "tiny.nas"
    spec.write_text(TINY)
    proc = nasdsl("run", str(spec), "budget.trials=5", "execution.workers=2",
                  "execution.launcher=joblib", "execution.dispatch=async",
                  "execution.trial_timeout_s=20", "--quiet", "--runs-dir", str(tmp_path / "runs"),
                  env={"NASDSL_INJECT_FAULTS": '{"0": "hang"}'})
    assert proc.returncode == 0, proc.stderr
    (run_dir,) = list((tmp_path / "runs" / "tiny").iterdir())
    files = {int(p.stem.split("_")[1]): p for p in (run_dir / "trials").glob("trial_*.json")}
    assert sorted(files) == [0, 1, 2, 3, 4]
    results = {n: json.loads(p.read_text()) for n, p in files.items()}
    assert results[0]["status"] == "failed" and "time" in results[0]["reason"]
    assert all(results[n]["status"] == "ok" for n in range(1, 5)), results
    study = load_study(f"sqlite:///{run_dir / 'study.db'}")
    assert len(study.trials) == 5 and all(t.state.name != "RUNNING" for t in study.trials)
    # In batches trial 2 starts only once trials 0 and 1 have both ended. The ordering of
    # start times, not a count of trials finished within the 20 s, is what async promises:
    # a loaded CI host may fit only one or two tiny trials into the hang.
    hung = study.trials[0]
    assert hung.datetime_complete is not None
    assert all(t.datetime_start < hung.datetime_complete for t in study.trials[1:3])
    assert study.trials[2].datetime_start >= study.trials[1].datetime_complete


def test_two_workers_in_batches_repeat_a_run_exactly(tmp_path):
    # The default dispatch: the strategy sees the same results in the same order.
    spec = tmp_path / "tiny.nas"
    spec.write_text(TINY.replace("strategy random", "strategy tpe"))

    def decisions(name):
        # 12 trials: TPE's model takes over from its 10 random start-up trials
        proc = nasdsl("run", str(spec), "budget.trials=12", "execution.workers=2",
                      "execution.launcher=joblib", "--quiet", "--runs-dir", str(tmp_path / name))
        assert proc.returncode == 0, proc.stderr
        got = {r["number"]: r for r in trial_files(tmp_path / name)}
        return [(got[n]["params"], got[n]["metrics"]["val"]["accuracy"]) for n in sorted(got)]

    assert decisions("a") == decisions("b")
