"""The op library: one name per op, shared by every backend, with its exact cost formulas.

Every backend maps every name of `OPS` (the tests check it), so an architecture found
with one framework rebuilds in the other with the same parameter count.

Conventions (static figures are exact for both backends):

* Shapes are channels-first `(C, H, W)` in the IR; the Keras backend transposes at its
  boundary.
* `params` counts trainable parameters.
* `model_bytes` is 4 bytes (float32) × every floating-point weight of the model:
  trainable parameters plus the batch-norm running mean and variance (non-trainable).
  PyTorch's int64 `num_batches_tracked` counter is a bookkeeping counter, not a weight:
  it is excluded (Keras has none), so the figure is the same for both frameworks.
* `flops` counts 2 × multiply-adds of convolutions and dense layers, 2 per element for
  batch norm, one per element of an addition and window size per output of a pooling;
  activations are free. One forward pass of one sample.
* Cell ops (`kind == "cell"`) map `c_in` channels to `c_out` with a stride of 1 or 2 and
  "same"-style padding: the output side is ceil(side / stride). Every convolution in a cell
  op has no bias and is followed by batch norm (affine, with running statistics, eps 1e-5,
  momentum 0.1 in PyTorch terms). Pools and the zero op need `c_in == c_out`.
"""

from __future__ import annotations

from dataclasses import dataclass

FLOAT_BYTES = 4


class ShapeError(ValueError):
    """The architecture cannot be built (e.g. pooling shrinks the image to nothing)."""


@dataclass(frozen=True)
class Cost:
    """Output shape, trainable params, non-trainable floats (BN statistics) and FLOPs."""

    shape: tuple[int, ...]
    params: int = 0
    buffers: int = 0
    flops: int = 0

    @property
    def model_bytes(self) -> int:
        """Bytes of every float32 weight: params and buffers."""
        return (self.params + self.buffers) * FLOAT_BYTES

    def then(self, other: Cost) -> Cost:
        """This cost followed by another one (the shape is the other's)."""
        return Cost(other.shape, self.params + other.params, self.buffers + other.buffers,
                    self.flops + other.flops)


@dataclass(frozen=True)
class OpInfo:
    """One entry of the op table."""

    name: str
    kind: str  # "cell": a cell op (c_in → c_out, stride); "layer": a chain layer; "block"
    doc: str
    params: str  # the parameter-count formula, in words
    kernel: int = 0
    family: str = ""  # cell ops: conv | sep | dil | conv7 | max | avg | skip | zero


def _cell(name: str, family: str, kernel: int, doc: str, params: str) -> OpInfo:
    return OpInfo(name, "cell", doc, params, kernel, family)


_C = "c = c_in, o = c_out, k = kernel"
OPS: dict[str, OpInfo] = {
    o.name: o
    for o in [
        _cell("conv_1x1", "conv", 1, "ReLU → conv 1×1 (stride s) → batch norm.",
              f"c·o·k² + 2o ({_C})"),
        _cell("conv_3x3", "conv", 3, "ReLU → conv 3×3 (stride s) → batch norm.",
              f"c·o·k² + 2o ({_C})"),
        _cell("conv_5x5", "conv", 5, "ReLU → conv 5×5 (stride s) → batch norm.",
              f"c·o·k² + 2o ({_C})"),
        _cell("nor_conv_1x1", "conv", 1, "NAS-Bench-201 name of conv_1x1 (ReLU-conv-BN).",
              f"c·o·k² + 2o ({_C})"),
        _cell("nor_conv_3x3", "conv", 3, "NAS-Bench-201 name of conv_3x3 (ReLU-conv-BN).",
              f"c·o·k² + 2o ({_C})"),
        _cell("sep_conv_3x3", "sep", 3, "NASNet separable conv, twice: ReLU → depthwise k×k "
              "→ pointwise 1×1 → BN (the first depthwise conv carries the stride).",
              f"2·c·k² + c² + c·o + 2c + 2o ({_C})"),
        _cell("sep_conv_5x5", "sep", 5, "As sep_conv_3x3 with 5×5 depthwise kernels.",
              f"2·c·k² + c² + c·o + 2c + 2o ({_C})"),
        _cell("sep_conv_7x7", "sep", 7, "As sep_conv_3x3 with 7×7 depthwise kernels.",
              f"2·c·k² + c² + c·o + 2c + 2o ({_C})"),
        _cell("dil_conv_3x3", "dil", 3, "ReLU → depthwise 3×3 with dilation 2 → pointwise "
              "1×1 → BN.", f"c·k² + c·o + 2o ({_C})"),
        _cell("dil_conv_5x5", "dil", 5, "ReLU → depthwise 5×5 with dilation 2 → pointwise "
              "1×1 → BN.", f"c·k² + c·o + 2o ({_C})"),
        _cell("conv_7x1_1x7", "conv7", 7, "ReLU → conv 1×7 → conv 7×1 → BN (the stride is "
              "split between the two).", "7·c·o + 7·o² + 2o"),
        _cell("max_pool_3x3", "max", 3, "3×3 max pooling, padding 1.", "0"),
        _cell("avg_pool_3x3", "avg", 3, "3×3 average pooling, padding 1, padding excluded "
              "from the average.", "0"),
        _cell("identity", "skip", 0, "The input itself; with stride 2 a factorized reduce "
              "(ReLU → two 1×1 convs of stride 2, the second on the input shifted by one "
              "pixel → concat → BN); with c_in ≠ c_out at stride 1, ReLU-conv 1×1-BN.",
              "0, or c·o + 2o when it reduces or changes channels"),
        _cell("skip_connect", "skip", 0, "NAS-Bench-201 name of identity.",
              "0, or c·o + 2o when it reduces or changes channels"),
        _cell("none", "zero", 0, "The zero op: an absent edge (zeros of the output shape).",
              "0"),
        _cell("zero", "zero", 0, "Another name of none.", "0"),
        OpInfo("dense", "layer", "Fully connected layer.", "fan_in·units + units (bias)"),
        OpInfo("conv", "layer", "Chain conv k×k with padding k // 2, bias, optional activation.",
               "c·o·k² + o (bias)"),
        OpInfo("max_pool", "layer", "Chain max pooling, window = stride = size.", "0"),
        OpInfo("avg_pool", "layer", "Chain average pooling, window = stride = size.", "0"),
        OpInfo("global_avg_pool", "layer", "Average over H×W: C×H×W → C.", "0"),
        OpInfo("global_max_pool", "layer", "Maximum over H×W: C×H×W → C.", "0"),
        OpInfo("flatten", "layer", "C×H×W → one vector in (C, H, W) order.", "0"),
        OpInfo("dropout", "layer", "Zero a fraction `rate` of activations while training.", "0"),
        OpInfo("batch_norm", "layer", "Batch norm over features or channels.",
               "2·features (+ 2·features non-trainable statistics)"),
        *[OpInfo(a, "layer", f"Activation layer {a}.", "0")
          for a in ("relu", "gelu", "swish", "tanh", "sigmoid", "elu", "leaky_relu")],
        OpInfo("cell", "block", "A NASNet-style cell (see nasdsl.space.cells.NasnetCell).",
               "sum of its preprocessing, ops and projections"),
        OpInfo("nb201_cell", "block", "A NAS-Bench-201 DAG cell (nasdsl.space.cells.Nb201Cell).",
               "sum of its edge ops"),
        OpInfo("res_reduce", "block", "NAS-Bench-201 residual reduction block "
               "(nasdsl.space.cells.ResReduce).", "9·c·o + 9·o² + 4o + c·o"),
    ]
}

