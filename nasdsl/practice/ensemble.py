"""Ensembles of the final phase (`final { ensemble = top 3 }`), framework-free.

The final phase retrains the best candidates with several seeds; the ensemble averages
the predictions of every retrained model of the top k (probabilities for
classification, values for regression). Here the ensemble is also built as *one* model
by the backend's ensemble module (`nasdsl.backends.<backend>.ensemble`, today torch's),
saved as `final/ensemble.pt` (TorchScript: every member in one file; `final/ensemble.keras`
for Keras), re-loaded, scored on
the test split, sized and timed at batch 1 next to the single best model, so the report
can say what the ensemble buys and what it costs.
"""

from __future__ import annotations

import importlib
import json
import math
from pathlib import Path
from typing import Any

import numpy as np


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def average(outputs: list[np.ndarray], task: str) -> np.ndarray:
    """Averaged predictions: log of the mean probabilities, or the mean value."""
    if not outputs:
        raise ValueError("nothing to average")
    if task == "classification":
        return np.log(np.mean([softmax(o) for o in outputs], axis=0) + 1e-12)
    return np.mean(outputs, axis=0)


def members(cands: list[dict[str, Any]], k: int) -> list[tuple[dict[str, Any], str]]:
    """(candidate, model path relative to the run) of every retrained model of the top k."""
    out = []
    for c in cands:
        if c.get("rank", 0) < k and c.get("test_mean") is not None:
            out += [(c, s["model"]) for s in c.get("seeds", []) if s.get("model")]
    return out


def _metrics(data: Any, out: np.ndarray) -> dict[str, float]:
    from nasdsl.run.metrics import classification_metrics, regression_metrics

    if data.task == "classification":
        return classification_metrics(out, data.y_test)
    return regression_metrics(out, data.y_test, data.y_mean, data.y_std)


def _fmt(key: str, value: Any) -> str:
    from nasdsl.lang.units import Dimension, format_quantity

    if value is None:
        return "—"
    dim = {"params": Dimension.COUNT, "model_bytes": Dimension.SIZE,
           "latency_s": Dimension.DURATION}[key]
    return format_quantity(float(value), dim)


def build_ensemble(config: dict[str, Any], run_dir: Path, cands: list[dict[str, Any]],
                   data: Any) -> dict[str, Any]:
    """Build, save, reload and measure the ensemble of the top k; compare it with the best.

    Returns `{file, members, params, model_bytes, latency_s, test, single: {...}}`, or
    `{error: …}` when the backend cannot build one.
    """
    from nasdsl.run.backend import load_backend
    from nasdsl.space.ir import Architecture

    k = int((config.get("final") or {}).get("ensemble") or 0)
    chosen = members(cands, k)
    if not chosen:
        return {"error": "no retrained model of the top candidates to combine"}
    backend_name = str(config["backend"])
    try:
        module = importlib.import_module(f"nasdsl.backends.{backend_name}.ensemble")
    except ImportError:
        return {"error": f"the {backend_name} backend cannot save an ensemble as one model yet"}
    backend = load_backend(backend_name, config.get("backend_options"))
    archs = [(Architecture.from_dict(c["architecture"]), run_dir / path) for c, path in chosen]
    ensemble = module.build(archs)
    path = run_dir / "final" / f"ensemble{getattr(module, 'SUFFIX', '.pt')}"
    meta = {"experiment": config["experiment"]["name"], "kind": "averaging ensemble",
            "members": [{"trial": c["number"], "model": p} for c, p in chosen]}
    module.save(ensemble, archs[0][0], path, meta)
    saved = module.load(path)
    test = _metrics(data, module.predict(saved, data.x_test))
    done = [c for c in cands if c.get("test_mean") is not None]
    metric = str(done[0].get("metric") or "")
    higher = metric not in ("loss", "mse", "mae")
    best = max(done, key=lambda c: c["test_mean"] if higher else -c["test_mean"])
    single_model = module.load_member(Architecture.from_dict(best["architecture"]),
                                      run_dir / best["seeds"][0]["model"])
    out = {"file": str(path.relative_to(run_dir)), "members": len(chosen),
           "params": int(sum(c["params"] for c, _ in chosen)),
           "model_bytes": int(sum(c["model_bytes"] for c, _ in chosen)),
           "latency_s": float(backend.latency(saved, archs[0][0])),
           "test": test,
           "single": {"number": best["number"], "test_mean": best["test_mean"],
                      "params": best["params"], "model_bytes": best["model_bytes"],
                      "latency_s": float(backend.latency(single_model, archs[0][0]))}}
    out["sentence"] = comparison_sentence(out, metric, higher)
    return out


def comparison_sentence(ens: dict[str, Any], metric: str, higher: bool) -> str:
    """'The ensemble of 6 models reaches test accuracy 0.97 vs 0.95 for trial 3 …'."""
    single = ens["single"]
    value = ens["test"].get(metric)
    if value is None or single.get("test_mean") is None or not math.isfinite(value):
        verdict = "its test score could not be compared"
        value_text = "—"
    else:
        gap = (value - single["test_mean"]) * (1 if higher else -1)
        verdict = "better than" if gap > 0 else ("as good as" if gap == 0 else "worse than")
        value_text = f"{value:.4f}"
    return (f"Ensemble of {ens['members']} model(s), saved as one model ({ens['file']}): "
            f"test {metric} {value_text}, {verdict} the best single model (trial "
            f"{single['number']}, {single['test_mean']:.4f}); size "
            f"{_fmt('model_bytes', ens['model_bytes'])} vs "
            f"{_fmt('model_bytes', single['model_bytes'])}, batch-1 latency "
            f"{_fmt('latency_s', ens['latency_s'])} vs {_fmt('latency_s', single['latency_s'])}.")


def export_copy(config: dict[str, Any], run_dir: Path, source: Path) -> Path:
    """Copy the one-model ensemble into the spec's export folder (`export/ensemble.pt`)."""
    import shutil

    block = config.get("export") or {}
    folder = Path(block["dir"]) if block.get("dir") else run_dir / "export"
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(source, folder / source.name))


def add_to_final(config: dict[str, Any], run_dir: Path, cands: list[dict[str, Any]], data: Any,
                 summary: dict[str, Any]) -> None:
    """The final phase's hook: put the one-model ensemble into `summary` (never raises)."""
    try:
        built = build_ensemble(config, run_dir, cands, data)
    except Exception as err:  # the ensemble is extra; it must not lose the final phase
        built = {"error": f"{type(err).__name__}: {err}"}
    if built.get("file") and (config.get("export") or {}).get("formats"):
        built["exported"] = str(export_copy(config, run_dir, run_dir / built["file"]))
    summary.setdefault("ensemble", {}).update(built)
    if built.get("sentence"):
        summary.setdefault("sentences", []).append(built["sentence"])
    elif built.get("error"):
        summary.setdefault("sentences", []).append(
            f"The ensemble was not saved as one model: {built['error']}.")
    (run_dir / "final" / "ensemble.json").write_text(
        json.dumps(summary["ensemble"], indent=2, default=str), encoding="utf-8")
