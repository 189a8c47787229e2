"""IR layers → torch modules (one module per IR layer, shapes as in nasdsl.space.shapes).

A chain without NASNet cells is an nn.Sequential (state-dict keys unchanged); a network
with NASNet cells is a `CellNetwork`, which carries the older state the cells read.
"""

from __future__ import annotations

from typing import Any

import torch
from nasdsl.backends.torch.cells import NasnetCellModule, Nb201CellModule, ResReduceModule
from torch import nn

from nasdsl.space.cells import NasnetCell, Nb201Cell
from nasdsl.space.ir import Architecture, Layer
from nasdsl.space.shapes import layer_measures, walk

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
    elif op == "global_max_pool":
        mods = [nn.AdaptiveMaxPool2d(1), nn.Flatten()]
    elif op == "nb201_cell":
        mods = [Nb201CellModule(Nb201Cell.from_params(p), shape[0])]
    elif op == "res_reduce":
        mods = [ResReduceModule(shape[0], int(p["channels"]))]
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


class CellNetwork(nn.Module):
    """A chain in which NASNet cells also read the older state (s0, s1 = s1, cell(s0, s1))."""

    def __init__(self, arch: Architecture):
        super().__init__()
        self.stages = nn.ModuleList()
        self.is_cell: list[bool] = []
        for layer, shape, skip, _ in walk(arch):
            if layer.op == "cell":
                self.stages.append(NasnetCellModule(NasnetCell.from_params(layer.params), skip,
                                                    shape))
            else:
                self.stages.append(nn.Sequential(*_module(layer, shape)))
            self.is_cell.append(layer.op == "cell")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Run the chain."""
        skip = x
        for stage, is_cell in zip(self.stages, self.is_cell, strict=True):
            if is_cell:
                skip, x = x, stage(skip, x)
            else:
                x = stage(x)
                skip = x
        return x


def build_model(arch: Architecture) -> nn.Module:
    """nn.Sequential for chains (NB201 cells included), CellNetwork with NASNet cells."""
    if any(layer.op == "cell" for layer in arch.layers):
        return CellNetwork(arch)
    return build_sequential(arch)


def state_bytes(model: nn.Module) -> int:
    """Bytes of the float weights in the state dict (params and BN statistics).

    The int64 `num_batches_tracked` counters are not weights and are left out, as in
    nasdsl.space.ops' definition of model bytes.
    """
    return sum(t.numel() * t.element_size() for name, t in model.state_dict().items()
               if not name.endswith("num_batches_tracked"))


def count_params(model: nn.Module) -> int:
    """Trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def example_input(arch: Architecture, batch: int = 1) -> torch.Tensor:
    """A zero batch of the architecture's input shape."""
    return torch.zeros((batch, *arch.input_shape), dtype=torch.float32)
