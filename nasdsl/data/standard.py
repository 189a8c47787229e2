"""Standard vision datasets by name: `source = mnist | fashion_mnist | cifar10 | cifar100`.

Each is read from its official distribution files in the data folder: `$NASDSL_DATA`,
else `$XDG_DATA_HOME/nasdsl`, else `~/.local/share/nasdsl`, one sub-folder per dataset:

* `mnist/` and `fashion_mnist/`: the four IDX files `train-images-idx3-ubyte.gz`,
  `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`
  (gzip-compressed as published, or unpacked without `.gz`);
* `cifar10/cifar-10-batches-py/` (`data_batch_1` … `data_batch_5`, `test_batch`,
  `batches.meta`) and `cifar100/cifar-100-python/` (`train`, `test`, `meta`): the
  official "python version" archives unpacked. Those batches are Python pickles; they
  are read with an unpickler that builds only dicts, lists, strings, numbers and NumPy
  arrays, so a crafted file cannot run code.

The official test set is the test split; the spec's train and val shares divide the
official training set in their ratio (its test share is not used). Nothing is
downloaded while a spec runs: `nasdsl data download NAME` fetches the files once,
verifies their MD5 checksums (as published with the datasets) and unpacks them. Its
source can be replaced by a mirror holding the same file names: `$NASDSL_DATA_MIRROR`.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import shutil
import sys
import tarfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nasdsl.data.cache import file_stamp, fingerprint
from nasdsl.data.dataset import Dataset
from nasdsl.data.errors import DataError
from nasdsl.data.image_splits import image_dataset
from nasdsl.data.splits import split_indices
from nasdsl.lang import registry as reg

DATA_ENV = "NASDSL_DATA"
MIRROR_ENV = "NASDSL_DATA_MIRROR"


@dataclass(frozen=True)
class Download:
    """One published file: where it comes from and its MD5 checksum."""

    name: str
    url: str
    md5: str


_MNIST = "https://ossci-datasets.s3.amazonaws.com/mnist/"
_FASHION = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
_TORONTO = "https://www.cs.toronto.edu/~kriz/"
IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
DOWNLOADS: dict[str, tuple[Download, ...]] = {
    "mnist": tuple(Download(f"{n}.gz", f"{_MNIST}{n}.gz", md5) for n, md5 in zip(IDX_FILES, (
        "f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432",
        "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c"), strict=True)),
    "fashion_mnist": tuple(
        Download(f"{n}.gz", f"{_FASHION}{n}.gz", md5) for n, md5 in zip(IDX_FILES, (
            "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe",
            "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310"),
            strict=True)),
    "cifar10": (Download("cifar-10-python.tar.gz", f"{_TORONTO}cifar-10-python.tar.gz",
                         "c58f30108f718f92721af3b95e74349a"),),
    "cifar100": (Download("cifar-100-python.tar.gz", f"{_TORONTO}cifar-100-python.tar.gz",
                          "eb9058c3a382ffc7106e4002c42a8d85"),),
}
_CIFAR = {"cifar10": ("cifar-10-batches-py",
                      tuple(f"data_batch_{i}" for i in range(1, 6)), "test_batch",
                      "batches.meta", b"labels", b"label_names"),
          "cifar100": ("cifar-100-python", ("train",), "test", "meta", b"fine_labels",
                       b"fine_label_names")}


def data_root() -> Path:
    """The folder that holds the standard datasets' files."""
    root = os.environ.get(DATA_ENV)
    if root:
        return Path(root).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "nasdsl"


def is_standard(name: str) -> bool:
    """Whether `name` is a standard dataset read from its official files."""
    spec = reg.DATASETS.get(name)
    return spec is not None and spec.kind == "standard"


def expected_files(name: str, root: Path | None = None) -> list[Path]:
    """The files a dataset is read from."""
    folder = (root or data_root()) / name
    if reg.DATASETS[name].loader == "idx":
        return [folder / f"{n}.gz" for n in IDX_FILES]
    sub, train, test, meta, _, _ = _CIFAR[name]
    return [folder / sub / f for f in (*train, test, meta)]


def _missing(name: str, path: Path) -> DataError:
    return DataError(f"{name}: no {path.name} in {path.parent} (the official "
                     f"{'IDX' if reg.DATASETS[name].loader == 'idx' else 'python'} files); "
                     f"run `nasdsl data download {name}`, or set {DATA_ENV} to the folder "
                     f"that holds {name}/")


# ---------------------------------------------------------------- reading


def _idx(path: Path, name: str) -> np.ndarray:
    """An IDX array (gzip-compressed, or unpacked without the .gz)."""
    plain = path.with_suffix("")
    if not path.is_file() and plain.is_file():
        path = plain
    if not path.is_file():
        raise _missing(name, path)
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" \
            else path.read_bytes()
    except (OSError, EOFError) as err:
        raise DataError(f"{path}: not a gzip-compressed IDX file ({err})") from err
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataError(f"{path}: not an IDX file of unsigned bytes (magic {raw[:4].hex()})")
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    start = 4 + 4 * dims
    if len(raw) - start != int(np.prod(shape)):
        raise DataError(f"{path}: {len(raw) - start} bytes of data for the shape {shape}")
    return np.frombuffer(raw, dtype=np.uint8, offset=start).reshape(shape)


