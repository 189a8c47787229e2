"""Image folders: `images("dir/", size = 32, grayscale = false)`.

The folder holds one sub-folder per class; the class names are the sub-folders' names in
sorted order (the order of the network's outputs). Files ending in .png, .jpg, .jpeg,
.bmp, .gif, .webp or .tif/.tiff (any case) are images; other files and hidden entries
are ignored. Every image is read with Pillow, converted to RGB (or to one channel with
`grayscale = true`) and resized to size×size (bilinear), so the network sees uint8
pixels of shape (C, size, size), scaled as nasdsl.data.images_scaling describes.

Decoding happens once: the decoded array is cached (nasdsl.data.cache, kind `images`)
under a fingerprint of the sorted relative paths, the files' sizes and modification
times, and the size and grayscale settings. Every later trial, worker and run of the same
folder reads the cache; a changed, added or removed image makes a new entry. An image
that cannot be read is an error naming the file.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nasdsl.data.cache import cache_dir, fingerprint, load_arrays, save_arrays
from nasdsl.data.dataset import Dataset
from nasdsl.data.errors import DataError
from nasdsl.data.image_splits import image_dataset
from nasdsl.data.splits import split_indices
from nasdsl.lang import registry as reg

EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
DEFAULT_SIZE = 32
_ANNOUNCE = 2000  # say that decoding has started when there are more images than this


@dataclass(frozen=True)
class Folder:
    """An image folder as listed: class names and (relative path, class) of each image."""

    root: Path
    class_names: tuple[str, ...]
    files: tuple[tuple[str, int], ...]
    size: int
    grayscale: bool

    @property
    def shape(self) -> tuple[int, int, int]:
        """(channels, size, size) of one decoded image."""
        return (1 if self.grayscale else 3, self.size, self.size)

    def key(self) -> str:
        """The cache key: every file's relative path, size and modification time."""
        stamps = []
        for rel, _ in self.files:
            st = (self.root / rel).stat()
            stamps.append([rel, st.st_size, st.st_mtime_ns])
        return fingerprint([stamps, self.size, self.grayscale])


def folder_of(data_cfg: dict[str, Any]) -> Folder:
    """List a compiled `images(…)` source; DataError for a folder that cannot serve."""
    root = Path(str(data_cfg.get("path") or data_cfg["source"])).expanduser()
    size = int(data_cfg.get("image_size") or DEFAULT_SIZE)
    grayscale = bool(data_cfg.get("grayscale", False))
    if not root.is_dir():
        raise DataError(f"no image folder at {root} (a relative path is read from the "
                        "spec's folder)")
    classes = sorted(e.name for e in os.scandir(root)
                     if e.is_dir() and not e.name.startswith("."))
    if not classes:
        loose = any(_is_image(e.name) for e in os.scandir(root))
        raise DataError(f"{root} has no class sub-folders"
                        + ("; put each class's images in a sub-folder named after it"
                           if loose else " (and no images)"))
    files: list[tuple[str, int]] = []
    for index, name in enumerate(classes):
        found = sorted(_images_under(root / name, root))
        if not found:
            raise DataError(f"{root / name} holds no images (.png, .jpg, .jpeg, .bmp, .gif, "
                            ".webp, .tif): add some, or remove the folder")
        files += [(rel, index) for rel in found]
    if len(classes) < 2:
        raise DataError(f"{root} has one class folder ({classes[0]}); classification needs "
                        "at least two")
    return Folder(root, tuple(classes), tuple(files), size, grayscale)


def _is_image(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(EXTENSIONS)


def _images_under(folder: Path, root: Path) -> list[str]:
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        rel_dir = Path(dirpath).relative_to(root)
        out += [(rel_dir / f).as_posix() for f in filenames if _is_image(f)]
    return out


def describe(data_cfg: dict[str, Any]) -> reg.DatasetSpec:
    """Shape, classes and number of images, from the folder listing alone."""
    folder = folder_of(data_cfg)
    c, h, w = folder.shape
    return reg.DatasetSpec(str(data_cfg["source"]), f"image folder {folder.root.name}",
                           reg.Task.CLASSIFICATION, c * h * w, len(folder.class_names),
                           folder.shape, "", samples=len(folder.files),
                           class_names=folder.class_names, kind="images")


def decoded(folder: Folder, key: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(pixels uint8 (N, C, S, S), class indices) from the cache, decoding on a miss.

    `key` is `folder.key()` when the caller has it already (it stats every file).
    """
    path = cache_dir("images") / f"{key or folder.key()}.npz"
    cached = load_arrays(path)
    if cached is not None and {"x", "y"} <= cached.keys():
        return cached["x"], cached["y"]
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError as err:
        raise DataError("images(…) needs Pillow: pip install 'nasdsl[images]'") from err
    if len(folder.files) > _ANNOUNCE:
        print(f"decoding {len(folder.files)} images from {folder.root} (once; cached in "
              f"{path.parent})", file=sys.stderr, flush=True)
    x = np.empty((len(folder.files), *folder.shape), dtype=np.uint8)
    mode = "L" if folder.grayscale else "RGB"
    for i, (rel, _) in enumerate(folder.files):
        try:
            with Image.open(folder.root / rel) as im:
                small = im.convert(mode).resize((folder.size, folder.size),
                                                Image.Resampling.BILINEAR)
                pixels = np.asarray(small, dtype=np.uint8)
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as err:
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise DataError(f"{folder.root / rel}: not a readable image ({first[:120]})") \
                from err
        x[i] = pixels[None] if folder.grayscale else pixels.transpose(2, 0, 1)
    y = np.array([c for _, c in folder.files], dtype=np.int64)
    save_arrays(path, x=x, y=y)
    return x, y


def load(config: dict[str, Any]) -> Dataset:
    """Decode (or read from the cache), split and scale an image folder."""
    data_cfg = config["data"]
    folder = folder_of(data_cfg)
    key = folder.key()
    x, y = decoded(folder, key)
    rows = split_indices(config, y, True, str(folder.root))
    return image_dataset(
        folder.root.name, "classification", x, y, rows, folder.class_names,
        str(data_cfg.get("normalize") or "standard"), key)
