"""Export a trained Keras model: the native .keras file, ONNX, or a readable builder function.

`source` walks the functional graph in topological order and writes one line per layer
(`x3 = layers.Dense(32, name="dense_1")(x2)`), keeping the layer names so the saved
`.weights.h5` loads into the rebuilt model. The file imports only keras.
"""

from __future__ import annotations

import json
import pprint
from pathlib import Path
from typing import Any

import keras

from nasdsl.space.ir import Architecture

# Constructor arguments worth writing, per layer class (the rest are Keras' defaults).
_ARGS = {
    "Dense": ("units", "use_bias"),
    "Conv2D": ("filters", "kernel_size", "strides", "padding", "dilation_rate", "groups",
               "use_bias"),
    "DepthwiseConv2D": ("kernel_size", "strides", "padding", "dilation_rate", "use_bias"),
    "BatchNormalization": ("axis", "epsilon", "momentum"),
    "Activation": ("activation",),
    "Dropout": ("rate",),
    "MaxPooling2D": ("pool_size", "strides", "padding"),
    "AveragePooling2D": ("pool_size", "strides", "padding"),
    "ZeroPadding2D": ("padding",),
    "Permute": ("dims",),
    "LeakyReLU": ("negative_slope",),
    "Concatenate": ("axis",),
    "ReLU": (), "Add": (), "Flatten": (), "GlobalAveragePooling2D": (),
    "GlobalMaxPooling2D": (),
}


def load_trained(model_file: Path) -> keras.Model:
    """The model the run saved (.keras)."""
    return keras.models.load_model(model_file)


def _layer_code(layer: Any) -> str:
    cls = type(layer).__name__
    cfg = layer.get_config()
    if cls in _ARGS and type(layer).__module__.startswith("keras"):
        args = [f"{k}={cfg[k]!r}" for k in _ARGS[cls] if k in cfg]
        return f"layers.{cls}({', '.join([*args, f'name={layer.name!r}'])})"
    if not hasattr(keras.layers, cls):
        raise ValueError(f"cannot write the layer class {cls} as source")
    return f"layers.{cls}.from_config({cfg!r})"


def _inputs_of(layer: Any) -> list[str]:
    node = layer._inbound_nodes[0]
    return [t._keras_history.operation.name for t in node.input_tensors]


def keras_source(model: keras.Model, meta: dict[str, Any], weights_name: str) -> str:
    """Readable standalone Python source of a builder function for the model."""
    names: dict[str, str] = {}
    lines = []
    shape = tuple(model.input_shape[1:])
    for i, layer in enumerate(model.layers):
        var = f"x{i}"
        names[layer.name] = var
        if isinstance(layer, keras.layers.InputLayer):
            lines.append(f"    {var} = keras.Input(shape={shape!r}, name={layer.name!r})")
            inputs = var
            continue
        sources = [names[n] for n in _inputs_of(layer)]
        arg = sources[0] if len(sources) == 1 else f"[{', '.join(sources)}]"
        lines.append(f"    {var} = {_layer_code(layer)}({arg})")
    output = names[model.layers[-1].name]
    arch_text = pprint.pformat(meta["architecture"], width=96, sort_dicts=False)
    body = "\n".join(lines)
    return f'''"""{meta["description"]}

Exported by nasdsl {meta["nasdsl_version"]} from experiment {meta["experiment"]!r},
trial {meta["trial"]} ({meta["objective"]}). Standalone: needs only Keras 3.
Images are channels-last (batch, height, width, channels).

    model = build_model()
    model.load_weights("{weights_name}")
    logits = model.predict(x)
"""

import keras
from keras import layers

SPEC_SHA256 = {meta["spec_sha256"]!r}
# The nasdsl architecture IR of this network (its shapes are channels-first).
ARCHITECTURE = {arch_text}


def build_model() -> keras.Model:
    """The exported network, untrained; load the weights file to get the trained one."""
{body}
    return keras.Model({inputs}, {output})


if __name__ == "__main__":
    net = build_model()
    net.load_weights("{weights_name}")
    net.summary()
'''


def export(fmt: str, arch: Architecture, model_file: Path, stem: Path,
           meta: dict[str, Any]) -> list[Path]:
    """Export the trained model in one format; `stem` is the output path without suffix."""
    model = load_trained(model_file)
    if fmt == "keras":
        path = stem.with_suffix(".keras")
        model.save(path)
        return [path]
    if fmt == "source":
        path, weights = stem.with_suffix(".py"), stem.with_suffix(".weights.h5")
        path.write_text(keras_source(model, meta, weights.name), encoding="utf-8")
        model.save_weights(weights)
        return [path, weights]
    if fmt == "onnx":
        path = stem.with_suffix(".onnx")
        try:
            model.export(str(path), format="onnx", verbose=False)
        except ImportError as err:
            raise ImportError(f"ONNX export of Keras models needs tf2onnx ({err}); "
                              "or run with backend = torch") from err
        import onnx

        graph = onnx.load(str(path))
        for key, value in meta.items():
            entry = graph.metadata_props.add()
            entry.key = f"nasdsl.{key}"
            entry.value = value if isinstance(value, str) else json.dumps(value)
        onnx.save(graph, str(path))
        return [path]
    raise ValueError(f"the keras backend cannot export '{fmt}' (keras, source, onnx)")
