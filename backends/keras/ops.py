"""The cell ops of nasdsl.space.ops as Keras layers (functional API, channels-last).

Every conv pads explicitly (ZeroPadding2D, then a 'valid' conv), and stride-2 pooling is a
stride-1 'same' pooling followed by a 1×1 subsampling, so windows line up with PyTorch's
exactly; batch norm uses eps 1e-5 and momentum 0.9 (PyTorch's 0.1). Only built-in layers
are used, so a model saves to .keras and loads without custom objects.
"""

from __future__ import annotations

from typing import Any

from keras import layers

from nasdsl.space.ops import OPS, ShapeError


def bn() -> layers.Layer:
    """Batch norm with PyTorch's defaults."""
    return layers.BatchNormalization(epsilon=1e-5, momentum=0.9)


def pad(x: Any, amount: int | tuple[tuple[int, int], tuple[int, int]]) -> Any:
    """Zero padding, skipped when there is none."""
    if amount == 0:
        return x
    return layers.ZeroPadding2D(amount)(x)


def subsample(x: Any, stride: int) -> Any:
    """x[:, ::stride, ::stride, :] as a layer."""
    return x if stride == 1 else layers.MaxPooling2D(1, strides=stride)(x)


def conv(x: Any, channels: int, kernel: int, stride: int = 1, bias: bool = False) -> Any:
    """Conv k×k with PyTorch's padding k // 2."""
    return layers.Conv2D(channels, kernel, strides=stride, use_bias=bias)(pad(x, kernel // 2))


def relu_conv_bn(x: Any, c_out: int, kernel: int, stride: int) -> Any:
    """ReLU → conv (no bias) → BN."""
    return bn()(conv(layers.ReLU()(x), c_out, kernel, stride))


def _depthwise(x: Any, kernel: int, stride: int, dilation: int = 1) -> Any:
    x = pad(x, dilation * (kernel // 2))
    if dilation == 1:
        return layers.DepthwiseConv2D(kernel, strides=stride, use_bias=False)(x)
    # TensorFlow cannot stride a dilated conv: run it at stride 1, then subsample.
    x = layers.DepthwiseConv2D(kernel, dilation_rate=dilation, use_bias=False)(x)
    return subsample(x, stride)


def sep_conv(x: Any, c_in: int, c_out: int, kernel: int, stride: int) -> Any:
    """NASNet separable conv, twice."""
    x = _depthwise(layers.ReLU()(x), kernel, stride)
    x = bn()(layers.Conv2D(c_in, 1, use_bias=False)(x))
    x = _depthwise(layers.ReLU()(x), kernel, 1)
    return bn()(layers.Conv2D(c_out, 1, use_bias=False)(x))


def dil_conv(x: Any, c_out: int, kernel: int, stride: int) -> Any:
    """ReLU → dilated depthwise → pointwise → BN."""
    x = _depthwise(layers.ReLU()(x), kernel, stride, dilation=2)
    return bn()(layers.Conv2D(c_out, 1, use_bias=False)(x))


def conv_7x1_1x7(x: Any, c_out: int, stride: int) -> Any:
    """ReLU → conv 1×7 → conv 7×1 → BN."""
    x = layers.ReLU()(x)
    x = layers.Conv2D(c_out, (1, 7), strides=(1, stride), use_bias=False)(
        pad(x, ((0, 0), (3, 3))))
    x = layers.Conv2D(c_out, (7, 1), strides=(stride, 1), use_bias=False)(
        pad(x, ((3, 3), (0, 0))))
    return bn()(x)


def factorized_reduce(x: Any, c_out: int) -> Any:
    """ReLU → two 1×1 stride-2 convs (the second one shifted by a pixel) → concat → BN."""
    x = layers.ReLU()(x)
    a = layers.Conv2D(c_out // 2, 1, strides=2, use_bias=False)(x)
    shifted = layers.Cropping2D(((1, 0), (1, 0)))(pad(x, ((0, 1), (0, 1))))
    b = layers.Conv2D(c_out - c_out // 2, 1, strides=2, use_bias=False)(shifted)
    return bn()(layers.Concatenate()([a, b]))


def pool(x: Any, family: str, stride: int) -> Any:
    """3×3 max or average pooling, padding 1 (excluded from averages)."""
    layer = layers.MaxPooling2D if family == "max" else layers.AveragePooling2D
    return subsample(layer(3, strides=1, padding="same")(x), stride)


def cell_op(x: Any, name: str, c_in: int, c_out: int, stride: int) -> Any:
    """Apply one cell op of the op table."""
    info = OPS.get(name)
    if info is None or info.kind != "cell":
        raise ValueError(f"the keras backend has no cell op '{name}'")
    k, fam = info.kernel, info.family
    if fam == "conv":
        return relu_conv_bn(x, c_out, k, stride)
    if fam == "sep":
        return sep_conv(x, c_in, c_out, k, stride)
    if fam == "dil":
        return dil_conv(x, c_out, k, stride)
    if fam == "conv7":
        return conv_7x1_1x7(x, c_out, stride)
    if fam == "skip":
        if stride == 2:
            return factorized_reduce(x, c_out)
        return x if c_in == c_out else relu_conv_bn(x, c_out, 1, 1)
    if c_in != c_out:
        raise ShapeError(f"{name} keeps the channels: it cannot map {c_in} to {c_out}")
    if fam in ("max", "avg"):
        return pool(x, fam, stride)
    return layers.Rescaling(0.0)(subsample(x, stride))


def add(terms: list[Any]) -> Any:
    """Sum of tensors (a single tensor as is)."""
    return terms[0] if len(terms) == 1 else layers.Add()(terms)

