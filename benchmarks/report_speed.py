"""Time the report on a crafted run of N trials (importance is the costly part).

    .venv/bin/python benchmarks/report_speed.py --trials 50 200
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_report_planted import make_run, planted_activation  # noqa: E402

from nasdsl.report.content import build_report  # noqa: E402
from nasdsl.report.html import render_html  # noqa: E402
from nasdsl.report.summary import read_run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, nargs="+", default=[50, 200])
    args = parser.parse_args()
    for n in args.trials:
        with tempfile.TemporaryDirectory() as tmp:
            run = make_run(Path(tmp), planted_activation, n=n)
            t0 = time.perf_counter()
            record = read_run(run)
            t1 = time.perf_counter()
            report = build_report(record)
            t2 = time.perf_counter()
            page = render_html(report)
            t3 = time.perf_counter()
            top = report["choices"]["importance"][0]
            print(f"{n} trials: read {t1 - t0:.2f} s, analyse {t2 - t1:.2f} s, "
                  f"html {t3 - t2:.3f} s ({len(page) // 1024} KiB); top decision "
                  f"{top['decision']} ({top['share'] * 100:.0f}%)")


if __name__ == "__main__":
    main()
