"""Every search strategy against random search on the NAS-Bench-201 CIFAR-10 table.

No training: each sampler is driven through Optuna ask/tell on the benchmark's space
(6 edges of a cell, each one of 5 operations) and the architecture's test accuracy is
looked up in the table. Prints the mean ± std over seeds of the best accuracy found
within N = 50, 100 and 200 architectures.

    .venv/bin/python benchmarks/nb201_strategies.py                 # 20 seeds, 200 trials
    .venv/bin/python benchmarks/nb201_strategies.py --seeds 5 --strategies random evolution
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_TABLE = Path(__file__).resolve().parents[1] / ".." / "shared" / "benchmarks" / \
    "nb201" / "cifar10.csv"
OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
# Edge (i → j) of the cell, in the order the architecture string lists them.
EDGES = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)]
DECISIONS = [f"space.cell.e{i}_{j}" for i, j in EDGES]  # the names `space nb201` uses
STRATEGIES = ["random", "evolution", "local", "rl", "tpe", "bayesian", "cfo", "nsga2", "grid"]
# The strategies' own defaults, except grid, which visits the grid in a shuffled order.
SETTINGS: dict[str, dict[str, Any]] = {"grid": {"shuffle": True}}
CHECKPOINTS = (50, 100, 200)


def arch_key(arch: str) -> tuple[str, ...]:
    """'|op~0|+|op~0|op~1|+|…|' → the six operations in DECISIONS order."""
    ops: list[str] = []
    for node in arch.strip("|").split("|+|"):
        ops.extend(edge.split("~")[0] for edge in node.strip("|").split("|"))
    return tuple(ops)


def load_table(path: Path = DEFAULT_TABLE) -> dict[tuple[str, ...], float]:
    """Architecture (six op names) → CIFAR-10 test accuracy (%)."""
    with open(path, newline="", encoding="utf-8") as f:
        return {arch_key(row["arch"]): float(row["cifar10_test_accuracy"])
                for row in csv.DictReader(f)}


def best_curve(strategy: str, table: dict[tuple[str, ...], float], trials: int, seed: int,
               settings: dict[str, Any] | None = None) -> list[float]:
    """Best accuracy after each trial of one seeded search."""
    import optuna

    from nasdsl.search.strategies import make_sampler

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    params = SETTINGS.get(strategy, {}) if settings is None else settings
    sampler = make_sampler({"name": strategy, **params}, seed)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    best, curve = float("-inf"), []
    for _ in range(trials):
        trial = study.ask()
        ops = tuple(trial.suggest_categorical(name, OPS) for name in DECISIONS)
        accuracy = table[ops]
        study.tell(trial, accuracy)
        best = max(best, accuracy)
        curve.append(best)
    return curve


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", type=Path, default=DEFAULT_TABLE)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--trials", type=int, default=max(CHECKPOINTS))
    parser.add_argument("--strategies", nargs="*", default=STRATEGIES)
    args = parser.parse_args(argv)
    if not args.table.exists():
        print(f"no table at {args.table}", file=sys.stderr)
        return 2
    table = load_table(args.table)
    points = [n for n in CHECKPOINTS if n <= args.trials]
    head = " | ".join(f"{'N=' + str(n):<16}" for n in points)
    print(f"NAS-Bench-201 CIFAR-10 test accuracy (%), best of N, mean ± std over "
          f"{args.seeds} seeds (table max {max(table.values()):.2f})")
    print(f"| {'strategy':<10} | {head} | s/seed |")
    print(f"|{'-' * 12}|" + "|".join("-" * 18 for _ in points) + "|--------|")
    for strategy in args.strategies:
        start = time.perf_counter()
        curves = [best_curve(strategy, table, args.trials, seed) for seed in range(args.seeds)]
        seconds = (time.perf_counter() - start) / args.seeds
        cells = []
        for n in points:
            values = [c[n - 1] for c in curves]
            sd = statistics.stdev(values) if len(values) > 1 else 0.0
            cells.append(f"{statistics.mean(values):5.2f} ± {sd:4.2f}    ")
        print(f"| {strategy:<10} | " + " | ".join(cells) + f" | {seconds:6.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
