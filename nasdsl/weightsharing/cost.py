"""The search cost of a weight-sharing run, beside what a per-trial search would have cost.

The record lives in the study (user attr `weight_sharing`) and, for SQLite studies, in
`weight_sharing.json` next to `study.db` in the run directory. A per-trial search that
trained every sub-network the supernet scored would have cost about
`subnetworks_scored × mean trial seconds`, where a trial is one of this run's
from-scratch trainings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FILE = "weight_sharing.json"


def run_dir_of(study: Any) -> Path | None:
    """The directory of a study stored in an SQLite file, else None."""
    storage = study._storage
    url = getattr(storage, "url", None) or getattr(getattr(storage, "_backend", None), "url", None)
    if not isinstance(url, str) or not url.startswith("sqlite:///"):
        return None
    path = Path(url[len("sqlite:///"):])
    return path.parent if path.parent.is_dir() else None


def with_trial_seconds(record: dict[str, Any], seconds: list[float]) -> dict[str, Any]:
    """The record with the mean trial time and the per-trial estimate filled in."""
    out = dict(record)
    if seconds:
        mean = sum(seconds) / len(seconds)
        out["trials_trained"] = len(seconds)
        out["mean_trial_seconds"] = round(mean, 3)
        out["per_trial_estimate_seconds"] = round(mean * int(record["subnetworks_scored"]), 1)
    return out


def write(run_dir: Path | None, record: dict[str, Any]) -> None:
    """Write weight_sharing.json (nothing without a run directory)."""
    if run_dir is not None:
        (run_dir / FILE).write_text(json.dumps(record, indent=2), encoding="utf-8")


def read(run_dir: str | Path) -> dict[str, Any] | None:
    """The record of a run directory, or None."""
    path = Path(run_dir) / FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def describe(record: dict[str, Any]) -> list[str]:
    """Lines for the report: search cost and the per-trial comparison."""
    lines = [f"{record['strategy']}: supernet trained {record['supernet_epochs']} epochs in "
             f"{record['search_seconds']:.1f} s, {record['subnetworks_scored']} sub-networks "
             f"scored with shared weights, {len(record['candidates'])} retrained from scratch"]
    if record.get("per_trial_estimate_seconds") is not None:
        lines.append(f"a per-trial search of those sub-networks: about "
                     f"{record['per_trial_estimate_seconds']:.0f} s "
                     f"({record['subnetworks_scored']} × {record['mean_trial_seconds']:.1f} s "
                     f"a trial)")
    for c in record["candidates"]:
        target = f"target {c['target']}: " if c.get("target") else ""
        lines.append(f"{target}{c['description']} (supernet score {c['supernet_score']:.3f})")
    return lines
