"""Each weight-sharing strategy finds an architecture clearly better than the median random
architecture of the same space, both trained from scratch the same way (slow: real runs
of the example specs on digits)."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
from conftest import SPECS, run_cli

CASES = {"darts": SPECS / "darts_nb201.nas", "enas": SPECS / "enas_cells.nas",
         "ofa": SPECS / "ofa_targets.nas"}
SAME_TRAINING = ("train.epochs=3", "budget.time_s=1800")


def _val_accuracies(spec: Path, runs: Path, *overrides: str) -> tuple[list[float], Path]:
    proc = run_cli("run", str(spec), *SAME_TRAINING, *overrides, "--quiet",
                   "--runs-dir", str(runs), timeout=1800)
    assert proc.returncode == 0, proc.stderr
    run_dir = next(p.parent for p in runs.rglob("run.json"))
    trials = [json.loads(p.read_text()) for p in run_dir.glob("trials/trial_*.json")]
    return [t["metrics"]["val"]["accuracy"] for t in trials if t["status"] == "ok"], run_dir


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_weight_sharing_beats_the_median_random_architecture(name: str, tmp_path):
    found, run_dir = _val_accuracies(CASES[name], tmp_path / "ws")
    record = json.loads((run_dir / "weight_sharing.json").read_text())
    assert len(found) == len(record["candidates"]) >= 1
    random, _ = _val_accuracies(CASES[name], tmp_path / "random", "strategy.name=random",
                                "budget.trials=4")
    assert len(random) >= 3
    median = statistics.median(random)
    assert max(found) >= median + 0.03, (found, random)
