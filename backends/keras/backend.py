"""The Keras backend object the runner talks to (TensorFlow, CPU)."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np
from nasdsl.backends.keras.layers import build_model

from nasdsl.run.backend import EpochCallback
from nasdsl.space.ir import Architecture


class _Batches(keras.utils.PyDataset):
    """Shuffled batches of a lazily read split, in channels-last order, reshuffled (seeded)
    after every epoch."""

    def __init__(self, x: Any, y: np.ndarray, batch_size: int, seed: int):
        super().__init__()
        self.x, self.y, self.batch_size = x, y, batch_size
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(y))

    def __len__(self) -> int:
        return -(-len(self.y) // self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        rows = self.order[index * self.batch_size:(index + 1) * self.batch_size]
        return to_channels_last(np.asarray(self.x[rows])), self.y[rows]

    def on_epoch_end(self) -> None:
        self.order = self.rng.permutation(len(self.y))


def to_channels_last(x: np.ndarray) -> np.ndarray:
    """(N, C, H, W) → (N, H, W, C); other arrays unchanged."""
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1)) if x.ndim == 4 else x


def make_optimizer(name: str, params: dict[str, float]) -> keras.optimizers.Optimizer:
    """A Keras optimizer with the IR's names (lr, weight_decay, momentum) and PyTorch's
    epsilons; Keras applies weight decay decoupled (AdamW-style) for every optimizer."""
    lr = float(params.get("lr", 1e-3 if name != "sgd" else 1e-2))
    wd = float(params.get("weight_decay", 0.0)) or None
    momentum = float(params.get("momentum", 0.0))
    if name == "adam":
        return keras.optimizers.Adam(learning_rate=lr, weight_decay=wd, epsilon=1e-8)
    if name == "adamw":
        return keras.optimizers.AdamW(learning_rate=lr, weight_decay=wd or 0.0, epsilon=1e-8)
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=lr, momentum=momentum, weight_decay=wd)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=lr, momentum=momentum, rho=0.99,
                                        epsilon=1e-8, weight_decay=wd)
    raise ValueError(f"the keras backend has no optimizer '{name}'")


class _EpochHook(keras.callbacks.Callback):
    def __init__(self, on_epoch: EpochCallback | None, history: list[float]):
        super().__init__()
        self.on_epoch = on_epoch
        self.history = history

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.history.append(float((logs or {}).get("loss", float("nan"))))
        if self.on_epoch is not None and self.on_epoch(epoch, self.history[-1], self.model):
            self.model.stop_training = True


class KerasBackend:
    """Build, train, evaluate, measure and save IR models with Keras 3 on TensorFlow."""

    name = "keras"

    def weight_sharing_search(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Not supported: the weight-sharing strategies need the PyTorch backend."""
        from nasdsl.run.backend import BackendError

        raise BackendError("the Keras backend does not support weight-sharing strategies "
                           "(enas, darts, ofa): set `backend = torch` to use them")

    def build(self, arch: Architecture, seed: int) -> keras.Model:
        """A fresh, seeded functional model."""
        keras.utils.set_random_seed(seed)
        return build_model(arch)

    def fit(self, model: keras.Model, arch: Architecture, x: np.ndarray, y: np.ndarray,
            seed: int, on_epoch: EpochCallback | None = None) -> list[float]:
        """model.fit with the architecture's optimizer; seeded with set_random_seed."""
        keras.utils.set_random_seed(seed)
        tr = arch.training
        classification = arch.task == "classification"
        loss = (keras.losses.SparseCategoricalCrossentropy(from_logits=True) if classification
                else keras.losses.MeanSquaredError())
        model.compile(optimizer=make_optimizer(tr.optimizer, tr.optimizer_params), loss=loss)
        history: list[float] = []
        target = y if classification else y.reshape(-1, 1)
        hook = [_EpochHook(on_epoch, history)]
        if isinstance(x, np.ndarray):
            model.fit(to_channels_last(x), target, batch_size=tr.batch_size, epochs=tr.epochs,
                      shuffle=True, verbose=0, callbacks=hook)
        else:  # a lazily read split (nasdsl.data.lazy): one batch in memory at a time
            model.fit(_Batches(x, target, tr.batch_size, seed), epochs=tr.epochs, verbose=0,
                      callbacks=hook)
        return history

    def predict(self, model: keras.Model, x: np.ndarray) -> np.ndarray:
        """Logits or values for every row of x (channels-first images are transposed)."""
        if len(x) == 0:
            return np.zeros((0, *model.output_shape[1:]), dtype=np.float32)
        parts = [keras.ops.convert_to_numpy(
            model(to_channels_last(np.asarray(x[i:i + 512])), training=False))
            for i in range(0, len(x), 512)]
        return np.concatenate(parts)

    def count(self, model: keras.Model) -> dict[str, int]:
        """Trainable parameters, and bytes of every weight (BN statistics included)."""
        params = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
        nbytes = sum(int(np.prod(w.shape)) * np.dtype(w.dtype).itemsize for w in model.weights)
        return {"params": params, "model_bytes": nbytes}

    def latency(self, model: keras.Model, arch: Architecture | None = None,
                repeats: int = 50) -> float:
        """Median seconds of a batch-1 forward pass of a compiled (tf.function) call."""
        import tensorflow as tf

        sample = tf.zeros((1, *model.input_shape[1:]), dtype=tf.float32)
        forward = tf.function(lambda t: model(t, training=False))
        for _ in range(5):
            forward(sample)
        times: list[float] = []
        for _ in range(repeats):
            start = time.perf_counter()
            forward(sample).numpy()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    def save(self, model: keras.Model, path: Path) -> Path:
        """The model in Keras' native .keras format."""
        target = path.with_suffix(".keras")
        model.save(target)
        return target

    def build_application(self, name: str, input_shape: tuple[int, ...], outputs: int,
                          seed: int, weights: str = "none", trainable: bool = True,
                          input_size: int = 32) -> keras.Model:
        """A keras.applications network (e.g. 'keras.NASNetMobile') with a new output layer."""
        from nasdsl.backends.keras.applications import build_application

        keras.utils.set_random_seed(seed)
        return build_application(name, input_shape, outputs, weights, trainable, input_size)

    def describe(self, model: Any) -> str:
        """The layer summary, for debugging."""
        lines: list[str] = []
        model.summary(print_fn=lines.append)
        return "\n".join(lines)
