"""Image sources as datasets: split, scaled with the training split's statistics."""

from __future__ import annotations

from typing import Any

import numpy as np

from nasdsl.data.dataset import Dataset, finish
from nasdsl.data.images_scaling import apply, channel_statistics, pixel_scale
from nasdsl.data.lazy import ScaledRows


def image_dataset(name: str, task: str, x: Any, y: np.ndarray, rows: tuple[np.ndarray, ...],
                  class_names: tuple[str, ...], normalize: str, fingerprint: str,
                  layout: str = "nchw", lazy: bool = False) -> Dataset:
    """The Dataset of images `x` (N, C, H, W; indexable by rows) split into `rows`.

    `layout` records the source's axis order (what an export's caller feeds). `lazy`
    keeps each split as ScaledRows (scaled batch by batch on read) instead of float32
    arrays: for memory-mapped sources that may not fit in memory.
    """
    scaling = channel_statistics(x, rows[0], pixel_scale(x.dtype), normalize)
    xs = [ScaledRows(x, r, scaling) if lazy else apply(x[r], scaling) for r in rows]
    return finish(name, task, len(class_names), xs, [y[r] for r in rows],
                  class_names=class_names, input_scaling={**scaling, "layout": layout},
                  fingerprint=fingerprint)
