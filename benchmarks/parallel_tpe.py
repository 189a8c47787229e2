"""TPE on several asynchronous workers, with and without the constant liar, on NAS-Bench-201.

nasdsl's async dispatch asks a new trial as soon as a worker is free, while the other
workers still train theirs. Without a liar TPE ignores those running trials, so it can
hand a free worker the very candidate another worker is training: nasdsl's cache reuses
only finished results, so that candidate trains twice. With `constant_liar` (nasdsl's
default since 2026-12-03) a running trial counts as a poor result until it ends.

No training: W simulated workers run nasdsl's TPE sampler (`make_sampler`) through
Optuna's ask/tell on the benchmark's space (6 edges × 5 operations), every trial takes
one trial-time plus a seeded jitter of up to 20 %, and its score is the table's accuracy.
Prints, per worker count and setting, over the seeds: the share of trials that
duplicated a candidate still training elsewhere, the best accuracy by 25 trial-times,
and the median time (in trial-times) to each accuracy level over all seeds (a seed that
never got there counts as later than the horizon), with how many seeds got there.

    .venv/bin/python benchmarks/parallel_tpe.py                      # 30 seeds, 2 4 8 workers
    .venv/bin/python benchmarks/parallel_tpe.py --seeds 5 --workers 4 --horizon 20
"""

from __future__ import annotations

import argparse
import heapq
import math
import random
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from nb201_strategies import DECISIONS, DEFAULT_TABLE, OPS, load_table  # noqa: E402

LEVELS = (93.5, 94.0, 94.3)  # the table's best cell scores 94.37


@dataclass
class AsyncRun:
    """One simulated search: when each trial finished and what it scored, in that order."""

    finished: list[tuple[float, float]]  # (time in trial-times, accuracy)
    duplicates: int  # trials asked for a candidate another worker was still training

    def best_by(self, t: float) -> float:
        """The best accuracy among the trials finished by time `t`."""
        return max((acc for end, acc in self.finished if end <= t), default=float("nan"))

    def time_to(self, level: float) -> float | None:
        """When the first trial at or above `level` finished (None: never)."""
        return next((end for end, acc in self.finished if acc >= level), None)


def simulate(table: dict[tuple[str, ...], float], workers: int, liar: bool, seed: int,
             horizon: float) -> AsyncRun:
    """Run nasdsl's TPE on `workers` asynchronous workers until `horizon` trial-times."""
    import optuna
    from optuna.distributions import CategoricalDistribution

    from nasdsl.search.strategies import make_sampler

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = make_sampler({"name": "tpe", "constant_liar": liar}, seed)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    space = {name: CategoricalDistribution(OPS) for name in DECISIONS}
    jitter = random.Random(seed)
    running: list[tuple[float, int, optuna.trial.Trial, tuple[str, ...]]] = []
    run = AsyncRun([], 0)

    def launch(now: float) -> None:
        trial = study.ask(space)
        ops = tuple(trial.params[name] for name in DECISIONS)
        run.duplicates += any(ops == other for *_, other in running)
        heapq.heappush(running, (now + 1.0 + 0.2 * jitter.random(), trial.number, trial, ops))

    for _ in range(workers):
        launch(0.0)
    while running[0][0] <= horizon:
        end, _, trial, ops = heapq.heappop(running)
        study.tell(trial, table[ops])
        run.finished.append((end, table[ops]))
        launch(end)
    return run


def main(argv: list[str] | None = None) -> int:
    """Print one Markdown table over the worker counts and liar settings."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--table", type=Path, default=DEFAULT_TABLE)
    p.add_argument("--seeds", type=int, default=30)
    p.add_argument("--workers", type=int, nargs="+", default=[2, 4, 8])
    p.add_argument("--horizon", type=float, default=25.0,
                   help="simulated trial-times per search (default 25)")
    args = p.parse_args(argv)
    if not args.table.exists():
        print(f"no table at {args.table}", file=sys.stderr)
        return 2
    table = load_table(args.table)
    print(f"nasdsl TPE on NAS-Bench-201, {args.seeds} seeds, {args.horizon:g} trial-times "
          "per search\n")
    print("| workers | constant_liar | trials | duplicates in flight | best by the end "
          "| " + " | ".join(f"median time to {v:g} (seeds there)" for v in LEVELS) + " |")
    print("| --- | --- | --- | --- | --- |" + " --- |" * len(LEVELS))
    for workers in args.workers:
        for liar in (False, True):
            runs = [simulate(table, workers, liar, seed, args.horizon)
                    for seed in range(args.seeds)]
            trials = sum(len(r.finished) for r in runs)
            dup = sum(r.duplicates for r in runs)
            best = [r.best_by(args.horizon) for r in runs]
            cells = []
            for level in LEVELS:
                # A seed that never got there counts as later than every one that did.
                times = [math.inf if (t := r.time_to(level)) is None else t for r in runs]
                median = statistics.median(times)
                reached = sum(t < math.inf for t in times)
                shown = f"{median:.1f}" if median < math.inf else f"> {args.horizon:g}"
                cells.append(f"{shown} ({reached}/{len(runs)})")
            print(f"| {workers} | {str(liar).lower()} | {trials / len(runs):.0f} "
                  f"| {100 * dup / trials:.1f} % | {statistics.mean(best):.2f} ± "
                  f"{statistics.stdev(best) if len(best) > 1 else 0.0:.2f} | "
                  + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
