"""Splits read batch by batch: images scaled on read, never held whole as float32.

A memory-mapped `.npy` source may be larger than the machine's memory. Its splits are
`ScaledRows`: a split's row indices into the raw (uint8 or float) array and the scaling
of the training split. Indexing with an int, a slice or an index array reads those rows
(in file order, for the page cache), scales them to float32 and returns a NumPy array;
`len`, `shape`, `dtype` and `reshape` behave like the array it stands for. The backends'
loaders (a torch DataLoader, a Keras PyDataset) and their batched predictions read it a
batch at a time; `numpy.asarray` materialises it for the few consumers that need a whole
split at once (the final phase's concatenation of train and val, a supernet).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nasdsl.data import images_scaling

_CHUNK = 4096


class ScaledRows:
    """The scaled float32 rows `rows` of a raw image array (N, C, H, W), read on demand."""

    def __init__(self, source: Any, rows: np.ndarray, scaling: dict[str, Any],
                 row_shape: tuple[int, ...] | None = None):
        self.source = source
        self.rows = np.asarray(rows)
        self.scaling = scaling
        self.row_shape = tuple(row_shape or source.shape[1:])
        if math.prod(self.row_shape) != math.prod(source.shape[1:]):
            raise ValueError(f"cannot view rows of shape {tuple(source.shape[1:])} as "
                             f"{self.row_shape}")
        self.dtype = np.dtype(np.float32)

    @property
    def shape(self) -> tuple[int, ...]:
        """(rows, *row shape), as the materialised array's."""
        return (len(self.rows), *self.row_shape)

    @property
    def ndim(self) -> int:
        """Number of dimensions, as the materialised array's."""
        return len(self.shape)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, key: Any) -> np.ndarray:
        picked = self.rows[key]
        if np.ndim(picked) == 0:
            return self[np.array([key])][0]
        picked = np.asarray(picked)
        order = np.argsort(picked, kind="stable")
        raw = np.asarray(self.source[picked[order]])
        batch = np.empty_like(raw, dtype=np.float32) if len(raw) else raw.astype(np.float32)
        batch[order] = images_scaling.apply(raw, self.scaling)
        return batch.reshape(len(picked), *self.row_shape)

    def reshape(self, *shape: Any) -> ScaledRows:
        """The same rows viewed with another row shape, e.g. (n, C·H·W) for a flat space."""
        if len(shape) == 1 and isinstance(shape[0], tuple):
            shape = shape[0]
        if shape[0] not in (-1, len(self)):
            raise ValueError(f"cannot reshape {len(self)} rows into {shape}")
        return ScaledRows(self.source, self.rows, self.scaling, tuple(shape[1:]))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        parts = [self[start:start + _CHUNK] for start in range(0, len(self), _CHUNK)]
        whole = np.concatenate(parts) if parts else np.empty(self.shape, dtype=np.float32)
        return whole.astype(dtype) if dtype is not None else whole
