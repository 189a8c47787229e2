"""CSV tables as datasets: `source = csv("t.csv", target = "label")` in a spec.

The file is UTF-8 text (gzip-compressed when its name ends in .gz), read with the
standard library's csv module (`delimiter` from the spec, a header row required). A cell
that is empty, `NA`, `N/A`, `NaN`, `null` or `?` is missing. Which columns are
categorical comes from `preprocess.categorical_columns`: `auto` takes every column with a
cell that is not a number; a list names columns or gives 0-based positions
in the file. The task is the spec's `task` when given, otherwise classification when the
target is text or has at most 20 distinct integer values, regression otherwise.

A numeric column's cell that is infinite (`inf`, `1e400`) is an error naming its line and
column; so is, under `auto`, a column of numbers with a few text cells (a typo, not a
category). Rows are split exactly as the built-in datasets are (seeded, stratified for
classification), then preprocessed by nasdsl.data.preprocess, fitted on the training
split only.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nasdsl.data.dataset import finish
from nasdsl.data.errors import DataError, short
from nasdsl.data.splits import split_rows
from nasdsl.lang import registry as reg

MISSING = {"", "na", "n/a", "nan", "null", "none", "?"}
# a column with at least this many numeric cells, whose other cells are at most this share
# of its non-missing cells, is a numeric column with typos, not a category
MIN_NUMERIC_FOR_TYPO = 10
TYPO_SHARE = 0.05
MAX_CLASSES_FOR_INTEGERS = 20
_SPEC_CACHE: dict[str, reg.DatasetSpec] = {}


class TableError(DataError):
    """The CSV cannot serve as the spec says (no such file, no target column…)."""


@dataclass
class Table:
    """A CSV read into memory: feature cells (None where missing) and the target column."""

    path: Path
    columns: list[str]
    x: np.ndarray  # object array of str | None, one column per feature
    target: list[str]
    target_name: str
    lines: list[int] = field(default_factory=list)  # the file's line number of each row
    header: list[str] = field(default_factory=list)  # every column, the target included


def table_path(data_cfg: dict[str, Any]) -> Path:
    """The CSV file of a compiled `data` block (absolute `path` when the compiler set it)."""
    return Path(str(data_cfg.get("path") or data_cfg["source"])).expanduser()


def read_table(data_cfg: dict[str, Any]) -> Table:
    """Read the CSV of a compiled `data` block; rows with a missing target are dropped."""
    path = table_path(data_cfg)
    if not path.is_file():
        raise TableError(f"no CSV file at {path} (data source = csv(\"{data_cfg['source']}\"); "
                         "a relative path is read from the spec's folder)")
    delimiter = str(data_cfg.get("delimiter") or ",")
    rows = list(csv.reader(io.StringIO(_text(path), newline=""), delimiter=delimiter))
    if len(rows) < 2:
        raise TableError(f"{path} has no data rows (a header row and at least one row needed)")
    header = [h.strip() for h in rows[0]]
    target_name = data_cfg.get("target")
    if target_name is None:
        target_name = header[-1]
    target_name = str(target_name)
    if target_name not in header:
        raise TableError(f"{path} has no column '{target_name}' for the target "
                         f"(columns: {', '.join(header)})")
    t = header.index(target_name)
    cells: list[list[str | None]] = []
    target: list[str] = []
    lines: list[int] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise TableError(f"{path}:{line}: {len(row)} cells, the header has {len(header)}")
        value = row[t].strip()
        if value.lower() in MISSING:
            continue
        target.append(value)
        lines.append(line)
        cells.append([None if c.strip().lower() in MISSING else c.strip()
                      for j, c in enumerate(row) if j != t])
    columns = [h for j, h in enumerate(header) if j != t]
    x = np.empty((len(cells), len(columns)), dtype=object)
    for i, row_cells in enumerate(cells):
        x[i, :] = row_cells
    return Table(path, columns, x, target, target_name, lines, header)


def _text(path: Path) -> str:
    """The file's text: UTF-8 (a BOM allowed), gzip-compressed when the name ends in .gz."""
    raw = path.read_bytes()
    if path.suffix.lower() == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (gzip.BadGzipFile, EOFError, zlib.error) as err:
            raise TableError(f"{path} is not a gzip file ({err}); name it .csv if it is not "
                             "compressed") from err
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise TableError(f"{path}:{line}: byte 0x{raw[err.start]:02x} is not UTF-8 text; save "
                         "the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)") from err


