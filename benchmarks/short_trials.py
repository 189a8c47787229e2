"""How many short trials one and two nasdsl workers get through, and how busy the workers are.

Runs the peer benchmark's breast_cancer spec (20-epoch MLPs, a few tenths of a second of
training each) under a time budget, with 1 worker and with 2 async joblib workers, one
thread each, and prints per run: trials, the median trial's own seconds (build, latency,
training, metrics, saving), and the workers' utilisation (their trials' own seconds over
workers × the search's span). What is not utilisation is the per-trial work outside
the trial (Hydra's job, Optuna's sampling and storage) and, with two workers, the main
process's share of the two cores.

    .venv/bin/python benchmarks/short_trials.py [--budget-s 60] [--repeats 1]
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
SPEC = ROOT / "benchmarks" / "peers" / "specs" / "cancer_mlp.nas"
MODES = {"1 worker": [],
         "2 workers, async": ["execution.workers=2", "execution.launcher=joblib",
                              "execution.dispatch=async"]}


def one_run(budget_s: float, overrides: list[str]) -> dict[str, float]:
    """Trials, median trial seconds and utilisation of one `nasdsl run`."""
    workers = 2 if any(o == "execution.workers=2" for o in overrides) else 1
    with tempfile.TemporaryDirectory(prefix="nasdsl-short-trials-") as runs:
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", str(SPEC),
                        "experiment.seed=0", f"budget.time_s={budget_s:g}",
                        "strategy.name=tpe", *overrides, "--quiet", "--runs-dir", runs],
                       check=True, capture_output=True, env=env)
        done = [(json.loads(f.read_text(encoding="utf-8")), f.stat().st_mtime)
                for f in Path(runs).rglob("trials/trial_*.json")]
    own = [t["seconds"] for t, _ in done if t["status"] in ("ok", "stopped")]
    span = max(end for _, end in done) - min(end - t["seconds"] for t, end in done)
    return {"trials": len(done), "median_s": statistics.median(own),
            "utilisation": sum(own) / (workers * span), "span_s": span}


def main() -> None:
    """Print one table row per mode and repeat."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget-s", type=float, default=60.0)
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    print(f"breast_cancer spec, tpe, {args.budget_s:g} s budget, 1 thread per worker")
    print("| mode | trials | trials per search second | median trial s | utilisation |")
    print("| --- | --- | --- | --- | --- |")
    for _ in range(args.repeats):
        for mode, overrides in MODES.items():
            r = one_run(args.budget_s, overrides)
            print(f"| {mode} | {r['trials']} | {r['trials'] / r['span_s']:.2f} | "
                  f"{r['median_s']:.3f} | {r['utilisation']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
