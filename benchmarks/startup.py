"""Start-up time of the framework-free commands (check, compile) and of one tiny run.

Usage: .venv/bin/python benchmarks/startup.py [--repeats N]
Prints the median wall time of each command, run as a fresh process.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "quickstart.nas"


def timed(args: list[str], repeats: int) -> float:
    """Median seconds of running `python -m nasdsl.cli ARGS` as a new process."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "nasdsl.cli", *args], check=False,
                       capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    repeats = parser.parse_args().repeats
    with tempfile.TemporaryDirectory() as tmp:
        rows = [
            ("python -c pass (interpreter alone)", None),
            ("nasdsl check specs/quickstart.nas", ["check", str(SPEC)]),
            ("nasdsl compile specs/quickstart.nas", ["compile", str(SPEC), "-o", f"{tmp}/c"]),
            ("nasdsl run quickstart (1 trial, 1 epoch)",
             ["run", str(SPEC), "budget.trials=1", "train.epochs=1", "--quiet",
              "--runs-dir", f"{tmp}/runs"]),
        ]
        print(f"{'command':<45} median of {repeats}")
        for label, args in rows:
            if args is None:
                times = []
                for _ in range(repeats):
                    start = time.perf_counter()
                    subprocess.run([sys.executable, "-c", "pass"], check=True)
                    times.append(time.perf_counter() - start)
                seconds = statistics.median(times)
            else:
                seconds = timed(args, repeats if "run" not in args else max(1, repeats // 3))
            print(f"{label:<45} {seconds * 1000:8.0f} ms")


if __name__ == "__main__":
    main()
