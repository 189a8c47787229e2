"""What every peer shares: the two tasks, their data splits, their search spaces, the log.

The spaces are the ones written in `specs/digits_cnn.nas` and `specs/cancer_mlp.nas`,
restated here as plain constants so that the KerasTuner and Optuna scripts can write
them out by hand. Decision names are nasdsl's own ("layers.0.r1.0.conv.channels"), so
tests/test_peers_smoke.py can compare the three spaces decision by decision.

This module imports no deep-learning framework and no part of nasdsl.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
SPECS = HERE / "specs"


@dataclass(frozen=True)
class CnnSpace:
    """digits: repeat(1..2){conv(channels, kernel, relu); optional BN; optional max_pool},
    dense(units, relu), dropout(rate); batch size and Adam learning rate."""

    repeat: tuple[int, int] = (1, 2)
    channels: tuple[int, ...] = (8, 16, 32)
    kernel: tuple[int, ...] = (3, 5)
    dense_units: tuple[int, ...] = (32, 64, 128)
    dropout: tuple[float, float] = (0.0, 0.5)
    batch_size: tuple[int, ...] = (32, 64)
    lr: tuple[float, float] = (1e-3, 1e-2)


@dataclass(frozen=True)
class MlpSpace:
    """breast_cancer: repeat(1..3){dense(units, activation); optional BN; dropout(rate)};
    batch size and Adam learning rate."""

    repeat: tuple[int, int] = (1, 3)
    units: tuple[int, ...] = (16, 32, 64, 128)
    activation: tuple[str, ...] = ("relu", "gelu", "tanh")
    dropout: tuple[float, float] = (0.0, 0.5)
    batch_size: tuple[int, ...] = (16, 32, 64)
    lr: tuple[float, float] = (1e-4, 1e-2)


@dataclass(frozen=True)
class Task:
    """One benchmark task: the spec nasdsl runs and what the peers need to match it."""

    name: str
    spec: Path
    loader: str  # sklearn.datasets function
    image_shape: tuple[int, int, int] | None  # (C, H, W) for the CNN space
    classes: int
    epochs: int
    space: CnnSpace | MlpSpace
    split: tuple[float, float, float] = (0.70, 0.15, 0.15)  # train, val, test


TASKS: dict[str, Task] = {
    "digits": Task("digits", SPECS / "digits_cnn.nas", "load_digits", (1, 8, 8), 10, 8,
                   CnnSpace()),
    "breast_cancer": Task("breast_cancer", SPECS / "cancer_mlp.nas", "load_breast_cancer",
                          None, 2, 20, MlpSpace()),
}


@dataclass(frozen=True)
class Splits:
    """float32 features (images as N×C×H×W) and int64 labels of the three splits."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_splits(task: Task, seed: int) -> Splits:
    """The task's stratified train/val/test split for a seed, as the spec draws it.

    Test first, then validation out of the rest, both with `random_state=seed`; images
    are scaled by the training maximum, tables standardised with training statistics.
    """
    from sklearn import datasets
    from sklearn.model_selection import train_test_split

    bunch = getattr(datasets, task.loader)()
    x = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target)
    train, val, test = task.split
    x_rest, x_test, y_rest, y_test = train_test_split(
        x, y, test_size=test, random_state=seed, stratify=y)
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=val / (train + val), random_state=seed, stratify=y_rest)
    if task.image_shape is not None:
        scale = float(x_train.max()) or 1.0
        xs = [(a / scale).reshape((-1, *task.image_shape)) for a in (x_train, x_val, x_test)]
    else:
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        std[std == 0] = 1.0
        xs = [(a - mean) / std for a in (x_train, x_val, x_test)]
    x_train, x_val, x_test = (a.astype(np.float32) for a in xs)
    y_train, y_val, y_test = (a.astype(np.int64) for a in (y_train, y_val, y_test))
    return Splits(x_train, y_train, x_val, y_val, x_test, y_test)


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Share of rows whose largest output is the label."""
    return float((np.asarray(logits).argmax(axis=1) == labels).mean())


class TrialLog:
    """Append one JSON line per finished trial, flushed at once (nothing lost on a crash).

    `finished_s` counts from the start of the search (after imports, data loading and
    the framework's warm-up, as in nasdsl), the clock every tool's budget and
    time-to-target use.
    """

    def __init__(self, path: Path, budget_s: float):
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("", encoding="utf-8")
        self.t0 = time.monotonic()
        self.deadline = self.t0 + budget_s
        self._lock = threading.Lock()  # trials of `optuna_tpe.py --jobs 2` log from 2 threads

    def time_left(self) -> float:
        """Seconds until the budget is spent (negative after)."""
        return self.deadline - time.monotonic()

    def record(self, number: int, status: str, val: float | None, test: float | None,
               params: dict[str, Any]) -> None:
        """Log one trial: status 'ok', or 'cut' when the budget ran out during training."""
        row = {"number": number, "status": status,
               "finished_s": round(time.monotonic() - self.t0, 3),
               "val": val, "test": test, "params": params}
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(row, default=str) + "\n")


def read_log(path: Path) -> list[dict[str, Any]]:
    """The rows of a trial log (missing file: none)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def peer_arguments(description: str) -> Any:
    """The command line every peer script takes (the driver calls them all the same way)."""
    import argparse

    p = argparse.ArgumentParser(description=description)
    p.add_argument("--task", choices=sorted(TASKS), required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--budget-s", type=float, default=300.0)
    p.add_argument("--log", type=Path, required=True, help="JSON-lines trial log to write")
    p.add_argument("--workdir", type=Path, default=None, help="scratch folder of the tool")
    return p
