"""On the NAS-Bench-201 table (no training), evolution and local search beat random search."""

from __future__ import annotations

import importlib.util
import statistics
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT.parent / "shared" / "benchmarks" / "nb201" / "cifar10.csv"

pytestmark = pytest.mark.skipif(not TABLE.exists(), reason=f"no NAS-Bench-201 table at {TABLE}")


def _bench():
    spec = importlib.util.spec_from_file_location("nb201_strategies",
                                                  ROOT / "benchmarks" / "nb201_strategies.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    module = _bench()
    return module, module.load_table(TABLE)


def test_table_is_the_whole_space(bench) -> None:
    module, table = bench
    assert len(table) == 5 ** 6 == 15625
    assert max(table.values()) == pytest.approx(94.37, abs=0.01)
    assert module.arch_key("|a~0|+|b~0|c~1|+|d~0|e~1|f~2|") == ("a", "b", "c", "d", "e", "f")


@pytest.mark.parametrize("strategy", ["evolution", "local"])
def test_strategy_beats_random_at_100_trials(bench, strategy: str) -> None:
    module, table = bench
    seeds = range(8)

    def mean_best(name: str) -> float:
        return statistics.mean(module.best_curve(name, table, 100, seed)[-1] for seed in seeds)

    assert mean_best(strategy) > mean_best("random") + 0.1


def test_constant_liar_keeps_async_workers_off_each_others_candidates(bench) -> None:
    # nasdsl's TPE on 8 simulated asynchronous workers: without the liar TPE hands a free
    # worker candidates that another one is still training; with it (the default), not.
    _, table = bench
    spec = importlib.util.spec_from_file_location("parallel_tpe",
                                                  ROOT / "benchmarks" / "parallel_tpe.py")
    assert spec is not None and spec.loader is not None
    parallel = importlib.util.module_from_spec(spec)
    sys.modules["parallel_tpe"] = parallel  # its dataclass looks its module up there
    spec.loader.exec_module(parallel)
    runs = {liar: [parallel.simulate(table, 8, liar, seed, 12.0) for seed in range(3)]
            for liar in (False, True)}
    trials = {liar: sum(len(r.finished) for r in rs) for liar, rs in runs.items()}
    duplicates = {liar: sum(r.duplicates for r in rs) for liar, rs in runs.items()}
    assert trials[True] == trials[False] > 200  # the same simulated clock and workers
    assert duplicates[False] > 0.1 * trials[False]
    assert duplicates[True] <= 0.01 * trials[True]

