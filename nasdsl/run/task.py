"""One trial as a Hydra job: the task function every launcher runs.

The sweeper samples the candidate and passes it in the job's overrides
(`+trial.number=…`, `+trial.arch='…json…'`, `+trial.seed=…`, `+trial.id=…`), so the
job's `.hydra/overrides.yaml` is enough to re-run it. The job trains the candidate
(retrying a failure `execution.retries` times, in a child process when a per-trial time
or memory limit is set), reports each epoch's value to the study's storage so the pruner
works across processes, writes `trials/trial_NNNN.json` and returns the result.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from nasdsl.run.runner import FAILED, INVALID, Evaluator, TrialResult
from nasdsl.run.settings import execution
from nasdsl.space.ir import Architecture
from nasdsl.space.shapes import ShapeError

# Per process: evaluators (backend + data) and open studies, reused by later trials.
_EVALUATORS: dict[str, Evaluator] = {}
_STUDIES: dict[tuple[str, str], Any] = {}


def register_study(url: str, study: Any) -> None:
    """Let in-process trials report through the sweeper's own study object."""
    _STUDIES[(url, study.study_name)] = study


def evaluator_for(config: dict[str, Any], run_dir: Path) -> Evaluator:
    """This process's evaluator of the experiment (created once)."""
    key = f"{run_dir}|{_config_key(config)}"
    found = _EVALUATORS.get(key)
    if found is None:
        found = _EVALUATORS[key] = Evaluator(config, run_dir)
    return found


def _config_key(config: dict[str, Any]) -> str:
    return json.dumps({k: config.get(k) for k in ("data", "backend", "backend_options",
                                                  "constraints", "objective", "space",
                                                  "experiment")},
                      sort_keys=True, default=str)


class _Reporter:
    """Intermediate values into the study's storage; the study's pruner decides."""

    def __init__(self, config: dict[str, Any], url: str, trial_id: int):
        import optuna

        from nasdsl.run.study import make_storage
        from nasdsl.search.strategies import make_pruner

        name = config["experiment"]["name"]
        study = _STUDIES.get((url, name))
        if study is None:
            study = _STUDIES[(url, name)] = optuna.load_study(
                study_name=name, storage=make_storage(url),
                sampler=optuna.samplers.RandomSampler(), pruner=make_pruner(config))
        self.trial = optuna.trial.Trial(study, trial_id)

    def report(self, value: float, step: int) -> None:
        """Record the goal's value after an epoch."""
        self.trial.report(value, step)

    def should_prune(self) -> bool:
        """Whether the study's pruner stops the trial."""
        return self.trial.should_prune()


def trial_dir(run_dir: Path, number: int) -> Path:
    """The trial's job directory (Hydra's `.hydra/`, tracebacks)."""
    return run_dir / "trials" / f"trial_{number:04d}"


def evaluate_here(config: dict[str, Any], run_dir: Path, url: str, job: dict[str, Any],
                  attempt: int = 1) -> TrialResult:
    """Evaluate one candidate in this process; any fault becomes a failed result."""
    from nasdsl.search.strategies import make_pruner

    result = TrialResult(int(job["number"]), FAILED, job["arch"], job.get("description", ""),
                         dict(job.get("params", {})), seed=int(job["seed"]))
    t0 = time.monotonic()
    try:
        evaluator = evaluator_for(config, run_dir)
        evaluator.prepare()
        t0 = time.monotonic()  # a trial's time is its own, not the framework's import
        reporter = (_Reporter(config, url, int(job["id"]))
                    if job.get("id") is not None and make_pruner(config) is not None else None)
        evaluator.evaluate(Architecture.from_dict(job["arch"]), result, job.get("deadline"),
                           reporter)
    except ShapeError as err:
        result.status, result.reason = INVALID, str(err)
    except Exception as err:  # a faulty trial must not end the search
        result.status = FAILED
        result.reason = describe_error(err, config)
        write_traceback(run_dir, result.number, attempt, traceback.format_exc())
    result.seconds = time.monotonic() - t0
    return result


def describe_error(err: BaseException, config: dict[str, Any]) -> str:
    """A one-line reason for a failed trial."""
    text = f"{type(err).__name__}: {err}".splitlines()[0][:400]
    limit = execution(config).trial_memory_bytes
    if limit is not None and (isinstance(err, MemoryError) or "allocate memory" in text):
        return f"the trial exceeded its memory limit of {limit / 2**20:.0f} MiB ({text})"
    return text


def write_traceback(run_dir: Path, number: int, attempt: int, text: str) -> Path:
    """Keep a failed attempt's traceback in the trial directory."""
    where = trial_dir(run_dir, number)
    where.mkdir(parents=True, exist_ok=True)
    path = where / ("traceback.txt" if attempt == 1 else f"traceback.{attempt}.txt")
    path.write_text(text, encoding="utf-8")
    return path


def pin_threads(threads: int) -> None:
    """Give this worker process its share of the cores (OpenMP, torch, TensorFlow)."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    if "torch" in sys.modules:
        import torch

        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:  # TensorFlow already initialised in this process
            pass


def run_trial_job(config: dict[str, Any], run_dir: Path, url: str,
                  job: dict[str, Any]) -> dict[str, Any]:
    """Run one trial with its retries; write and return its result."""
    from nasdsl.run.isolate import run_isolated

    recorded = run_dir / "trials" / f"trial_{job['number']:04d}.json"
    if recorded.is_file():
        # The run was interrupted and recorded this trial before its launch reached a
        # worker (one started afresh after the run stopped its workers): nothing to train,
        # and the run's exit waits for no training.
        return json.loads(recorded.read_text(encoding="utf-8"))
    ex = execution(config)
    if ex.workers > 1 and ex.launcher != "basic":
        pin_threads(ex.threads_per_worker())
        evaluator_for(config, run_dir).backend  # noqa: B018 - import the framework now
        pin_threads(ex.threads_per_worker())
    spent = 0.0  # every attempt's own time; the framework's one-off import is not a trial's
    reasons: list[str] = []
    for attempt in range(1, ex.retries + 2):
        if ex.isolated:
            result = run_isolated(config, run_dir, url, job, attempt)
        else:
            result = evaluate_here(config, run_dir, url, job, attempt)
        spent += result.seconds
        if result.status != FAILED:
            break
        reasons.append(result.reason)
    result.attempts = attempt
    if len(reasons) > 1 and result.status == FAILED:
        result.reason = f"failed {len(reasons)} times; last: {result.reason}"
    elif reasons and result.status != FAILED:
        result.reason = (result.reason + f" (after {len(reasons)} failed attempt(s): "
                         f"{reasons[-1][:120]})").strip()
    result.seconds = spent
    (run_dir / "trials").mkdir(parents=True, exist_ok=True)
    # Only the interrupted run's record can be there first: the trial was stopped while it
    # ran and its candidate queued again, so this late result must not stand in for it.
    result.write(run_dir / "trials", first=True)
    return result.__dict__


def hydra_task(cfg: Any) -> dict[str, Any]:
    """The Hydra task function: one trial per job (see the module docstring)."""
    from omegaconf import OmegaConf

    config = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(config, dict)
    config.pop("hydra", None)
    trial = config.pop("trial")
    internal = config.pop("nasdsl_run")
    job = {"number": int(trial["number"]), "id": trial.get("id"), "seed": int(trial["seed"]),
           "arch": json.loads(trial["arch"]), "params": json.loads(trial.get("params", "{}")),
           "description": trial.get("description", ""), "deadline": trial.get("deadline")}
    return run_trial_job(config, Path(internal["dir"]), internal["storage"], job)
