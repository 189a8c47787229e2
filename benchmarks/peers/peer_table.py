"""Turn trial logs into the benchmark's figures and one Markdown table per task.

Counted trials: those that finished inside the budget with a validation accuracy
(`ok`, or `pruned` by nasdsl's early stopping, whose partly trained model is a real
candidate). A trial cut by the end of the budget counts for no tool, nor does one nasdsl
settled from an earlier identical candidate without training (status `reused`).

Target accuracy, per task and seed: `--target` if given; otherwise the best validation
accuracy of the weakest peer that ran (KerasTuner, Optuna, Optuna on two threads), i.e.
the level every peer reached; otherwise (no peer ran) the median of every configuration's best.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

PEERS = ("kerastuner-bo", "optuna-tpe", "optuna-tpe-j2")
COUNTED = ("ok", "pruned")


@dataclass
class RunFigures:
    """One configuration on one task and seed."""

    task: str
    config: str
    seed: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    budget_s: float = 0.0
    wall_s: float = 0.0
    note: str = ""  # "not run: …" when the configuration has no figures

    @property
    def counted(self) -> list[dict[str, Any]]:
        """Trials that finished inside the budget with a validation accuracy."""
        return [r for r in self.rows if r["status"] in COUNTED and r.get("val") is not None
                and r["finished_s"] <= self.budget_s]

    @property
    def best(self) -> dict[str, Any] | None:
        """The earliest trial with the best validation accuracy."""
        rows = sorted(self.counted, key=lambda r: (-r["val"], r["finished_s"]))
        return rows[0] if rows else None

    def time_to(self, target: float) -> float | None:
        """Seconds until the first counted trial reached the target (None: never)."""
        times = [r["finished_s"] for r in self.counted if r["val"] >= target - 1e-9]
        return min(times) if times else None

    def trials_to(self, target: float) -> int | None:
        """Counted trials finished by the time the target was first reached (None: never).

        Unlike the seconds, this does not depend on how long each trial took, so it
        compares how well the searches propose, apart from each tool's throughput.
        """
        t = self.time_to(target)
        return None if t is None else sum(r["finished_s"] <= t for r in self.counted)


def targets(runs: list[RunFigures], fixed: float | None) -> dict[tuple[str, int], float]:
    """The target accuracy of each (task, seed); see the module docstring."""
    out: dict[tuple[str, int], float] = {}
    for key in sorted({(r.task, r.seed) for r in runs}):
        these = [r for r in runs if (r.task, r.seed) == key and r.best is not None]
        if fixed is not None:
            out[key] = fixed
            continue
        peers = [r.best["val"] for r in these if r.config in PEERS and r.best]
        if peers:
            out[key] = min(peers)
        elif these:
            out[key] = statistics.median(r.best["val"] for r in these if r.best)
    return out


def _mean_sd(values: list[float], digits: int = 3) -> str:
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def _fmt_s(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def peer_ratio(runs: list[RunFigures], run: RunFigures, target: float) -> float | None:
    """The run's time to `target` over the fastest peer's on its task and seed (None
    unless both got there)."""
    mine = run.time_to(target)
    peers = [t for p in runs if p.task == run.task and p.seed == run.seed
             and p.config in PEERS and not p.note and (t := p.time_to(target)) is not None]
    if mine is None or not peers or min(peers) <= 0:
        return None
    return mine / min(peers)


def summarize(runs: list[RunFigures], target_of: dict[tuple[str, int], float]
              ) -> list[dict[str, Any]]:
    """One summary per (task, config): the figures of the table, averaged over seeds."""
    out = []
    keys = list(dict.fromkeys((r.task, r.config) for r in runs))
    for task, config in keys:
        these = [r for r in runs if (r.task, r.config) == (task, config)]
        notes = sorted({r.note for r in these if r.note})
        done = [r for r in these if not r.note]
        bests = [r.best for r in done if r.best is not None]
        ttt, ratios = [], []
        for r in done:
            target = target_of.get((r.task, r.seed))
            ttt.append(r.time_to(target) if target is not None else None)
            ratio = peer_ratio(runs, r, target) if target is not None else None
            if ratio is not None:
                ratios.append(ratio)
        reached = [t for t in ttt if t is not None]
        out.append({
            "task": task, "config": config, "seeds": len(done), "notes": notes,
            "best_val": [b["val"] for b in bests],
            "test_at_best": [b["test"] for b in bests if b.get("test") is not None],
            "trials": [len(r.counted) for r in done],
            "pruned": [sum(1 for x in r.counted if x["status"] == "pruned") for r in done],
            "time_to_target": reached, "reached": len(reached),
            "ratio_to_fastest_peer": ratios,
            "wall_s": [r.wall_s for r in done],
        })
    return out


def markdown(summaries: list[dict[str, Any]], target_of: dict[tuple[str, int], float],
             target_rule: str) -> str:
    """One Markdown table per task, then the target check."""
    lines: list[str] = []
    for task in dict.fromkeys(s["task"] for s in summaries):
        tgt = [v for (t, _), v in sorted(target_of.items()) if t == task]
        lines += [f"### {task} — target val accuracy "
                  f"{', '.join(f'{v:.3f}' for v in tgt) or '—'} ({target_rule})", "",
                  "| configuration | best val acc | test acc of best | trials (pruned) "
                  "| time to target (s) | × fastest peer's time | wall (s) |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for s in (s for s in summaries if s["task"] == task):
            if not s["seeds"]:
                lines.append(f"| {s['config']} | {'; '.join(s['notes'])} | | | | | |")
                continue
            trials = f"{statistics.mean(s['trials']):.1f}"
            if any(s["pruned"]):
                trials += f" ({statistics.mean(s['pruned']):.1f})"
            ttt = (f"{_fmt_s(statistics.median(s['time_to_target']))} "
                   f"({s['reached']}/{s['seeds']})" if s["time_to_target"]
                   else f"— (0/{s['seeds']})")
            ratio = (f"{statistics.mean(s['ratio_to_fastest_peer']):.2f}"
                     if s["ratio_to_fastest_peer"] else "—")
            note = f" ({'; '.join(s['notes'])})" if s["notes"] else ""
            lines.append(f"| {s['config']}{note} | {_mean_sd(s['best_val'])} "
                         f"| {_mean_sd(s['test_at_best'])} | {trials} | {ttt} | {ratio} "
                         f"| {_fmt_s(statistics.mean(s['wall_s']))} |")
        lines += ["", goal_line(task, summaries), ""]
    return "\n".join(lines)


def goal_line(task: str, summaries: list[dict[str, Any]]) -> str:
    """Whether some nasdsl configuration reached the target in at most half the time of
    the fastest peer (mean ratio over the seeds where both reached it)."""
    ours = [s for s in summaries if s["task"] == task and s["config"].startswith("nasdsl")
            and s["ratio_to_fastest_peer"]]
    if not ours:
        return "Goal (nasdsl reaches the peers' level in ≤ 0.5× their time): not measurable."
    best = min(ours, key=lambda s: statistics.mean(s["ratio_to_fastest_peer"]))
    ratio = statistics.mean(best["ratio_to_fastest_peer"])
    met = [s["config"] for s in ours if statistics.mean(s["ratio_to_fastest_peer"]) <= 0.5]
    verdict = f"met by {', '.join(met)}" if met else "not met"
    return (f"Goal (nasdsl reaches the peers' level in ≤ 0.5× the fastest peer's time): "
            f"{verdict}; best ratio {ratio:.2f} ({best['config']}).")
