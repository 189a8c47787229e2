"""The search loop: ask the study for a candidate, check it, train it, tell the result.

Every trial leaves a JSON result file in `trials/` the moment it ends, and the Optuna
study in `study.db` is written by Optuna itself, so a crash loses at most the trial
that was running.
"""

from __future__ import annotations

import json
import math
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nasdsl.run import constraints as cons
from nasdsl.run.backend import Backend, load_backend
from nasdsl.run.data import Dataset, load_data
from nasdsl.run.metrics import classification_metrics, regression_metrics
from nasdsl.run.progress import Progress
from nasdsl.search.grid import GridExhausted
from nasdsl.space.ir import Architecture
from nasdsl.space.search_space import OptunaSuggest, SearchSpace
from nasdsl.space.shapes import ShapeError, measure

# Trial statuses written to result files.
OK, INFEASIBLE, INVALID, FAILED, STOPPED = "ok", "infeasible", "invalid", "failed", "stopped"


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

    def write(self, trials_dir: Path) -> Path:
        """Write the result file."""
        path = trials_dir / f"trial_{self.number:04d}.json"
        path.write_text(json.dumps(self.__dict__, indent=2, default=_json_default),
                        encoding="utf-8")
        return path


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


class Runner:
    """Runs one experiment config in one run directory."""

    def __init__(self, config: dict[str, Any], run_dir: Path, progress: Progress | None = None):
        self.config = config
        self.run_dir = run_dir
        self.trials_dir = run_dir / "trials"
        self.models_dir = run_dir / "models"
        self.progress = progress or Progress(quiet=True)
        self.space = SearchSpace(config)
        self.goals = config["objective"]
        self.seed = int(config["experiment"]["seed"])
        self.pruning = False

    def _study(self) -> Any:
        import optuna

        from nasdsl.search.strategies import make_pruner, make_sampler

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        pruner = make_pruner(self.config)
        self.pruning = pruner is not None
        return optuna.create_study(
            storage=f"sqlite:///{self.run_dir / 'study.db'}",
            study_name=self.config["experiment"]["name"],
            directions=[g["direction"] for g in self.goals],
            sampler=make_sampler(self.config["strategy"], self.seed, self.config),
            pruner=pruner,
            load_if_exists=True,
        )

    def run(self) -> RunOutcome:
        """Search until a budget is spent; return every trial's result."""
        self.trials_dir.mkdir(parents=True, exist_ok=True)
        self.models_dir.mkdir(parents=True, exist_ok=True)
        budget = self.config["budget"]
        max_trials = budget.get("trials")
        time_limit = budget.get("time_s")
        started = time.monotonic()
        deadline = started + time_limit if time_limit else None
        study = self._study()
        backend = load_backend(self.config["backend"], self.config.get("backend_options"))
        data = load_data(self.config, image=self.space.image_input)
        results: list[TrialResult] = []
        stop_reason = "trials"
        self.progress.start(max_trials, time_limit)
        try:
            while True:
                if max_trials is not None and len(results) >= max_trials:
                    stop_reason = "trials"
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    stop_reason = "time"
                    break
                result = self._one_trial(study, backend, data, deadline)
                results.append(result)
                self.progress.trial_done(result)
        except KeyboardInterrupt:
            stop_reason = "interrupted"
        except GridExhausted:
            stop_reason = "exhausted"
        finally:
            self.progress.stop()
        return RunOutcome(results, stop_reason, time.monotonic() - started)

    def _one_trial(self, study: Any, backend: Backend, data: Dataset,
                   deadline: float | None) -> TrialResult:
        from optuna.trial import TrialState

        trial = study.ask()
        t0 = time.monotonic()
        seed = self.seed * 1000 + trial.number
        result = TrialResult(trial.number, FAILED, None, "", {}, seed=seed)
        try:
            arch = self.space.sample(OptunaSuggest(trial))
            result.architecture = arch.to_dict()
            result.description = arch.describe()
            result.params = dict(trial.params)
            self._evaluate(arch, backend, data, seed, deadline, result, trial)
        except KeyboardInterrupt:
            result.status, result.reason = FAILED, "interrupted by the user"
            self._finish(study, trial, result, t0, TrialState.FAIL)
            raise
        except GridExhausted:
            study.tell(trial, state=TrialState.FAIL)
            raise
        except ShapeError as err:
            result.status, result.reason = INVALID, str(err)
        except Exception as err:  # a faulty trial must not end the search
            result.status = FAILED
            result.reason = f"{type(err).__name__}: {err}"
            (self.trials_dir / f"trial_{trial.number:04d}.traceback.txt").write_text(
                traceback.format_exc(), encoding="utf-8")
        state = TrialState.COMPLETE if result.status == OK else (
            TrialState.PRUNED if result.status == STOPPED else TrialState.FAIL)
        self._finish(study, trial, result, t0, state)
        return result

    def _finish(self, study: Any, trial: Any, result: TrialResult, t0: float, state: Any) -> None:
        result.seconds = time.monotonic() - t0
        trial.set_user_attr("status", result.status)
        trial.set_user_attr("description", result.description)
        if result.reason:
            trial.set_user_attr("reason", result.reason[:500])
        for key, value in result.measures.items():
            trial.set_user_attr(key, value)
        if state.name == "COMPLETE":
            study.tell(trial, result.objectives)
        else:
            study.tell(trial, state=state)
        result.write(self.trials_dir)

    def _evaluate(self, arch: Architecture, backend: Backend, data: Dataset, seed: int,
                  deadline: float | None, result: TrialResult, trial: Any = None) -> None:
        static = measure(arch)
        result.measures = {"params": static.params, "model_bytes": static.model_bytes,
                           "flops": static.flops}
        limits = self.config["constraints"]
        broken = cons.violated_limits(limits, result.measures)
        if broken:
            result.status = INFEASIBLE
            result.reason = "; ".join(c.describe() for c in broken) + " (checked before training)"
            result.constraints = [c.__dict__ for c in broken]
            return
        if hasattr(backend, "lookup"):
            self._look_up(arch, backend, seed, result)
            return
        model = backend.build(arch, seed)
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
            if not math.isfinite(loss):
                raise FloatingPointError(f"training loss became {loss} at epoch {epoch + 1}")
            if deadline is not None and time.monotonic() >= deadline:
                stopped["flag"] = True
                return True
            if self.pruning and trial is not None and goal.startswith("val."):
                # Intermediate values go through the study's storage, so pruning also
                # works when trials run in other processes.
                value = self._split_metrics(backend, model, data, "val").get(goal[4:])
                if value is not None:
                    trial.report(float(value), epoch)
                    if trial.should_prune():
                        stopped["pruned"] = True
                        return True
            return False

        x_train, y_train = data.split("train")
        result.history = backend.fit(model, arch, x_train, y_train, seed, on_epoch)
        for split in ("train", "val", "test"):
            result.metrics[split] = self._split_metrics(backend, model, data, split)
        result.constraints = [
            cons.check(c, result.measures, _flat_metrics(result.metrics)).__dict__
            for c in limits
        ]
        values = [objective_value(g["metric"], result.metrics, result.measures)
                  for g in self.goals]
        if any(v is None or not math.isfinite(v) for v in values):
            raise FloatingPointError(f"objective is not a finite number: {values}")
        result.objectives = [float(v) for v in values if v is not None]
        backend.save(model, self.models_dir / f"trial_{result.number:04d}")
        if stopped["pruned"]:
            result.status = STOPPED
            result.reason = f"stopped early after {len(result.history)} epochs by the pruner"
        elif stopped["flag"]:
            result.status, result.reason = STOPPED, "the time budget ran out during training"
        else:
            result.status = OK


    def _look_up(self, arch: Architecture, backend: Any, seed: int, result: TrialResult) -> None:
        """Evaluate through a tabular benchmark instead of training."""
        found = backend.lookup(arch, self.config, seed)
        result.metrics = found["metrics"]
        result.measures.update(found.get("measures", {}))
        result.measures["simulated_train_seconds"] = float(found.get("seconds", 0.0))
        result.constraints = [
            cons.check(c, result.measures, _flat_metrics(result.metrics)).__dict__
            for c in self.config["constraints"]
        ]
        values = [objective_value(g["metric"], result.metrics, result.measures)
                  for g in self.goals]
        if any(v is None or not math.isfinite(v) for v in values):
            raise FloatingPointError(f"objective is not a finite number: {values}")
        result.objectives = [float(v) for v in values if v is not None]
        result.status = OK

    @staticmethod
    def _split_metrics(backend: Backend, model: Any, data: Dataset,
                       split: str) -> dict[str, float]:
        x, y = data.split(split)
        out = backend.predict(model, x)
        if data.task == "classification":
            return classification_metrics(out, y)
        return regression_metrics(out, y, data.y_mean, data.y_std)


def _flat_metrics(metrics: dict[str, dict[str, float]]) -> dict[str, float]:
    return {f"{split}.{name}": v for split, ms in metrics.items() for name, v in ms.items()}


def run_experiment(config: dict[str, Any], run_dir: Path,
                   progress: Progress | None = None) -> RunOutcome:
    """Run a compiled (and overridden) config inside an existing run directory."""
    return Runner(config, run_dir, progress).run()
