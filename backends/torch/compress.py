"""Post-training compression of a trained PyTorch model: int8 / float16 weights, pruning.

* int8: `torch.ao.quantization.quantize_dynamic` turns every `nn.Linear` into a
  dynamically quantized linear layer (int8 weights, int8 kernels, activations quantized on
  the fly). Convolutions have no dynamic kernel in PyTorch, so their weights are quantized
  per output channel to int8 and de-quantized for the forward pass (weight-only int8, as
  TFLite's dynamic-range quantization does for convolutions): the accuracy is that of
  int8 weights, the size counts one byte a weight plus a float scale per channel.
* float16: every floating-point weight rounded to float16 (computed in float32).
* pruning: `torch.nn.utils.prune.global_unstructured` with L1 magnitude over the weights
  of every linear and convolution layer, to a sparsity target; the masks stay on while the
  model is fine-tuned, then are made permanent.

Sizes are bytes of the stored tensors (`model_bytes`, as nasdsl counts the float model) and
of the `torch.save`d state dict (`file_bytes`). A pruned weight tensor is counted sparse:
its non-zero values plus a one-bit-per-weight mask, when that is smaller than dense.
"""

from __future__ import annotations

import copy
import io
import warnings
from typing import Any

import torch
from torch import nn

_PRUNABLE = (nn.Linear, nn.Conv2d)


def _is_sparse_worth(numel: int, nonzero: int, value_bytes: float) -> bool:
    return nonzero * value_bytes + numel / 8 < numel * value_bytes


def tensor_bytes(t: torch.Tensor, value_bytes: float | None = None,
                 sparse: bool = False) -> float:
    """Bytes of one stored tensor (dense, or non-zeros plus a bit mask when smaller)."""
    value_bytes = float(t.element_size()) if value_bytes is None else value_bytes
    numel = t.numel()
    if sparse:
        nonzero = int(torch.count_nonzero(t))
        if _is_sparse_worth(numel, nonzero, value_bytes):
            return nonzero * value_bytes + numel / 8
    return numel * value_bytes


def _fake_int8_per_channel(weight: torch.Tensor) -> torch.Tensor:
    """Symmetric per-output-channel int8 rounding of a weight (returned de-quantized)."""
    flat = weight.detach().reshape(weight.shape[0], -1)
    scale = flat.abs().amax(dim=1).clamp(min=1e-12) / 127.0
    q = torch.clamp(torch.round(flat / scale[:, None]), -127, 127)
    return (q * scale[:, None]).reshape(weight.shape)


def quantize(model: nn.Module, scheme: str) -> nn.Module:
    """A quantized copy of a trained model (`int8` or `float16`); the model is untouched."""
    q = copy.deepcopy(model).eval()
    if scheme == "float16":
        with torch.no_grad():
            for p in q.parameters():
                p.copy_(p.half().float())
        return q
    if scheme != "int8":
        raise ValueError(f"unknown quantization scheme '{scheme}' (int8, float16)")
    with torch.no_grad():
        for m in q.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.copy_(_fake_int8_per_channel(m.weight))
    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notices
        return quantize_dynamic(q, {nn.Linear}, dtype=torch.qint8)


def _dynamic_linear(m: nn.Module) -> bool:
    return type(m).__name__ == "DynamicQuantizedLinear" or (
        type(m).__name__ == "Linear" and hasattr(m, "_packed_params"))


def model_bytes(model: nn.Module, scheme: str | None = None, sparse: bool = False) -> int:
    """Bytes of the weights as they would be stored under `scheme` (None: float32)."""
    total = 0.0
    seen: set[int] = set()
    for m in model.modules():
        if _dynamic_linear(m):
            w, b = m.weight(), m.bias()  # type: ignore[operator]
            total += tensor_bytes(w.int_repr(), 1.0, sparse) + 4 + 8  # scale, zero point
            if b is not None:
                total += tensor_bytes(b)
            continue
        for name, t in list(m.named_parameters(recurse=False)) + \
                list(m.named_buffers(recurse=False)):
            if id(t) in seen or name == "num_batches_tracked" or name.endswith("_mask"):
                continue
            seen.add(id(t))
            weight = name in ("weight", "weight_orig") and isinstance(m, _PRUNABLE)
            if scheme == "int8" and weight and isinstance(m, nn.Conv2d):
                total += tensor_bytes(t, 1.0, sparse) + 4 * t.shape[0]
            elif scheme == "float16" and t.is_floating_point():
                total += tensor_bytes(t, 2.0, sparse and weight)
            else:
                total += tensor_bytes(t, None, sparse and weight)
    return int(round(total))


def file_bytes(model: nn.Module) -> int:
    """Bytes of the model's state dict saved with torch.save."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.save(model.state_dict(), buffer)
    return len(buffer.getvalue())


def prunable(model: nn.Module) -> list[tuple[nn.Module, str]]:
    """(module, 'weight') of every linear and convolution layer."""
    return [(m, "weight") for m in model.modules() if isinstance(m, _PRUNABLE)]


def prune_magnitude(model: nn.Module, sparsity: float) -> None:
    """Zero the `sparsity` share of smallest-magnitude weights over all layers (masks on)."""
    from torch.nn.utils import prune

    if not 0.0 < sparsity < 1.0:
        raise ValueError(f"sparsity must be in (0, 1), not {sparsity}")
    params = prunable(model)
    if params:
        prune.global_unstructured(params, pruning_method=prune.L1Unstructured, amount=sparsity)


def make_permanent(model: nn.Module) -> None:
    """Fold the pruning masks into the weights (the zeros stay, the hooks go)."""
    from torch.nn.utils import prune

    for m, name in prunable(model):
        if prune.is_pruned(m) and hasattr(m, f"{name}_mask"):
            prune.remove(m, name)


def sparsity(model: nn.Module) -> float:
    """Share of zero weights over the linear and convolution layers."""
    total = zeros = 0
    for m, _ in prunable(model):
        w = m.weight
        total += w.numel()
        zeros += int((w == 0).sum())
    return zeros / total if total else 0.0


def describe(model: nn.Module) -> dict[str, Any]:
    """Sizes of a float model: dense tensor bytes, sparse bytes, file bytes, sparsity."""
    return {"model_bytes": model_bytes(model), "sparse_bytes": model_bytes(model, sparse=True),
            "file_bytes": file_bytes(model), "sparsity": sparsity(model)}
