"""Static shape inference: params, model bytes and FLOPs of an Architecture, no framework.

The numbers are exact for the backends' layers: `params` counts trainable parameters,
`model_bytes` counts 4 bytes for every float32 weight (parameters and batch-norm running
statistics; PyTorch's int64 batch counter is not counted — see nasdsl.space.ops), `flops`
counts multiply-adds × 2 of one forward pass of one sample.

Composite layers (`cell`, `nb201_cell`, `res_reduce`) are measured by nasdsl.space.cells.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from nasdsl.space.cells import (
    NasnetCell,
    Nb201Cell,
    nasnet_cell_cost,
    nb201_cell_cost,
    res_reduce_cost,
)
from nasdsl.space.ir import Architecture, Layer
from nasdsl.space.ops import FLOAT_BYTES, ShapeError

__all__ = ["FLOAT_BYTES", "ShapeError", "StaticMeasures", "conv_out", "layer_measures",
           "measure", "walk"]


@dataclass(frozen=True)
class StaticMeasures:
    """What is known of a model before any training."""

    params: int
    model_bytes: int
    flops: int
    shapes: tuple[tuple[int, ...], ...]  # output shape after each layer


def conv_out(size: int, kernel: int, stride: int) -> int:
    """Spatial output size of a conv with padding kernel // 2."""
    return (size + 2 * (kernel // 2) - kernel) // stride + 1


def layer_measures(layer: Layer, shape: tuple[int, ...], skip: tuple[int, ...] | None = None
                   ) -> tuple[tuple[int, ...], int, int, int]:
    """(output shape, params, state bytes, flops) of one layer on an input shape.

    `skip` is the second input of a NASNet `cell` (the older state; default: `shape`).
    """
    p = layer.params
    op = layer.op
    if op in ("cell", "nb201_cell", "res_reduce"):
        if op == "cell":
            cost = nasnet_cell_cost(NasnetCell.from_params(p), skip or shape, shape)
        elif op == "nb201_cell":
            cost = nb201_cell_cost(Nb201Cell.from_params(p), shape)
        else:
            cost = res_reduce_cost(int(p["channels"]), shape)
        return cost.shape, cost.params, cost.model_bytes, cost.flops
    if op == "flatten":
        n = 1
        for s in shape:
            n *= s
        return (n,), 0, 0, 0
    if op == "dense":
        if len(shape) != 1:
            raise ShapeError(f"dense needs a flat input, got shape {shape}")
        units, fan_in = int(p["units"]), shape[0]
        bias = units if p.get("bias", True) else 0
        params = fan_in * units + bias
        return (units,), params, params * FLOAT_BYTES, 2 * fan_in * units
    if op == "conv":
        if len(shape) != 3:
            raise ShapeError(f"conv needs an image input (C, H, W), got shape {shape}")
        c, h, w = shape
        out_c, k, s = int(p["channels"]), int(p.get("kernel", 3)), int(p.get("stride", 1))
        oh, ow = conv_out(h, k, s), conv_out(w, k, s)
        if oh < 1 or ow < 1:
            raise ShapeError(f"conv{k}x{k} stride {s} shrinks {h}x{w} to nothing")
        bias = out_c if p.get("bias", True) else 0
        params = c * out_c * k * k + bias
        return (out_c, oh, ow), params, params * FLOAT_BYTES, 2 * c * k * k * out_c * oh * ow
    if op in ("max_pool", "avg_pool"):
        if len(shape) != 3:
            raise ShapeError(f"{op} needs an image input, got shape {shape}")
        c, h, w = shape
        size = int(p.get("size", 2))
        oh, ow = (h - size) // size + 1, (w - size) // size + 1
        if oh < 1 or ow < 1:
            raise ShapeError(f"{op}({size}) shrinks {h}x{w} to nothing")
        return (c, oh, ow), 0, 0, c * oh * ow * size * size
    if op in ("global_avg_pool", "global_max_pool"):
        if len(shape) != 3:
            raise ShapeError(f"{op} needs an image input, got shape {shape}")
        return (shape[0],), 0, 0, shape[0] * shape[1] * shape[2]
    if op == "batch_norm":
        channels = shape[0]
        elements = 1
        for s in shape:
            elements *= s
        state = 4 * channels * FLOAT_BYTES
        return shape, 2 * channels, state, 2 * elements
    # dropout and activation layers keep the shape and hold no weights
    return shape, 0, 0, 0


def walk(arch: Architecture) -> Iterator[tuple[Layer, tuple[int, ...], tuple[int, ...],
                                                 tuple[tuple[int, ...], int, int, int]]]:
    """(layer, input shape, skip shape, measures) of every layer, in order.

    The skip shape is the older input a NASNet `cell` reads: the output before the previous
    layer when the previous layer is a cell, otherwise the input itself.
    """
    shape = tuple(arch.input_shape)
    skip = shape
    for layer in arch.layers:
        result = layer_measures(layer, shape, skip)
        yield layer, shape, skip, result
        skip = shape if layer.op == "cell" else result[0]
        shape = result[0]


def measure(arch: Architecture) -> StaticMeasures:
    """Params, bytes and FLOPs of a whole architecture; raises ShapeError if it cannot build."""
    params = state = flops = 0
    shapes: list[tuple[int, ...]] = []
    for _, _, _, (shape, lp, lb, lf) in walk(arch):
        params, state, flops = params + lp, state + lb, flops + lf
        shapes.append(shape)
    return StaticMeasures(params, state, flops, tuple(shapes))
