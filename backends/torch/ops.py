"""The cell ops of nasdsl.space.ops as torch modules (exact param counts of the op table)."""

from __future__ import annotations

import torch
from torch import nn

from nasdsl.space.ops import OPS, ShapeError


def bn(channels: int) -> nn.BatchNorm2d:
    """Batch norm as every cell op uses it (affine, running statistics)."""
    return nn.BatchNorm2d(channels, eps=1e-5, momentum=0.1)


class ReLUConvBN(nn.Sequential):
    """ReLU → conv k×k (no bias) → BN."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int):
        super().__init__(nn.ReLU(), nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2,
                                              bias=False), bn(c_out))


class SepConv(nn.Sequential):
    """NASNet separable conv: (ReLU → depthwise → pointwise → BN) twice."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int):
        pad = kernel // 2
        super().__init__(
            nn.ReLU(), nn.Conv2d(c_in, c_in, kernel, stride, pad, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_in, 1, bias=False), bn(c_in),
            nn.ReLU(), nn.Conv2d(c_in, c_in, kernel, 1, pad, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False), bn(c_out))


class DilConv(nn.Sequential):
    """ReLU → dilated depthwise conv (dilation 2) → pointwise → BN."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int):
        super().__init__(
            nn.ReLU(), nn.Conv2d(c_in, c_in, kernel, stride, 2 * (kernel // 2), dilation=2,
                                 groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False), bn(c_out))


class Conv7x1x7(nn.Sequential):
    """ReLU → conv 1×7 (stride along width) → conv 7×1 (stride along height) → BN."""

    def __init__(self, c_in: int, c_out: int, stride: int):
        super().__init__(
            nn.ReLU(), nn.Conv2d(c_in, c_out, (1, 7), (1, stride), (0, 3), bias=False),
            nn.Conv2d(c_out, c_out, (7, 1), (stride, 1), (3, 0), bias=False), bn(c_out))


class FactorizedReduce(nn.Module):
    """ReLU → two 1×1 stride-2 convs, the second on the input shifted by one pixel → BN."""

    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv_a = nn.Conv2d(c_in, c_out // 2, 1, 2, bias=False)
        self.conv_b = nn.Conv2d(c_in, c_out - c_out // 2, 1, 2, bias=False)
        self.pad = nn.ConstantPad2d((0, 1, 0, 1), 0.0)
        self.bn = bn(c_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Halve the spatial size, map the channels."""
        x = self.relu(x)
        shifted = self.pad(x)[:, :, 1:, 1:]
        return self.bn(torch.cat([self.conv_a(x), self.conv_b(shifted)], dim=1))


class Zero(nn.Module):
    """The zero op: zeros of the output shape."""

    def __init__(self, stride: int):
        super().__init__()
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Zeros, subsampled by the stride."""
        return x[:, :, ::self.stride, ::self.stride].mul(0.0)


def cell_op(name: str, c_in: int, c_out: int, stride: int) -> nn.Module:
    """The module of a cell op of the op table."""
    info = OPS.get(name)
    if info is None or info.kind != "cell":
        raise ValueError(f"the torch backend has no cell op '{name}'")
    k, fam = info.kernel, info.family
    if fam == "conv":
        return ReLUConvBN(c_in, c_out, k, stride)
    if fam == "sep":
        return SepConv(c_in, c_out, k, stride)
    if fam == "dil":
        return DilConv(c_in, c_out, k, stride)
    if fam == "conv7":
        return Conv7x1x7(c_in, c_out, stride)
    if fam == "skip":
        if stride == 2:
            return FactorizedReduce(c_in, c_out)
        return nn.Identity() if c_in == c_out else ReLUConvBN(c_in, c_out, 1, 1)
    if c_in != c_out:
        raise ShapeError(f"{name} keeps the channels: it cannot map {c_in} to {c_out}")
    if fam == "max":
        return nn.MaxPool2d(3, stride, 1)
    if fam == "avg":
        return nn.AvgPool2d(3, stride, 1, count_include_pad=False)
    return Zero(stride)
