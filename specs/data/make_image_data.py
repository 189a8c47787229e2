"""Rebuild the image examples from scikit-learn's 8×8 digits (offline, deterministic).

* `digits16.npz`: all 1,797 digits upscaled to 16×16 (each pixel repeated 2×2), uint8
  pixels 0–255, arrays `x` (1797, 16, 16) and `y` (1797,) — used by specs/arrays_npz.nas;
* `digit_images/<digit>/<index>.png`: the first 40 images of each digit as 16×16
  grayscale PNG files, one sub-folder per class — used by specs/images_folder.nas.

Run: .venv/bin/python specs/data/make_image_data.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits

HERE = Path(__file__).parent
PER_CLASS = 40


def pixels() -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (N, 16, 16), labels) from scikit-learn's digits."""
    digits = load_digits()
    small = np.round(digits.images * (255.0 / 16.0)).astype(np.uint8)
    return np.kron(small, np.ones((1, 2, 2), dtype=np.uint8)), digits.target.astype(np.int64)


def write(out: Path = HERE) -> None:
    """Write digits16.npz and digit_images/ into `out`."""
    x, y = pixels()
    np.savez_compressed(out / "digits16.npz", x=x, y=y)
    folder = out / "digit_images"
    shutil.rmtree(folder, ignore_errors=True)
    for digit in range(10):
        (folder / str(digit)).mkdir(parents=True)
        for index in np.flatnonzero(y == digit)[:PER_CLASS]:
            Image.fromarray(x[index], mode="L").save(folder / str(digit) / f"{index:04d}.png")


if __name__ == "__main__":
    write()
