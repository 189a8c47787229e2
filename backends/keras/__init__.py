"""Keras 3 backend (TensorFlow CPU): Architecture IR → keras.Model, trained with model.fit.

Importing this package sets KERAS_BACKEND=tensorflow before keras is imported, and loads
TensorFlow with its start-up notices filtered out (nasdsl.backends.keras.quiet). Images
are channels-last inside Keras: the backend transposes (N, C, H, W) arrays at its boundary
and the IR stays channels-first.
"""

import os

from nasdsl.backends.keras.quiet import environment, quiet_stderr

os.environ["KERAS_BACKEND"] = "tensorflow"
environment()

with quiet_stderr():
    import tensorflow  # noqa: F401  (its C++ notices are printed while it loads)
    from nasdsl.backends.keras.backend import KerasBackend

__all__ = ["KerasBackend"]