def check_numeric_cells(table: Table, categorical: list[int], inferred: bool) -> None:
    """TableError for a numeric column's cell that is infinite or not a number.

    When the categorical columns were `inferred` (`categorical_columns = auto`), a column
    is categorical when any cell is text; one whose cells are numbers but for a few is far
    more likely a typo than a category, so it is reported (which cells, which column)
    instead of becoming one-hot. Columns the spec lists as categorical are left alone.
    """
    for j, name in enumerate(table.columns):
        numbers: list[tuple[int, str]] = []
        odd: list[tuple[int, str]] = []
        for i, v in enumerate(table.x[:, j]):
            if v is not None:
                (numbers if _is_number(v) else odd).append((i, v))
        if j in categorical:
            if inferred and odd and len(numbers) >= MIN_NUMERIC_FOR_TYPO \
                    and len(odd) <= TYPO_SHARE * (len(numbers) + len(odd)):
                shown = ", ".join(f"line {table.lines[i]}: {short(v, 20)}" for i, v in odd[:3])
                raise TableError(
                    f"{table.path.name}: column '{name}' holds numbers except for {len(odd)} "
                    f"cell(s) ({shown}); correct them, empty them (missing), or list the "
                    "column in preprocess.categorical_columns if it is a category")
            continue
        for i, v in numbers:
            if not math.isfinite(float(v)):
                raise TableError(f"{table.path.name}:{table.lines[i]}: column '{name}' holds "
                                 f"{short(v, 20)}, not a finite number")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def categorical_columns(table: Table, setting: Any) -> list[int]:
    """Positions (among the feature columns) of the categorical columns."""
    if setting in (None, "auto"):
        return [j for j in range(len(table.columns))
                if any(v is not None and not _is_number(v) for v in table.x[:, j])]
    header = [*table.columns[:], table.target_name]
    out: set[int] = set()
    file_header = table.header
    for item in setting:
        if isinstance(item, int):
            if not 0 <= item < len(file_header):
                raise TableError(f"categorical_columns: {item} is not a column position of "
                                 f"{table.path.name} (0 to {len(file_header) - 1})")
            name = file_header[item]
        else:
            name = str(item)
        if name == table.target_name:
            raise TableError(f"categorical_columns: '{name}' is the target column")
        if name not in header:
            raise TableError(f"categorical_columns: {table.path.name} has no column '{name}'")
        out.add(table.columns.index(name))
    return sorted(out)


def infer_task(data_cfg: dict[str, Any], config: dict[str, Any], target: list[str]) -> str:
    """`classification` or `regression` for the table's target column."""
    task = data_cfg.get("task") or (config.get("experiment") or {}).get("task")
    if task:
        return str(task)
    if not all(_is_number(v) for v in target):
        return "classification"
    values = {float(v) for v in target}
    if all(v.is_integer() for v in values) and len(values) <= MAX_CLASSES_FOR_INTEGERS:
        return "classification"
    return "regression"


def encode_target(target: list[str], task: str) -> tuple[np.ndarray, list[str]]:
    """Class indices (labels sorted) or float values."""
    if task == "regression":
        try:
            return np.array([float(v) for v in target], dtype=np.float64), []
        except ValueError as err:
            raise TableError(f"a regression target must be numbers ({err})") from err
    numeric = all(_is_number(v) for v in target)
    labels = sorted(set(target), key=(lambda v: float(v)) if numeric else str)
    index = {v: i for i, v in enumerate(labels)}
    return np.array([index[v] for v in target], dtype=np.int64), labels


def load_table_data(config: dict[str, Any]) -> Any:
    """The CSV of `config['data']` as a nasdsl.data.Dataset (preprocessed, split)."""
    from nasdsl.data.preprocess import Settings, fit

    data_cfg = config["data"]
    if data_cfg.get("kind") != "csv":
        raise TableError(f"data source kind '{data_cfg.get('kind')}' is not supported by the "
                         "runner yet (built-in datasets and csv(...) are)")
    table = read_table(data_cfg)
    settings = Settings.from_config(data_cfg.get("preprocess"), data_cfg.get("normalize"))
    categorical = categorical_columns(table, settings.categorical_columns)
    check_numeric_cells(table, categorical,
                        inferred=settings.categorical_columns in (None, "auto"))
    task = infer_task(data_cfg, config, table.target)
    y, labels = encode_target(table.target, task)
    classification = task == "classification"
    if classification and len(labels) < 2:
        raise TableError(f"the target '{table.target_name}' has one class only")
    x_tr, y_tr, x_va, y_va, x_te, y_te = split_rows(config, table.x, y, classification)
    fitted = fit(settings, x_tr, categorical, table.columns)
    xs = [fitted.transform(a) for a in (x_tr, x_va, x_te)]
    return finish(table.path.name, task, len(labels), xs, [y_tr, y_va, y_te],
                  class_names=tuple(labels), input_scaling={"kind": "table"})


def dataset_spec(config: dict[str, Any]) -> reg.DatasetSpec:
    """The registry entry of a built-in dataset, or one measured from the spec's CSV.

    A CSV's feature count is the width after preprocessing (one-hot columns included), so
    the search space's input layer fits the data the runner feeds it.
    """
    data_cfg = config["data"]
    if data_cfg.get("kind", "builtin") in (None, "builtin"):
        return reg.DATASETS[data_cfg["source"]]
    path = table_path(data_cfg)
    stamp = path.stat().st_mtime_ns if path.is_file() else 0
    key = json.dumps([str(path), stamp, data_cfg, (config.get("experiment") or {}).get("seed"),
                      (config.get("experiment") or {}).get("task")], sort_keys=True, default=str)
    found = _SPEC_CACHE.get(key)
    if found is None:
        data = load_table_data(config)
        task = reg.Task.CLASSIFICATION if data.task == "classification" else reg.Task.REGRESSION
        found = _SPEC_CACHE[key] = reg.DatasetSpec(
            str(data_cfg["source"]), f"CSV table {path.name}", task, int(data.x_train.shape[1]),
            int(data.classes), None, "",
            samples=sum(len(data.split(s)[1]) for s in ("train", "val", "test")),
            class_names=data.class_names, kind="csv")
    return found
