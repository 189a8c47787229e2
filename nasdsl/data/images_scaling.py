"""How image inputs are scaled: uint8 to [0, 1], then per channel by `normalize`.

* uint8 pixels are divided by 255; other dtypes are taken as they are (float images are
  expected in a range of their own choosing, e.g. [0, 1]);
* `normalize = standard` (the default) then subtracts each channel's mean and divides by
  its standard deviation, `minmax` maps each channel's minimum and maximum to 0 and 1,
  `none` stops after the uint8 step.

The statistics come from the training split only. The result (`scale`, `mean`, `std`
per channel) travels with the dataset, so an exported model can carry the same step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

CHUNK = 4096  # rows per pass when reading statistics off a memory-mapped array


def channel_statistics(x: np.ndarray, rows: np.ndarray, scale: float,
                       normalize: str) -> dict[str, Any]:
    """{scale, mean, std} for images `x` (N, C, H, W) over the training `rows`."""
    channels = x.shape[1]
    mean = np.zeros(channels)
    std = np.ones(channels)
    if normalize == "standard" and len(rows):
        total = np.zeros(channels)
        squares = np.zeros(channels)
        count = 0
        for start in range(0, len(rows), CHUNK):
            batch = np.asarray(x[np.sort(rows[start:start + CHUNK])], dtype=np.float64) * scale
            total += batch.sum(axis=(0, 2, 3))
            squares += (batch ** 2).sum(axis=(0, 2, 3))
            count += batch.shape[0] * batch.shape[2] * batch.shape[3]
        mean = total / count
        std = np.sqrt(np.maximum(squares / count - mean ** 2, 0.0))
    elif normalize == "minmax" and len(rows):
        low = np.full(channels, np.inf)
        high = np.full(channels, -np.inf)
        for start in range(0, len(rows), CHUNK):
            batch = np.asarray(x[np.sort(rows[start:start + CHUNK])], dtype=np.float64) * scale
            low = np.minimum(low, batch.min(axis=(0, 2, 3)))
            high = np.maximum(high, batch.max(axis=(0, 2, 3)))
        mean, std = low, high - low
    std = np.where(std > 1e-12, std, 1.0)
    return {"kind": "image", "scale": float(scale), "mean": mean.tolist(), "std": std.tolist()}


def apply(batch: np.ndarray, scaling: dict[str, Any]) -> np.ndarray:
    """Raw images (N, C, H, W) → the float32 inputs the network sees."""
    shape = (1, -1, 1, 1)
    out = batch.astype(np.float32) * np.float32(scaling["scale"])
    out -= np.asarray(scaling["mean"], dtype=np.float32).reshape(shape)
    out /= np.asarray(scaling["std"], dtype=np.float32).reshape(shape)
    return out


def pixel_scale(dtype: np.dtype) -> float:
    """1/255 for uint8 pixels, 1 otherwise."""
    return 1.0 / 255.0 if dtype == np.uint8 else 1.0