class _SafeUnpickler(pickle.Unpickler):
    """Builds only plain data and NumPy arrays: the CIFAR batches need nothing else."""

    _ALLOWED = {("numpy", "ndarray"), ("numpy", "dtype"),
                ("numpy.core.multiarray", "_reconstruct"),
                ("numpy._core.multiarray", "_reconstruct"),
                ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
                ("_codecs", "encode")}  # bytes, as protocol 2 writes them from Python 3

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a data batch")


def _batch(path: Path, name: str) -> dict[bytes, Any]:
    if not path.is_file():
        raise _missing(name, path)
    try:
        with path.open("rb") as f:
            found = _SafeUnpickler(f, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as err:
        raise DataError(f"{path}: not an official CIFAR python batch ({err})") from err
    if not isinstance(found, dict):
        raise DataError(f"{path}: not an official CIFAR python batch (no dictionary)")
    return found


def _cifar(name: str, root: Path) -> tuple[np.ndarray, np.ndarray, int, tuple[str, ...]]:
    sub, train, test, meta, label_key, names_key = _CIFAR[name]
    folder = root / name / sub
    xs, ys = [], []
    for part in (*train, test):
        batch = _batch(folder / part, name)
        if b"data" not in batch or label_key not in batch:
            raise DataError(f"{folder / part}: no {b'data'!r} or {label_key!r} entry")
        xs.append(np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32))
        ys.append(np.asarray(batch[label_key], dtype=np.int64))
    names = tuple(n.decode("utf-8") if isinstance(n, bytes) else str(n)
                  for n in _batch(folder / meta, name).get(names_key, []))
    return np.concatenate(xs), np.concatenate(ys), len(xs[-1]), names


def read(name: str, root: Path | None = None,
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]:
    """(images uint8 (N, C, H, W), labels, the official test rows, class names)."""
    root = root or data_root()
    spec = reg.DATASETS[name]
    if spec.loader == "idx":
        files = expected_files(name, root)
        x_train, y_train, x_test, y_test = (_idx(p, name) for p in files)
        for x, y, what in ((x_train, y_train, "train"), (x_test, y_test, "t10k")):
            if len(x) != len(y):
                raise DataError(f"{name}: {len(x)} {what} images but {len(y)} labels")
        x = np.concatenate([x_train, x_test])[:, None]
        y = np.concatenate([y_train, y_test]).astype(np.int64)
        n_test, names = len(x_test), spec.class_names
    else:
        x, y, n_test, names = _cifar(name, root)
        names = names or spec.class_names
    if names and y.max(initial=0) >= len(names):
        raise DataError(f"{name}: label {int(y.max())} but only {len(names)} classes")
    return x, y, np.arange(len(x) - n_test, len(x)), tuple(names)


def file_fingerprint(name: str) -> str:
    """Paths, sizes and modification times of the files a dataset is read from."""
    stamps = []
    for path in expected_files(name):
        found = path if path.is_file() else path.with_suffix("")
        stamps.append(file_stamp(found) if found.is_file() else [str(path)])
    return fingerprint(stamps)


def load(config: dict[str, Any]) -> Dataset:
    """The dataset of `config['data']['source']`: official test split, scaled images."""
    data_cfg = config["data"]
    name = str(data_cfg["source"])
    x, y, test, names = read(name)
    rows = split_indices(config, y, True, name, test_rows=test)
    return image_dataset(
        name, "classification", x, y, rows, names or tuple(str(i) for i in range(y.max() + 1)),
        str(data_cfg.get("normalize") or "standard"), file_fingerprint(name))


# ---------------------------------------------------------------- downloading


def download(name: str, root: Path | None = None, mirror: str | None = None,
             checksums: dict[str, str] | None = None, log: Any = None) -> list[Path]:
    """Fetch a dataset's official files into the data folder, verified and unpacked.

    `mirror` (default `$NASDSL_DATA_MIRROR`) replaces the address each file is fetched
    from, keeping its name; `checksums` replaces the published MD5s (tests serve fixture
    files). Files already there with the right checksum are kept. Returns the files.
    """
    if name not in DOWNLOADS:
        raise DataError(f"no download for {name!r} (available: {', '.join(DOWNLOADS)})")
    say = log or (lambda text: print(text, file=sys.stderr, flush=True))
    folder = (root or data_root()) / name
    folder.mkdir(parents=True, exist_ok=True)
    mirror = mirror if mirror is not None else os.environ.get(MIRROR_ENV)
    got: list[Path] = []
    for item in DOWNLOADS[name]:
        target = folder / item.name
        md5 = (checksums or {}).get(item.name, item.md5)
        if not (target.is_file() and _md5(target) == md5):
            url = mirror.rstrip("/") + "/" + item.name if mirror else item.url
            say(f"downloading {url}")
            _fetch(url, target, md5)
        if target.name.endswith(".tar.gz"):
            with tarfile.open(target) as archive:
                archive.extractall(folder, filter="data")
        got.append(target)
    say(f"{name}: {len(got)} file(s) in {folder}")
    return got


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch(url: str, target: Path, md5: str) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, tmp.open("wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)
    except (urllib.error.URLError, OSError, ValueError) as err:
        tmp.unlink(missing_ok=True)
        reason = getattr(err, "reason", err)
        raise DataError(f"cannot download {url}: {reason}; without a network, copy the "
                        f"official file to {target}") from err
    found = _md5(tmp)
    if found != md5:
        tmp.unlink(missing_ok=True)
        raise DataError(f"{url}: checksum {found} is not the published {md5}; the file "
                        "was not kept")
    os.replace(tmp, target)
