"""Reproducibility: the run directory holds everything to redo a trial; the same spec and
seed sample the same candidates; `nasdsl retrain` re-trains one trial from its files."""

import json

from test_run_faults import TINY, nasdsl


def test_run_files_same_sequence_and_retrain(tmp_path):
    spec = tmp_path / "tiny.nas"
    spec.write_text(TINY)
    for name in ("a", "b"):
        proc = nasdsl("run", str(spec), "budget.trials=3", "train.epochs=1", "--quiet",
                      "--runs-dir", str(tmp_path / name))
        assert proc.returncode == 0, proc.stderr
    dirs = [next((tmp_path / name / "tiny").iterdir()) for name in ("a", "b")]

    def archs(run_dir):
        return [json.loads(p.read_text())["architecture"]
                for p in sorted((run_dir / "trials").glob("trial_*.json"))]

    assert archs(dirs[0]) == archs(dirs[1])  # sequential mode: same candidates, same order

    run_dir = dirs[0]
    meta = json.loads((run_dir / "run.json").read_text())
    assert len(meta["spec_sha256"]) == 64 and "git_dirty" in meta and "git_commit" in meta
    assert meta["versions"]["optuna"] and meta["storage"].startswith("sqlite:///")
    assert (run_dir / "spec.nas").read_text() == TINY
    first = json.loads((run_dir / "trials/trial_0000.json").read_text())
    overrides = (run_dir / "trials/trial_0000/.hydra/overrides.yaml").read_text()
    assert "train.epochs=1" in overrides and f"+trial.seed={first['seed']}" in overrides
    assert (run_dir / "trials/trial_0000/.hydra/config.yaml").is_file()

    again = nasdsl("retrain", str(run_dir), "--trial", "0")
    assert again.returncode == 0, again.stderr
    redo = json.loads((run_dir / "retrain/trial_0000/result.json").read_text())
    # same architecture, same seed, same data: the same model, so the same metrics
    assert redo["metrics"]["val"]["accuracy"] == first["metrics"]["val"]["accuracy"]
    assert "val.accuracy" in again.stdout

    missing = nasdsl("retrain", str(run_dir), "--trial", "99")
    assert missing.returncode == 2 and "no trial 99" in missing.stderr
    not_run = nasdsl("resume", str(tmp_path))
    assert not_run.returncode == 2 and "not a nasdsl run directory" in not_run.stderr
