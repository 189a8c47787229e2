"""IR layers → torch modules (one module per IR layer, shapes as in nasdsl.space.shapes)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from nasdsl.space.ir import Architecture, Layer
from nasdsl.space.shapes import layer_measures

_ACTIVATIONS = {
    "relu": nn.ReLU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "swish": nn.SiLU,
    "elu": nn.ELU,
    "leaky_relu": nn.LeakyReLU,
}


def activation(name: str) -> nn.Module | None:
    """The activation module, or None for 'linear'."""
    return None if name == "linear" else _ACTIVATIONS[name]()


def _module(layer: Layer, shape: tuple[int, ...]) -> list[nn.Module]:
    p: dict[str, Any] = layer.params
    op = layer.op
    if op == "dense":
        mods: list[nn.Module] = [nn.Linear(shape[0], int(p["units"]), bias=p.get("bias", True))]
    elif op == "conv":
        k = int(p.get("kernel", 3))
        mods = [nn.Conv2d(shape[0], int(p["channels"]), k, stride=int(p.get("stride", 1)),
                          padding=k // 2, bias=p.get("bias", True))]
    elif op == "max_pool":
        mods = [nn.MaxPool2d(int(p.get("size", 2)))]
    elif op == "avg_pool":
        mods = [nn.AvgPool2d(int(p.get("size", 2)))]
    elif op == "global_avg_pool":
        mods = [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    elif op == "flatten":
        mods = [nn.Flatten()]
    elif op == "dropout":
        mods = [nn.Dropout(float(p.get("rate", 0.5)))]
    elif op == "batch_norm":
        mods = [nn.BatchNorm2d(shape[0]) if len(shape) == 3 else nn.BatchNorm1d(shape[0])]
    elif op in _ACTIVATIONS:
        mods = [_ACTIVATIONS[op]()]
    else:
        raise ValueError(f"the torch backend has no op '{op}'")
    act = activation(p.get("activation", "linear")) if op in ("dense", "conv") else None
    return mods + ([act] if act is not None else [])


def build_sequential(arch: Architecture) -> nn.Sequential:
    """One nn.Sequential for a layer-chain architecture."""
    shape = tuple(arch.input_shape)
    modules: list[nn.Module] = []
    for layer in arch.layers:
        modules.extend(_module(layer, shape))
        shape = layer_measures(layer, shape)[0]
    return nn.Sequential(*modules)


def state_bytes(model: nn.Module) -> int:
    """Bytes of every tensor in the state dict."""
    return sum(t.numel() * t.element_size() for t in model.state_dict().values())


def count_params(model: nn.Module) -> int:
    """Trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def example_input(arch: Architecture, batch: int = 1) -> torch.Tensor:
    """A zero batch of the architecture's input shape."""
    return torch.zeros((batch, *arch.input_shape), dtype=torch.float32)
