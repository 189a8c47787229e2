"""What a run does after its search: baselines, the final phase and the spec's exports.

`nasdsl run` (and `nasdsl resume`) call `after_search` once the search has stopped.
Every step writes its results into the run directory the moment it ends
(`baselines/NAME.json`, `final/…`, `export/…`), and a failing step is recorded and
reported without losing the others.
"""

from __future__ import annotations

import json
import math
import re
import traceback
from pathlib import Path
from typing import Any


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "baseline"


def _json(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)


def _say(console: Any, text: str) -> None:
    if console is not None:
        console.print(text)


def run_baselines(config: dict[str, Any], run_dir: Path, console: Any = None) -> list[Path]:
    """Train each `baseline` under the experiment's protocol; write baselines/NAME.json."""
    from nasdsl.data import folds, load_data
    from nasdsl.run.baseline import run_baseline

    specs = config.get("baselines") or []
    if not specs:
        return []
    out_dir = run_dir / "baselines"
    out_dir.mkdir(parents=True, exist_ok=True)
    k = folds(config)
    # baselines reshape rows to their input themselves; under k-fold they are
    # cross-validated on the candidates' folds
    datasets = [load_data(config, image=False, fold=f) for f in range(k)] if k \
        else [load_data(config, image=False)]
    written = []
    for i, spec in enumerate(specs):
        name = str(spec.get("name", f"baseline{i}"))
        _say(console, f"baseline [cyan]{name}[/]: training under the same protocol")
        try:
            results = [run_baseline(spec, config, data, number=-(i + 1),
                                    models_dir=out_dir / "models" if f == 0 else None)
                       for f, data in enumerate(datasets)]
            record = dict(_cross_validated(results, config).__dict__)
        except Exception as err:  # a failing baseline must not lose the run's results
            record = {"number": -(i + 1), "status": "failed", "description": name,
                      "reason": f"{type(err).__name__}: {err}",
                      "traceback": traceback.format_exc()}
        record["name"] = name
        path = out_dir / f"{_safe(name)}.json"
        path.write_text(json.dumps(record, indent=2, default=_json), encoding="utf-8")
        written.append(path)
    return written


def _cross_validated(results: list[Any], config: dict[str, Any]) -> Any:
    """One result from a baseline's results on each fold: metrics and objectives are the
    means over folds, the first fold's model and measures stand for it."""
    from nasdsl.run import constraints as cons
    from nasdsl.run.runner import mean_over_folds, objective_value

    first = results[0]
    if len(results) == 1:
        return first
    first.folds = [r.metrics for r in results]
    first.metrics = mean_over_folds(first.folds)
    first.seconds = sum(r.seconds for r in results)
    flat = {f"{s}.{k}": v for s, ms in first.metrics.items() for k, v in ms.items()}
    first.constraints = [cons.check(c, first.measures, flat).__dict__
                         for c in config.get("constraints") or []]
    values = [objective_value(g["metric"], first.metrics, first.measures)
              for g in config.get("objective") or []]
    first.objectives = [float(v) for v in values if v is not None]
    return first


def run_exports(config: dict[str, Any], run_dir: Path, console: Any = None) -> list[Path]:
    """Export the best candidate in every format of the spec's `export` block."""
    from nasdsl.export import ExportError, export_trial

    block = config.get("export") or {}
    formats = list(block.get("formats") or [])
    if not formats:
        return []
    folder = Path(block["dir"]) if block.get("dir") else run_dir / "export"
    written: list[Path] = []
    for fmt in formats:
        try:
            written += export_trial(run_dir, fmt, folder)
            _say(console, f"exported the best candidate as {fmt} → {folder}")
        except ExportError as err:
            _say(console, f"[yellow]export {fmt} skipped:[/] {err}")
    return written


def after_search(config: dict[str, Any], run_dir: Path, console: Any = None) -> None:
    """Train the spec's baselines, run its `final` block and its exports, writing results
    into run_dir (the report reads them from there)."""
    from nasdsl.report.summary import read_run
    from nasdsl.run.final import run_final

    run_baselines(config, run_dir, console)
    ranked = read_run(run_dir).ranked()
    if config.get("final") and ranked:
        run_final(config, run_dir, ranked, console)
    if ranked:
        run_exports(config, run_dir, console)
