"""The report's content as plain data: what the terminal, HTML and JSON reports all show.

`build_report(record)` reads nothing but the run record (trial files, run.json, the
baseline and final-phase files) and returns a JSON-ready dictionary; the renderers only
lay it out.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np

from nasdsl.report import analysis as an
from nasdsl.report.summary import RunRecord
from nasdsl.run.budget import STOP_REASONS
from nasdsl.search.pareto import pareto_front

# The runner's wording of why a run stopped is the one source of these sentences.
STOP_TEXT = STOP_REASONS
# A limit's measure, the unit a trade-off is written per, and that unit's size.
_TRADE_UNITS = {"params": ("params", "1k params", 1e3), "model_size": ("model_bytes", "1 KB", 1e3),
                "latency": ("latency_s", "1 ms", 1e-3), "flops": ("flops", "1M FLOPs", 1e6)}


def _scale(record: RunRecord) -> an.Scale:
    goal = record.goals[0]
    return an.Scale(goal["metric"], goal["direction"] == "maximize")


def _scores(record: RunRecord, trials: list[dict[str, Any]]) -> np.ndarray:
    sign = 1.0 if record.goals[0]["direction"] == "maximize" else -1.0
    return np.asarray([sign * t["objectives"][0] for t in trials], dtype=np.float64)


def scored_trials(record: RunRecord) -> list[dict[str, Any]]:
    """Completed trials with a finite first objective (pruned ones are left out: their
    score is from fewer epochs)."""
    return [t for t in record.trials if t["status"] == "ok" and t.get("objectives")
            and t["objectives"][0] is not None and math.isfinite(t["objectives"][0])]


def summary(record: RunRecord) -> dict[str, Any]:
    """Counts, budget use, why the run stopped, wall time, device-hours and money."""
    counts = Counter(t["status"] for t in record.trials)
    budget = record.config.get("budget", {}) or {}
    trial_s = sum(float(t.get("seconds", 0.0)) for t in record.trials)
    device_h = trial_s / 3600.0
    rate = budget.get("rate_per_h")
    wall = record.meta.get("seconds")
    used = {"trials": [len(record.trials), budget.get("trials")],
            "time_s": [wall, budget.get("time_s")],
            "device_hours": [device_h, (budget.get("device_hours_s") or 0) / 3600 or None],
            "money": [device_h * rate if rate else None, budget.get("money")]}
    reason = record.meta.get("stop_reason")
    return {"experiment": record.config["experiment"]["name"], "run_dir": str(record.path),
            "spec_hash": record.spec_hash, "trials": len(record.trials),
            "ok": counts.get("ok", 0), "failed": counts.get("failed", 0),
            "pruned": counts.get("stopped", 0), "infeasible": counts.get("infeasible", 0),
            "invalid": counts.get("invalid", 0), "stop_reason": reason,
            "stop_text": STOP_TEXT.get(reason or "", reason or "unknown (the run did not "
                                       "finish cleanly)"),
            "wall_s": wall, "trial_seconds": trial_s, "device_hours": device_h,
            "rate_per_h": rate, "money": device_h * rate if rate else None, "budget": used,
            "folds": int((record.config.get("data") or {}).get("folds") or 0)}


def _candidate(t: dict[str, Any]) -> dict[str, Any]:
    m = t.get("measures", {})
    return {"number": t["number"], "objectives": t["objectives"],
            "params": m.get("params"), "model_bytes": m.get("model_bytes"),
            "flops": m.get("flops"), "latency_s": m.get("latency_s"),
            "test": t.get("metrics", {}).get("test", {}),
            "constraints": [{k: c.get(k) for k in ("subject", "op", "text", "passed",
                                                   "target", "actual")}
                            for c in t.get("constraints", [])],
            "description": t.get("description", ""), "decisions": t.get("params", {})}


def pareto(record: RunRecord) -> dict[str, Any] | None:
    """The Pareto front of a multi-objective run, best first by the first goal."""
    if len(record.goals) < 2:
        return None
    front = pareto_front(scored_trials(record), [g["direction"] for g in record.goals])
    sign = -1.0 if record.goals[0]["direction"] == "maximize" else 1.0
    front = sorted(front, key=lambda t: sign * t["objectives"][0])
    names = [g["metric"] for g in record.goals]
    if not front:
        return {"front": [], "sentence": "No completed trial: no Pareto front."}
    ends = [front[0], front[-1]]

    def show(t: dict[str, Any]) -> str:
        return ", ".join(f"{n} {v:.4g}" for n, v in zip(names, t["objectives"], strict=True))

    sentence = (f"{len(front)} candidate(s) are Pareto-optimal on {' vs '.join(names)}"
                + ("." if len(front) == 1 else
                   f": from trial {ends[0]['number']} ({show(ends[0])}) to trial "
                   f"{ends[1]['number']} ({show(ends[1])})."))
    return {"objectives": names, "front": [{"number": t["number"], "objectives": t["objectives"]}
                                           for t in front], "sentence": sentence}


def tradeoffs(record: RunRecord) -> list[dict[str, Any]]:
    """For each deployment limit: what one more unit of the limited measure buys near it."""
    out = []
    scale = _scale(record)
    trials = scored_trials(record)
    for c in record.config.get("constraints", []):
        if c.get("target") or c["subject"] not in _TRADE_UNITS or c["op"] not in ("<=", "<"):
            continue
        key, unit, size = _TRADE_UNITS[c["subject"]]
        points = [(float(t["measures"][key]), s, t["number"])
                  for t, s in zip(trials, _scores(record, trials), strict=True)
                  if t.get("measures", {}).get(key) is not None]
        under = sorted(p for p in points if p[0] <= float(c["value"]))
        front: list[tuple[float, float, int]] = []
        for p in under:  # cheapest first: keep each point that beats every cheaper one
            if front and p[0] == front[-1][0]:
                if p[1] > front[-1][1]:
                    front[-1] = p
                continue
            if not front or p[1] > front[-1][1]:
                front.append(p)
        item: dict[str, Any] = {"subject": c["subject"], "limit": c["text"],
                                "front": [{"measure": m, "score": s, "number": n}
                                          for m, s, n in front]}
        binding = bool(front) and front[-1][0] >= 0.5 * float(c["value"])
        item["binding"] = binding
        if front and not binding:
            item["sentence"] = (f"The {c['subject']} limit ({c['text']}) is not binding here: "
                                f"the best candidate under it uses "
                                f"{front[-1][0] / float(c['value']) * 100:.0f}% of it.")
        elif len(front) < 2:
            item["sentence"] = (f"Near the {c['subject']} limit ({c['text']}) the front has "
                                f"{len(front)} point(s): no trade-off to read.")
        else:
            (m0, s0, n0), (m1, s1, n1) = front[-2], front[-1]
            per_unit = (s1 - s0) / ((m1 - m0) / size)
            item["per_unit"] = per_unit
            item["sentence"] = item.get("sentence") or (
                f"Near the {c['subject']} limit ({c['text']}), +{unit} buys about "
                f"{scale.diff(per_unit)} of {scale.metric} (between trials {n0} and {n1}, the "
                f"two best-value candidates closest under the limit; {len(front)} points on "
                f"the front).")
        out.append(item)
    return out


def choices(record: RunRecord) -> dict[str, Any]:
    """Importance of every decision, per-option effects, the strongest interaction."""
    trials = scored_trials(record)
    scale = _scale(record)
    decisions = an.decisions_of(trials)
    y = _scores(record, trials)
    seed = int(record.config.get("experiment", {}).get("seed", 0))
    imp = an.importance(decisions, y, seed)
    shares = imp["shares"]
    ordered = sorted(decisions, key=lambda d: (-shares.get(d.name, 0.0), d.name))
    effects = [e for d in ordered if (e := an.effect(d, y, scale)) is not None]
    inter = an.interaction(decisions, y, shares, scale) if shares else None
    return {"method": "random forest on all decisions (inactive = its own level), "
                      "out-of-fold permutation importance",
            "metric": scale.metric, "n": imp["n"], "r2": imp["r2"], "note": imp["note"],
            "importance": [{"decision": d.name, "label": an.label(d.name),
                            "share": shares.get(d.name, 0.0), "active": d.active}
                           for d in ordered],
            "effects": effects, "interaction": inter}


def baselines(record: RunRecord) -> list[dict[str, Any]]:
    """Each baseline against the best searched candidate."""
    ranked = record.ranked()
    scale = _scale(record)
    sign = 1.0 if scale.maximize else -1.0
    out = []
    for b in record.baselines:
        item = {"name": b.get("name") or b.get("description", "").split(":")[0],
                "status": b.get("status"), "description": b.get("description", ""),
                "objectives": b.get("objectives"), "measures": b.get("measures", {}),
                "test": b.get("metrics", {}).get("test", {}), "reason": b.get("reason", "")}
        if b.get("status") == "ok" and b.get("objectives") and ranked:
            best = ranked[0]
            d = sign * (best["objectives"][0] - b["objectives"][0])
            bp, sp = b.get("measures", {}).get("params"), best["measures"].get("params")
            size = ""
            if bp and sp:
                size = (f" with {bp / sp:.1f}× fewer params" if sp < bp
                        else f" with {sp / bp:.1f}× more params")
            verb = "beats" if d > 0 else "trails"
            item["delta"] = d
            item["sentence"] = (f"The best searched candidate (trial {best['number']}) {verb} "
                                f"baseline '{item['name']}' by {scale.diff(d)} of "
                                f"{scale.metric}{size}.")
        elif b.get("status") != "ok":
            item["sentence"] = f"Baseline '{item['name']}' did not finish: {item['reason']}"
        out.append(item)
    return out


def targets(record: RunRecord) -> list[dict[str, Any]]:
    """Whether each metric target was met by the best candidate and by any candidate."""
    ranked = record.ranked()
    out = []
    for c in record.config.get("constraints", []):
        if not c.get("target"):
            continue
        meeting = [t["number"] for t in ranked
                   for k in t.get("constraints", [])
                   if k["subject"] == c["subject"] and k["op"] == c["op"] and k.get("passed")]
        best = None
        if ranked:
            best = next((k.get("passed") for k in ranked[0].get("constraints", [])
                         if k["subject"] == c["subject"] and k["op"] == c["op"]), None)
        text = f"target {c['subject']} {c['op']} {c['text']}: "
        text += ("met by the best candidate" if best else "not met by the best candidate")
        text += f"; {len(meeting)} of {len(ranked)} completed candidates meet it."
        out.append({"subject": c["subject"], "op": c["op"], "text": c["text"],
                    "met_by_best": best, "meeting": meeting, "sentence": text})
    return out


def history(record: RunRecord) -> list[dict[str, Any]]:
    """Best-so-far of the first goal by trial, with the cumulative trial time."""
    sign = 1.0 if record.goals[0]["direction"] == "maximize" else -1.0
    best: float | None = None
    elapsed = 0.0
    out = []
    for t in sorted(record.trials, key=lambda t: t["number"]):
        elapsed += float(t.get("seconds", 0.0))
        value = t["objectives"][0] if t["status"] == "ok" and t.get("objectives") else None
        if value is not None and (best is None or sign * value > sign * best):
            best = value
        out.append({"number": t["number"], "value": value, "best": best, "elapsed_s": elapsed,
                    "status": t["status"]})
    return out


def scatter(record: RunRecord) -> list[dict[str, Any]]:
    """Objective against size and latency of every completed trial."""
    return [{"number": t["number"], "objective": t["objectives"][0],
             "objectives": t["objectives"],
             "params": t["measures"].get("params"), "model_bytes": t["measures"].get("model_bytes"),
             "latency_s": t["measures"].get("latency_s")} for t in scored_trials(record)]


def build_report(record: RunRecord, top: int = 5) -> dict[str, Any]:
    """Everything the report shows, as JSON-ready data."""
    return {"summary": summary(record), "goals": record.goals,
            "top": [_candidate(t) for t in record.ranked()[:top]],
            "pareto": pareto(record), "tradeoffs": tradeoffs(record),
            "choices": choices(record), "baselines": baselines(record),
            "targets": targets(record), "final": record.final,
            "history": history(record), "scatter": scatter(record),
            "weight_sharing": _weight_sharing(record), "practice": _practice(record)}


def _practice(record: RunRecord) -> list[str]:
    """Float vs int8 of the best candidate, pruning, warm starts (nasdsl.practice.report)."""
    from nasdsl.practice.report import report_lines

    return report_lines(record)


def _weight_sharing(record: RunRecord) -> dict[str, Any] | None:
    """The weight-sharing search's cost and candidates (nasdsl.weightsharing.cost), if any."""
    from nasdsl.weightsharing.cost import read

    found = read(record.path)
    if found is not None:
        found = {k: v for k, v in found.items() if k not in ("alphas", "history")}
    return found