CELL_OPS: tuple[str, ...] = tuple(n for n, o in OPS.items() if o.kind == "cell")
NB201_OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3",
                              "avg_pool_3x3")


def reduce_side(side: int, stride: int) -> int:
    """Output side of a cell op: ceil(side / stride)."""
    return (side - 1) // stride + 1


def relu_conv_bn(c_in: int, c_out: int, kernel: int, h: int, w: int, stride: int) -> Cost:
    """ReLU → conv k×k (no bias, stride) → BN."""
    oh, ow = reduce_side(h, stride), reduce_side(w, stride)
    n = oh * ow
    return Cost((c_out, oh, ow), c_in * c_out * kernel * kernel + 2 * c_out, 2 * c_out,
                2 * c_in * kernel * kernel * c_out * n + 2 * c_out * n)


def factorized_reduce(c_in: int, c_out: int, h: int, w: int) -> Cost:
    """ReLU → two 1×1 stride-2 convs (c_out // 2 and the rest) → concat → BN."""
    oh, ow = reduce_side(h, 2), reduce_side(w, 2)
    n = oh * ow
    return Cost((c_out, oh, ow), c_in * c_out + 2 * c_out, 2 * c_out,
                2 * c_in * c_out * n + 2 * c_out * n)


def cell_op_cost(name: str, c_in: int, c_out: int, h: int, w: int, stride: int) -> Cost:
    """Exact cost of one cell op on a (c_in, h, w) input."""
    info = OPS.get(name)
    if info is None or info.kind != "cell":
        raise ShapeError(f"'{name}' is not a cell op (known: {', '.join(CELL_OPS)})")
    if stride not in (1, 2):
        raise ShapeError(f"cell op {name} supports stride 1 or 2, not {stride}")
    k, fam = info.kernel, info.family
    oh, ow = reduce_side(h, stride), reduce_side(w, stride)
    n = oh * ow
    if fam == "conv":
        return relu_conv_bn(c_in, c_out, k, h, w, stride)
    if fam == "sep":
        first = Cost((c_in, oh, ow), 2 * c_in + c_in * k * k + c_in * c_in, 2 * c_in,
                     2 * c_in * k * k * n + 2 * c_in * c_in * n + 2 * c_in * n)
        second = Cost((c_out, oh, ow), c_in * k * k + c_in * c_out + 2 * c_out, 2 * c_out,
                      2 * c_in * k * k * n + 2 * c_in * c_out * n + 2 * c_out * n)
        return first.then(second)
    if fam == "dil":
        return Cost((c_out, oh, ow), c_in * k * k + c_in * c_out + 2 * c_out, 2 * c_out,
                    2 * c_in * k * k * n + 2 * c_in * c_out * n + 2 * c_out * n)
    if fam == "conv7":
        return Cost((c_out, oh, ow), 7 * c_in * c_out + 7 * c_out * c_out + 2 * c_out,
                    2 * c_out,
                    2 * 7 * c_in * c_out * h * ow + 2 * 7 * c_out * c_out * n + 2 * c_out * n)
    if fam == "skip":
        if stride == 2:
            return factorized_reduce(c_in, c_out, h, w)
        if c_in != c_out:
            return relu_conv_bn(c_in, c_out, 1, h, w, 1)
        return Cost((c_in, h, w))
    if c_in != c_out:
        raise ShapeError(f"{name} keeps the channels: it cannot map {c_in} to {c_out}")
    if fam in ("max", "avg"):
        return Cost((c_out, oh, ow), flops=c_out * n * k * k)
    return Cost((c_out, oh, ow))  # zero
