"""Speed of the language stage: parse + check of a 1,000-line spec, and cold `nasdsl check`.

Usage: .venv/bin/python benchmarks/lang_speed.py [--repeats N] [--lines N] [--profile]
Prints the median wall time of each figure (targets: ≤ 50 ms and ≤ 0.3 s).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "specs" / "quickstart.nas"

_HEAD = '''# A generated spec: a long layer chain with comments, decisions and every run block.
experiment "long" {
  seed = 1
  data {
    source = sklearn.digits
    split  = train 70%, val 15%, test 15%
  }
  objective {
    maximize val.accuracy
    metrics = [f1, loss]
  }
  constraints {
    params     <= 2M
    model_size <= 8 MB
    latency    <= 50 ms (batch = 1, device = cpu)
  }
  space layers {
'''
_BLOCK = '''    # layer group {i}
    dense(units = {units}, activation = relu)
    optional batch_norm
    dropout(rate = uniform(0.0, 0.3))
'''
_TAIL = '''  }
  train {
    epochs     = 10
    batch_size = choice(32, 64)
    optimizer  = adam(lr = loguniform(1e-4, 1e-2))
  }
  budget { trials = 20; time = 10 min }
  strategy tpe { startup = 5 }
  final { top = 2; seeds = 2 }
  execution { workers = 1; device = cpu }
}
'''


def generated_spec(lines: int) -> str:
    """A valid spec of about `lines` lines."""
    body, i = [], 0
    while len((_HEAD + "".join(body) + _TAIL).splitlines()) < lines:
        body.append(_BLOCK.format(i=i, units=(16, 32, 64)[i % 3]))
        i += 1
    return _HEAD + "".join(body) + _TAIL


def parse_and_check_ms(text: str, repeats: int) -> float:
    """Median milliseconds of parse_spec (parse, check and static analysis) in-process."""
    from nasdsl.lang import parse_spec

    result = parse_spec(text, "long.nas")  # warm: grammar compiled, modules imported
    assert result.ok, result.rendered()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        parse_spec(text, "long.nas")
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def cold_check_s(repeats: int) -> float:
    """Median seconds of `python -m nasdsl.cli check specs/quickstart.nas` as a new process."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "nasdsl.cli", "check", str(QUICKSTART)],
                              capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        assert proc.returncode == 0, proc.stderr
    return statistics.median(times)


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one check")
    args = parser.parse_args()
    text = generated_spec(args.lines)
    n = len(text.splitlines())
    if args.profile:
        import cProfile
        import pstats

        from nasdsl.lang import parse_spec

        parse_spec(text, "long.nas")
        with cProfile.Profile() as prof:
            parse_spec(text, "long.nas")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    print(f"parse + check of a {n}-line spec (in-process, warm)  "
          f"{parse_and_check_ms(text, args.repeats):7.1f} ms   (target ≤ 50 ms)")
    print(f"cold `nasdsl check specs/quickstart.nas` (new process)   "
          f"{cold_check_s(max(3, args.repeats // 3)) * 1000:7.0f} ms   (target ≤ 300 ms)")


if __name__ == "__main__":
    main()
