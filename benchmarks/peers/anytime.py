"""The peer benchmark's logs read as curves: best accuracy by each moment, time to each level.

run.py's "time to target" is one point per seed (the first trial at or above the weaker
peer's best) and on these small tasks it often falls inside a search's first few trials,
where luck decides. This script reads the same trial logs (`OUT/TASK/CONFIG/seedN.jsonl`)
and prints, per task, five tables over the seeds:

- the best validation accuracy each configuration had found by each checkpoint
  (default: 10, 30, 60, 120 s and the budget), mean over the seeds;
- the median time to each of a ladder of accuracy levels, with how many seeds reached it;
- the median number of trials completed by then: how well each search proposes, apart
  from how fast each tool gets through a trial;
- that time as a multiple of the fastest peer's on the same seed (geometric mean, the
  average that treats 2× and 0.5× alike), per level and over all levels: the issue's
  goal (≤ 0.5) checked at several targets instead of one;
- per seed, at run.py's target, the ratio a search on W workers would get against the
  one-process Optuna loop if it proposed the loop's candidates in the loop's order and
  each trial took the loop's time with the loop's result, and nothing else cost time:
  what more workers alone can buy, set beside the ratio nasdsl measured.

    .venv/bin/python benchmarks/peers/anytime.py runs/peers/d300e
    .venv/bin/python benchmarks/peers/anytime.py runs/peers/d300e --at 5 20 60 --levels 0.99 0.995
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from peer_table import RunFigures, peer_ratio, targets  # noqa: E402
from peer_tasks import read_log  # noqa: E402
from run import ALL_CONFIGS  # noqa: E402

DEFAULT_AT = (10.0, 30.0, 60.0, 120.0)
# One level per validation error fewer, rounded down: digits has 270 validation samples
# (4, 3, 2, 1 errors), breast_cancer 86 (2, 1, 0 errors).
DEFAULT_LEVELS = {"digits": (0.985, 0.988, 0.992, 0.996), "breast_cancer": (0.976, 0.988, 1.0)}


def load_runs(out: Path, budget_s: float) -> list[RunFigures]:
    """Every (task, config, seed) log under `out`, as run.py's figures."""
    runs = []
    for log in sorted(out.glob("*/*/seed*.jsonl")):
        config, task = log.parent.name, log.parent.parent.name
        seed = int(log.stem.removeprefix("seed"))
        runs.append(RunFigures(task, config, seed, rows=read_log(log), budget_s=budget_s))
    return runs


def best_by(run: RunFigures, t: float) -> float | None:
    """The best validation accuracy among the counted trials finished by `t` seconds."""
    vals = [r["val"] for r in run.counted if r["finished_s"] <= t]
    return max(vals) if vals else None


def budget_of(out: Path, given: float | None) -> float:
    """--budget-s, else the budget run.py recorded in results.json."""
    if given is not None:
        return given
    results = out / "results.json"
    if results.exists():
        return float(json.loads(results.read_text(encoding="utf-8"))["args"]["budget_s"])
    raise SystemExit(f"{out} has no results.json (the run is unfinished?): pass --budget-s")


def _configs(runs: list[RunFigures], task: str) -> list[str]:
    """The task's configurations in the driver's order (the peers first)."""
    order = {c: i for i, c in enumerate(ALL_CONFIGS)}
    return sorted({r.config for r in runs if r.task == task},
                  key=lambda c: (order.get(c, len(order)), c))


def _table(runs: list[RunFigures], task: str, headers: list[str],
           cell: Callable[[list[RunFigures], int], str]) -> list[str]:
    """Markdown rows, one per configuration: `cell(its seeds' runs, column index)`."""
    lines = ["| configuration | " + " | ".join(headers) + " |",
             "| --- |" + " --- |" * len(headers)]
    for config in _configs(runs, task):
        these = [r for r in runs if (r.task, r.config) == (task, config)]
        lines.append(f"| {config} | "
                     + " | ".join(cell(these, i) for i in range(len(headers))) + " |")
    return lines


def curve_table(runs: list[RunFigures], task: str, at: list[float]) -> list[str]:
    """Markdown: mean best validation accuracy by each checkpoint (— where a seed had none)."""
    def cell(these: list[RunFigures], i: int) -> str:
        bests = [b for r in these if (b := best_by(r, at[i])) is not None]
        return f"{statistics.mean(bests):.4f}" if len(bests) == len(these) else "—"

    return _table(runs, task, [f"by {t:g} s" for t in at], cell)


def _median_table(runs: list[RunFigures], task: str, levels: list[float],
                  measure: Callable[[RunFigures, float], float | None],
                  show: Callable[[float], str]) -> list[str]:
    """Markdown: per level, the median of `measure` over the seeds that reached it (k/n)."""
    def cell(these: list[RunFigures], i: int) -> str:
        values = [x for r in these if (x := measure(r, levels[i])) is not None]
        median = f"{show(statistics.median(values))} " if values else "— "
        return f"{median}({len(values)}/{len(these)})"

    return _table(runs, task, [f"to {v:g}" for v in levels], cell)


def level_table(runs: list[RunFigures], task: str, levels: list[float]) -> list[str]:
    """Markdown: median seconds to each level over the seeds that reached it (k/n)."""
    return _median_table(runs, task, levels, RunFigures.time_to, lambda s: f"{s:.1f} s")


def trials_table(runs: list[RunFigures], task: str, levels: list[float]) -> list[str]:
    """Markdown: median trials completed when each level was first reached (k/n)."""
    return _median_table(runs, task, levels, RunFigures.trials_to, lambda n: f"{n:g}")


