"""Several trained Keras models as one: an averaging ensemble saved as one .keras file.

Classification members' softmax probabilities are averaged and the model returns their
logarithm; regression members' outputs are averaged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keras
import numpy as np
from nasdsl.backends.keras.backend import to_channels_last
from nasdsl.backends.keras.export import load_trained

from nasdsl.space.ir import Architecture

SUFFIX = ".keras"


@keras.saving.register_keras_serializable(package="nasdsl")
class Log(keras.layers.Layer):
    """log(max(p, 1e-12)): averaged probabilities back to logits-like scores."""

    def call(self, p: Any) -> Any:
        """The elementwise logarithm."""
        return keras.ops.log(keras.ops.maximum(p, 1e-12))

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Unchanged."""
        return input_shape


def load_member(arch: Architecture, model_file: Path) -> keras.Model:
    """One trained member."""
    return load_trained(model_file)


def build(members: list[tuple[Architecture, Path]]) -> keras.Model:
    """The ensemble of saved models (architecture, .keras file) as one functional model."""
    if not members:
        raise ValueError("an ensemble needs at least one member")
    models = [load_member(a, f) for a, f in members]
    shapes = {tuple(m.input_shape[1:]) for m in models}
    if len(shapes) > 1:
        raise ValueError(f"the members read different inputs ({sorted(shapes)}); "
                         "they cannot be averaged as one model")
    inputs = keras.Input(shape=models[0].input_shape[1:])
    for i, m in enumerate(models):
        m.name = f"member_{i}"
    outs = [m(inputs) for m in models]
    if members[0][0].task == "classification":
        probs = [keras.layers.Softmax()(o) for o in outs]
        mean = keras.layers.Average()(probs) if len(probs) > 1 else probs[0]
        out = Log(name="log")(mean)
    else:
        out = keras.layers.Average()(outs) if len(outs) > 1 else outs[0]
    return keras.Model(inputs, out, name="ensemble")


def save(ensemble: keras.Model, arch: Architecture, path: Path, meta: dict[str, Any]) -> Path:
    """One .keras file holding every member; `meta` in a .json sidecar."""
    ensemble.save(path)
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return path


def load(path: Path) -> keras.Model:
    """A saved ensemble."""
    return keras.models.load_model(path)


def predict(model: Any, x: np.ndarray) -> np.ndarray:
    """Predictions of the ensemble for numpy rows (IR layout: channels first)."""
    return np.asarray(model.predict(to_channels_last(np.asarray(x)), verbose=0))
