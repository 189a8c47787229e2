"""A memory-mapped .npy several times larger than the training process's peak anonymous
memory trains, on torch and on keras: splits are read and scaled a batch at a time
(nasdsl.data.lazy), never held whole as float32.

Heavy (a 2 GB file, about two minutes): marked `bigdata`, run by .ci/run after the
README's test command. The peak is sampled from /proc/PID/status (RssAnon) every 20 ms:
RssAnon counts the process's own memory, not the pages of the mapped file, which the
kernel may drop and re-read at will (VmHWM and address-space limits count those too).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

pytestmark = pytest.mark.bigdata

SAMPLES = 500_000  # × 1×64×64 uint8 = 2 GB


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("big")
    x = np.lib.format.open_memmap(folder / "x.npy", mode="w+", dtype=np.uint8,
                                  shape=(SAMPLES, 1, 64, 64))
    y = (np.arange(SAMPLES) % 4).astype(np.int64)
    rng = np.random.default_rng(0)
    for start in range(0, SAMPLES, 100_000):
        end = min(SAMPLES, start + 100_000)
        x[start:end] = rng.integers(0, 50, (end - start, 1, 64, 64), dtype=np.uint8) \
            + (y[start:end] * 50).astype(np.uint8)[:, None, None, None]
    x.flush()
    del x
    np.save(folder / "y.npy", y)
    return folder


def _peak_anon_mb(cmd: list[str]) -> tuple[int, float, str]:
    """benchmarks/data_throughput.py's sampler, which its memory figure comes from."""
    path = ROOT / "benchmarks" / "data_throughput.py"
    spec = importlib.util.spec_from_file_location("data_throughput", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.peak_anon_mb(cmd, ROOT)


@pytest.mark.parametrize("backend", ["torch", "keras"])
def test_a_memory_mapped_npy_larger_than_the_process_trains(big, backend, tmp_path):
    spec = big / f"{backend}.nas"
    spec.write_text(f"""experiment "big" {{
  seed = 1
  data {{ source = file("x.npy", labels = "y.npy"); split = train 80%, val 10%, test 10% }}
  objective {{ maximize val.accuracy }}
  space layers {{
    conv(channels = 4, kernel = 3, stride = 2, activation = relu)
    global_avg_pool
    dense(units = 8, activation = relu)
  }}
  train {{ epochs = 1; batch_size = 1024; optimizer = adam(lr = 0.02) }}
  budget {{ trials = 1 }}
  strategy random
  backend = {backend}
}}
""", encoding="utf-8")
    runs = tmp_path / "runs"
    code, peak_mb, err = _peak_anon_mb([sys.executable, "-m", "nasdsl.cli", "run", str(spec),
                                        "--quiet", "--runs-dir", str(runs)])
    assert code == 0, err[-2000:]
    file_mb = (big / "x.npy").stat().st_size / 2**20
    print(f"{backend}: file {file_mb:.0f} MB, peak RssAnon {peak_mb:.0f} MB")
    assert file_mb >= 3 * peak_mb, (file_mb, peak_mb)
    trial = json.loads(next(runs.rglob("trial_0000.json")).read_text(encoding="utf-8"))
    assert trial["status"] == "ok" and trial["metrics"]["test"]["accuracy"] > 0.7
