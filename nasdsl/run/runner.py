"""Evaluating one candidate: static checks, latency, training, metrics, the result file.

The search loop (nasdsl.run.search_loop, driven by the Hydra sweeper in
hydra_plugins/nasdsl_sweeper) decides *which* candidates run; this module decides *how*
one runs. An `Evaluator` keeps the backend and the loaded data for the life of its
process, so a process that runs many trials (the sweeper's own, a joblib or Ray worker)
pays for them once.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from nasdsl.data import Dataset, folds, load_data
from nasdsl.practice import quantize as practice
from nasdsl.run import constraints as cons
from nasdsl.run.backend import Backend, load_backend
from nasdsl.run.metrics import (
    CLASSIFICATION_METRICS,
    classification_metrics,
    regression_metrics,
)
from nasdsl.space.ir import Architecture
from nasdsl.space.search_space import SearchSpace
from nasdsl.space.shapes import measure

# Trial statuses written to result files.
OK, INFEASIBLE, INVALID, FAILED, STOPPED = "ok", "infeasible", "invalid", "failed", "stopped"

# Testing hook: {"trial number": "raise" | "nan" | "hang" | "memory"} injects a real fault
# of that kind into that trial (see docs/runner.md, "Faulty trials").
FAULTS_ENV = "NASDSL_INJECT_FAULTS"


@dataclass
class TrialResult:
    """Everything known about one trial; written to trials/trial_NNNN.json."""

    number: int
    status: str
    architecture: dict[str, Any] | None
    description: str
    params: dict[str, Any]
    measures: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    objectives: list[float] | None = None
    constraints: list[dict[str, Any]] = field(default_factory=list)
    history: list[float] = field(default_factory=list)
    reason: str = ""
    seconds: float = 0.0
    seed: int = 0
    attempts: int = 1
    reused_from: int | None = None
    interrupted: bool = False
    # k-fold cross-validation: each fold's {split: metrics}; `metrics` holds their mean
    folds: list[dict[str, dict[str, float]]] = field(default_factory=list)

    def write(self, trials_dir: Path, first: bool = False) -> Path | None:
        """Write the result file (atomically: a crash never leaves half a file).

        With `first`, the file is written only when there is none yet, and None comes
        back when there was one: a worker's late result and the run's "interrupted"
        record of the same trial race, and whichever lands first is the record.
        """
        path = trials_dir / f"trial_{self.number:04d}.json"
        tmp = path.with_suffix(f".json.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.__dict__, indent=2, default=_json_default),
                       encoding="utf-8")
        if not first:
            os.replace(tmp, path)
            return path
        try:
            os.link(tmp, path)  # fails when the file exists, atomically
        except FileExistsError:
            return None
        finally:
            tmp.unlink()
        return path

    @staticmethod
    def from_dict(d: dict[str, Any]) -> TrialResult:
        """Inverse of the result file's JSON."""
        known = TrialResult.__dataclass_fields__
        return TrialResult(**{k: v for k, v in d.items() if k in known})


def _json_default(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)


def objective_value(metric: str, metrics: dict[str, dict[str, float]],
                    measures: dict[str, Any]) -> float | None:
    """Value of a goal such as 'val.accuracy' or 'params'."""
    if metric in cons.MEASURE_KEYS:
        value = measures.get(cons.MEASURE_KEYS[metric])
        return None if value is None else float(value)
    split, _, name = metric.partition(".")
    return metrics.get(split, {}).get(name)


@dataclass
class RunOutcome:
    """What the search did: the results and why it stopped."""

    results: list[TrialResult]
    stop_reason: str
    seconds: float
    explanation: str | None = None  # why `strategy auto` chose its strategy


class Reporter(Protocol):
    """Where intermediate values go (an Optuna trial, possibly in another process)."""

    def report(self, value: float, step: int) -> None:
        """Record the goal's value after an epoch."""

    def should_prune(self) -> bool:
        """Whether the pruner stops this trial now."""


def static_check(config: dict[str, Any], arch: Architecture, result: TrialResult) -> bool:
    """Params, bytes and FLOPs without a framework; False (infeasible) if a limit is broken.

    Raises ShapeError for an architecture whose shapes do not fit (an invalid trial).
    """
    static = measure(arch)
    result.measures = {"params": static.params, "model_bytes": static.model_bytes,
                       "flops": static.flops}
    broken = cons.violated_limits(config["constraints"], result.measures)
    if broken:
        result.status = INFEASIBLE
        result.reason = "; ".join(c.describe() for c in broken) + " (checked before training)"
        result.constraints = [c.__dict__ for c in broken]
        return False
    return True


def injected_fault(number: int) -> str | None:
    """The fault the testing hook asks for in this trial, if any."""
    raw = os.environ.get(FAULTS_ENV)
    if not raw:
        return None
    return json.loads(raw).get(str(number))


