"""IR layers → a functional keras.Model (channels-last), shapes as in nasdsl.space.shapes."""

from __future__ import annotations

from typing import Any

import keras
from keras import layers
from nasdsl.backends.keras.ops import add, bn, cell_op, conv, factorized_reduce, relu_conv_bn

from nasdsl.space.cells import NasnetCell, Nb201Cell
from nasdsl.space.ir import Architecture, Layer
from nasdsl.space.shapes import walk

_ACTIVATIONS = ("relu", "gelu", "tanh", "sigmoid", "swish", "elu")


def activation(x: Any, name: str) -> Any:
    """Apply an activation by IR name ('linear' is none); leaky ReLU has PyTorch's 0.01."""
    if name == "linear":
        return x
    if name == "leaky_relu":
        return layers.LeakyReLU(negative_slope=0.01)(x)
    if name not in _ACTIVATIONS:
        raise ValueError(f"the keras backend has no activation '{name}'")
    return layers.Activation("silu" if name == "swish" else name)(x)


def keras_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    """IR (C, H, W) → Keras (H, W, C); flat shapes unchanged."""
    return (shape[1], shape[2], shape[0]) if len(shape) == 3 else tuple(shape)


def _chain_layer(x: Any, layer: Layer, shape: tuple[int, ...]) -> Any:
    p: dict[str, Any] = layer.params
    op = layer.op
    if op == "dense":
        x = layers.Dense(int(p["units"]), use_bias=bool(p.get("bias", True)))(x)
        return activation(x, p.get("activation", "linear"))
    if op == "conv":
        x = conv(x, int(p["channels"]), int(p.get("kernel", 3)), int(p.get("stride", 1)),
                 bias=bool(p.get("bias", True)))
        return activation(x, p.get("activation", "linear"))
    if op in ("max_pool", "avg_pool"):
        size = int(p.get("size", 2))
        cls = layers.MaxPooling2D if op == "max_pool" else layers.AveragePooling2D
        return cls(size, strides=size)(x)
    if op == "global_avg_pool":
        return layers.GlobalAveragePooling2D()(x)
    if op == "global_max_pool":
        return layers.GlobalMaxPooling2D()(x)
    if op == "flatten":
        if len(shape) == 3:  # flatten in (C, H, W) order, as PyTorch does
            x = layers.Permute((3, 1, 2))(x)
        return layers.Flatten()(x)
    if op == "dropout":
        return layers.Dropout(float(p.get("rate", 0.5)))(x)
    if op == "batch_norm":
        return bn()(x)
    if op == "nb201_cell":
        return _nb201(x, Nb201Cell.from_params(p), shape[0])
    if op == "res_reduce":
        return _res_reduce(x, shape[0], int(p["channels"]))
    return activation(x, op)


def _nasnet(skip: Any, x: Any, cell: NasnetCell, skip_shape: tuple[int, ...],
            shape: tuple[int, ...]) -> Any:
    c = cell.channels
    s0, s1 = skip, x  # an unread input is not preprocessed
    if 0 in cell.read:
        s0 = (relu_conv_bn(skip, c, 1, 1) if skip_shape[1:] == shape[1:]
              else factorized_reduce(skip, c))
    if 1 in cell.read:
        s1 = relu_conv_bn(x, c, 1, 1)
    states = [s0, s1]
    for block in cell.blocks:
        outs = [cell_op(states[s], op, c, c, cell.stride(s))
                for s, op in zip(block.inputs, block.ops, strict=True)]
        if cell.combine == "add":
            states.append(layers.Add()(outs))
        else:
            states.append(relu_conv_bn(layers.Concatenate()(outs), c, 1, 1))
    unused = [states[s] for s in cell.unused]
    return unused[0] if len(unused) == 1 else layers.Concatenate()(unused)


def _nb201(x: Any, cell: Nb201Cell, channels: int) -> Any:
    nodes = [x]
    edges = iter(cell.edge_list())
    for j in range(1, cell.nodes):
        terms = []
        for _ in range(j):
            i, _, op = next(edges)
            terms.append(cell_op(nodes[i], op, channels, channels, 1))
        nodes.append(add(terms))
    return nodes[-1]


def _res_reduce(x: Any, c_in: int, c_out: int) -> Any:
    branch = relu_conv_bn(relu_conv_bn(x, c_out, 3, 2), c_out, 3, 1)
    shortcut = layers.AveragePooling2D(2, strides=2, padding="same")(x)
    shortcut = layers.Conv2D(c_out, 1, use_bias=False)(shortcut)
    return layers.Add()([branch, shortcut])


def build_model(arch: Architecture) -> keras.Model:
    """A functional keras.Model of any IR architecture (chains, NASNet cells, NB201)."""
    inputs = keras.Input(keras_shape(tuple(arch.input_shape)))
    x = skip = inputs
    for layer, shape, skip_shape, _ in walk(arch):
        if layer.op == "cell":
            cell = NasnetCell.from_params(layer.params)
            skip, x = x, _nasnet(skip, x, cell, skip_shape, shape)
        else:
            x = _chain_layer(x, layer, shape)
            skip = x
    return keras.Model(inputs, x)
