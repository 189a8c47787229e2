"""The final phase: retrain the top k candidates on train+val with several seeds, test them.

The search ranked candidates on the validation split with one seed each; that ranking
can be noise. Here each of the `final.top` best is retrained `final.seeds` times on the
train and validation splits together (optionally with `final.epochs` and rebuilt bigger
through cell transfer, `final.scale`) and evaluated once per seed on the test split. The
result, written to `final/summary.json` (one `final/trial_NNNN.json` per candidate), says
plainly when the candidates' differences are within seed noise.

Compiled config read (defaults where a key is missing)::

    final: {top: 1, seeds: 3, epochs: null, scale: {cells: 1, channels: 1} | null,
            ensemble: null | k}
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from nasdsl.data import Dataset, load_data
from nasdsl.practice.quantize import prune_trained
from nasdsl.run.backend import load_backend
from nasdsl.run.metrics import classification_metrics, regression_metrics
from nasdsl.space.ir import Architecture
from nasdsl.space.scale import scale_architecture
from nasdsl.space.shapes import measure


def final_settings(config: dict[str, Any]) -> dict[str, Any] | None:
    """The `final` block with defaults filled in (None when the spec has none)."""
    final = config.get("final")
    if not final:
        return None
    scale = final.get("scale") or {}
    return {"top": int(final.get("top") or 1), "seeds": int(final.get("seeds") or 3),
            "epochs": final.get("epochs"),
            "scale": {"cells": float(scale.get("cells") or 1),
                      "channels": float(scale.get("channels") or 1)},
            "ensemble": final.get("ensemble")}


def _metric_name(config: dict[str, Any], task: str) -> str:
    goal = config["objective"][0]["metric"]
    split, _, name = goal.partition(".")
    if split in ("val", "test", "train") and name:
        return name
    return "accuracy" if task == "classification" else "mse"


def _merged(data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    return (np.concatenate([data.x_train, data.x_val]),
            np.concatenate([data.y_train, data.y_val]))


def _test_metrics(data: Dataset, out: np.ndarray) -> dict[str, float]:
    if data.task == "classification":
        return classification_metrics(out, data.y_test)
    return regression_metrics(out, data.y_test, data.y_mean, data.y_std)


def final_architecture(trial: dict[str, Any], settings: dict[str, Any]) -> Architecture:
    """The candidate as it is retrained: scaled by cell transfer, with the final epochs."""
    arch = Architecture.from_dict(trial["architecture"])
    scale = settings["scale"]
    if scale["cells"] != 1 or scale["channels"] != 1:
        arch = scale_architecture(arch, scale["cells"], scale["channels"])
    if settings.get("epochs"):
        arch = dataclasses.replace(arch, training=dataclasses.replace(
            arch.training, epochs=int(settings["epochs"])))
    return arch


def _noise_sentences(cands: list[dict[str, Any]], metric: str, maximize: bool) -> list[str]:
    done = [c for c in cands if c.get("test_mean") is not None]
    if not done:
        return ["No candidate finished its final training."]
    sign = 1.0 if maximize else -1.0
    by_test = sorted(done, key=lambda c: -sign * c["test_mean"])
    best = by_test[0]
    out = [f"On the test split, trial {best['number']} is best: {metric} "
           f"{best['test_mean']:.4f} ± {best['test_std']:.4f} over {best['n']} seed(s)."]
    if best["n"] < 2:
        out.append("With one seed per candidate the seed noise is unknown: set "
                   "final { seeds = 3 } or more before trusting small differences.")
    for other in by_test[1:]:
        gap = abs(best["test_mean"] - other["test_mean"])
        noise = max(best["test_std"], other["test_std"])
        if best["n"] >= 2 and gap <= 2 * noise:
            out.append(f"Trial {best['number']} vs trial {other['number']}: a gap of {gap:.4f} "
                       f"is within seed noise (std up to {noise:.4f}); the search could not "
                       f"really tell them apart.")
        elif best["n"] >= 2:
            out.append(f"Trial {best['number']} vs trial {other['number']}: a gap of {gap:.4f} "
                       f"is larger than the seed noise (std up to {noise:.4f}).")
    val_order = [c["number"] for c in done]
    test_order = [c["number"] for c in by_test]
    if len(done) > 1 and val_order != test_order:
        out.append(f"The validation order ({' > '.join(map(str, val_order))}) does not hold on "
                   f"the test split ({' > '.join(map(str, test_order))}).")
    return out


def run_final(config: dict[str, Any], run_dir: Path, ranked: list[dict[str, Any]],
              console: Any = None) -> dict[str, Any] | None:
    """Retrain and test the top candidates; write and return final/summary.json's content."""
    settings = final_settings(config)
    if settings is None or not ranked:
        return None
    out_dir = run_dir / "final"
    (out_dir / "models").mkdir(parents=True, exist_ok=True)
    backend = load_backend(config["backend"], config.get("backend_options"))
    if hasattr(backend, "lookup"):
        return None  # a table backend has nothing to retrain
    task_data: dict[bool, Dataset] = {}
    seed0 = int(config["experiment"]["seed"])
    cands: list[dict[str, Any]] = []
    ensemble_logits: list[np.ndarray] = []
    metric = ""
    for rank, trial in enumerate(ranked[:settings["top"]]):
        arch = final_architecture(trial, settings)
        image = len(arch.input_shape) == 3
        if image not in task_data:
            task_data[image] = load_data(config, image=image)
        data = task_data[image]
        metric = _metric_name(config, data.task)
        x, y = _merged(data)
        static = measure(arch)
        cand: dict[str, Any] = {"number": trial["number"], "rank": rank,
                                "search_value": trial["objectives"][0],
                                "description": arch.describe(),
                                "architecture": arch.to_dict(), "params": static.params,
                                "model_bytes": static.model_bytes, "flops": static.flops,
                                "seeds": [], "metric": metric}
        t0 = time.monotonic()
        try:
            for i in range(settings["seeds"]):
                seed = seed0 * 1000 + 700 + i
                if console is not None:
                    console.print(f"final: trial {trial['number']}, seed {i + 1} of "
                                  f"{settings['seeds']}")
                model = backend.build(arch, seed)
                history = backend.fit(model, arch, x, y, seed)
                history += prune_trained(config, backend, model, arch, x, y,  # train.prune
                                         seed).get("fine_tune_history", [])
                logits = backend.predict(model, data.x_test)
                metrics = _test_metrics(data, logits)
                path = backend.save(model, out_dir / "models" / f"trial_{trial['number']:04d}"
                                    f"_seed{i}")
                cand["seeds"].append({"seed": seed, "test": metrics, "history": history,
                                      "model": str(path.relative_to(run_dir))})
                if settings["ensemble"] and rank < int(settings["ensemble"]):
                    ensemble_logits.append(logits)
            values = [s["test"][metric] for s in cand["seeds"]]
            cand.update({"test_mean": float(np.mean(values)),
                         "test_std": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
                         "n": len(values)})
        except Exception as err:  # one failing candidate must not lose the others
            cand.update({"test_mean": None, "reason": f"{type(err).__name__}: {err}"})
        cand["seconds"] = time.monotonic() - t0
        (out_dir / f"trial_{trial['number']:04d}.json").write_text(
            json.dumps(cand, indent=2, default=_json), encoding="utf-8")
        cands.append(cand)
    summary: dict[str, Any] = {
        "top": settings["top"], "seeds": settings["seeds"], "epochs": settings["epochs"],
        "scale": settings["scale"], "metric": metric, "split": "test",
        "trained_on": "train+val", "candidates": [
            {k: v for k, v in c.items() if k not in ("architecture", "seeds")} for c in cands],
        "sentences": _noise_sentences(cands, metric, metric not in ("loss", "mse", "mae"))}
    if ensemble_logits and task_data:
        data = next(iter(task_data.values()))
        probs = [_softmax(z) for z in ensemble_logits] if data.task == "classification" \
            else ensemble_logits
        mixed = np.log(np.mean(probs, axis=0) + 1e-12) if data.task == "classification" \
            else np.mean(probs, axis=0)
        summary["ensemble"] = {"members": len(ensemble_logits),
                               "test": _test_metrics(data, mixed)}
        summary["sentences"].append(
            f"An ensemble of the {len(ensemble_logits)} retrained models of the top "
            f"{settings['ensemble']} reaches test {metric} "
            f"{summary['ensemble']['test'].get(metric, float('nan')):.4f}.")
        from nasdsl.practice.ensemble import add_to_final  # as one model: size, latency, file

        add_to_final(config, run_dir, cands, data, summary)
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2, default=_json),
                                          encoding="utf-8")
    return summary


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _json(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)
