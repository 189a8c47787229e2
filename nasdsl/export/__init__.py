"""Export a run's trained candidate: ONNX, TorchScript, Keras, or readable source.

`export_trial(run_dir, fmt, out_dir, trial=None)` picks the best completed trial (or the
numbered one), loads the model the run saved for it and hands it to the backend's
export module (`nasdsl.backends.<backend>.export`). Every exported file carries the
spec's sha256 and the trial's architecture JSON (in the file where the format allows —
ONNX metadata, a TorchScript extra file, constants in the source — and always in a
`.nasdsl.json` sidecar).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from nasdsl.lang import registry as reg


class ExportError(Exception):
    """The export cannot be made (no such trial, no saved model, format not supported)."""


def pick_trial(record: Any, number: int | None) -> dict[str, Any]:
    """The best completed trial, or the one numbered `number`."""
    if number is None:
        ranked = record.ranked()
        if not ranked:
            raise ExportError(f"{record.path} has no completed trial to export")
        return ranked[0]
    for t in record.trials:
        if t["number"] == number:
            if t["status"] != "ok" or not t.get("architecture"):
                raise ExportError(f"trial {number} did not complete ({t['status']}): "
                                  "nothing to export")
            return t
    raise ExportError(f"{record.path} has no trial {number}")


def export_meta(record: Any, trial: dict[str, Any], fmt: str) -> dict[str, Any]:
    """What every exported file carries."""
    from nasdsl import __version__

    goal = record.goals[0]
    return {"nasdsl_version": __version__, "experiment": record.config["experiment"]["name"],
            "spec_sha256": record.spec_hash, "trial": trial["number"], "format": fmt,
            "backend": record.config.get("backend", "torch"),
            "objective": f"{goal['metric']} = {trial['objectives'][0]:.4f}",
            "description": trial.get("description", ""),
            "architecture": trial["architecture"], "inputs": inputs_of(record)}


def inputs_of(record: Any) -> dict[str, Any]:
    """What the exported model takes and gives: input shape and scaling, class names.

    Image scaling (uint8 ÷ 255 and per-channel standardisation, from the training split)
    is built into the ONNX and TorchScript exports of the torch backend, which take raw
    pixels as float32 in (N, C, H, W): `preprocessing` says so. Anything else (a table's
    preprocess, a Keras model, the built-in datasets' scaling) the caller applies as the
    sidecar describes.
    """
    data = (record.meta or {}).get("data") or {}
    scaling = data.get("input_scaling") or {}
    out: dict[str, Any] = {"shape": data.get("input_shape"),
                           "class_names": data.get("class_names") or [],
                           "scaling": scaling,
                           "preprocessing": "not built in: apply the run's scaling (see "
                           "`scaling`; for a table, the spec's preprocess) before calling "
                           "the model"}
    if data.get("target_scaling"):
        out["target_scaling"] = data["target_scaling"]
        out["outputs"] = "standardised targets: value = output × std + mean"
    return out


def model_file(run_dir: Path, number: int) -> Path:
    """The model file the run saved for a trial."""
    found = sorted((run_dir / "models").glob(f"trial_{number:04d}.*"))
    if not found:
        raise ExportError(f"no saved model for trial {number} in {run_dir / 'models'} "
                          "(a table backend trains nothing to export)")
    return found[0]


def export_trial(run_dir: str | Path, fmt: str, out_dir: str | Path | None = None,
                 trial: int | None = None) -> list[Path]:
    """Export one trial's trained model; return the files written (sidecar included)."""
    from nasdsl.report.summary import read_run
    from nasdsl.space.ir import Architecture

    run = Path(run_dir)
    if fmt not in reg.EXPORT_FORMATS:
        raise ExportError(f"unknown export format '{fmt}' ({', '.join(reg.EXPORT_FORMATS)})")
    record = read_run(run)
    backend = str(record.config.get("backend", "torch"))
    if backend not in reg.EXPORT_FORMATS[fmt][1]:
        raise ExportError(f"format '{fmt}' is for the {' and '.join(reg.EXPORT_FORMATS[fmt][1])}"
                          f" backend(s); this run used {backend}")
    chosen = pick_trial(record, trial)
    source = model_file(run, chosen["number"])
    out = Path(out_dir) if out_dir is not None else run / "export"
    out.mkdir(parents=True, exist_ok=True)
    meta = export_meta(record, chosen, fmt)
    stem = out / f"trial_{chosen['number']:04d}"
    try:
        module = importlib.import_module(f"nasdsl.backends.{backend}.export")
    except ImportError as err:
        raise ExportError(f"the {backend} backend cannot be loaded ({err})") from err
    try:
        files = module.export(fmt, Architecture.from_dict(chosen["architecture"]), source,
                              stem, meta)
    except (ImportError, ValueError) as err:
        raise ExportError(f"{fmt} export failed: {err}") from err
    sidecar = stem.with_suffix(f".{fmt}.nasdsl.json")
    sidecar.write_text(json.dumps({**meta, "files": [f.name for f in files]}, indent=2),
                       encoding="utf-8")
    return [*files, sidecar]
