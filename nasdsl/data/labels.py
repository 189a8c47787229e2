"""Label arrays: class labels (integers, strings, one-hot rows) or regression values."""

from __future__ import annotations

import numpy as np

from nasdsl.data.errors import DataError, short


def encode_labels(y: np.ndarray, task: str, source: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """(targets, class names): class indices in sorted label order, or float values.

    Accepted: shape (N,) or (N, 1); for classification also (N, K) one-hot rows.
    """
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    elif y.ndim == 2 and task == "classification" and _one_hot(y):
        return y.argmax(axis=1).astype(np.int64), tuple(str(i) for i in range(y.shape[1]))
    if y.ndim != 1:
        raise DataError(f"{source}: labels must be one value a sample, shape (N,), "
                        f"not {tuple(y.shape)}")
    if task == "regression":
        if y.dtype.kind not in "iufb":
            raise DataError(f"{source}: a regression target must be numbers, not {y.dtype}")
        values = y.astype(np.float64)
        bad = np.flatnonzero(~np.isfinite(values))
        if len(bad):
            raise DataError(f"{source}: target {int(bad[0])} is {values[bad[0]]} "
                            f"({len(bad)} non-finite targets)")
        return values, ()
    if y.dtype.kind == "f":
        bad = np.flatnonzero(~np.isfinite(y) | (y != np.round(y)))
        if len(bad):
            raise DataError(f"{source}: label {int(bad[0])} is {y[bad[0]]!r}, not a class; "
                            "for numeric targets set `task = regression` in the data block")
        y = y.astype(np.int64)
    elif y.dtype.kind not in "iubUS":
        raise DataError(f"{source}: labels of type {y.dtype} cannot be classes "
                        "(integers or strings are)")
    labels, encoded = np.unique(y, return_inverse=True)
    if len(labels) < 2:
        raise DataError(f"{source}: the labels hold one class only ({short(labels[0])}); "
                        "classification needs at least two")
    return encoded.astype(np.int64).reshape(-1), tuple(str(v) for v in labels.tolist())


def _one_hot(y: np.ndarray) -> bool:
    return y.dtype.kind in "iufb" and bool(np.isin(y, (0, 1)).all()) \
        and bool((y.sum(axis=1) == 1).all())