def peer_ratios(runs: list[RunFigures], these: list[RunFigures], level: float) -> list[float]:
    """Per seed: a configuration's time to `level` over the fastest peer's, where both got there."""
    return [x for r in these if (x := peer_ratio(runs, r, level)) is not None]


def ratio_table(runs: list[RunFigures], task: str, levels: list[float]) -> list[str]:
    """Markdown: geometric mean of `peer_ratios` per level and over every (seed, level)."""
    def cell(these: list[RunFigures], i: int) -> str:
        ratios = ([x for v in levels for x in peer_ratios(runs, these, v)] if i == len(levels)
                  else peer_ratios(runs, these, levels[i]))
        return f"{statistics.geometric_mean(ratios):.2f} ({len(ratios)})" if ratios else "—"

    return _table(runs, task, [*(f"to {v:g}" for v in levels), "all levels"], cell)


def same_proposal_ratio(loop: RunFigures, target: float, workers: int) -> float | None:
    """Time to `target` of an ideal `workers`-worker copy of a one-process loop, over the
    loop's own (None: the loop never got there).

    The copy asks the loop's trials in the loop's order, each to the first free worker (as
    nasdsl's async dispatch does), each taking as long as it took in the loop (the gaps
    between the loop's finish times) and scoring what it scored there. The level is reached
    when the loop's first trial at the target finishes in that schedule, which cannot start
    before the trials asked ahead of it have taken a worker. The ratio is near 1/workers
    when many trials came first, and 1 when the loop's very first trial was at the target;
    it falls below 1/workers only when that trial was quicker than those ahead of it.
    """
    reached = loop.time_to(target)
    if reached is None or reached <= 0:
        return None
    rows = sorted((r for r in loop.rows if r["finished_s"] <= reached),
                  key=lambda r: r["finished_s"])
    free = [0.0] * workers
    previous = finish = 0.0
    for row in rows:
        start = min(free)
        finish = start + row["finished_s"] - previous
        free[free.index(start)] = finish
        previous = row["finished_s"]
    return finish / reached


def bound_table(runs: list[RunFigures], task: str, workers: tuple[int, ...]) -> list[str]:
    """Markdown, one row per seed: run.py's target, the loop's trials and seconds to it,
    `same_proposal_ratio` for each worker count, and the best ratio nasdsl measured."""
    target_of = targets([r for r in runs if r.task == task], None)
    lines = ["| seed | target | loop's trials to it | loop's time (s) | "
             + " | ".join(f"ideal ratio, {w} workers" for w in workers)
             + " | best nasdsl ratio measured |",
             "| --- | --- | --- | --- |" + " --- |" * (len(workers) + 1)]
    for (_, seed), target in sorted(target_of.items()):
        loop = next((r for r in runs if (r.task, r.seed, r.config) == (task, seed, "optuna-tpe")
                     and not r.note), None)
        if loop is None or loop.time_to(target) is None:
            continue
        ideal = [same_proposal_ratio(loop, target, w) for w in workers]
        measured = [x for r in runs if (r.task, r.seed) == (task, seed)
                    and r.config.startswith("nasdsl") and (x := peer_ratio(runs, r, target))
                    is not None]
        lines.append(f"| {seed} | {target:.3f} | {loop.trials_to(target)} "
                     f"| {loop.time_to(target):.1f} | "
                     + " | ".join("—" if x is None else f"{x:.2f}" for x in ideal)
                     + (f" | {min(measured):.2f} |" if measured else " | — |"))
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the five tables for every task found under the output folder."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path, help="run.py's --out folder")
    p.add_argument("--budget-s", type=float, default=None,
                   help="budget of the runs (default: read from OUT/results.json)")
    p.add_argument("--at", type=float, nargs="+", default=None,
                   help="checkpoints in seconds (default 10 30 60 120 and the budget)")
    p.add_argument("--levels", type=float, nargs="+", default=None,
                   help="accuracy levels (default: a ladder per task)")
    args = p.parse_args(argv)
    budget = budget_of(args.out, args.budget_s)
    runs = load_runs(args.out, budget)
    if not runs:
        p.error(f"no trial logs under {args.out}")
    at = args.at or [t for t in DEFAULT_AT if t < budget] + [budget]
    for task in dict.fromkeys(r.task for r in runs):
        levels = args.levels or list(DEFAULT_LEVELS.get(task, (0.95, 0.97, 0.99)))
        seeds = sorted({r.seed for r in runs if r.task == task})
        print(f"### {task}: best validation accuracy by each moment "
              f"(mean over seeds {', '.join(map(str, seeds))})\n")
        print("\n".join(curve_table(runs, task, at)) + "\n")
        print(f"### {task}: median time to each validation accuracy (seeds that reached it)\n")
        print("\n".join(level_table(runs, task, levels)) + "\n")
        print(f"### {task}: trials completed when each level was first reached (median "
              "over the seeds that reached it)\n")
        print("\n".join(trials_table(runs, task, levels)) + "\n")
        print(f"### {task}: time to each level × the fastest peer's (geometric mean over "
              "the seeds where both got there; how many in brackets)\n")
        print("\n".join(ratio_table(runs, task, levels)) + "\n")
        bound = bound_table(runs, task, (2, 4, 8))
        if len(bound) > 2:
            print(f"### {task}: at run.py's target, the ratio W workers alone could reach "
                  "against the Optuna loop (its candidates, times and results, no overhead)\n")
            print("\n".join(bound) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
