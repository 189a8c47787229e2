"""Post-training weight quantization of a trained Keras model (int8 / float16 weights).

int8 is weight-only: every kernel (dense, convolution, depthwise) is rounded to int8 per
output channel (its last axis) and de-quantized for the forward pass, as TFLite's
dynamic-range quantization stores it; biases and normalisation weights stay float32. The
accuracy measured is that of int8 weights; the size counts one byte a kernel weight plus
a float scale per output channel. float16 rounds every float weight to float16.

The quantized "copy" is the same Keras model with its weights swapped: `release` puts the
float weights back (the driver calls it when it is done measuring).

Pruning zeroes the `sparsity` share of smallest-magnitude kernel weights over all layers
(one global threshold, as torch's global L1 pruning); the masks are kept on the model and
re-applied after every fine-tuning epoch (`reapply`), so the model ends exactly as sparse.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np

_ORIGINAL = "_nasdsl_float_weights"
_SCHEME = "_nasdsl_scheme"
_MASKS = "_nasdsl_masks"


def _is_kernel(variable: Any) -> bool:
    name = str(getattr(variable, "path", None) or variable.name)
    return "kernel" in name.rsplit("/", 1)[-1] and len(variable.shape) >= 2


def _int8_per_channel(w: np.ndarray) -> np.ndarray:
    flat = w.reshape(-1, w.shape[-1])
    scale = np.maximum(np.abs(flat).max(axis=0), 1e-12) / 127.0
    q = np.clip(np.round(flat / scale), -127, 127)
    return (q * scale).reshape(w.shape).astype(w.dtype)


def quantize(model: Any, scheme: str) -> Any:
    """The model with quantized weights (call `release` to restore the float ones)."""
    if scheme not in ("int8", "float16"):
        raise ValueError(f"unknown quantization scheme '{scheme}' (int8, float16)")
    if not hasattr(model, _ORIGINAL):
        setattr(model, _ORIGINAL, model.get_weights())
    for v in model.weights:
        w = np.asarray(v.numpy())
        if not np.issubdtype(w.dtype, np.floating):
            continue
        if scheme == "float16":
            v.assign(w.astype(np.float16).astype(w.dtype))
        elif _is_kernel(v):
            v.assign(_int8_per_channel(w))
    setattr(model, _SCHEME, scheme)
    return model


def release(model: Any, quantized: Any) -> None:
    """Put the float weights back after measuring the quantized model."""
    original = getattr(model, _ORIGINAL, None)
    if original is not None:
        model.set_weights(original)
        delattr(model, _ORIGINAL)
    if hasattr(model, _SCHEME):
        delattr(model, _SCHEME)


def model_bytes(model: Any, scheme: str | None = None, sparse: bool = False) -> int:
    """Bytes of the weights as stored under `scheme` (None: float32)."""
    total = 0
    for v in model.weights:
        numel = int(np.prod(v.shape))
        itemsize = np.dtype(v.dtype).itemsize
        value = 1.0 if scheme == "int8" and _is_kernel(v) else (
            2.0 if scheme == "float16" and itemsize == 4 else float(itemsize))
        if sparse and _is_kernel(v):
            nonzero = int(np.count_nonzero(np.asarray(v.numpy())))
            stored = min(numel * value, nonzero * value + numel / 8)
        else:
            stored = numel * value
        total += stored + (4 * int(v.shape[-1]) if scheme == "int8" and _is_kernel(v) else 0)
    return int(round(total))


def prune_magnitude(model: Any, sparsity: float) -> None:
    """Zero the `sparsity` share of smallest-magnitude kernel weights (masks kept)."""
    if not 0.0 < sparsity < 1.0:
        raise ValueError(f"sparsity must be in (0, 1), not {sparsity}")
    kernels = [v for v in model.weights if _is_kernel(v)]
    if not kernels:
        return
    magnitudes = np.concatenate([np.abs(np.asarray(v.numpy())).ravel() for v in kernels])
    k = int(round(sparsity * magnitudes.size))
    threshold = np.partition(magnitudes, k - 1)[k - 1] if k > 0 else -1.0
    masks = []
    for v in kernels:
        w = np.asarray(v.numpy())
        mask = (np.abs(w) > threshold).astype(w.dtype)
        masks.append((v, mask))
    setattr(model, _MASKS, masks)
    reapply(model)


def reapply(model: Any) -> None:
    """Zero the pruned weights again (after an epoch of fine-tuning)."""
    for v, mask in getattr(model, _MASKS, []):
        v.assign(np.asarray(v.numpy()) * mask)


def make_permanent(model: Any) -> None:
    """Apply the masks a last time and forget them."""
    reapply(model)
    if hasattr(model, _MASKS):
        delattr(model, _MASKS)


def sparsity(model: Any) -> float:
    """Share of zero kernel weights."""
    kernels = [np.asarray(v.numpy()) for v in model.weights if _is_kernel(v)]
    total = sum(w.size for w in kernels)
    return sum(int((w == 0).sum()) for w in kernels) / total if total else 0.0


def describe(model: Any) -> dict[str, Any]:
    """Sizes of a float model: dense bytes, sparse bytes, file bytes, sparsity."""
    return {"model_bytes": model_bytes(model), "sparse_bytes": model_bytes(model, sparse=True),
            "file_bytes": file_bytes(model), "sparsity": sparsity(model)}


def file_bytes(model: Any) -> int:
    """Bytes of the model saved in Keras' .keras format (float weights as held)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "m.keras")
        model.save(path)
        return os.path.getsize(path)
