"""The built-in datasets (shipped with scikit-learn): loaded, split and scaled."""

from __future__ import annotations

from typing import Any

import numpy as np

from nasdsl.data.dataset import Dataset, finish
from nasdsl.data.splits import split_rows
from nasdsl.lang import registry as reg


def load(config: dict[str, Any]) -> Dataset:
    """Load a built-in dataset; an image dataset as (N, C, H, W)."""
    from sklearn import datasets as skd

    data_cfg = config["data"]
    spec = reg.DATASETS[data_cfg["source"]]
    bunch = getattr(skd, spec.loader)()
    x = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target)
    classification = spec.task is reg.Task.CLASSIFICATION
    x_train, y_train, x_val, y_val, x_test, y_test = split_rows(config, x, y, classification)

    if spec.image_shape is not None:
        # Pixel intensities: one global scale keeps images images.
        scale = float(x_train.max()) or 1.0
        xs = [a / scale for a in (x_train, x_val, x_test)]
    else:  # the spec's preprocess block (numeric scaling), fitted on the training rows
        from nasdsl.data.preprocess import transform_splits

        xs = transform_splits(data_cfg.get("preprocess"), x_train, x_val, x_test,
                              normalize=data_cfg.get("normalize"))
    if spec.image_shape is not None:
        xs = [a.reshape((-1, *spec.image_shape)) for a in xs]
    names = tuple(str(n) for n in getattr(bunch, "target_names", ())) if classification else ()
    return finish(spec.name, spec.task.value, spec.classes, xs, [y_train, y_val, y_test],
                  class_names=names)
