"""The table backend the runner talks to: `lookup` instead of build/fit/predict.

`backend = table("cifar10.csv")` in a spec compiles to `backend: table` with
`backend_options: {path: …}`; the runner instantiates `TableBackend(path=…)` and calls
`lookup(arch, config, seed)` for each candidate. The architecture's NB201 cell (the
`nb201_cell` layer of the IR) is the table key; the stem, layout and head of the spec do
not change the figures, which are those of the benchmark's own network.
"""

from __future__ import annotations

from typing import Any

from nasdsl.backends.table.table import NB201Table, TableError, load_table

from nasdsl.space.cells import Nb201Cell
from nasdsl.space.ir import Architecture

_NB201_DEFAULT_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")


class TableBackend:
    """Evaluates NAS-Bench-201 cells from a CSV table (see nasdsl.backends.table.table)."""

    name = "table"

    def __init__(self, path: str | None = None, **options: Any):
        if path is None:
            raise TableError("the table backend needs the table's path: "
                             'backend = table("path/to/cifar10.csv")')
        if options:
            raise TableError(f"the table backend takes only a path, not "
                             f"{', '.join(sorted(options))}")
        self.table: NB201Table = load_table(path)
        self._checked: int | None = None

    def check(self, config: dict[str, Any]) -> None:
        """TableError unless the config's space is an nb201 space the table covers."""
        space = config.get("space", {})
        kind = space.get("kind", "layers")
        cover = self.table.coverage()
        if kind != "nb201":
            raise TableError(f"the table backend evaluates NAS-Bench-201 cells, so the space "
                             f"must be `space nb201` ({cover}), not a {kind} space")
        nodes = int(space.get("nodes") or 4)
        ops = list(space.get("ops") or _NB201_DEFAULT_OPS)
        extra = [op for op in ops if op not in self.table.ops]
        if nodes != self.table.nodes or extra:
            what = (f"{nodes} nodes" if nodes != self.table.nodes else "") + \
                (" and " if nodes != self.table.nodes and extra else "") + \
                (f"ops {', '.join(extra)}" if extra else "")
            raise TableError(f"the space has {what}, which {self.table.path.name} does not "
                             f"cover; it covers {cover}")

    def lookup(self, arch: Architecture, config: dict[str, Any], seed: int) -> dict[str, Any]:
        """The table's figures for the architecture's cell (no training)."""
        if self._checked != id(config):
            self.check(config)
            self._checked = id(config)
        cells = [layer for layer in arch.layers if layer.op == "nb201_cell"]
        if not cells:
            raise TableError("the architecture has no NAS-Bench-201 cell to look up; "
                             f"the table covers {self.table.coverage()}")
        cell = Nb201Cell.from_params(cells[0].params)
        row = self.table.get(cell.nodes, cell.edges)
        return {"metrics": {"val": {"accuracy": row.val_accuracy},
                            "test": {"accuracy": row.test_accuracy}},
                "measures": dict(row.measures), "seconds": row.seconds}
