"""The backend protocol and its discovery through the `nasdsl.backends` entry-point group.

A backend turns an Architecture into a framework model, trains it, predicts, counts
its parameters and bytes, times batch-1 inference and saves it. Backends are imported
only when a trial runs, so the core never loads a deep-learning framework on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from nasdsl.space.ir import Architecture

# on_epoch(epoch, train_loss, model) → True to stop training early.
EpochCallback = Callable[[int, float, Any], bool]


class Backend(Protocol):
    """What the runner needs from a framework adapter."""

    name: str

    def build(self, arch: Architecture, seed: int) -> Any:
        """A fresh, seeded model of the architecture."""

    def fit(self, model: Any, arch: Architecture, x: np.ndarray, y: np.ndarray, seed: int,
            on_epoch: EpochCallback | None = None) -> list[float]:
        """Train in place; return the mean training loss of each epoch."""

    def predict(self, model: Any, x: np.ndarray) -> np.ndarray:
        """Logits (classification) or values (regression) as a numpy array."""

    def count(self, model: Any) -> dict[str, int]:
        """{'params': trainable parameters, 'model_bytes': bytes of the saved state}."""

    def latency(self, model: Any, arch: Architecture, repeats: int = 50) -> float:
        """Median seconds of one batch-1 forward pass."""

    def save(self, model: Any, path: Path) -> Path:
        """Write the model; return the file written."""


class LookupBackend(Protocol):
    """A backend that evaluates an architecture without training it (a tabular benchmark).

    The runner calls `lookup` instead of build/fit/predict when a backend has it.
    """

    name: str

    def lookup(self, arch: Architecture, config: dict[str, Any], seed: int) -> dict[str, Any]:
        """{'metrics': {'val': {...}, 'test': {...}}, 'measures': {...}, 'seconds': float}.

        `seconds` is what training would have cost (the table's recorded time).
        """


class BackendError(RuntimeError):
    """A backend is unknown or its framework is not installed."""


def available_backends() -> list[str]:
    """Names registered in the `nasdsl.backends` entry-point group."""
    return sorted(ep.name for ep in entry_points(group="nasdsl.backends"))


def load_backend(name: str, options: dict[str, Any] | None = None) -> Backend:
    """Import and instantiate a backend by name, passing the spec's options (table path…)."""
    eps = {ep.name: ep for ep in entry_points(group="nasdsl.backends")}
    if name not in eps:
        raise BackendError(f"no backend named '{name}' is installed "
                           f"(installed: {', '.join(sorted(eps)) or 'none'})")
    try:
        cls = eps[name].load()
    except ImportError as err:
        raise BackendError(f"backend '{name}' cannot load its framework ({err}); "
                           f"install it with: pip install 'nasdsl[{name}]'") from err
    return cls(**(options or {}))
