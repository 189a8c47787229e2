"""The report as one self-contained HTML file (inline SVG plots, no scripts, no network)
and as JSON for machines; both from `build_report`'s data."""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

from nasdsl.report.render import fmt, summary_lines

W, H, PAD = 520, 300, 52
_CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.9em}td,th{padding:3px 8px;border-bottom:1px solid #eee;
text-align:right}td.l,th.l{text-align:left}.ok{color:#080}.bad{color:#b00}.dim{color:#777}
figure{display:inline-block;margin:.5em 1em .5em 0}figcaption{font-size:.85em;color:#555}
svg text{font-size:11px;fill:#333}.note{background:#fff8e0;padding:.4em .8em}
"""


def _esc(v: Any) -> str:
    return html.escape(str(v))


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    return [lo + (hi - lo) * i / (n - 1) for i in range(n)]


def _span(values: list[float]) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    if hi == lo:
        lo, hi = lo - 0.5 * (abs(lo) or 1), hi + 0.5 * (abs(hi) or 1)
    pad = (hi - lo) * 0.05
    return lo - pad, hi + pad


def plot(series: list[dict[str, Any]], xlabel: str, ylabel: str, title: str,
         logx: bool = False) -> str:
    """An SVG chart: each series has points [(x, y, label)], a color, and 'line' or dots."""
    pts = [p for s in series for p in s["points"]
           if p[0] is not None and p[1] is not None and (not logx or p[0] > 0)]
    if not pts:
        return ""
    tx = (lambda v: math.log10(v)) if logx else (lambda v: v)
    x0, x1 = _span([tx(p[0]) for p in pts])
    y0, y1 = _span([p[1] for p in pts])

    def sx(v: float) -> float:
        return PAD + (tx(v) - x0) / (x1 - x0) * (W - PAD - 10)

    def sy(v: float) -> float:
        return H - PAD + 10 - (v - y0) / (y1 - y0) * (H - PAD - 10)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'viewBox="0 0 {W} {H}" role="img"><title>{_esc(title)}</title>',
           f'<rect x="{PAD}" y="0" width="{W - PAD - 10}" height="{H - PAD + 10}" '
           'fill="#fafafa" stroke="#ccc"/>']
    for t in _ticks(y0, y1):
        y = sy(t)
        out.append(f'<line x1="{PAD}" x2="{W - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
                   f'<text x="{PAD - 4}" y="{y + 4:.1f}" text-anchor="end">{t:.3g}</text>')
    for t in _ticks(x0, x1):
        x = PAD + (t - x0) / (x1 - x0) * (W - PAD - 10)
        shown = 10 ** t if logx else t
        out.append(f'<text x="{x:.1f}" y="{H - PAD + 24}" text-anchor="middle">'
                   f'{shown:.3g}</text>')
    out.append(f'<text x="{(W + PAD) / 2}" y="{H - 8}" text-anchor="middle">{_esc(xlabel)}'
               f'{" (log)" if logx else ""}</text>')
    out.append(f'<text x="12" y="{(H - PAD) / 2}" transform="rotate(-90 12 {(H - PAD) / 2})" '
               f'text-anchor="middle">{_esc(ylabel)}</text>')
    for s in series:
        ps = [p for p in s["points"] if p[0] is not None and p[1] is not None
              and (not logx or p[0] > 0)]
        if s.get("line") and len(ps) > 1:
            path = " ".join(f"{sx(p[0]):.1f},{sy(p[1]):.1f}" for p in ps)
            out.append(f'<polyline points="{path}" fill="none" stroke="{s["color"]}" '
                       'stroke-width="2"/>')
        if not s.get("line") or s.get("dots"):
            for p in ps:
                out.append(f'<circle cx="{sx(p[0]):.1f}" cy="{sy(p[1]):.1f}" r="4" '
                           f'fill="{s["color"]}" fill-opacity="0.75"><title>{_esc(p[2])}'
                           '</title></circle>')
    legend = [s for s in series if s.get("name")]
    for i, s in enumerate(legend):
        out.append(f'<text x="{PAD + 8}" y="{16 + 14 * i}" style="fill:{s["color"]}">● '
                   f'{_esc(s["name"])}</text>')
    out.append("</svg>")
    return f"<figure>{''.join(out)}<figcaption>{_esc(title)}</figcaption></figure>"


def bars(items: list[tuple[str, float, str]], title: str) -> str:
    """Horizontal bars: (label, value 0-1, text)."""
    if not items:
        return ""
    row, left = 22, 330
    height = row * len(items) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + 320}" height="{height}" '
           f'role="img"><title>{_esc(title)}</title>']
    for i, (name, value, text) in enumerate(items):
        y = 5 + i * row
        out.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{_esc(name)}</text>'
                   f'<rect x="{left}" y="{y + 3}" width="{max(value, 0) * 260:.1f}" height="14" '
                   f'fill="#4a7fc1"/><text x="{left + max(value, 0) * 260 + 6:.1f}" '
                   f'y="{y + 14}">{_esc(text)}</text>')
    out.append("</svg>")
    return f"<figure>{''.join(out)}<figcaption>{_esc(title)}</figcaption></figure>"


def effect_plot(e: dict[str, Any], scale_points: bool) -> str:
    """Mean ± 2 standard errors of each option of one decision."""
    levels = e["levels"]
    row, left = 22, 170
    k = 100.0 if scale_points else 1.0
    lo = min(lv["mean"] - 2 * _se(lv) for lv in levels) * k
    hi = max(lv["mean"] + 2 * _se(lv) for lv in levels) * k
    lo, hi = _span([lo, hi])
    width = 300

    def sx(v: float) -> float:
        return left + (v * k - lo) / (hi - lo) * width

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 90}" '
           f'height="{row * len(levels) + 26}" role="img"><title>{_esc(e["label"])}</title>']
    for i, lv in enumerate(levels):
        y = 12 + i * row
        a, b = sx(lv["mean"] - 2 * _se(lv)), sx(lv["mean"] + 2 * _se(lv))
        out.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end">{_esc(lv["level"])} '
                   f'(n={lv["n"]})</text><line x1="{a:.1f}" x2="{b:.1f}" y1="{y}" y2="{y}" '
                   f'stroke="#888" stroke-width="2"/><circle cx="{sx(lv["mean"]):.1f}" cy="{y}" '
                   f'r="4" fill="#c14a4a"/><text x="{left + width + 6}" y="{y + 4}">'
                   f'{lv["mean"] * k:.3g}</text>')
    y = 12 + len(levels) * row
    out.append(f'<text x="{left}" y="{y}">{lo:.3g}</text><text x="{left + width}" y="{y}" '
               f'text-anchor="end">{hi:.3g}</text></svg>')
    return f"<figure>{''.join(out)}<figcaption>{_esc(e['label'])}</figcaption></figure>"


def _se(level: dict[str, Any]) -> float:
    std = level.get("std")
    if std is None or not math.isfinite(std) or level["n"] < 2:
        return 0.0
    return std / math.sqrt(level["n"])


def _table(head: list[str], rows: list[list[Any]], left: tuple[int, ...] = ()) -> str:
    cls = ['class="l"' if i in left else "" for i in range(len(head))]
    out = ["<table><tr>" + "".join(f"<th {c}>{_esc(h)}</th>" for c, h in zip(cls, head,
                                                                           strict=True))
           + "</tr>"]
    for r in rows:
        out.append("<tr>" + "".join(f"<td {c}>{v}</td>" for c, v in zip(cls, r, strict=True))
                   + "</tr>")
    return "".join(out) + "</table>"


def _mark(c: dict[str, Any]) -> str:
    if c["passed"] is None:
        return f'<span class="dim">? {_esc(c["subject"])}</span>'
    cls, sym = ("ok", "✓") if c["passed"] else ("bad", "✗")
    return f'<span class="{cls}">{sym} {_esc(c["subject"])}</span>'


def render_html(report: dict[str, Any]) -> str:
    """The whole report as one HTML page."""
    s = report["summary"]
    goal = report["goals"][0]
    metric = goal["metric"]
    parts = [f"<h1>nasdsl report: {_esc(s['experiment'])}</h1>"]
    parts += [f"<p>{_esc(line)}</p>" for line in summary_lines(s)]
    parts.append(f'<p class="dim">spec sha256 {_esc(s["spec_hash"])}</p>')

    parts.append("<h2>Top candidates</h2>")
    head = ["#", *[g["metric"] for g in report["goals"]], "params", "size", "FLOPs", "latency",
            "constraints", "architecture"]
    rows = [[t["number"], *[f"{v:.4f}" for v in t["objectives"]], fmt("params", t["params"]),
             fmt("model_bytes", t["model_bytes"]), fmt("flops", t["flops"]),
             fmt("latency_s", t["latency_s"]), " ".join(_mark(c) for c in t["constraints"]),
             _esc(t["description"])] for t in report["top"]]
    parts.append(_table(head, rows, left=(len(head) - 2, len(head) - 1)) if rows else
                 '<p class="bad">No trial completed.</p>')
    parts += [f"<p>{_esc(line)}</p>" for line in report.get("practice", [])]  # int8, warm

    parts.append("<h2>Search progress and trade-offs</h2>")
    hist = report["history"]
    parts.append(plot([
        {"points": [(h["number"], h["value"], f"trial {h['number']}") for h in hist],
         "color": "#999", "name": "trial"},
        {"points": [(h["number"], h["best"], f"best after trial {h['number']}") for h in hist],
         "color": "#c14a4a", "line": True, "name": "best so far"}],
        "trial", metric, f"Best {metric} so far"))
    if report["pareto"] and report["pareto"]["front"]:
        front = {f["number"] for f in report["pareto"]["front"]}
        pts = [(t["objectives"][1], t["objectives"][0], f"trial {t['number']}")
               for t in _all_ok(report)]
        parts.append(plot([
            {"points": [p for p in pts if int(p[2].split()[1]) not in front], "color": "#999",
             "name": "dominated"},
            {"points": sorted(p for p in pts if int(p[2].split()[1]) in front),
             "color": "#c14a4a", "line": True, "dots": True, "name": "Pareto front"}],
            report["pareto"]["objectives"][1], report["pareto"]["objectives"][0],
            "Pareto front"))
        parts.append(f"<p>{_esc(report['pareto']['sentence'])}</p>")
    sc = report["scatter"]
    for key, label in (("params", "params"), ("latency_s", "latency (s)")):
        parts.append(plot([{"points": [(p[key], p["objective"], f"trial {p['number']}")
                                       for p in sc], "color": "#4a7fc1"}],
                          label, metric, f"{metric} vs {label}", logx=True))
    parts += [f"<p>{_esc(t['sentence'])}</p>" for t in report["tradeoffs"]]

    ch = report["choices"]
    parts.append("<h2>Which choices mattered</h2>")
    parts.append(f'<p class="dim">Method: {_esc(ch["method"])}; n = {ch["n"]}'
                 + (f", out-of-fold R² = {ch['r2']:.2f}" if ch["r2"] is not None else "")
                 + ".</p>")
    if ch["note"]:
        parts.append(f'<p class="note">{_esc(ch["note"])}.</p>')
    if ch["r2"] is not None:
        parts.append(bars([(i["label"], i["share"], f"{i['share'] * 100:.0f}%")
                           for i in ch["importance"][:15]], "Importance of each decision"))
    parts.append("<ul>" + "".join(f"<li>{_esc(e['sentence'])}.</li>" for e in ch["effects"])
                 + "</ul>")
    points = metric.rsplit(".", 1)[-1] in ("accuracy", "f1", "roc_auc", "r2")
    parts += [effect_plot(e, points) for e in ch["effects"][:6]]
    if ch["interaction"]:
        parts.append(f"<p>{_esc(ch['interaction']['sentence'])}</p>")

    if report["baselines"]:
        parts.append("<h2>Baselines</h2>")
        rows = [[_esc(b["name"]), _esc(b["status"]),
                 "—" if not b.get("objectives") else f"{b['objectives'][0]:.4f}",
                 fmt("params", b["measures"].get("params")), _esc(b["description"])]
                for b in report["baselines"]]
        parts.append(_table(["baseline", "status", metric, "params", "architecture"], rows,
                            left=(0, 4)))
        parts += [f"<p>{_esc(b['sentence'])}</p>" for b in report["baselines"]
                  if b.get("sentence")]
    if report["targets"]:
        parts.append("<h2>Targets</h2>")
        parts += [f"<p>{_esc(t['sentence'])}</p>" for t in report["targets"]]
    final = report["final"]
    if final:
        parts.append("<h2>Final phase</h2>")
        rows = [[c["number"], f"{c['search_value']:.4f}",
                 f"{c['test_mean']:.4f} ± {c['test_std']:.4f}" if c.get("test_mean") is not None
                 else f'<span class="bad">{_esc(c.get("reason", "failed"))}</span>',
                 fmt("params", c.get("params")), _esc(c["description"])]
                for c in final["candidates"]]
        parts.append(_table(["#", "search value", f"test {final['metric']}", "params",
                             "architecture"], rows, left=(4,)))
        parts += [f"<p>{_esc(x)}</p>" for x in final.get("sentences", [])]
    body = "\n".join(p for p in parts if p)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>nasdsl report: {_esc(s['experiment'])}</title><style>{_CSS}</style>"
            f"</head><body>{body}</body></html>\n")


def _all_ok(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"number": p["number"], "objectives": p["objectives"]} for p in report["scatter"]]


def write_html(report: dict[str, Any], path: Path) -> Path:
    """Write the HTML report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path


def write_json(report: dict[str, Any], path: Path) -> Path:
    """Write the report's content as JSON (non-finite numbers as null)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_finite(report), indent=2, default=str), encoding="utf-8")
    return path


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
