"""Compression-aware constraints, framework-free: which schemes a run needs, and the hooks.

A constraint with `quantized: int8` (or `float16`) reads the *quantized* model:
`model_size <= 256 KB quantized int8` is the size of the weights after post-training
quantization, `accuracy >= 0.9 quantized int8` the validation accuracy of the quantized
model. Before training, the size is estimated as params × bytes per weight (1 for int8,
2 for float16), a lower bound for the measured size, so no candidate that could fit is
rejected early. After training, the backend's compress module
(`nasdsl.backends.<backend>.compress`, today torch's) measures the real thing.

`train.prune { sparsity, fine_tune }` prunes every trained model by weight magnitude and
fine-tunes it; its sizes are counted sparse (non-zeros plus a one-bit mask).

What a trial records, under `measures`:

    quantized: {int8: {model_bytes, file_bytes, latency_s, metrics: {val: {...}, test: {...}}}}
    float_file_bytes, sparsity, sparse_bytes        (the last two only with `prune`)
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from typing import Any

from nasdsl.lang.registry import QUANTIZATIONS

# split → metrics of a given model on that split (the runner's own metric code)
MetricsOf = Callable[[Any, str], dict[str, float]]


def schemes(config: dict[str, Any]) -> list[str]:
    """Quantization schemes the run's constraints ask for, in order of first use."""
    out: list[str] = []
    for c in config.get("constraints") or []:
        scheme = c.get("quantized")
        if scheme and scheme not in out:
            out.append(str(scheme))
    return out


def bytes_per_weight(scheme: str) -> float:
    """Stored bytes of one weight under a scheme (int8: 1, float16: 2)."""
    if scheme not in QUANTIZATIONS:
        raise ValueError(f"unknown quantization scheme '{scheme}' "
                         f"({', '.join(QUANTIZATIONS)})")
    return float(QUANTIZATIONS[scheme][1])


def quantized_actual(constraint: dict[str, Any], measures: dict[str, Any]) -> float | None:
    """The figure a quantized constraint reads: measured when trained, else the estimate.

    `model_size` before training is params × bytes per weight; a metric target before
    training (or when the backend cannot quantize) is None, i.e. not measured.
    """
    scheme = str(constraint["quantized"])
    subject = constraint["subject"]
    found = (measures.get("quantized") or {}).get(scheme)
    if subject == "model_size":
        if found and found.get("model_bytes") is not None:
            return float(found["model_bytes"])
        params = measures.get("params")
        return None if params is None else float(params) * bytes_per_weight(scheme)
    if subject == "latency":
        return None if not found else found.get("latency_s")
    if subject in ("params", "flops"):  # unchanged by quantization
        value = measures.get(subject)
        return None if value is None else float(value)
    split, _, name = subject.partition(".")
    return None if not found else (found.get("metrics") or {}).get(split, {}).get(name)


def compress_module(backend_name: str) -> Any | None:
    """The backend's compress module, or None when the backend has none."""
    try:
        return importlib.import_module(f"nasdsl.backends.{backend_name}.compress")
    except ImportError:
        return None


def prune_settings(config: dict[str, Any]) -> dict[str, Any] | None:
    """`train.prune` as {sparsity, fine_tune} or None."""
    block = (config.get("train") or {}).get("prune")
    if not block:
        return None
    return {"sparsity": float(block["sparsity"]), "fine_tune": int(block.get("fine_tune") or 0)}


