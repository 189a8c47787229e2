"""Reading a NAS-Bench-201-style CSV table: architecture string → recorded figures.

The table has one row per cell. Its `arch` column is NAS-Bench-201's architecture string,
`|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`: node j (j = 1 … n-1) lists one edge `op~i` from
every earlier node i, nodes separated by `+`. The figures come from the other columns:

- `*test_accuracy` (required, or `*valid_accuracy` / `*val_accuracy`): accuracy in %;
- optional `params`, `flops`, `latency_s` / `latency`, `train_seconds` / `train_time`.

A parsed table is cached per path (and file modification time) for the process, so many
runs in one process read the file once.
"""

from __future__ import annotations

import csv
import gzip
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nasdsl.run.backend import BackendError

# Key of one cell: (nodes, ops in IR edge order (1←0), (2←0), (2←1), (3←0), …).
CellKey = tuple[int, tuple[str, ...]]

_MEASURE_COLUMNS = {"params": "params", "flops": "flops", "model_bytes": "model_bytes",
                    "latency_s": "latency_s", "latency": "latency_s"}
_TIME_COLUMNS = ("train_seconds", "train_time", "train_time_s")


class TableError(BackendError, ValueError):
    """The table file is missing or malformed, or it lacks an architecture.

    A BackendError, so `nasdsl run` reports it as a one-line usage error.
    """


@dataclass(frozen=True)
class Row:
    """The figures recorded for one cell (accuracies as fractions, not %)."""

    val_accuracy: float
    test_accuracy: float
    measures: dict[str, float]
    seconds: float


@dataclass
class NB201Table:
    """A parsed table: cell key → Row, plus what it covers."""

    path: Path
    rows: dict[CellKey, Row]
    nodes: int
    ops: tuple[str, ...]
    val_column: str
    test_column: str

    def coverage(self) -> str:
        """'4 nodes, ops none, skip_connect, …' — what a space must stay within."""
        return f"{self.nodes} nodes, ops {', '.join(self.ops)}"

    def get(self, nodes: int, edges: Iterable[str]) -> Row:
        """The row of a cell; TableError naming the table's coverage when absent."""
        edges = tuple(edges)
        row = self.rows.get((nodes, edges))
        if row is None:
            raise TableError(f"{self.path.name} has no cell with {nodes} nodes and edges "
                             f"{', '.join(edges)}; it covers {self.coverage()}")
        return row


def parse_arch(text: str) -> CellKey:
    """NAS-Bench-201 architecture string → (nodes, ops in IR edge order)."""
    edges: dict[tuple[int, int], str] = {}
    node_texts = text.strip().strip("|").split("|+|")
    for j, node in enumerate(node_texts, start=1):
        for edge in node.strip("|").split("|"):
            op, sep, source = edge.partition("~")
            if not sep or not source.isdigit() or int(source) >= j:
                raise TableError(f"bad architecture string {text!r} (edge {edge!r})")
            edges[(int(source), j)] = op
    nodes = len(node_texts) + 1
    try:
        ops = tuple(edges[(i, j)] for j in range(1, nodes) for i in range(j))
    except KeyError as err:
        raise TableError(f"bad architecture string {text!r}: edge {err} missing") from None
    return nodes, ops


def _column(fields: list[str], *suffixes: str) -> str | None:
    for suffix in suffixes:
        for name in fields:
            if name.lower().endswith(suffix):
                return name
    return None


def _read(path: Path) -> NB201Table:
    if not path.is_file():
        raise TableError(f"no benchmark table at {path}")
    # a gzip-compressed table (…csv.gz) reads as the plain one
    opener: Any = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        return _parse(path, opener)
    except (gzip.BadGzipFile, EOFError, UnicodeDecodeError) as err:
        raise TableError(f"{path} cannot be read as UTF-8 CSV text"
                         f"{' (gzip-compressed)' if opener is gzip.open else ''}: {err}") from err


def _parse(path: Path, opener: Any) -> NB201Table:
    with opener(path, "rt", newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        fields = next(reader, None)
        if not fields:
            raise TableError(f"{path} is empty")
        test_col = _column(fields, "test_accuracy")
        val_col = _column(fields, "valid_accuracy", "val_accuracy") or test_col
        test_col = test_col or val_col
        if "arch" not in fields or test_col is None or val_col is None:
            raise TableError(f"{path} needs the columns `arch` and an accuracy "
                             f"(`…test_accuracy` or `…valid_accuracy`); it has "
                             f"{', '.join(fields)}")
        at = {name: k for k, name in enumerate(fields)}
        i_arch, i_val, i_test = at["arch"], at[val_col], at[test_col]
        measure_cols = [(at[c], key) for c, key in _MEASURE_COLUMNS.items() if c in at]
        i_time = next((at[c] for c in _TIME_COLUMNS if c in at), None)
        rows: dict[CellKey, Row] = {}
        ops: set[str] = set()
        for line, cells in enumerate(reader, start=2):
            try:
                key = parse_arch(cells[i_arch])
                row = Row(float(cells[i_val]) / 100.0, float(cells[i_test]) / 100.0,
                          {name: float(cells[i]) for i, name in measure_cols},
                          0.0 if i_time is None else float(cells[i_time]))
            except (IndexError, ValueError) as err:
                raise TableError(f"{path}:{line}: {err}") from None
            rows[key] = row
            ops.update(key[1])
    if not rows:
        raise TableError(f"{path} has no rows")
    nodes = {key[0] for key in rows}
    if len(nodes) != 1:
        raise TableError(f"{path} mixes cells of {sorted(nodes)} nodes")
    order = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
    ordered = tuple(sorted(ops, key=lambda op: (order.index(op) if op in order else 99, op)))
    return NB201Table(path, rows, nodes.pop(), ordered, val_col, test_col)


_CACHE: dict[tuple[str, int], NB201Table] = {}


def load_table(path: str | os.PathLike[str]) -> NB201Table:
    """The parsed table at `path`, read once per process (re-read when the file changes)."""
    resolved = Path(path).expanduser().resolve()
    try:
        stamp = resolved.stat().st_mtime_ns
    except OSError:
        raise TableError(f"no benchmark table at {resolved}") from None
    cached = _CACHE.get((str(resolved), stamp))
    if cached is None:
        cached = _CACHE[(str(resolved), stamp)] = _read(resolved)
    return cached
