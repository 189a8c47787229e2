"""The PyTorch backend object the runner talks to."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from nasdsl.backends.torch.layers import build_model, count_params, example_input, state_bytes
from nasdsl.backends.torch.optim import make_optimizer
from torch import nn

from nasdsl.run.backend import EpochCallback
from nasdsl.space.ir import Architecture

PREDICT_BATCH = 1024


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
        xt = torch.from_numpy(x)
        yt = torch.from_numpy(y) if classification else torch.from_numpy(y).reshape(-1, 1)
        generator = torch.Generator().manual_seed(seed)
        history: list[float] = []
        n = len(xt)
        for epoch in range(tr.epochs):
            model.train()
            order = torch.randperm(n, generator=generator)
            total = 0.0
            for start in range(0, n, tr.batch_size):
                idx = order[start:start + tr.batch_size]
                if len(idx) < 2 and any(isinstance(m, nn.modules.batchnorm._BatchNorm)
                                        for m in model.modules()):
                    continue  # batch norm cannot train on a batch of one
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(xt[idx]), yt[idx])
                loss.backward()
                optimizer.step()
                total += float(loss.detach()) * len(idx)
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
            outs = [model(torch.from_numpy(x[start:start + PREDICT_BATCH])).numpy()
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
