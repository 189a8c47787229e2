"""Array files: `file("x.npz")` (arrays `x` and `y`) and `file("x.npy", labels = "y.npy")`.

The features `x`, by their number of dimensions:

* 2 — `(N, F)`: a table of F numeric features, scaled like a built-in table
  (`normalize` or `preprocess`, fitted on the training split);
* 3 — `(N, H, W)`: grayscale images, one channel;
* 4 — `(N, C, H, W)` or `(N, H, W, C)`: images. The layout is inferred when exactly one
  of axes 1 and 3 has 1, 3 or 4 entries; otherwise `file(…, layout = nchw)` (or `nhwc`)
  says which. Images are scaled as `nasdsl.data.images_scaling` describes.

Any integer, float or bool dtype is accepted; uint8 images are pixels (÷255). The labels
`y` are `(N,)` or `(N, 1)` class labels (integers or strings; class names are the sorted
labels) or regression values, or `(N, K)` one-hot rows.

A `.npy` file is memory-mapped, so describing it reads only its header, and its image
splits stay on disk: training and evaluation read and scale them a batch at a time
(nasdsl.data.lazy). A member of an
`.npz` (a zip archive) cannot be memory-mapped and is read whole. The description (shape,
task, classes) reads the header of `x` and the labels only, which keeps `nasdsl check`
and the editor fast; NaN or infinite features are looked for once per file version and
the answer is cached (nasdsl.data.cache).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nasdsl.data.cache import file_stamp, fingerprint, remember, remembered
from nasdsl.data.dataset import Dataset, finish
from nasdsl.data.errors import DataError
from nasdsl.data.image_splits import image_dataset
from nasdsl.data.labels import encode_labels
from nasdsl.data.splits import split_indices
from nasdsl.lang import registry as reg

CHANNELS = (1, 3, 4)
LAYOUTS = ("nchw", "nhwc")
_CHUNK = 4096


@dataclass(frozen=True)
class ArrayFiles:
    """Where the features and the labels of an array source are."""

    x_path: Path
    y_path: Path
    npz: bool

    @property
    def x_name(self) -> str:
        """The features as named in messages: `x.npz[x]` or `x.npy`."""
        return f"{self.x_path.name}[x]" if self.npz else self.x_path.name

    @property
    def y_name(self) -> str:
        """The labels as named in messages."""
        return f"{self.y_path.name}[y]" if self.npz else self.y_path.name

    def stamps(self) -> list[Any]:
        """Path, size and modification time of each file."""
        return [file_stamp(self.x_path)] + ([] if self.npz else [file_stamp(self.y_path)])


def array_files(data_cfg: dict[str, Any]) -> ArrayFiles:
    """The files of a compiled `file(…)` data block; DataError when one is missing."""
    x_path = Path(str(data_cfg.get("path") or data_cfg["source"])).expanduser()
    npz = data_cfg.get("kind") == "npz"
    labels = data_cfg.get("labels")
    y_path = x_path if npz else Path(str(data_cfg.get("labels_path") or labels)).expanduser()
    for p, what in ((x_path, "features"), (y_path, "labels")):
        if not p.is_file():
            raise DataError(f"no {what} file at {p} (a relative path is read from the "
                            "spec's folder)")
    return ArrayFiles(x_path, y_path, npz)


def _header(f: Any, name: str) -> tuple[tuple[int, ...], np.dtype]:
    try:
        version = np.lib.format.read_magic(f)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) \
            else np.lib.format.read_array_header_2_0
        shape, _fortran, dtype = read(f)
    except (ValueError, OSError) as err:
        raise DataError(f"{name} is not a NumPy array file ({str(err).splitlines()[0]})") \
            from err
    return tuple(int(s) for s in shape), np.dtype(dtype)


def _x_header(files: ArrayFiles) -> tuple[tuple[int, ...], np.dtype]:
    if not files.npz:
        with files.x_path.open("rb") as f:
            return _header(f, files.x_name)
    with _zip(files.x_path) as z:
        return _header(z.open(_member(z, files.x_path, "x")), files.x_name)


def _zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise DataError(f"{path.name} is not an .npz archive ({err})") from err


def _member(z: zipfile.ZipFile, path: Path, name: str) -> str:
    names = [n[:-4] for n in z.namelist() if n.endswith(".npy")]
    if name not in names:
        raise DataError(f"{path.name} has no array '{name}' (it holds: "
                        f"{', '.join(names) or 'none'}); save it with "
                        "numpy.savez(path, x=features, y=labels)")
    return f"{name}.npy"


def _labels(files: ArrayFiles) -> np.ndarray:
    try:
        if files.npz:
            with _zip(files.y_path) as z:
                _member(z, files.y_path, "y")
            with np.load(files.y_path, allow_pickle=False) as npz:
                return np.asarray(npz["y"])
        return np.load(files.y_path, allow_pickle=False)
    except DataError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile) as err:
        raise DataError(f"{files.y_name}: cannot read the labels "
                        f"({str(err).splitlines()[0]})") from err


def image_layout(shape: tuple[int, ...], setting: str | None, name: str) -> str:
    """'table', 'nhw', 'nchw' or 'nhwc' for features of this shape."""
    if len(shape) == 2:
        return "table"
    if len(shape) == 3:
        return "nhw"
    if len(shape) != 4:
        raise DataError(f"{name} has shape {shape}: features are (N, F), (N, H, W), "
                        "(N, C, H, W) or (N, H, W, C)")
    if setting:
        layout = str(setting).lower()
    else:
        first, last = shape[1] in CHANNELS, shape[3] in CHANNELS
        if first == last:
            raise DataError(f"{name} has shape {shape}: say which axis holds the channels "
                            "with file(…, layout = nchw) or layout = nhwc")
        layout = "nchw" if first else "nhwc"
    channels = shape[1] if layout == "nchw" else shape[3]
    if channels not in CHANNELS:
        raise DataError(f"{name} has shape {shape}: as {layout} it would hold {channels} "
                        "channels (1, 3 or 4 expected)")
    return layout


def _image_shape(shape: tuple[int, ...], layout: str) -> tuple[int, int, int] | None:
    if layout == "table":
        return None
    if layout == "nhw":
        return (1, shape[1], shape[2])
    if layout == "nchw":
        return (shape[1], shape[2], shape[3])
    return (shape[3], shape[1], shape[2])


def to_nchw(batch: np.ndarray, layout: str) -> np.ndarray:
    """Images of any accepted layout as (N, C, H, W)."""
    if layout == "nhw":
        return batch[:, None]
    if layout == "nhwc":
        return batch.transpose(0, 3, 1, 2)
    return batch


_DESCRIBED: dict[str, reg.DatasetSpec] = {}


def describe(data_cfg: dict[str, Any]) -> reg.DatasetSpec:
    """Shape, task and classes of an array source, from the header of x and the labels."""
    files = array_files(data_cfg)
    task = str(data_cfg.get("task") or "classification")
    key = fingerprint([files.stamps(), task, data_cfg.get("layout")])
    found = _DESCRIBED.get(key)
    if found is not None:
        return found
    shape, dtype = _x_header(files)
    layout = image_layout(shape, data_cfg.get("layout"), files.x_name)
    if dtype.kind not in "iufb":
        raise DataError(f"{files.x_name} holds {dtype} values; features must be numbers")
    y = _labels(files)
    if len(y) != shape[0]:
        raise DataError(f"{files.x_name} has {shape[0]} samples but {files.y_name} has "
                        f"{len(y)} labels")
    _, class_names = encode_labels(y, task, files.y_name)
    image = _image_shape(shape, layout)
    features = int(np.prod(shape[1:]))
    found = _DESCRIBED[key] = reg.DatasetSpec(
        str(data_cfg["source"]), f"arrays {files.x_path.name} ({layout})",
        reg.Task(task), features, len(class_names), image, "", samples=shape[0],
        class_names=class_names, kind=str(data_cfg.get("kind")))
    return found


def _features(files: ArrayFiles) -> np.ndarray:
    """x, memory-mapped for a .npy file."""
    try:
        if files.npz:
            with np.load(files.x_path, allow_pickle=False) as npz:
                return np.asarray(npz["x"])
        return np.load(files.x_path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError) as err:
        raise DataError(f"{files.x_name}: cannot read the features "
                        f"({str(err).splitlines()[0]})") from err


def check_finite(x: np.ndarray, name: str, key: str) -> None:
    """DataError when a feature is NaN or infinite; the answer is cached under `key`."""
    if x.dtype.kind != "f" or (remembered("checks", key) or {}).get("finite"):
        return
    bad_rows = 0
    first = -1
    for start in range(0, len(x), _CHUNK):
        chunk = np.asarray(x[start:start + _CHUNK]).reshape(min(_CHUNK, len(x) - start), -1)
        bad = np.flatnonzero(~np.isfinite(chunk).all(axis=1))
        if len(bad) and first < 0:
            first = start + int(bad[0])
        bad_rows += len(bad)
    if bad_rows:
        raise DataError(f"{name}: {bad_rows} sample(s) hold NaN or infinite features "
                        f"(the first is sample {first}); remove or impute them")
    remember("checks", key, {"finite": True})


def load(config: dict[str, Any]) -> Dataset:
    """Read, check, split and scale an array source (see the module's docstring)."""
    data_cfg = config["data"]
    desc = describe(data_cfg)
    files = array_files(data_cfg)
    task = desc.task.value
    x = _features(files)
    key = fingerprint(files.stamps())
    check_finite(x, files.x_name, key)
    y, class_names = encode_labels(_labels(files), task, files.y_name)
    rows = split_indices(config, y, task == "classification", files.x_name)
    layout = image_layout(tuple(x.shape), data_cfg.get("layout"), files.x_name)
    if layout != "table":
        return image_dataset(
            files.x_path.name, task, _NCHW(x, layout), y, rows, class_names,
            str(data_cfg.get("normalize") or "standard"), key, layout,
            lazy=not files.npz)  # a memory-mapped .npy is read batch by batch
    from nasdsl.data.preprocess import transform_splits

    xs = transform_splits(data_cfg.get("preprocess"),
                          *(np.asarray(x[r], dtype=np.float64) for r in rows),
                          normalize=data_cfg.get("normalize"))
    return finish(files.x_path.name, task, len(class_names), xs, [y[r] for r in rows],
                  class_names=class_names, input_scaling={"kind": "table", "layout": layout},
                  fingerprint=key)


class _NCHW:
    """Rows of x in (N, C, H, W) order, read on indexing (x may be memory-mapped)."""

    def __init__(self, x: np.ndarray, layout: str):
        self.x, self.layout, self.dtype = x, layout, x.dtype
        shape = x.shape
        self.shape = (shape[0], *(_image_shape(tuple(shape), layout) or ()))

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        return to_nchw(np.asarray(self.x[rows]), self.layout)

    def __len__(self) -> int:
        return int(self.shape[0])
