"""The Optuna study of a run: its storage, what it already holds, and repairs after a crash.

Every trial is tagged with the run directory that asked for it (user attribute `run`),
so a resumed run repairs only its own interrupted trials, even when several runs share
one storage.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from nasdsl.run.runner import FAILED, OK, TrialResult

# Trial states that count as evaluated candidates (an interrupted trial does not).
FINISHED_STATES = ("COMPLETE", "PRUNED", "FAIL")


def make_storage(url: str) -> Any:
    """An Optuna storage object for a URL or `journal:PATH`."""
    import optuna

    if url.startswith("journal:"):
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        path = Path(url[len("journal:"):])
        path.parent.mkdir(parents=True, exist_ok=True)
        return JournalStorage(JournalFileBackend(str(path)))
    if url.startswith("sqlite:"):
        # Several processes write one SQLite file: wait for the lock instead of failing.
        return optuna.storages.RDBStorage(url, engine_kwargs={"connect_args": {"timeout": 60}})
    return optuna.storages.RDBStorage(url)


def open_study(config: dict[str, Any], url: str, sampler: Any = None, pruner: Any = None,
               storage: Any = None) -> Any:
    """Create the experiment's study in the storage, or load it if it exists."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.create_study(
        storage=storage if storage is not None else make_storage(url),
        study_name=config["experiment"]["name"],
        directions=[g["direction"] for g in config["objective"]],
        sampler=sampler, pruner=pruner, load_if_exists=True,
    )


def arch_key(arch: dict[str, Any]) -> str:
    """Canonical hash of an architecture and its training settings."""
    return hashlib.sha256(json.dumps(arch, sort_keys=True).encode()).hexdigest()[:24]


def counts(study: Any) -> tuple[int, int]:
    """(evaluated candidates, trials still running) in the whole study."""
    finished = running = 0
    for t in study.get_trials(deepcopy=False):
        if t.state.name == "RUNNING":
            running += 1
        elif t.state.name in FINISHED_STATES and not t.user_attrs.get("interrupted"):
            finished += 1
    return finished, running


def spent_seconds(study: Any) -> float:
    """Trial seconds summed over the study (a tabular benchmark's recorded training time)."""
    total = 0.0
    for t in study.get_trials(deepcopy=False):
        if t.state.name in FINISHED_STATES:
            total += float(t.user_attrs.get("charged_s", t.user_attrs.get("seconds", 0.0)))
    return total


def evaluated(study: Any, trials_dir: Path) -> dict[str, TrialResult]:
    """Completed candidates by architecture key, read from this run's result files."""
    out: dict[str, TrialResult] = {}
    for t in study.get_trials(deepcopy=False):
        key = t.user_attrs.get("arch_key")
        if t.state.name != "COMPLETE" or not key or key in out:
            continue
        path = trials_dir / f"trial_{t.number:04d}.json"
        if path.is_file():
            result = TrialResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
            if result.status == OK:
                out[key] = result
    return out


def repair_interrupted(study: Any, run_tag: str, trials_dir: Path) -> list[int]:
    """Finish this run's trials left RUNNING by a crash; return the numbers re-queued.

    A trial whose result file was written before the crash is told from the file; any
    other is marked failed (interrupted) and its candidate queued to run again.
    """
    import optuna
    from optuna.trial import TrialState

    requeued: list[int] = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if t.user_attrs.get("run") != run_tag:
            continue
        path = trials_dir / f"trial_{t.number:04d}.json"
        result = None
        if path.is_file():
            result = TrialResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
            if result.interrupted:
                result = None
        handle = optuna.trial.Trial(study, t._trial_id)
        if result is not None:
            tell(study, handle, result)
            continue
        handle.set_user_attr("interrupted", True)
        study.tell(handle, state=TrialState.FAIL)
        if t.params:
            study.enqueue_trial(t.params, skip_if_exists=False)
        requeued.append(t.number)
        TrialResult(t.number, FAILED, None, "", dict(t.params), interrupted=True,
                    reason="interrupted (the run stopped while it trained); "
                    "its candidate runs again").write(trials_dir)
    return requeued


def tell(study: Any, trial: Any, result: TrialResult) -> None:
    """Record a finished trial in the study: its state, values and a few attributes."""
    from optuna.trial import TrialState

    trial.set_user_attr("status", result.status)
    trial.set_user_attr("description", result.description[:500])
    trial.set_user_attr("seconds", round(result.seconds, 3))
    simulated = result.measures.get("simulated_train_seconds")
    trial.set_user_attr("charged_s", float(simulated) if simulated is not None
                        else round(result.seconds, 3))
    if result.architecture is not None:
        trial.set_user_attr("arch_key", arch_key(result.architecture))
    if result.reason:
        trial.set_user_attr("reason", result.reason[:500])
    for key, value in result.measures.items():
        trial.set_user_attr(key, value)
    if result.status == OK and result.objectives:
        study.tell(trial, result.objectives)
    elif result.status == "stopped":
        study.tell(trial, state=TrialState.PRUNED)
    else:
        study.tell(trial, state=TrialState.FAIL)
