"""End-of-run summary: trials sorted by the objective, the best trial, its constraints."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from nasdsl.lang.units import Dimension, format_quantity
from nasdsl.run.budget import STOP_REASONS


@dataclass
class RunRecord:
    """A run directory read back from its files."""

    path: Path
    config: dict[str, Any]
    meta: dict[str, Any]
    trials: list[dict[str, Any]]
    baselines: list[dict[str, Any]] = field(default_factory=list)
    final: dict[str, Any] | None = None

    @property
    def spec_hash(self) -> str:
        """sha256 of the run's spec (run.json's record, else the spec copy; '' if neither)."""
        if self.meta.get("spec_sha256"):
            return str(self.meta["spec_sha256"])
        spec = self.path / "spec.nas"
        return hashlib.sha256(spec.read_bytes()).hexdigest() if spec.exists() else ""

    @property
    def goals(self) -> list[dict[str, str]]:
        """The objective's goals."""
        return list(self.config["objective"])

    def ranked(self) -> list[dict[str, Any]]:
        """Completed trials, best first by the first goal."""
        done = [t for t in self.trials if t["status"] == "ok" and t.get("objectives")]
        sign = -1.0 if self.goals[0]["direction"] == "maximize" else 1.0
        return sorted(done, key=lambda t: (sign * t["objectives"][0], t["number"]))


def read_run(run_dir: str | Path) -> RunRecord:
    """Load config, metadata and every trial result file of a run directory."""
    path = Path(run_dir)
    config_file = path / "config.yaml"
    if not config_file.exists():
        raise FileNotFoundError(f"{path} is not a nasdsl run directory (no config.yaml)")
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    meta_file = path / "run.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else {}
    trials = [json.loads(p.read_text(encoding="utf-8"))
              for p in sorted((path / "trials").glob("trial_*.json"))]
    baselines = [json.loads(p.read_text(encoding="utf-8"))
                 for p in sorted((path / "baselines").glob("*.json"))]
    final_file = path / "final" / "summary.json"
    final = json.loads(final_file.read_text(encoding="utf-8")) if final_file.exists() else None
    return RunRecord(path, config, meta, trials, baselines, final)


def _fmt_measure(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key == "params":
        return format_quantity(float(value), Dimension.COUNT)
    if key == "model_bytes":
        return format_quantity(float(value), Dimension.SIZE)
    if key == "latency_s":
        return format_quantity(float(value), Dimension.DURATION)
    return f"{value}"


def _trials_table(record: RunRecord, limit: int) -> Table:
    goal = record.goals[0]
    table = Table(title=f"Trials by {goal['metric']} ({goal['direction']})", expand=False)
    for col, just in (("#", "right"), (goal["metric"], "right"), ("params", "right"),
                      ("size", "right"), ("latency", "right"), ("architecture", "left"),
                      ("s", "right")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    ranked = record.ranked()
    for t in ranked[:limit]:
        m = t.get("measures", {})
        table.add_row(str(t["number"]), f"{t['objectives'][0]:.4f}",
                      _fmt_measure("params", m.get("params")),
                      _fmt_measure("model_bytes", m.get("model_bytes")),
                      _fmt_measure("latency_s", m.get("latency_s")),
                      t.get("description", ""), f"{t.get('seconds', 0):.1f}")
    others = [t for t in record.trials if t not in ranked]
    for t in others[: max(0, limit - len(ranked[:limit]))]:
        table.add_row(str(t["number"]), f"[yellow]{t['status']}[/]", "", "", "",
                      f"[dim]{t.get('reason', '')[:80]}[/]", f"{t.get('seconds', 0):.1f}")
    return table


def _best_panel(record: RunRecord) -> Panel | None:
    ranked = record.ranked()
    if not ranked:
        return None
    best = ranked[0]
    lines = [f"[bold]trial {best['number']}[/]: {best.get('description', '')}"]
    for g, v in zip(record.goals, best["objectives"], strict=False):
        lines.append(f"{g['direction']} {g['metric']}: [bold]{v:.4f}[/]")
    test = best.get("metrics", {}).get("test", {})
    if test:
        shown = ", ".join(f"{k} {v:.4f}" for k, v in sorted(test.items()) if k != "loss")
        lines.append(f"held-out test: {shown}")
    for c in best.get("constraints", []):
        mark = "[green]✓ met[/]" if c["passed"] else (
            "[red]✗ not met[/]" if c["passed"] is False else "[dim]? not measured[/]")
        kind = "target" if c["target"] else "limit"
        actual = c["actual"]
        shown = _fmt_measure({"model_size": "model_bytes", "latency": "latency_s"}.get(
            c["subject"], c["subject"]), actual) if c["subject"] in (
            "params", "model_size", "latency") else (
            "—" if actual is None else f"{actual:.4g}")
        lines.append(f"{mark} {kind} {c['subject']} {c['op']} {c['text']} (actual {shown})")
    params = best.get("params", {})
    if params:
        lines.append("decisions: " + ", ".join(f"{k}={_short(v)}" for k, v in params.items()))
    from nasdsl.practice.report import best_panel_lines  # int8 vs float, warm starts

    lines += best_panel_lines(record, best)
    return Panel("\n".join(lines), title="Best candidate", expand=False)


def _short(v: Any) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


def _status_line(record: RunRecord) -> str:
    counts = Counter(t["status"] for t in record.trials)
    parts = [f"{n} {s}" for s, n in sorted(counts.items())]
    secs = record.meta.get("seconds")
    took = f" in {secs:.0f} s" if isinstance(secs, int | float) else ""
    reason = record.meta.get("stop_reason")
    why = STOP_REASONS.get(reason or "", "")
    stop = f"; stopped because {why}" if why else ""
    return (f"[bold]{record.config['experiment']['name']}[/]: {len(record.trials)} trials"
            f" ({', '.join(parts) or 'none'}){took}{stop}. Run directory: {record.path}")


def render_summary(record: RunRecord, limit: int = 10) -> Group:
    """The summary as a rich renderable."""
    items: list[Any] = [_status_line(record), _trials_table(record, limit)]
    best = _best_panel(record)
    if best is not None:
        items.append(best)
    else:
        items.append("[red]No trial completed.[/] Look at the reasons above; "
                     "the constraints may exclude every candidate.")
    return Group(*items)


def print_summary(run_dir: str | Path, console: Console | None = None, limit: int = 10) -> None:
    """Print the full report of a run directory (summary, top candidates, which choices
    mattered, baselines, targets, final phase)."""
    from nasdsl.report.content import build_report
    from nasdsl.report.render import render_report

    console = console or Console()
    record = read_run(run_dir)
    console.print(render_report(build_report(record, top=limit), _best_panel(record)))