def _blow_up_memory() -> None:
    """Allocate until the per-trial memory limit stops us (a real MemoryError)."""
    hoard = []
    for _ in range(64):  # at most 64 GiB, far beyond any limit a test sets
        hoard.append(bytearray(1 << 30))
    raise MemoryError("allocated 64 GiB without reaching a memory limit")


class Evaluator:
    """Evaluates candidates of one experiment; keeps backend and data between trials."""

    def __init__(self, config: dict[str, Any], run_dir: Path):
        self.config = config
        self.run_dir = run_dir
        self.trials_dir = run_dir / "trials"
        self.models_dir = run_dir / "models"
        self.space = SearchSpace(config)
        self.goals = config["objective"]
        self._backend: Backend | None = None
        self._data: Dataset | None = None
        self._warm = False

    @property
    def backend(self) -> Backend:
        """The experiment's backend, imported on first use."""
        if self._backend is None:
            self._backend = load_backend(self.config["backend"],
                                         self.config.get("backend_options"))
        return self._backend

    @property
    def is_lookup(self) -> bool:
        """Whether the backend is a tabular benchmark (no training, no data)."""
        return hasattr(self.backend, "lookup")

    @property
    def data(self) -> Dataset:
        """The experiment's data (its first fold under k-fold), loaded on first use."""
        if self._data is None:
            self._data = load_data(self.config, image=self.space.image_input,
                                   fold=0 if folds(self.config) else None)
        return self._data

    def prepare(self) -> None:
        """Import the backend, load the data and warm the framework up.

        Frameworks import parts of themselves on first use (torch's first backward pass
        pulls in torch._dynamo, about a second); one throwaway model built and trained on
        8 samples here keeps that out of the first trial's time and out of its time limit.
        """
        if self.is_lookup or self._warm:
            return
        self.data  # noqa: B018
        from nasdsl.space.ir import Training
        from nasdsl.space.search_space import _with_flatten_and_head

        layers = tuple(_with_flatten_and_head([], self.space.input_shape, self.space.outputs))
        tiny = Architecture(self.space.input_shape, self.data.task, self.space.outputs, layers,
                            Training(epochs=1, batch_size=8, optimizer="adam"))
        try:
            model = self.backend.build(tiny, 0)
            # The first backward pass imports more of the framework (torch: ~1 s).
            x, y = self.data.split("train")
            self.backend.fit(model, tiny, x[:8], y[:8], 0)
        except Exception:  # noqa: BLE001 - only a warm-up; the real build reports errors
            pass
        self._warm = True

    def evaluate(self, arch: Architecture, result: TrialResult, deadline: float | None,
                 reporter: Reporter | None = None) -> None:
        """Fill `result` by training (or looking up) `arch`; raises on a faulty trial.

        `deadline` is a wall-clock time (time.time()) after which training stops early.
        """
        fault = injected_fault(result.number)
        if fault == "raise":
            raise RuntimeError("injected fault: the model could not be built")
        if not static_check(self.config, arch, result):
            return
        backend = self.backend
        if hasattr(backend, "lookup"):
            self._look_up(arch, backend, result)
            return
        data = self.data
        limits = self.config["constraints"]
        model = backend.build(arch, result.seed)
        result.measures["latency_s"] = backend.latency(model, arch)
        broken = cons.violated_limits(limits, result.measures)
        if broken:
            result.status = INFEASIBLE
            result.reason = "; ".join(c.describe() for c in broken) + " (checked before training)"
            result.constraints = [c.__dict__ for c in broken]
            return
        stopped = {"flag": False, "pruned": False}
        goal = self.goals[0]["metric"]

        def on_epoch(epoch: int, loss: float, model: Any) -> bool:
            if fault == "nan":
                loss = float("nan")
            elif fault == "hang":
                time.sleep(3600)
            elif fault == "memory":
                _blow_up_memory()
            if not math.isfinite(loss):
                raise FloatingPointError(f"training loss became {loss} at epoch {epoch + 1}")
            if deadline is not None and time.time() >= deadline:
                stopped["flag"] = True
                return True
            if reporter is not None and goal.startswith("val."):
                value = self._split_metrics(backend, model, data, "val",
                                            (goal[4:],)).get(goal[4:])
                if value is not None:
                    # the step is the number of epochs done (the pruners' resource); after
                    # the last epoch there is nothing left to save by pruning
                    reporter.report(float(value), epoch + 1)
                    if epoch + 1 < int(self.config["train"]["epochs"]) \
                            and reporter.should_prune():
                        stopped["pruned"] = True
                        return True
            return False

        x_train, y_train = data.split("train")
        result.history = backend.fit(model, arch, x_train, y_train, result.seed, on_epoch)
        if not (stopped["flag"] or stopped["pruned"]):  # prune; measure quantized copies
            practice.after_training(self.config, backend, model, arch, data, result,
                                    lambda m, s: self._split_metrics(backend, m, data, s))
        for split in ("train", "val", "test"):
            result.metrics[split] = self._split_metrics(backend, model, data, split)
        if folds(self.config) and not stopped["pruned"]:
            self._other_folds(arch, result, deadline, stopped)
        result.constraints = [
            cons.check(c, result.measures, _flat_metrics(result.metrics)).__dict__
            for c in limits
        ]
        self._objectives(result)
        self.models_dir.mkdir(parents=True, exist_ok=True)
        backend.save(model, self.models_dir / f"trial_{result.number:04d}")
        if stopped["pruned"]:
            result.status = STOPPED
            result.reason = f"stopped early after {len(result.history)} epochs by the pruner"
        elif stopped["flag"]:
            result.status, result.reason = STOPPED, "the time budget ran out during training"
        else:
            result.status = OK
        practice.mark_compression_limits(self.config, result)

    def _other_folds(self, arch: Architecture, result: TrialResult, deadline: float | None,
                     stopped: dict[str, bool]) -> None:
        """Train folds 2…k like the first; `result.metrics` becomes the mean over folds.

        The first fold's model is the trial's saved model, and its measures (latency,
        quantized copies) stand for the candidate; the pruner reads the first fold only.
        A deadline that passes stops the folds still to come: the mean is over those
        trained, and the trial is marked stopped.
        """
        backend = self.backend
        result.folds = [{s: dict(m) for s, m in result.metrics.items()}]
        for fold in range(1, folds(self.config)):
            if stopped["flag"] or (deadline is not None and time.time() >= deadline):
                stopped["flag"] = True
                break
            data = self.fold_data(fold)
            model = backend.build(arch, result.seed)

            def on_epoch(epoch: int, loss: float, model: Any, fold: int = fold) -> bool:
                if not math.isfinite(loss):
                    raise FloatingPointError(f"training loss became {loss} at epoch "
                                             f"{epoch + 1} of fold {fold + 1}")
                if deadline is not None and time.time() >= deadline:
                    stopped["flag"] = True
                    return True
                return False

            x_train, y_train = data.split("train")
            backend.fit(model, arch, x_train, y_train, result.seed, on_epoch)
            result.folds.append({split: self._split_metrics(backend, model, data, split)
                                 for split in ("train", "val", "test")})
        result.metrics = mean_over_folds(result.folds)

    def fold_data(self, fold: int) -> Dataset:
        """Fold `fold` of a cross-validated experiment (nasdsl.data keeps all k loaded)."""
        return load_data(self.config, image=self.space.image_input, fold=fold)

    def _objectives(self, result: TrialResult) -> None:
        values = [objective_value(g["metric"], result.metrics, result.measures)
                  for g in self.goals]
        if any(v is None or not math.isfinite(v) for v in values):
            raise FloatingPointError(f"objective is not a finite number: {values}")
        result.objectives = [
            cons.soft_penalty(self.config["constraints"], result.constraints, float(v),
                              g["direction"])
            for v, g in zip(values, self.goals, strict=True) if v is not None]

    def _look_up(self, arch: Architecture, backend: Any, result: TrialResult) -> None:
        """Evaluate through a tabular benchmark instead of training."""
        found = backend.lookup(arch, self.config, result.seed)
        result.metrics = found["metrics"]
        result.measures.update(found.get("measures", {}))
        result.measures["simulated_train_seconds"] = float(found.get("seconds", 0.0))
        result.constraints = [
            cons.check(c, result.measures, _flat_metrics(result.metrics)).__dict__
            for c in self.config["constraints"]
        ]
        self._objectives(result)
        result.status = OK

    @staticmethod
    def _split_metrics(backend: Backend, model: Any, data: Dataset, split: str,
                       wanted: tuple[str, ...] = CLASSIFICATION_METRICS) -> dict[str, float]:
        x, y = data.split(split)
        if len(x) == 0:
            return {}
        out = backend.predict(model, x)
        if data.task == "classification":
            return classification_metrics(out, y, wanted)
        return regression_metrics(out, y, data.y_mean, data.y_std)


def mean_over_folds(per_fold: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    """{split: {metric: mean over the folds that have it}}."""
    out: dict[str, dict[str, float]] = {}
    for split in ("train", "val", "test"):
        names = {n for fold in per_fold for n in fold.get(split, {})}
        out[split] = {n: float(sum(f[split][n] for f in per_fold if n in f.get(split, {}))
                               / sum(1 for f in per_fold if n in f.get(split, {})))
                      for n in sorted(names)}
    return out


def _flat_metrics(metrics: dict[str, dict[str, float]]) -> dict[str, float]:
    return {f"{split}.{name}": v for split, ms in metrics.items() for name, v in ms.items()}


def run_experiment(config: dict[str, Any], run_dir: Path, progress: Any = None,
                   resume: bool = False) -> RunOutcome:
    """Search a compiled (and overridden) config inside an existing run directory.

    The search runs as a Hydra multirun with nasdsl's sweeper (see nasdsl.run.hydra_run).
    """
    from nasdsl.run.hydra_run import run_search

    return run_search(config, run_dir, progress, resume=resume)
