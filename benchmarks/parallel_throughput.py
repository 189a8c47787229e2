"""Parallel throughput: trials per minute with 2 joblib workers vs 1 on 2 cores.

    .venv/bin/python benchmarks/parallel_throughput.py [--trials 8] [--epochs 40]

Each worker pins its framework to its share of the cores; the figure is the search's
wall time from run.json. Target: ≥ 1.8× with 2 workers.
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


def search_seconds(trials: int, epochs: int, workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "throughput.nas"
        spec.write_text(SPEC.format(trials=trials, epochs=epochs))
        launcher = "joblib" if workers > 1 else "basic"
        subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", str(spec), "--quiet",
                        f"execution.workers={workers}", f"execution.launcher={launcher}",
                        "--runs-dir", tmp], check=True, capture_output=True)
        (run_dir,) = list((Path(tmp) / "throughput").iterdir())
        return float(json.loads((run_dir / "run.json").read_text())["seconds"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=8)
    ap.add_argument("--epochs", type=int, default=40)
    args = ap.parse_args()
    one = search_seconds(args.trials, args.epochs, 1)
    two = search_seconds(args.trials, args.epochs, 2)
    print(f"trials={args.trials} epochs={args.epochs}")
    print(f"1 worker (basic)  : {one:7.2f} s  {args.trials / one * 60:6.1f} trials/min")
    print(f"2 workers (joblib): {two:7.2f} s  {args.trials / two * 60:6.1f} trials/min")
    print(f"speed-up          : {one / two:5.2f}x")


if __name__ == "__main__":
    main()
