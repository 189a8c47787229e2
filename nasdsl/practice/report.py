"""Report lines for compression, pruning and warm starts (the final phase's ensemble
writes its own sentence into final/summary.json, which the report already shows)."""

from __future__ import annotations

from typing import Any

from nasdsl.lang.units import Dimension, format_quantity


def _size(value: Any) -> str:
    return "—" if value is None else format_quantity(float(value), Dimension.SIZE)


def _time(value: Any) -> str:
    return "—" if value is None else format_quantity(float(value), Dimension.DURATION)


def _metric_pairs(float_metrics: dict[str, dict[str, float]],
                  quant_metrics: dict[str, dict[str, float]], names: list[str]) -> list[str]:
    out = []
    for split in ("val", "test"):
        for name in names:
            a = (float_metrics.get(split) or {}).get(name)
            b = (quant_metrics.get(split) or {}).get(name)
            if a is not None and b is not None:
                out.append(f"{split} {name} {a:.4f} vs {b:.4f}")
    return out


def compression_lines(trial: dict[str, Any], goal_metric: str = "val.accuracy") -> list[str]:
    """'float32 vs int8: size … vs … (×3.9 smaller), val accuracy … vs …' for one trial."""
    m = trial.get("measures") or {}
    lines = []
    names = [goal_metric.partition(".")[2] or "accuracy"]
    if "accuracy" not in names:
        names.append("accuracy")
    for scheme, q in (m.get("quantized") or {}).items():
        if not isinstance(q, dict):
            continue
        if q.get("error"):
            lines.append(f"{scheme}: not measured ({q['error']})")
            continue
        dense = m.get("sparse_bytes") if m.get("sparsity") else m.get("model_bytes")
        ratio = (float(dense) / float(q["model_bytes"])) if dense and q.get("model_bytes") \
            else None
        parts = [f"size {_size(dense)} vs {_size(q.get('model_bytes'))}"
                 + (f" (×{ratio:.1f} smaller)" if ratio else "")]
        parts += _metric_pairs(trial.get("metrics") or {}, q.get("metrics") or {}, names)
        parts.append(f"latency {_time(m.get('latency_s'))} vs {_time(q.get('latency_s'))}")
        lines.append(f"float32 vs {scheme}: " + ", ".join(parts))
    if m.get("sparsity"):
        lines.append(f"pruned to {100 * float(m['sparsity']):.0f}% sparsity: "
                     f"{_size(m.get('sparse_bytes'))} counted sparse "
                     f"({_size(m.get('model_bytes'))} dense)")
    return lines


def warm_start_line(run_dir: Any) -> str | None:
    """'N warm-start trials re-used, …' when the run was warm-started."""
    from nasdsl.practice.warm_start import read_report

    found = read_report(run_dir)
    if not found:
        return None
    return (f"{len(found.get('reused', []))} warm-start trial(s) re-used, "
            f"{len(found.get('queued', []))} queued as starting points, "
            f"{len(found.get('skipped', []))} skipped (from {len(found.get('sources', []))} "
            "earlier source(s))")


def best_panel_lines(record: Any, best: dict[str, Any]) -> list[str]:
    """Extra lines of the report's best-candidate panel."""
    lines = compression_lines(best, record.goals[0]["metric"])
    warm = warm_start_line(record.path)
    if warm:
        lines.append(warm)
    if best.get("reused_from") is not None and "warm start" in (best.get("reason") or ""):
        lines.append(best["reason"])
    return lines


def report_lines(record: Any) -> list[str]:
    """The same lines for the JSON and HTML reports (the best candidate's, or the warm
    start's alone when no candidate completed)."""
    ranked = record.ranked()
    if ranked:
        return best_panel_lines(record, ranked[0])
    warm = warm_start_line(record.path)
    return [warm] if warm else []
