"""The loaded, split and scaled data a trial trains on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Dataset:
    """The three splits as float32 arrays; regression targets are standardised.

    `class_names` lists the labels in the order of the output units; `input_scaling`
    says how raw inputs were scaled (what an exported model must apply, or has built
    in); `fingerprint` identifies the data files as read.
    """

    name: str
    task: str
    classes: int
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    y_mean: float = 0.0
    y_std: float = 1.0
    class_names: tuple[str, ...] = ()
    input_scaling: dict[str, Any] = field(default_factory=dict)
    fingerprint: str = ""

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of one split: 'train', 'val' or 'test'."""
        return getattr(self, f"x_{name}"), getattr(self, f"y_{name}")


def finish(name: str, task: str, classes: int, xs: list[np.ndarray], ys: list[np.ndarray],
           **extra: Any) -> Dataset:
    """A Dataset from the (train, val, test) features and targets.

    Features become float32; class targets int64; regression targets are standardised
    with the training split's mean and deviation (kept to report metrics in the units
    of the data).
    """
    y_mean, y_std = 0.0, 1.0
    if task == "classification":
        ys = [np.asarray(a).astype(np.int64) for a in ys]
    else:
        y_train = np.asarray(ys[0], dtype=np.float64)
        y_mean, y_std = float(y_train.mean()), float(y_train.std()) or 1.0
        ys = [((np.asarray(a, dtype=np.float64) - y_mean) / y_std).astype(np.float32)
              for a in ys]
    # arrays become float32; lazily read splits (nasdsl.data.lazy) stay as they are
    xs = [np.asarray(a, dtype=np.float32) if isinstance(a, np.ndarray | list) else a
          for a in xs]
    return Dataset(name, task, classes, xs[0], ys[0], xs[1], ys[1], xs[2], ys[2], y_mean,
                   y_std, **extra)
