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
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from per_trial_cost import ROOT, finished_trials  # noqa: E402

SPEC = ROOT / "benchmarks" / "peers" / "specs" / "cancer_mlp.nas"
# mode → (workers, the overrides that give them)
MODES = {"1 worker": (1, []),
         "2 workers, async": (2, ["execution.workers=2", "execution.launcher=joblib",
                                  "execution.dispatch=async"])}


def one_run(budget_s: float, workers: int, overrides: list[str]) -> dict[str, float]:
    """Trials, median trial seconds and utilisation of one `nasdsl run`."""
    done = finished_trials(SPEC, [f"budget.time_s={budget_s:g}", "strategy.name=tpe",
                                  *overrides])
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
        for mode, (workers, overrides) in MODES.items():
            r = one_run(args.budget_s, workers, overrides)
            print(f"| {mode} | {r['trials']} | {r['trials'] / r['span_s']:.2f} | "
                  f"{r['median_s']:.3f} | {r['utilisation']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
