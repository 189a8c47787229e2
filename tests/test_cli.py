"""The command line as a user meets it: exit codes, messages, and a real run."""

import json
import sqlite3

from conftest import ROOT, SPECS, run_cli


def test_check_ok_and_errors():
    ok = run_cli("check", str(SPECS / "quickstart.nas"))
    assert ok.returncode == 0 and "ok" in ok.stderr
    bad = run_cli("check", str(ROOT / "tests/bad_specs/unknown_key.nas"))
    assert bad.returncode == 1
    assert "unknown_key.nas:6:11: error[NAS101]" in bad.stderr
    assert "did you mean 'epochs'?" in bad.stderr and "^^^^^" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_check_json():
    proc = run_cli("check", "--format", "json", str(ROOT / "tests/bad_specs/wrong_unit.nas"))
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["files"][0]["diagnostics"][0]["code"] == "NAS202" and data["errors"] == 1


def test_usage_errors_exit_2(tmp_path):
    assert run_cli().returncode == 2
    assert run_cli("frobnicate").returncode == 2
    missing = run_cli("check", str(tmp_path / "nope.nas"))
    assert missing.returncode == 2 and "no such spec file" in missing.stderr
    bad_override = run_cli("run", str(SPECS / "quickstart.nas"), "train.epochs=abc=",
                           "--runs-dir", str(tmp_path))
    assert bad_override.returncode == 2 and "Traceback" not in bad_override.stderr
    not_kv = run_cli("run", str(SPECS / "quickstart.nas"), "epochs", "--runs-dir", str(tmp_path))
    assert not_kv.returncode == 2 and "key=value" in not_kv.stderr
    bad_value = run_cli("run", str(SPECS / "quickstart.nas"), "budget.trials=0",
                        "--runs-dir", str(tmp_path))
    assert bad_value.returncode == 2 and "budget.trials" in bad_value.stderr
    assert not any(tmp_path.rglob("study.db"))


def test_report_on_missing_run_dir(tmp_path):
    proc = run_cli("report", str(tmp_path))
    assert proc.returncode == 2 and "not a nasdsl run directory" in proc.stderr


def test_quickstart_runs_end_to_end(tmp_path):
    proc = run_cli("run", str(SPECS / "quickstart.nas"), "budget.trials=4", "train.epochs=5",
                   "--runs-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    (run_dir,) = list((tmp_path / "quickstart").iterdir())
    for name in ("spec.nas", "config.yaml", "run.json", "study.db", "compiled/config.yaml"):
        assert (run_dir / name).exists(), name
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["overrides"] == ["budget.trials=4", "train.epochs=5"]
    assert meta["stop_reason"] == "trials" and "torch" in meta["versions"]
    trials = sorted((run_dir / "trials").glob("trial_*.json"))
    assert len(trials) == 4
    results = [json.loads(p.read_text()) for p in trials]
    ok = [r for r in results if r["status"] == "ok"]
    assert ok, [r["reason"] for r in results]
    best = max(r["metrics"]["val"]["accuracy"] for r in ok)
    assert best > 0.5  # chance is 0.1 on ten digits
    for r in ok:
        assert r["architecture"]["training"]["epochs"] == 5
        assert r["measures"]["params"] <= 20_000 and r["measures"]["latency_s"] > 0
        assert (run_dir / "models" / f"trial_{r['number']:04d}.pt").is_file()
    with sqlite3.connect(run_dir / "study.db") as db:
        assert db.execute("select count(*) from trials").fetchone()[0] == 4
    assert "Best candidate" in proc.stdout and "val.accuracy" in proc.stdout

    again = run_cli("report", str(run_dir))
    assert again.returncode == 0 and "Best candidate" in again.stdout


def test_same_seed_same_architectures(tmp_path):
    args = ("run", str(SPECS / "quickstart.nas"), "budget.trials=3", "train.epochs=1", "--quiet")
    run_cli(*args, "--runs-dir", str(tmp_path / "a"))
    run_cli(*args, "--runs-dir", str(tmp_path / "b"))

    def archs(root):
        (run_dir,) = list((root / "quickstart").iterdir())
        return [json.loads(p.read_text())["architecture"]
                for p in sorted((run_dir / "trials").glob("trial_*.json"))]

    assert archs(tmp_path / "a") == archs(tmp_path / "b")


def test_constraint_rejects_before_training(tmp_path):
    proc = run_cli("run", str(SPECS / "quickstart.nas"), "budget.trials=3", "train.epochs=1",
                   "constraints.0.value=100", "--runs-dir", str(tmp_path), "--quiet")
    assert proc.returncode == 1  # no trial can complete
    (run_dir,) = list((tmp_path / "quickstart").iterdir())
    results = [json.loads(p.read_text()) for p in (run_dir / "trials").glob("trial_*.json")]
    assert {r["status"] for r in results} == {"infeasible"}
    assert all("before training" in r["reason"] and not r["history"] for r in results)
    assert "No trial completed" in proc.stdout
