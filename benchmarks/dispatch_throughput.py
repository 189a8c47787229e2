"""Two workers on trials of uneven cost: dispatch = batches against dispatch = async.

    .venv/bin/python benchmarks/dispatch_throughput.py [--repeats 2] [--epochs 20]

The same 12 trials every time (a grid over hidden units 16 … 4096 and two batch sizes on
digits, so one trial trains many times longer than another), run by `nasdsl run` with
1 worker, with 2 joblib workers in batches, and with 2 joblib workers and
`execution.dispatch=async`. Each worker pins its framework to one thread. Figure: the
search's wall time from run.json (worker start-up included), median of --repeats, and
its speed-up over 1 worker.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SPEC = """experiment "dispatch" {{
  seed = 1
  data {{
    source = sklearn.digits
    split  = train 70%, val 15%, test 15%
  }}
  objective {{
    maximize val.accuracy
  }}
  space layers {{
    dense(units = choice(16, 64, 256, 1024, 2048, 4096), activation = relu)
  }}
  train {{
    epochs     = {epochs}
    batch_size = choice(32, 128)
    optimizer  = adam(lr = 0.001)
  }}
  budget {{
    trials = 12
  }}
  strategy grid
  backend = torch
}}
"""

MODES = {
    "1 worker": ["execution.workers=1"],
    "2 workers, batches": ["execution.workers=2", "execution.launcher=joblib"],
    "2 workers, async": ["execution.workers=2", "execution.launcher=joblib",
                         "execution.dispatch=async"],
}


def search_seconds(epochs: int, overrides: list[str]) -> tuple[float, int]:
    """(the search's seconds from run.json, trials that finished)."""
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "dispatch.nas"
        spec.write_text(SPEC.format(epochs=epochs), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", str(spec), "--quiet",
                        *overrides, "--runs-dir", tmp], check=True, capture_output=True)
        (run_dir,) = list((Path(tmp) / "dispatch").iterdir())
        seconds = float(json.loads((run_dir / "run.json").read_text())["seconds"])
        done = len(list((run_dir / "trials").glob("trial_*.json")))
        return seconds, done


def main() -> None:
    """Run every mode --repeats times, alternating, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    times: dict[str, list[float]] = {mode: [] for mode in MODES}
    for _ in range(args.repeats):
        for mode, overrides in MODES.items():
            seconds, done = search_seconds(args.epochs, overrides)
            assert done == 12, f"{mode}: {done} trials"
            times[mode].append(seconds)
    one = statistics.median(times["1 worker"])
    print(f"12 trials of {args.epochs} epochs; median of {args.repeats}")
    print("| mode | search wall | speed-up over 1 worker | runs |")
    print("| --- | --- | --- | --- |")
    for mode, got in times.items():
        median = statistics.median(got)
        print(f"| {mode} | {median:.1f} s | {one / median:.2f}× | "
              f"{', '.join(f'{t:.1f}' for t in got)} |")


if __name__ == "__main__":
    main()
