"""The checker fuzz test at full size: 100,000 random and mutated specs by default.

Usage: .venv/bin/python benchmarks/fuzz_check.py [--examples N]
Runs the two hypothesis properties of tests/test_fuzz_check.py with N examples each
(half random specs, half byte mutations of the example specs) and prints the time taken.
A failure prints hypothesis's minimal failing input and exits 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main() -> int:
    """Run the properties; print what was checked and how long it took."""
    import test_fuzz_check as fuzz
    from hypothesis import HealthCheck, given, settings

    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=100_000)
    half = max(1, parser.parse_args().examples // 2)
    many = settings(max_examples=half, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))
    props = [
        ("random specs", given(fuzz.random_specs)(fuzz.check_text)),
        ("mutated example specs", given(fuzz.mutations())(
            lambda data: fuzz.check_text(data.decode("utf-8", errors="replace")))),
    ]
    for label, prop in props:
        start = time.perf_counter()
        many(prop)()
        print(f"{label:<24} {half:>7,} cases  {time.perf_counter() - start:7.1f} s  ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
