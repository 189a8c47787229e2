"""The data stage: what a spec's `data` block reads, described without loading, then loaded.

* `describe(config)` → the data description (a `DatasetSpec`: task, features, classes,
  image shape, samples, class names) from headers and listings only — what the search
  space, `nasdsl check`, `nasdsl space` and the editor need; cheap enough to call on
  every keystroke.
* `load_data(config, image)` → a `Dataset`: the train/val/test splits, scaled with
  statistics of the training split only.

One reader a source kind: built-in datasets (nasdsl.data.builtin), standard vision
datasets from their official files (nasdsl.data.standard), CSV tables
(nasdsl.data.table), array files (nasdsl.data.arrays) and image folders
(nasdsl.data.images). A source that cannot serve raises `DataError` with a one-line
message naming the file.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import TYPE_CHECKING, Any

from nasdsl.data.errors import DataError
from nasdsl.lang import registry as reg

if TYPE_CHECKING:
    from nasdsl.data.dataset import Dataset

__all__ = ["DataError", "Dataset", "SOURCE_KINDS", "changed_since", "data_record", "describe",
           "describe_spec", "fingerprint", "folds", "load_data"]

SOURCE_KINDS = ("builtin", "csv", "npz", "npy", "images")


def _kind(config: dict[str, Any]) -> str:
    kind = str(config["data"].get("kind") or "builtin")
    if kind not in SOURCE_KINDS:
        raise DataError(f"unknown data source kind {kind!r} ({', '.join(SOURCE_KINDS)})")
    return kind


def describe(config: dict[str, Any]) -> reg.DatasetSpec:
    """The description of a compiled config's data source (no full load)."""
    kind = _kind(config)
    if kind == "builtin":
        return reg.DATASETS[config["data"]["source"]]
    if kind == "csv":
        from nasdsl.data.table import dataset_spec

        return dataset_spec(config)
    if kind == "images":
        from nasdsl.data import images

        return images.describe(config["data"])
    from nasdsl.data import arrays

    return arrays.describe(config["data"])


def fingerprint(config: dict[str, Any]) -> str:
    """What identifies the data as read: the files' paths, sizes and modification times.

    Built-in datasets are identified by name (they ship with scikit-learn).
    """
    from nasdsl.data import cache

    kind = _kind(config)
    data_cfg = config["data"]
    if kind == "builtin":
        from nasdsl.data import standard

        name = str(data_cfg["source"])
        return standard.file_fingerprint(name) if standard.is_standard(name) else name
    if kind == "csv":
        from nasdsl.data.table import table_path

        return cache.fingerprint([cache.file_stamp(table_path(data_cfg))])
    if kind == "images":
        from nasdsl.data import images

        return images.folder_of(data_cfg).key()
    from nasdsl.data import arrays

    return cache.fingerprint(arrays.array_files(data_cfg).stamps())


def data_record(config: dict[str, Any], loaded: Dataset | None = None) -> dict[str, Any]:
    """What a run keeps about its data (in run.json): the source as resolved, its size,
    the class names in output order, the fingerprint `resume` and `retrain` compare, and
    (from the `loaded` dataset) how inputs and targets were scaled."""
    desc = describe(config)
    data_cfg = config["data"]
    path = data_cfg.get("path")
    if desc.kind == "standard":
        from nasdsl.data.standard import data_root

        path = str(data_root() / desc.name)
    record: dict[str, Any] = {
        "source": str(data_cfg["source"]), "kind": _kind(config), "path": path,
        "samples": desc.samples, "classes": desc.classes,
        "class_names": list(desc.class_names), "fingerprint": fingerprint(config),
        "input_shape": list(desc.image_shape) if desc.image_shape else [desc.features]}
    if loaded is not None:  # how inputs were scaled: what an export carries or asks for
        record["input_scaling"] = dict(loaded.input_scaling)
        if loaded.task == "regression":
            record["target_scaling"] = {"mean": loaded.y_mean, "std": loaded.y_std}
        record["class_names"] = list(loaded.class_names) or record["class_names"]
    return record


def changed_since(config: dict[str, Any], record: dict[str, Any] | None) -> str | None:
    """A one-line warning when the data differs from the recorded one, else None."""
    if not record or not record.get("fingerprint"):
        return None
    try:
        now = fingerprint(config)
    except (DataError, OSError) as err:
        return f"the data of this run cannot be read any more: {err}"
    if now != record["fingerprint"]:
        where = record.get("path") or record.get("source")
        return (f"the data changed since this run started ({where}): results may not be "
                "comparable")
    return None


def describe_spec(spec: Any) -> reg.DatasetSpec:
    """`describe` for a checked spec (an AST), as the checker and the editor ask."""
    from nasdsl.compile import spec_to_config

    return describe(spec_to_config(spec))


def folds(config: dict[str, Any]) -> int:
    """k of `data.folds = k` (k-fold cross-validation), 0 without it."""
    return int(config["data"].get("folds") or 0)


def load_data(config: dict[str, Any], image: bool, fold: int | None = None) -> Dataset:
    """Load, split and scale `config['data']`; `image` keeps images as (N, C, H, W).

    With `data.folds = k`, `fold = i` makes the i-th fold of the non-test rows the val
    split (scaling fitted on the other folds); without `fold` every non-test row is in
    the train split and val is empty (the final phase's refit on all non-test data).

    The data is loaded once a process: a later call with the same data settings (the
    CLI's check before the run, then each trial of the run) gets the same object; the
    k folds of a cross-validated run are kept side by side.
    """
    if fold is not None:
        config = {**config, "data": {**config["data"], "fold": int(fold)}}
    key = json.dumps([config["data"], config["experiment"].get("seed"),
                      config["experiment"].get("task")], sort_keys=True, default=str)
    data: Dataset | None = _LOADED.get(key)
    if data is None:
        data = _load(config)
        if len(_LOADED) > folds(config):  # one dataset (or its k folds) a process
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = data
    if image or data.x_train.ndim <= 2:
        return data
    flat = {f"x_{s}": _rows(getattr(data, f"x_{s}")) for s in ("train", "val", "test")}
    return dataclasses.replace(data, **flat)


_LOADED: dict[str, Dataset] = {}


def _rows(x: Any) -> Any:
    """Images (N, C, H, W) as rows (N, C·H·W); an empty split keeps its width."""
    return x.reshape(x.shape[0], math.prod(x.shape[1:]))


def __getattr__(name: str) -> Any:
    # Dataset (and numpy with it) is imported on first use: `nasdsl check` and the
    # language server import this package to describe sources, and start fast.
    if name == "Dataset":
        from nasdsl.data.dataset import Dataset

        return Dataset
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _load(config: dict[str, Any]) -> Dataset:
    kind = _kind(config)
    if kind == "builtin":
        from nasdsl.data import builtin, standard

        if standard.is_standard(str(config["data"]["source"])):
            return standard.load(config)
        return builtin.load(config)
    if kind == "csv":
        from nasdsl.data.table import load_table_data

        return load_table_data(config)
    if kind == "images":
        from nasdsl.data import images

        return images.load(config)
    from nasdsl.data import arrays

    return arrays.load(config)
