"""Load a built-in dataset and split it: train/val/test, stratified, seeded, normalised."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nasdsl.lang import registry as reg


@dataclass(frozen=True)
class Dataset:
    """The three splits as float32 arrays; regression targets are standardised."""

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

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of one split: 'train', 'val' or 'test'."""
        return getattr(self, f"x_{name}"), getattr(self, f"y_{name}")


def load_data(config: dict[str, Any], image: bool) -> Dataset:
    """Load `config['data']`; `image` reshapes an image dataset to (N, C, H, W)."""
    from sklearn import datasets as skd

    data_cfg = config["data"]
    if data_cfg.get("kind", "builtin") not in (None, "builtin"):
        from nasdsl.practice.tabular import load_table_data

        return load_table_data(config)  # csv(…): read, split and preprocess the table
    spec = reg.DATASETS[data_cfg["source"]]
    bunch = getattr(skd, spec.loader)()
    x = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target)
    classification = spec.task is reg.Task.CLASSIFICATION
    from nasdsl.practice.tabular import split_rows

    # the one split (and pilot subset) rule, shared with CSV tables
    x_train, y_train, x_val, y_val, x_test, y_test = split_rows(config, x, y, classification)

    if spec.image_shape is not None:
        # Pixel intensities: one global scale keeps images images.
        scale = float(x_train.max()) or 1.0
        xs = [a / scale for a in (x_train, x_val, x_test)]
    else:  # the spec's preprocess block (numeric scaling), fitted on the training rows
        from nasdsl.practice.preprocess import transform_splits

        xs = transform_splits(data_cfg.get("preprocess"), x_train, x_val, x_test,
                              normalize=data_cfg.get("normalize"))
    if image and spec.image_shape is not None:
        xs = [a.reshape((-1, *spec.image_shape)) for a in xs]
    xs = [a.astype(np.float32) for a in xs]

    y_mean, y_std = 0.0, 1.0
    if classification:
        ys = [a.astype(np.int64) for a in (y_train, y_val, y_test)]
    else:
        y_mean, y_std = float(y_train.mean()), float(y_train.std()) or 1.0
        ys = [((a - y_mean) / y_std).astype(np.float32) for a in (y_train, y_val, y_test)]
    return Dataset(spec.name, spec.task.value, spec.classes, xs[0], ys[0], xs[1], ys[1], xs[2],
                   ys[2], y_mean, y_std)
