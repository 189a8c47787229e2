"""The PyTorch backend object the runner talks to."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from nasdsl.backends.torch.layers import build_model, count_params, example_input, state_bytes
from nasdsl.backends.torch.optim import make_optimizer
from torch import nn
from torch.utils.data import DataLoader, Dataset, Sampler

from nasdsl.run.backend import EpochCallback
from nasdsl.space.ir import Architecture

PREDICT_BATCH = 1024


class _Batches(Dataset):
    """Items are whole batches: the rows of x and y at an index array.

    x is an array or a lazily read split (nasdsl.data.lazy), so a memory-mapped source
    is read one batch at a time.
    """

    def __init__(self, x: Any, y: np.ndarray):
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        return (torch.from_numpy(np.asarray(self.x[rows], dtype=np.float32)),
                torch.from_numpy(self.y[rows]))


class _ShuffledBatches(Sampler):
    """One seeded permutation an epoch, cut into batches of row indices.

    torch's RandomSampler draws a second permutation at the end of each epoch; this
    keeps one draw an epoch, so a run trains on exactly the batches it always did.
    """

    def __init__(self, n: int, batch_size: int, generator: torch.Generator):
        self.n, self.batch_size, self.generator = n, batch_size, generator

    def __len__(self) -> int:
        return -(-self.n // self.batch_size)

    def __iter__(self) -> Iterator[np.ndarray]:
        order = torch.randperm(self.n, generator=self.generator).numpy()
        for start in range(0, self.n, self.batch_size):
            yield order[start:start + self.batch_size]


def _seed_everything(seed: int) -> None:
    torch.manual_seed(seed)
    _deterministic()


def _deterministic() -> None:
    # torch.use_deterministic_algorithms also sets torch._inductor.config.deterministic,
    # and importing torch._inductor costs as much as importing torch itself (1.5-3 s in
    # every process, each parallel worker included). Models here are never compiled, so
    # only the eager flag matters: set it directly where this torch has the hook.
    if torch.are_deterministic_algorithms_enabled():
        return
    setter = getattr(torch._C, "_set_deterministic_algorithms", None)
    if setter is None:
        torch.use_deterministic_algorithms(True, warn_only=True)
    else:
        setter(True, warn_only=True)


class TorchBackend:
    """Build, train, evaluate, measure and save IR models (chains, cells) with PyTorch (CPU)."""

    name = "torch"

    def build(self, arch: Architecture, seed: int) -> nn.Module:
        """A fresh, seeded model (nn.Sequential, or a CellNetwork for NASNet cells)."""
        _seed_everything(seed)
        return build_model(arch)

    def fit(self, model: nn.Module, arch: Architecture, x: np.ndarray, y: np.ndarray, seed: int,
            on_epoch: EpochCallback | None = None) -> list[float]:
        """Mini-batch training with the architecture's optimizer; deterministic for a seed."""
        _seed_everything(seed)
        tr = arch.training
        optimizer = make_optimizer(tr.optimizer, model.parameters(), tr.optimizer_params)
        classification = arch.task == "classification"
        loss_fn: nn.Module = nn.CrossEntropyLoss() if classification else nn.MSELoss()
        has_bn = any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())
        target = y if classification else y.reshape(-1, 1)
        generator = torch.Generator().manual_seed(seed)
        loader = DataLoader(_Batches(x, target), batch_size=None,
                            sampler=_ShuffledBatches(len(target), tr.batch_size, generator))
        history: list[float] = []
        n = len(target)
        for epoch in range(tr.epochs):
            model.train()
            total = 0.0
            for xb, yb in loader:
                if len(xb) < 2 and has_bn:
                    continue  # batch norm cannot train on a batch of one
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(xb), yb)
                loss.backward()
                optimizer.step()
                total += float(loss.detach()) * len(xb)
            history.append(total / n)
            if on_epoch is not None and on_epoch(epoch, history[-1], model):
                break
        return history

    def predict(self, model: nn.Module, x: np.ndarray) -> np.ndarray:
        """Logits or values for every row of x, in batches of PREDICT_BATCH rows.

        Batches bound the activations held at once: a whole split of 10,000 28×28
        images through a small CNN would hold gigabytes.
        """
        model.eval()
        with torch.no_grad():
            outs = [model(torch.from_numpy(np.asarray(x[start:start + PREDICT_BATCH]))).numpy()
                    for start in range(0, max(len(x), 1), PREDICT_BATCH)]
        return np.concatenate(outs)

    def count(self, model: nn.Module) -> dict[str, int]:
        """Trainable parameters and bytes of the saved state."""
        return {"params": count_params(model), "model_bytes": state_bytes(model)}

    def latency(self, model: nn.Module, arch: Architecture, repeats: int = 50) -> float:
        """Median seconds of a batch-1 forward pass after a short warm-up."""
        model.eval()
        sample = example_input(arch)
        times: list[float] = []
        with torch.no_grad():
            for _ in range(5):
                model(sample)
            for _ in range(repeats):
                start = time.perf_counter()
                model(sample)
                times.append(time.perf_counter() - start)
        return statistics.median(times)

    def save(self, model: nn.Module, path: Path) -> Path:
        """The state dict as a .pt file."""
        target = path.with_suffix(".pt")
        torch.save(model.state_dict(), target)
        return target

    def weight_sharing_search(self, settings: Any, config: dict[str, Any], data: Any,
                              log: Any = None) -> dict[str, Any]:
        """Run an ENAS, DARTS or once-for-all supernet search (nasdsl.weightsharing)."""
        from nasdsl.backends.torch.supernet_search import run_search

        return run_search(settings, config, data, log or (lambda _: None))

    def describe(self, model: Any) -> str:
        """The module tree, for debugging."""
        return str(model)
