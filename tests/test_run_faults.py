"""Faulty trials are recorded with reason and traceback while the run goes on; budgets stop
the run and say which; the pilot projects the full budget."""

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

TINY = """experiment "tiny" {
  seed = 3
  data {
    source = sklearn.iris
    split  = train 70%, val 15%, test 15%
  }
  objective {
    maximize val.accuracy
  }
  space layers {
    dense(units = choice(4, 8, 16, 32), activation = choice(relu, tanh))
  }
  train {
    epochs     = 2
    batch_size = 16
    optimizer  = adam(lr = loguniform(1e-3, 1e-2))
  }
  budget {
    trials = 4
  }
  strategy random
  backend = torch
}
"""


def nasdsl(*args, env=None, timeout=600):
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, **(env or {})})


def spec(tmp_path, text=TINY):
    path = tmp_path / "tiny.nas"
    path.write_text(text)
    return str(path)


def results(runs):
    (run_dir,) = list((runs / "tiny").iterdir())
    files = sorted((run_dir / "trials").glob("trial_*.json"))
    return run_dir, [json.loads(p.read_text()) for p in files]


@pytest.mark.slow
def test_each_fault_is_recorded_and_the_run_completes(tmp_path):
    faults = {"0": "raise", "1": "nan", "2": "hang", "3": "memory"}
    proc = nasdsl("run", spec(tmp_path), "budget.trials=5", "execution.trial_timeout_s=4",
                  f"execution.trial_memory_bytes={1500 * 2**20}", "--quiet",
                  "--runs-dir", str(tmp_path / "runs"),
                  env={"NASDSL_INJECT_FAULTS": json.dumps(faults)})
    assert proc.returncode == 0, proc.stderr  # trial 4 succeeded
    run_dir, got = results(tmp_path / "runs")
    assert [r["number"] for r in got] == [0, 1, 2, 3, 4]
    by = {r["number"]: r for r in got}
    assert by[0]["status"] == "failed" and "RuntimeError" in by[0]["reason"]
    assert by[1]["status"] == "failed" and "nan" in by[1]["reason"]
    assert by[2]["status"] == "failed" and "time limit of 4 s" in by[2]["reason"]
    assert by[3]["status"] == "failed" and "memory limit" in by[3]["reason"]
    assert by[4]["status"] == "ok"
    for n in range(4):
        assert (run_dir / "trials" / f"trial_{n:04d}" / "traceback.txt").is_file(), n
    assert "Traceback" in (run_dir / "trials/trial_0000/traceback.txt").read_text()
    assert "Traceback" not in proc.stderr


def test_retries_and_exit_code_when_nothing_succeeds(tmp_path):
    faults = {"0": "raise", "1": "raise"}
    proc = nasdsl("run", spec(tmp_path), "budget.trials=2", "execution.retries=1", "--quiet",
                  "--runs-dir", str(tmp_path / "runs"),
                  env={"NASDSL_INJECT_FAULTS": json.dumps(faults)})
    assert proc.returncode == 1, proc.stderr
    run_dir, got = results(tmp_path / "runs")
    assert len(got) == 2
    for r in got:
        assert r["status"] == "failed" and r["attempts"] == 2
        assert r["reason"].startswith("failed 2 times")
        assert (run_dir / "trials" / f"trial_{r['number']:04d}" / "traceback.2.txt").is_file()


def test_budgets_stop_and_say_which(tmp_path):
    money = nasdsl("run", spec(tmp_path), "budget.trials=20", "++budget.money=0.0000001",
                   "++budget.rate_per_h=2.48", "--quiet", "--runs-dir", str(tmp_path / "m"))
    assert money.returncode == 0, money.stderr
    run_dir, got = results(tmp_path / "m")
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["stop_reason"] == "money" and len(got) == 1
    assert "money budget" in money.stderr

    hours = nasdsl("run", spec(tmp_path), "budget.trials=20", "++budget.trial_hours_s=0.0001",
                   "--quiet", "--runs-dir", str(tmp_path / "h"))
    run_dir, got = results(tmp_path / "h")
    assert json.loads((run_dir / "run.json").read_text())["stop_reason"] == "trial_hours"
    assert len(got) == 1 and hours.returncode == 0

    no_rate = nasdsl("run", spec(tmp_path), "++budget.money=5", "--runs-dir", str(tmp_path))
    assert no_rate.returncode == 2 and "rate" in no_rate.stderr


def test_pilot_measures_and_projects(tmp_path):
    proc = nasdsl("run", "--pilot", spec(tmp_path), "budget.trials=30", "++budget.rate_per_h=2.48",
                  "++pilot.trials=2", "++pilot.epochs=1", "++pilot.subset=0.5", "--quiet",
                  "--runs-dir", str(tmp_path / "runs"))
    assert proc.returncode == 0, proc.stderr
    assert "pilot passed" in proc.stderr and "the budget buys 30 trials" in proc.stderr
    (run_dir,) = list((tmp_path / "runs" / "tiny").iterdir())
    pilot = json.loads((run_dir / "pilot.json").read_text())
    assert pilot["ok"] and pilot["trials"] == 2 and pilot["seconds_per_epoch"] > 0
    assert pilot["projected_cost"] > 0 and pilot["trials_affordable"] == 30
    assert json.loads((run_dir / "run.json").read_text())["stop_reason"] == "pilot"
    pilot_trials = [json.loads(p.read_text())
                    for p in (run_dir / "pilot" / "trials").glob("trial_*.json")]
    assert len(pilot_trials) == 2
    assert all(len(t["history"]) == 1 for t in pilot_trials)  # one pilot epoch each
    assert not list((run_dir / "trials").glob("trial_*.json"))  # the full run did not start


def test_pilot_block_runs_first_and_stops_the_run_when_it_fails(tmp_path):
    text = TINY.replace("  strategy random", "  pilot {\n    trials = 1\n    epochs = 1\n  }\n"
                        "  strategy random")
    proc = nasdsl("run", spec(tmp_path, text), "--quiet", "--runs-dir", str(tmp_path / "runs"),
                  env={"NASDSL_INJECT_FAULTS": json.dumps({"0": "raise"})})
    assert proc.returncode == 1 and "pilot failed" in proc.stderr
    (run_dir,) = list((tmp_path / "runs" / "tiny").iterdir())
    assert json.loads((run_dir / "run.json").read_text())["stop_reason"] == "pilot_failed"
    assert not list((run_dir / "trials").glob("trial_*.json"))
