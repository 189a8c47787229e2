"""Every search strategy on the NAS-Bench-201 CIFAR-10 table, through a user's code path.

Each run is what `nasdsl run specs/nb201.nas experiment.seed=S strategy.name=NAME` does
up to the end of the search: the spec is checked and compiled, the overrides are
applied through Hydra, and the search runs through nasdsl's Hydra sweeper with the
table backend (`backend = table(…)`), so the strategy samples the `space nb201`
decisions, the runner checks the static constraints and looks each candidate up. Only
the closing summary (an importance analysis of the run) is skipped, and the study is
kept in an Optuna journal file on a RAM disk instead of SQLite on disk.

The table records one figure per cell (CIFAR-10 test accuracy after 200 epochs, mean
over seeds), so it is both what the search sees (`val.accuracy`) and what is reported.
Prints mean ± std over seeds of the best accuracy (%) within the first 50 and 100
evaluations.

    .venv/bin/python benchmarks/strategies.py                        # 100 seeds, all
    .venv/bin/python benchmarks/strategies.py --seeds 10 --strategies random rl
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "nb201.nas"
STRATEGIES = ["random", "grid", "tpe", "bayesian", "evolution", "rl", "local", "nsga2",
              "cfo", "auto"]
CHECKPOINTS = (50, 100)


def one_run(strategy: str, seed: int, trials: int, work: str,
            extra: tuple[str, ...] = ()) -> list[float]:
    """The validation accuracy (%) of each evaluation of one seeded search, in order."""
    import logging

    from nasdsl.cli.common import load
    from nasdsl.compile import compose, write_config_dir
    from nasdsl.run.hydra_run import run_search

    logging.disable(logging.WARNING)
    result = load(str(SPEC))
    if result.spec is None or not result.ok:
        raise SystemExit(f"{SPEC} does not check: {result.diagnostics}")
    run_dir = Path(work) / f"{strategy}-{seed}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    overrides = [f"experiment.seed={seed}", f"strategy.name={strategy}",
                 f"budget.trials={trials}", f"execution.storage=journal:{run_dir}/study.log",
                 *extra]
    config_dir = write_config_dir(result.spec, run_dir / "compiled", result.source)
    config = compose(config_dir, overrides)
    config.pop("defaults", None)
    outcome = run_search(config, run_dir, None, overrides, config_dir=config_dir)
    ordered = sorted(outcome.results, key=lambda r: r.number)
    values = [100.0 * r.metrics.get("val", {}).get("accuracy", 0.0) for r in ordered]
    shutil.rmtree(run_dir, ignore_errors=True)
    return values


def _best_at(values: list[float], n: int) -> float:
    return max(values[:n]) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--trials", type=int, default=max(CHECKPOINTS))
    parser.add_argument("--strategies", nargs="*", default=STRATEGIES)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path, help="also write every run's curve here")
    parser.add_argument("--override", action="append", default=[],
                        help="an extra Hydra override for every run, e.g. "
                        "+strategy.initial=5 (repeatable)")
    args = parser.parse_args(argv)
    if not SPEC.exists():
        print(f"no spec at {SPEC}", file=sys.stderr)
        return 2
    ram = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    work = tempfile.mkdtemp(prefix="nasdsl-strategies-", dir=ram)
    points = [n for n in CHECKPOINTS if n <= args.trials]
    print(f"NAS-Bench-201 CIFAR-10 accuracy (%) of the best of N evaluations, mean ± std "
          f"over {args.seeds} seeds, through `nasdsl run {SPEC.relative_to(ROOT)}` "
          f"({args.processes} processes)")
    print("| strategy   | " + " | ".join(f"N={n:<12}" for n in points) + " | s/run |")
    print("|------------|" + "|".join("-" * 16 for _ in points) + "|-------|")
    curves: dict[str, list[list[float]]] = {}
    try:
        with ProcessPoolExecutor(args.processes) as pool:
            for strategy in args.strategies:
                start = time.perf_counter()
                jobs = [pool.submit(one_run, strategy, s, args.trials, work,
                                    tuple(args.override))
                        for s in range(args.seeds)]
                runs = [j.result() for j in jobs]
                per_run = (time.perf_counter() - start) * args.processes / args.seeds
                curves[strategy] = runs
                cells = []
                for n in points:
                    best = [_best_at(r, n) for r in runs]
                    sd = statistics.stdev(best) if len(best) > 1 else 0.0
                    cells.append(f"{statistics.mean(best):6.3f} ± {sd:5.3f}")
                print(f"| {strategy:<10} | " + " | ".join(cells) + f" | {per_run:5.1f} |",
                      flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(curves), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
