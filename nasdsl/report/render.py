"""The report in the terminal: rich tables and plain sentences from `build_report`'s data."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from nasdsl.lang.units import Dimension, format_quantity


def fmt(key: str, value: Any) -> str:
    """A measure with its unit ('—' when missing)."""
    if value is None:
        return "—"
    if key in ("params", "flops"):
        return format_quantity(float(value), Dimension.COUNT)
    if key == "model_bytes":
        return format_quantity(float(value), Dimension.SIZE)
    if key == "latency_s":
        return format_quantity(float(value), Dimension.DURATION)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def summary_lines(s: dict[str, Any]) -> list[str]:
    """The summary as sentences."""
    parts = [f"{s['ok']} ok", f"{s['pruned']} pruned", f"{s['infeasible']} infeasible",
             f"{s['failed']} failed"] + ([f"{s['invalid']} invalid"] if s["invalid"] else [])
    lines = [f"{s['experiment']}: {s['trials']} trials ({', '.join(parts)}); stopped because "
             f"{s['stop_text']}."]
    if s.get("folds"):
        lines.append(f"Cross-validated: each candidate trained on {s['folds']} folds of the "
                     "non-test data; val and test metrics are the means over the folds.")
    used = []
    for key, (got, limit) in s["budget"].items():
        if limit is None or got is None:
            continue
        shown = {"trials": f"{got} of {limit} trials", "time_s":
                 f"{_duration(got)} of {_duration(limit)}", "device_hours":
                 f"{got:.3f} of {limit:.3f} device-hours", "money": f"${got:.2f} of ${limit:.2f}"}
        used.append(shown[key])
    if used:
        lines.append("Budget used: " + ", ".join(used) + ".")
    cost = f", ${s['money']:.2f} at ${s['rate_per_h']:.2f}/h" if s["money"] is not None else ""
    lines.append(f"Wall time {_duration(s['wall_s'])}; {s['device_hours']:.4f} device-hours of "
                 f"trial time{cost}. Run directory: {s['run_dir']}")
    return lines


def _constraint_marks(cs: list[dict[str, Any]]) -> str:
    if not cs:
        return "—"
    broken = [c["subject"] for c in cs if c["passed"] is False]
    unknown = [c["subject"] for c in cs if c["passed"] is None]
    text = "✓ all" if not broken and not unknown else " ".join(
        [f"✗ {b}" for b in broken] + [f"? {u}" for u in unknown])
    return text


def top_table(report: dict[str, Any]) -> Table:
    """The top candidates side by side."""
    goals = report["goals"]
    table = Table(title=f"Top {len(report['top'])} candidates", expand=False)
    cols = ["#", *[g["metric"] for g in goals], "params", "size", "FLOPs", "latency",
            "constraints"]
    base = next((b for b in report["baselines"] if b.get("objectives")), None)
    if base is not None:
        cols.append(f"vs {base['name']}")
    cols.append("architecture")
    for c in cols:
        table.add_column(c, justify="left" if c in ("architecture", "constraints") else "right")
    for t in report["top"]:
        row = [str(t["number"]), *[f"{v:.4f}" for v in t["objectives"]],
               fmt("params", t["params"]), fmt("model_bytes", t["model_bytes"]),
               fmt("flops", t["flops"]), fmt("latency_s", t["latency_s"]),
               _constraint_marks(t["constraints"])]
        if base is not None:
            row.append(f"{t['objectives'][0] - base['objectives'][0]:+.4f}")
        row.append(t["description"])
        table.add_row(*row)
    return table


def importance_table(ch: dict[str, Any], limit: int = 12) -> Table:
    """Importance bars."""
    table = Table(title=f"Which choices mattered for {ch['metric']} (n = {ch['n']}"
                  + (f", out-of-fold R² = {ch['r2']:.2f}" if ch["r2"] is not None else "")
                  + ")", expand=False)
    table.add_column("decision")
    table.add_column("importance")
    table.add_column("share", justify="right")
    table.add_column("active in", justify="right")
    for item in ch["importance"][:limit]:
        bar = "█" * round(item["share"] * 30)
        table.add_row(item["label"], bar, f"{item['share'] * 100:.0f}%", str(item["active"]))
    return table


def final_table(final: dict[str, Any]) -> Table:
    """The final phase: test mean ± std over seeds."""
    table = Table(title=f"Final phase: retrained on train+val, {final['seeds']} seed(s), "
                  "tested on the test split", expand=False)
    for c in ("#", "search val", f"test {final['metric']}", "params", "architecture"):
        table.add_column(c, justify="left" if c == "architecture" else "right")
    for c in final["candidates"]:
        test = (f"{c['test_mean']:.4f} ± {c['test_std']:.4f}" if c.get("test_mean") is not None
                else f"[red]{c.get('reason', 'failed')}[/]")
        table.add_row(str(c["number"]), f"{c['search_value']:.4f}", test,
                      fmt("params", c.get("params")), c["description"])
    return table


def render_report(report: dict[str, Any], best_panel: Any = None) -> Group:
    """The whole report as one rich renderable."""
    items: list[Any] = [Text.from_markup("[bold]" + summary_lines(report["summary"])[0] + "[/]")]
    items += [Text(line) for line in summary_lines(report["summary"])[1:]]
    if report["top"]:
        items.append(top_table(report))
    else:
        items.append(Text.from_markup("[red]No trial completed.[/] Look at the trial reasons; "
                                      "the constraints may exclude every candidate."))
    if best_panel is not None:
        items.append(best_panel)
    if report["pareto"]:
        items.append(Text(report["pareto"]["sentence"]))
    items += [Text(t["sentence"]) for t in report["tradeoffs"]]
    ch = report["choices"]
    if ch["importance"] and ch["r2"] is not None:
        items.append(importance_table(ch))
    if ch["note"]:
        items.append(Text.from_markup(f"[yellow]Note:[/] {ch['note']}."))
    for e in ch["effects"][:8]:
        items.append(Text("• " + e["sentence"] + "."))
    if ch["interaction"]:
        items.append(Text(ch["interaction"]["sentence"]))
    items += [Text(b["sentence"]) for b in report["baselines"] if b.get("sentence")]
    items += [Text(t["sentence"]) for t in report["targets"]]
    if report.get("weight_sharing"):
        from nasdsl.weightsharing.cost import describe

        items += [Text("Weight sharing: " + line if i == 0 else "  " + line)
                  for i, line in enumerate(describe(report["weight_sharing"]))]
    if report["final"]:
        items.append(final_table(report["final"]))
        items += [Text(s) for s in report["final"].get("sentences", [])]
    return Group(*items)
