"""Keras 3 backend (TensorFlow CPU): Architecture IR → keras.Model, trained with model.fit.

Importing this package sets KERAS_BACKEND=tensorflow before keras is imported. Images are
channels-last inside Keras: the backend transposes (N, C, H, W) arrays at its boundary and
the IR stays channels-first.
"""

import os

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from nasdsl.backends.keras.backend import KerasBackend  # noqa: E402

__all__ = ["KerasBackend"]
