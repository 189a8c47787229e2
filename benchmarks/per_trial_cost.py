"""nasdsl's fixed cost per trial: a search of one-epoch CNN trials on digits.

With one epoch a trial's training is short, so what each trial costs besides it shows:
inside the trial (building, the latency measurement, train/val/test metrics, saving the
model) and between trials (the Hydra job: its config and output folder; the strategy's
ask and tell). Median seconds per trial from the trial files:

    .venv/bin/python benchmarks/per_trial_cost.py [--trials 40] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "benchmarks" / "peers" / "specs" / "digits_cnn.nas"


def finished_trials(spec: Path, overrides: list[str]) -> list[tuple[dict, float]]:
    """Run `nasdsl run SPEC experiment.seed=0 OVERRIDES` on one thread per process;
    every trial's result and the moment its file was written, in that order."""
    with tempfile.TemporaryDirectory(prefix="nasdsl-bench-") as runs:
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", str(spec),
                        "experiment.seed=0", *overrides, "--quiet", "--runs-dir", runs],
                       check=True, capture_output=True, env=env)
        files = sorted(Path(runs).rglob("trials/trial_*.json"), key=os.path.getmtime)
        return [(json.loads(f.read_text(encoding="utf-8")), f.stat().st_mtime) for f in files]


def one_search(trials: int) -> tuple[float, float]:
    """(wall, inside) median seconds per trial of one `nasdsl run`."""
    done = finished_trials(SPEC, ["train.epochs=1", f"budget.trials={trials}",
                                  "budget.time_s=900", "strategy.name=random"])
    # The first trial also pays the search's start; every later one is a steady-state trial.
    walls = [b[1] - a[1] for a, b in zip(done, done[1:], strict=False) if b[0]["status"] == "ok"]
    inside = [t["seconds"] for t, _ in done[1:] if t["status"] == "ok"]
    return statistics.median(walls), statistics.median(inside)


def main() -> None:
    """Print the per-trial figures of each search."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=40)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    print(f"{args.trials} one-epoch trials per search, 1 thread; median seconds per trial")
    for i in range(args.repeats):
        wall, inside = one_search(args.trials)
        print(f"search {i + 1}: wall {wall:.3f} s = inside the trial {inside:.3f} s "
              f"+ between trials {wall - inside:.3f} s")


if __name__ == "__main__":
    main()
