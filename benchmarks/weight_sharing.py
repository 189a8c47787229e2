"""Weight-sharing strategies (ENAS, DARTS, once-for-all) against random search on digits.

For each example spec, runs `nasdsl run` as written (the weight-sharing search, then its
candidates trained from scratch), then the same spec with `strategy.name=random` for
`--random` trials trained the same way. Prints the search seconds, sub-networks scored,
the retrained candidates' validation and test accuracy, the random architectures'
median and best validation accuracy, and what a per-trial search of the scored
sub-networks would have cost.

    .venv/bin/python benchmarks/weight_sharing.py                   # all three, 5 random
    .venv/bin/python benchmarks/weight_sharing.py --only darts --random 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SPECS = {"darts": ROOT / "specs" / "darts_nb201.nas", "enas": ROOT / "specs" / "enas_cells.nas",
         "ofa": ROOT / "specs" / "ofa_targets.nas"}


def run(spec: Path, runs: Path, *overrides: str) -> tuple[list[dict[str, Any]], float, Path]:
    """Run a spec through the CLI; return its trial results, wall seconds and run dir."""
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", str(spec), *overrides,
                           "--quiet", "--runs-dir", str(runs)], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    seconds = time.monotonic() - start
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{spec.name} failed:\n{proc.stderr[-2000:]}")
    run_dir = next(p.parent for p in runs.rglob("run.json"))
    trials = [json.loads(p.read_text()) for p in sorted(run_dir.glob("trials/trial_*.json"))]
    return [t for t in trials if t["status"] == "ok"], seconds, run_dir


def measure(name: str, random_trials: int) -> dict[str, Any]:
    """One strategy against random search on the same spec."""
    with tempfile.TemporaryDirectory() as tmp:
        found, ws_wall, run_dir = run(SPECS[name], Path(tmp) / "ws")
        record = json.loads((run_dir / "weight_sharing.json").read_text())
        rand, rand_wall, _ = run(SPECS[name], Path(tmp) / "random", "strategy.name=random",
                                 f"budget.trials={random_trials}")
    val = [t["metrics"]["val"]["accuracy"] for t in found]
    test = [t["metrics"]["test"]["accuracy"] for t in found]
    rval = [t["metrics"]["val"]["accuracy"] for t in rand]
    return {"strategy": name, "epochs": record["supernet_epochs"],
            "search_s": record["search_seconds"], "scored": record["subnetworks_scored"],
            "retrained": len(found), "best_val": max(val), "best_test": test[val.index(max(val))],
            "trial_s": record.get("mean_trial_seconds", 0.0),
            "per_trial_s": record.get("per_trial_estimate_seconds", 0.0), "wall_s": ws_wall,
            "random_median_val": statistics.median(rval), "random_best_val": max(rval),
            "random_wall_s": rand_wall, "random_n": len(rval),
            "targets": [c.get("target") for c in record["candidates"] if c.get("target")]}


def main() -> None:
    """Print one row per strategy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=list(SPECS), choices=list(SPECS))
    parser.add_argument("--random", type=int, default=5, help="random trials per spec")
    args = parser.parse_args()
    print("| strategy | supernet epochs | search s | sub-networks scored | retrained | "
          "best val acc (test) | mean trial s | per-trial estimate s | run wall s | "
          "random median val (best) | random wall s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in args.only:
        r = measure(name, args.random)
        print(f"| {r['strategy']} | {r['epochs']} | {r['search_s']:.1f} | {r['scored']} | "
              f"{r['retrained']}{' (' + ', '.join(r['targets']) + ')' if r['targets'] else ''} | "
              f"{r['best_val']:.3f} ({r['best_test']:.3f}) | {r['trial_s']:.1f} | "
              f"{r['per_trial_s']:.0f} | {r['wall_s']:.0f} | "
              f"{r['random_median_val']:.3f} ({r['random_best_val']:.3f}), n={r['random_n']} | "
              f"{r['random_wall_s']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
