"""Parallel throughput: trials per minute with 2 joblib workers vs 1 on 2 cores.

    .venv/bin/python benchmarks/parallel_throughput.py [--trials 8] [--epochs 40]

Each worker pins its framework to its share of the cores. Figures: the search's wall
time from run.json (one-off start-up included: a joblib worker is a new process that
imports the framework), and the steady-state throughput, trials completed per second
after the first trial (or batch) completed, from the study's timestamps.
Target: ≥ 1.8× with 2 workers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

SPEC = """experiment "throughput" {{
  seed = 1
  data {{
    source = sklearn.digits
    split  = train 70%, val 15%, test 15%
  }}
  objective {{
    maximize val.accuracy
  }}
  space layers {{
    dense(units = choice(64, 65, 66, 67, 68, 69, 70, 71, 72, 73), activation = relu)
  }}
  train {{
    epochs     = {epochs}
    batch_size = 32
    optimizer  = adam(lr = 0.001)
  }}
  budget {{
    trials = {trials}
  }}
  strategy grid
  backend = torch
}}
"""


def search_seconds(trials: int, epochs: int, workers: int) -> tuple[float, float]:
    """(search seconds from run.json, steady-state trials per second)."""
    import optuna

    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "throughput.nas"
        spec.write_text(SPEC.format(trials=trials, epochs=epochs))
        launcher = "joblib" if workers > 1 else "basic"
        subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", str(spec), "--quiet",
                        f"execution.workers={workers}", f"execution.launcher={launcher}",
                        "--runs-dir", tmp], check=True, capture_output=True)
        (run_dir,) = list((Path(tmp) / "throughput").iterdir())
        seconds = float(json.loads((run_dir / "run.json").read_text())["seconds"])
        study = optuna.load_study(study_name="throughput",
                                  storage=f"sqlite:///{run_dir / 'study.db'}")
        ends = sorted(t.datetime_complete.timestamp() for t in study.trials)
        first = ends[workers - 1]  # the first batch of `workers` trials is done
        steady = (len(ends) - workers) / max(ends[-1] - first, 1e-9)
        return seconds, steady


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=40)
    args = ap.parse_args()
    one, one_steady = search_seconds(args.trials, args.epochs, 1)
    two, two_steady = search_seconds(args.trials, args.epochs, 2)
    print(f"trials={args.trials} epochs={args.epochs}")
    print(f"1 worker (basic)  : {one:7.2f} s  {args.trials / one * 60:6.1f} trials/min, "
          f"steady state {one_steady * 60:6.1f} trials/min")
    print(f"2 workers (joblib): {two:7.2f} s  {args.trials / two * 60:6.1f} trials/min, "
          f"steady state {two_steady * 60:6.1f} trials/min")
    print(f"speed-up          : {one / two:5.2f}x whole search, "
          f"{two_steady / one_steady:5.2f}x steady state")


if __name__ == "__main__":
    main()