def prune_trained(config: dict[str, Any], backend: Any, model: Any, arch: Any, x: Any, y: Any,
                  seed: int) -> dict[str, Any]:
    """Prune a trained model in place and fine-tune it; return its sparse measures.

    Empty when the spec has no `prune` block; `{'prune_error': …}` when the backend
    cannot prune (the model is then left as trained).
    """
    settings = prune_settings(config)
    if settings is None:
        return {}
    compress = compress_module(backend.name)
    if compress is None or not hasattr(compress, "prune_magnitude"):
        return {"prune_error": f"the {backend.name} backend cannot prune yet"}
    compress.prune_magnitude(model, settings["sparsity"])
    history: list[float] = []
    if settings["fine_tune"] > 0:
        tuned = dataclasses.replace(arch, training=dataclasses.replace(
            arch.training, epochs=settings["fine_tune"]))
        reapply = getattr(compress, "reapply", None)  # masks a backend keeps outside autograd

        def on_epoch(epoch: int, loss: float, m: Any) -> bool:
            if reapply is not None:
                reapply(m)
            return False

        history = backend.fit(model, tuned, x, y, seed + 1, on_epoch)
    compress.make_permanent(model)
    sizes = compress.describe(model)
    return {"sparsity": sizes["sparsity"], "sparse_bytes": sizes["sparse_bytes"],
            "fine_tune_history": history}


def measure_quantized(config: dict[str, Any], backend: Any, model: Any, arch: Any,
                      metrics_of: MetricsOf, splits: tuple[str, ...] = ("val", "test"),
                      wanted: list[str] | None = None) -> dict[str, Any]:
    """{scheme: {model_bytes, file_bytes, latency_s, metrics}} for the schemes asked for."""
    wanted = schemes(config) if wanted is None else wanted
    if not wanted:
        return {}
    compress = compress_module(backend.name)
    if compress is None:
        return {s: {"error": f"the {backend.name} backend has no post-training quantization "
                             "yet (see docs/practice.md)"} for s in wanted}
    sparse = prune_settings(config) is not None
    out: dict[str, Any] = {}
    for scheme in wanted:
        q = compress.quantize(model, scheme)
        try:
            out[scheme] = {"model_bytes": compress.model_bytes(q, scheme, sparse=sparse),
                           "file_bytes": compress.file_bytes(q),
                           "latency_s": backend.latency(q, arch),
                           "metrics": {s: metrics_of(q, s) for s in splits}}
        finally:
            if hasattr(compress, "release"):  # a backend that quantizes in place
                compress.release(model, q)
    return out


def after_training(config: dict[str, Any], backend: Any, model: Any, arch: Any, data: Any,
                   result: Any, metrics_of: MetricsOf) -> None:
    """The runner's hook between training and scoring: prune, then measure quantized copies.

    Adds its figures to `result.measures` (see the module docstring); the trial's own
    metrics are then those of the (pruned) float model.
    """
    x, y = data.split("train")
    pruned = prune_trained(config, backend, model, arch, x, y, result.seed)
    result.measures.update({k: v for k, v in pruned.items() if k != "fine_tune_history"})
    result.history = list(result.history) + list(pruned.get("fine_tune_history", []))
    compress = compress_module(backend.name)
    if compress is not None and (schemes(config) or pruned):
        result.measures["float_file_bytes"] = compress.file_bytes(model)
        if hasattr(compress, "model_bytes"):  # the backend's own count, for the report
            result.measures["float_model_bytes"] = compress.model_bytes(model)
    quantized = measure_quantized(config, backend, model, arch, metrics_of)
    if quantized:
        result.measures["quantized"] = quantized


def broken_quantized_limits(config: dict[str, Any], result: Any) -> list[str]:
    """Hard quantized limits the trained, quantized model breaks (descriptions)."""
    from nasdsl.run.constraints import check

    flat = {f"{s}.{n}": v for s, ms in (result.metrics or {}).items() for n, v in ms.items()}
    out = []
    for c in config.get("constraints") or []:
        if not c.get("quantized") or c.get("target") or c.get("soft"):
            continue
        got = check(c, result.measures, flat)
        if got.passed is False:
            out.append(got.describe())
    return out


def mark_compression_limits(config: dict[str, Any], result: Any) -> None:
    """Turn a completed trial whose quantized model breaks a hard limit into infeasible."""
    if getattr(result, "status", None) != "ok":
        return
    broken = broken_quantized_limits(config, result)
    if broken:
        result.status = "infeasible"
        result.reason = "; ".join(broken) + " (measured after quantization)"
