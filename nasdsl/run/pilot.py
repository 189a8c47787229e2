"""Pilot runs: a few short trials that check the pipeline and price the full budget.

The pilot searches with `pilot.trials` candidates of `pilot.epochs` epochs on
`pilot.subset` of the training split, in `RUN_DIR/pilot/` with its own study. From
its trials it measures seconds per epoch and per trial, and projects the full run: wall
time, device hours and cost of the budget, and how many trials the budget really buys.
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nasdsl.run.runner import FAILED, OK, TrialResult
from nasdsl.run.settings import execution

PILOT_DEFAULTS = {"trials": 3, "epochs": 1, "subset": 1.0}


def pilot_settings(config: dict[str, Any]) -> dict[str, Any]:
    """The pilot block with defaults filled in."""
    got = {k: v for k, v in (config.get("pilot") or {}).items() if v is not None}
    return {**PILOT_DEFAULTS, **{k: got[k] for k in PILOT_DEFAULTS if k in got}}


def pilot_overrides(config: dict[str, Any]) -> list[str]:
    """Hydra overrides that turn the experiment into its pilot."""
    p = pilot_settings(config)
    out = [f"budget.trials={int(p['trials'])}", f"train.epochs={int(p['epochs'])}",
           f"++data.subset={float(p['subset'])}", "execution.storage=null"]
    for key in ("time_s", "device_hours_s", "trial_hours_s", "money"):
        if (config.get("budget") or {}).get(key) is not None:
            out.append(f"budget.{key}=null")
    return out


def _mean_epochs(value: Any) -> float:
    """Epochs of a full trial (the mean when the spec searches over them)."""
    if isinstance(value, dict):
        if value.get("dist") == "choice":
            return statistics.fmean(float(v) for v in value["options"])
        return (float(value["low"]) + float(value["high"])) / 2
    return float(value)


@dataclass
class Projection:
    """What the pilot measured and what it predicts for the full run."""

    ok: bool
    trials: int
    failed: int
    seconds_per_epoch: float | None
    seconds_per_trial: float | None
    full_trial_seconds: float | None
    budget_trials: int | None
    projected_wall_s: float | None
    projected_device_h: float | None
    projected_cost: float | None
    trials_affordable: int | None
    limited_by: str
    reasons: list[str]


def project(config: dict[str, Any], results: list[TrialResult]) -> Projection:
    """Measure the pilot's trials and project the full budget."""
    p = pilot_settings(config)
    trained = [r for r in results if r.status in (OK, "stopped") and r.history]
    failed = [r for r in results if r.status == FAILED]
    ok = bool([r for r in results if r.status == OK]) and not failed
    per_epoch = per_trial = full = None
    if trained:
        per_epoch = statistics.fmean(r.seconds / len(r.history) for r in trained)
        per_trial = statistics.fmean(r.seconds for r in trained)
        # An epoch on the whole training split costs 1/subset of a pilot epoch.
        full = per_epoch / float(p["subset"]) * _mean_epochs(config["train"]["epochs"])
    budget = config.get("budget") or {}
    workers = execution(config).workers
    trials = budget.get("trials")
    rate = budget.get("rate_per_h")
    wall = device_h = cost = None
    affordable: int | None = trials
    limited_by = "trials" if trials is not None else "no limit"
    if full is not None:
        caps: dict[str, float] = {}
        if trials is not None:
            caps["trials"] = float(trials)
        if budget.get("time_s") is not None:
            caps["time"] = float(budget["time_s"]) * workers / full
        for key, name in (("device_hours_s", "device_hours"), ("trial_hours_s", "trial_hours")):
            if budget.get(key) is not None:
                caps[name] = float(budget[key]) / full
        if budget.get("money") is not None and rate:
            caps["money"] = float(budget["money"]) / (float(rate) * full / 3600)
        if caps:
            limited_by = min(caps, key=lambda k: caps[k])
            affordable = int(math.floor(caps[limited_by]))
            n = affordable
            wall = n * full / workers
            device_h = n * full / 3600
            cost = device_h * float(rate) if rate else None
    return Projection(ok, len(results), len(failed), per_epoch, per_trial, full, trials, wall,
                      device_h, cost, affordable, limited_by,
                      [f"trial {r.number}: {r.reason}" for r in failed])


def write_projection(run_dir: Path, projection: Projection) -> Path:
    """Keep the pilot's figures in RUN_DIR/pilot.json."""
    path = run_dir / "pilot.json"
    path.write_text(json.dumps(asdict(projection), indent=2), encoding="utf-8")
    return path


def print_projection(projection: Projection, console: Any) -> None:
    """The pilot's verdict and projection, for people."""
    from nasdsl.run.progress import clock

    pr = projection
    verdict = "[green]pilot passed[/]" if pr.ok else "[red]pilot failed[/]"
    console.print(f"{verdict}: {pr.trials} trials, {pr.failed} failed")
    for reason in pr.reasons[:5]:
        console.print(f"  [red]✗[/] {reason}")
    if pr.seconds_per_epoch is not None:
        console.print(f"  measured: {pr.seconds_per_epoch:.2f} s/epoch, "
                      f"{pr.seconds_per_trial:.2f} s/trial (pilot); a full trial ≈ "
                      f"{pr.full_trial_seconds:.1f} s")
    if pr.trials_affordable is not None and pr.projected_wall_s is not None:
        line = (f"  projection: the budget buys {pr.trials_affordable} trials "
                f"(limited by {pr.limited_by}"
                + (f"; {pr.budget_trials} asked" if pr.budget_trials is not None else "")
                + f"), ≈ {clock(pr.projected_wall_s)} wall time, "
                f"{pr.projected_device_h:.3f} device-hours")
        if pr.projected_cost is not None:
            line += f", ≈ ${pr.projected_cost:.2f}"
        console.print(line)
