"""The table backend: NAS-Bench-201 cells looked up in a CSV table instead of trained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, SHARED
from nasdsl.backends.table import TableBackend, TableError, load_table

from nasdsl.compile import spec_to_config
from nasdsl.lang import parse_spec
from nasdsl.run.backend import BackendError, load_backend
from nasdsl.space.search_space import FixedSuggest, SearchSpace

NB201_TABLE = SHARED / "benchmarks" / "nb201" / "cifar10.csv"

SPEC = """
experiment "table-test" {
  seed = 2
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space nb201 {
    nodes = NODES
    ops   = [OPS]
  }
  train { epochs = 1; batch_size = 32; optimizer = sgd(lr = 0.1) }
  budget { trials = TRIALS }
  strategy STRATEGY
  backend = torch
}
"""


def config_for(table: Path, nodes: int = 4,
               ops: str = "none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3",
               trials: int = 10, strategy: str = "random") -> dict:
    """The test spec compiled, with the table backend set as `backend = table(…)` does."""
    text = (SPEC.replace("NODES", str(nodes)).replace("OPS", ops)
            .replace("TRIALS", str(trials)).replace("STRATEGY", strategy))
    result = parse_spec(text)
    assert result.spec is not None, result.diagnostics
    config = spec_to_config(result.spec)
    config["backend"] = "table"
    config["backend_options"] = {"path": str(table)}
    return config


@pytest.fixture
def tiny_table(tmp_path: Path) -> Path:
    """A 3-node table (3 edges) over two ops: 8 cells, accuracy = 80 + 5 × skip edges."""
    lines = ["index,arch,cifar10_valid_accuracy,cifar10_test_accuracy,params,train_seconds"]
    ops = ("none", "skip_connect")
    for n in range(8):
        e = [ops[(n >> b) & 1] for b in range(3)]  # edges (1←0), (2←0), (2←1)
        skips = e.count("skip_connect")
        arch = f"|{e[0]}~0|+|{e[1]}~0|{e[2]}~1|"
        lines.append(f"{n},{arch},{80 + 5 * skips},{79 + 5 * skips},{1000 + n},{10.5 * n}")
    path = tmp_path / "tiny.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_backend_is_registered_and_loads_through_the_entry_point(tiny_table: Path) -> None:
    backend = load_backend("table", {"path": str(tiny_table)})
    assert isinstance(backend, TableBackend) and hasattr(backend, "lookup")
    assert backend.table.nodes == 3 and backend.table.ops == ("none", "skip_connect")
    assert load_table(tiny_table) is backend.table  # parsed once per process


def test_nb201_string_maps_to_the_ir_cell() -> None:
    config = config_for(NB201_TABLE)
    # NAS-Bench-201's architecture 1: |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+
    # |skip_connect~0|nor_conv_3x3~1|skip_connect~2| with 93.66 % test accuracy.
    edges = {"e0_1": "nor_conv_3x3", "e0_2": "nor_conv_3x3", "e1_2": "avg_pool_3x3",
             "e0_3": "skip_connect", "e1_3": "nor_conv_3x3", "e2_3": "skip_connect"}
    arch = SearchSpace(config).sample(FixedSuggest({f"space.cell.{k}": v
                                                    for k, v in edges.items()}))
    backend = TableBackend(path=str(NB201_TABLE))
    found = backend.lookup(arch, config, seed=0)
    assert found["metrics"]["test"]["accuracy"] == pytest.approx(0.9366)
    # The table records only test accuracy, so it is also what the search sees.
    assert found["metrics"]["val"]["accuracy"] == found["metrics"]["test"]["accuracy"]
    assert len(backend.table.rows) == 15625
    best = max(r.test_accuracy for r in backend.table.rows.values())
    assert best == pytest.approx(0.9437, abs=1e-4)


def test_search_on_the_table_through_nasdsl_run(tiny_table: Path, tmp_path: Path, cli) -> None:
    text = (SPEC.replace("NODES", "3").replace("OPS", "none, skip_connect")
            .replace("TRIALS", "20").replace("STRATEGY", "grid")
            .replace("backend = torch", f'backend = table("{tiny_table.name}")'))
    spec = tmp_path / "tiny.nas"  # the table's path is relative to the spec's folder
    spec.write_text(text, encoding="utf-8")
    done = cli("run", str(spec), "--quiet", "--runs-dir", str(tmp_path / "runs"))
    assert done.returncode == 0, done.stderr
    (run_dir,) = (tmp_path / "runs" / "table-test").iterdir()
    results = [json.loads(p.read_text()) for p in sorted((run_dir / "trials").glob("*.json"))]
    assert len(results) == 8  # the finite grid is exhausted before budget.trials = 20
    assert all(r["status"] == "ok" and r["history"] == [] for r in results)
    best = max(results, key=lambda r: r["objectives"][0])
    assert best["metrics"] == {"val": {"accuracy": 0.95}, "test": {"accuracy": 0.94}}
    assert best["measures"]["params"] == 1007  # the table's params replace the IR's count
    assert best["measures"]["simulated_train_seconds"] == pytest.approx(73.5)
    models = run_dir / "models"
    assert not models.exists() or not list(models.iterdir())  # nothing was trained


def test_repeats_count_against_budget_trials_so_an_exhausted_space_ends(
        tiny_table: Path, tmp_path: Path, cli) -> None:
    # Random search on an 8-cell space with budget.trials = 20 must repeat cells. A repeat
    # reuses the earlier result without a lookup or training and still uses up a trial,
    # or a search on a space smaller than its budget would never end.
    text = (SPEC.replace("NODES", "3").replace("OPS", "none, skip_connect")
            .replace("TRIALS", "20").replace("STRATEGY", "random")
            .replace("backend = torch", f'backend = table("{tiny_table.name}")'))
    spec = tmp_path / "tiny.nas"
    spec.write_text(text, encoding="utf-8")
    done = cli("run", str(spec), "--quiet", "--runs-dir", str(tmp_path / "runs"))
    assert done.returncode == 0, done.stderr
    (run_dir,) = (tmp_path / "runs" / "table-test").iterdir()
    results = [json.loads(p.read_text()) for p in sorted((run_dir / "trials").glob("*.json"))]
    assert len(results) == 20
    fresh = [r for r in results if r.get("reused_from") is None]
    assert len(fresh) <= 8 and len(results) - len(fresh) >= 12
    by_number = {r["number"]: r for r in results}
    for r in results:
        if r.get("reused_from") is not None:
            assert by_number[r["reused_from"]]["params"] == r["params"]
            assert r["objectives"] == by_number[r["reused_from"]]["objectives"]


def test_missing_file_and_wrong_columns(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="no benchmark table at .*nothere.csv"):
        load_backend("table", {"path": str(tmp_path / "nothere.csv")})
    bad = tmp_path / "bad.csv"
    bad.write_text("index,architecture,score\n0,|none~0|,1\n", encoding="utf-8")
    with pytest.raises(TableError, match="needs the columns `arch`.*it has index, "
                                         "architecture, score"):
        TableBackend(path=str(bad))
    broken = tmp_path / "broken.csv"
    broken.write_text("arch,test_accuracy\n|none~0|+|none~1|,oops\n", encoding="utf-8")
    with pytest.raises(TableError, match="broken.csv:2"):
        TableBackend(path=str(broken))
    with pytest.raises(TableError, match="needs the table's path"):
        TableBackend()


@pytest.mark.parametrize(("nodes", "ops", "message"), [
    (4, "none, skip_connect, sep_conv_3x3", "ops sep_conv_3x3"),
    (5, "none, skip_connect", "5 nodes"),
])
def test_a_space_the_table_does_not_cover_is_named(nodes: int, ops: str, message: str) -> None:
    config = config_for(NB201_TABLE, nodes=nodes, ops=ops)
    backend = TableBackend(path=str(NB201_TABLE))
    with pytest.raises(TableError, match=f"{message}.*covers 4 nodes, ops none, skip_connect, "
                                         "nor_conv_1x1, nor_conv_3x3, avg_pool_3x3"):
        backend.check(config)


def test_a_layers_space_is_refused(tiny_table: Path) -> None:
    from test_search_helpers import config_for as layers_config

    backend = TableBackend(path=str(tiny_table))
    with pytest.raises(TableError, match="must be `space nb201`"):
        backend.check(layers_config())


def test_the_shipped_gzipped_table_is_the_benchmark_table(tmp_path):
    """specs/nb201.nas runs from a clone: its table ships in specs/data, gzipped."""
    from nasdsl.backends.table.table import _read

    shipped = ROOT / "specs" / "data" / "nb201_cifar10.csv.gz"
    ours, theirs = _read(shipped), _read(NB201_TABLE)
    assert len(ours.rows) == 15625
    assert (ours.rows, ours.ops, ours.nodes) == (theirs.rows, theirs.ops, theirs.nodes)
    fake = ROOT / "specs" / "data" / "tumours.csv"
    renamed = tmp_path / "table.csv.gz"
    renamed.write_bytes(fake.read_bytes())
    with pytest.raises(TableError, match="gzip-compressed"):
        _read(renamed)
