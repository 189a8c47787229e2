"""The practice features end to end through `nasdsl run` on the specs in specs/:
int8 limits and pruning, a CSV table with preprocessing and an ensemble, warm starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SPECS, run_cli


def _trials(runs: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(runs.rglob("trials/trial_*.json"))]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_warm_start_source_is_a_usage_error(tmp_path):
    spec = (SPECS / "warm_start.nas").read_text().replace('"data/earlier-run"', '"no-such-run"')
    proc = run_cli("run", str(_write(tmp_path, "w.nas", spec)), "--quiet",
                   "--runs-dir", str(tmp_path / "runs"))
    assert proc.returncode == 2, proc.stderr
    assert "warm_start:" in proc.stderr and "no-such-run" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_missing_or_mismatched_csv_is_a_usage_error(tmp_path):
    spec = (SPECS / "tabular_csv.nas").read_text()
    proc = run_cli("run", str(_write(tmp_path, "t.nas", spec)), "--quiet",
                   "--runs-dir", str(tmp_path / "runs"))
    assert proc.returncode == 2 and "no CSV file at" in proc.stderr, proc.stderr
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "tumours.csv").write_text(
        (SPECS / "data" / "tumours.csv").read_text())
    wrong = spec.replace('target = "diagnosis"', 'target = "label"')
    proc = run_cli("run", str(_write(tmp_path, "t.nas", wrong)), "--quiet",
                   "--runs-dir", str(tmp_path / "runs"))
    assert proc.returncode == 2 and "no column 'label'" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_quantized_digits_measures_int8_and_prunes(tmp_path):
    proc = run_cli("run", str(SPECS / "quantized_digits.nas"), "budget.trials=2",
                   "train.epochs=2", "--quiet", "--runs-dir", str(tmp_path))
    assert proc.returncode in (0, 1), proc.stderr
    trained = [t for t in _trials(tmp_path) if "quantized" in t["measures"]]
    assert trained, proc.stderr
    for t in trained:
        m = t["measures"]
        int8 = m["quantized"]["int8"]
        # int8 and 40% sparse: well under a quarter of the dense float32 bytes
        assert int8["model_bytes"] < m["model_bytes"] / 4 < m["sparse_bytes"]
        assert m["sparsity"] == pytest.approx(0.4, abs=0.01)
        assert m["sparse_bytes"] < m["model_bytes"]
        assert 0.0 <= int8["metrics"]["val"]["accuracy"] <= 1.0
        size = next(c for c in t["constraints"] if c["subject"] == "model_size")
        assert size["actual"] == int8["model_bytes"]
        target = next(c for c in t["constraints"] if c["subject"] == "val.accuracy")
        assert target["actual"] == int8["metrics"]["val"]["accuracy"]
    if any(t["status"] == "ok" for t in trained):
        assert "float32 vs int8" in proc.stdout
        run = next(tmp_path.rglob("run.json")).parent
        out = tmp_path / "report.json"
        assert run_cli("report", str(run), "--json", str(out)).returncode == 0
        lines = json.loads(out.read_text())["practice"]
        assert lines[0].startswith("float32 vs int8: size ")
        assert lines[1].startswith("pruned to 40% sparsity")


@pytest.mark.slow
def test_csv_table_runs_with_an_ensemble_saved_as_one_model(tmp_path):
    proc = run_cli("run", str(SPECS / "tabular_csv.nas"), "budget.trials=2", "train.epochs=3",
                   "final.top=2", "final.ensemble=2", "--quiet", "--runs-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    trials = _trials(tmp_path)
    assert trials[0]["architecture"]["input_shape"] == [19]  # one-hot width
    summary = json.loads(next(tmp_path.rglob("final/summary.json")).read_text())
    ens = summary["ensemble"]
    assert ens["file"] == "final/ensemble.pt" and ens["members"] == 4
    assert next(tmp_path.rglob("final/ensemble.pt")).is_file()
    assert "saved as one model" in proc.stdout


@pytest.mark.slow
def test_warm_start_reuses_the_earlier_run(tmp_path):
    proc = run_cli("run", str(SPECS / "warm_start.nas"), "budget.trials=1", "--quiet",
                   "--runs-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(next(tmp_path.rglob("warm_start.json")).read_text())
    assert len(report["reused"]) == 4 and report["queued"] == []
    trials = _trials(tmp_path)
    assert sum(1 for t in trials if t.get("reused_from") is not None
               and "warm start" in t["reason"]) == 4
    assert len(trials) == 5  # the re-used ones do not use up budget.trials = 1
    assert "4 warm-start trial(s) re-used" in proc.stdout
