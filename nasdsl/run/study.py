"""The Optuna study of a run: its storage, what it already holds, and repairs after a crash.

Every trial is tagged with the run directory that asked for it (user attribute `run`),
so a resumed run repairs only its own interrupted trials, even when several runs share
one storage.
"""

from __future__ import annotations

import hashlib
import json
import time
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
    kwargs = {"connect_args": {"timeout": 60}} if url.startswith("sqlite:") else {}
    for attempt in range(10):
        try:
            # Several processes write one SQLite file: wait for the lock instead of failing.
            storage = optuna.storages.RDBStorage(url, engine_kwargs=kwargs)
            if url.startswith("sqlite:"):
                _fast_sqlite(storage)
            return storage
        except Exception as err:  # two workers creating the same new database at once
            racing = ("already exists", "UNIQUE constraint", "database is locked")
            if attempt == 9 or not any(text in str(err) for text in racing):
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def _fast_sqlite(storage: Any) -> None:
    """WAL journal, no fsync per commit: a killed process loses nothing committed (only
    a power cut could lose the last moments), and a trial's dozen small writes stop
    costing an fsync each."""
    from sqlalchemy import event

    def on_connect(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    event.listen(storage.engine, "connect", on_connect)
    storage.engine.dispose()  # connections opened before the listener get it too


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


def counts(trials: list[Any]) -> tuple[int, int]:
    """(evaluated candidates, trials still running) among a study's trials."""
    finished = running = 0
    for t in trials:
        if t.state.name == "RUNNING":
            running += 1
        elif t.state.name in FINISHED_STATES and not t.user_attrs.get("interrupted") \
                and not t.user_attrs.get("warm_start"):  # re-used earlier results cost nothing
            finished += 1
    return finished, running


def spent_seconds(trials: list[Any]) -> float:
    """Trial seconds summed (a tabular benchmark's recorded training time instead)."""
    total = 0.0
    for t in trials:
        if t.state.name in FINISHED_STATES:
            total += float(t.user_attrs.get("charged_s", 0.0))
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


def repair_interrupted(study: Any, run_tag: str, trials_dir: Path,
                       own_storage: bool = False) -> list[int]:
    """Finish this run's trials left RUNNING by a crash; return the numbers re-queued.

    A trial whose result file was written before the crash is told from the file; any
    other is marked failed (interrupted) and its candidate queued to run again. A crash
    between Optuna's `ask` and the run tag leaves a RUNNING trial without a tag; in the
    run's own storage (no other process asks trials there) it is this run's as well, and
    left alone it would count against the trial budget for ever.
    """
    import optuna
    from optuna.trial import TrialState

    requeued: list[int] = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        tag = t.user_attrs.get("run")
        if tag != run_tag and not (own_storage and tag is None):
            continue
        handle = optuna.trial.Trial(study, t._trial_id)
        if tag is None:
            handle.set_user_attr("run", run_tag)
        mark = TrialResult(t.number, FAILED, None, "", dict(t.params), interrupted=True,
                           reason="interrupted (the run stopped while it trained); "
                           "its candidate runs again")
        # The record is written before the study is told, and only where the worker has
        # not written its result: a worker that outlives the interrupt (a launch already
        # on its way to a fresh worker) then finds the record and keeps its result out.
        result = None if mark.write(trials_dir, first=True) else _recorded(trials_dir, t.number)
        if result is not None:
            tell(study, handle, result)
            continue
        handle.set_user_attr("interrupted", True)
        study.tell(handle, state=TrialState.FAIL)
        if t.params:
            study.enqueue_trial(t.params, skip_if_exists=False)
        requeued.append(t.number)
    return requeued


def _recorded(trials_dir: Path, number: int) -> TrialResult | None:
    """The trial's result file, or None where it says the trial was interrupted."""
    path = trials_dir / f"trial_{number:04d}.json"
    result = TrialResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
    return None if result.interrupted else result


def tell(study: Any, trial: Any, result: TrialResult) -> None:
    """Record a finished trial in the study: its state, values and a few attributes."""
    from optuna.trial import TrialState

    trial.set_user_attr("status", result.status)
    simulated = result.measures.get("simulated_train_seconds")
    trial.set_user_attr("charged_s", float(simulated) if simulated is not None
                        else round(result.seconds, 3))
    if result.architecture is not None:
        trial.set_user_attr("arch_key", arch_key(result.architecture))
    # One attribute for the rest: every attribute is a write to the storage.
    trial.set_user_attr("result", {"description": result.description[:500],
                                   "seconds": round(result.seconds, 3),
                                   "reason": result.reason[:500],
                                   "measures": result.measures})
    if result.status == OK and result.objectives:
        study.tell(trial, result.objectives)
    elif result.status == "stopped":
        study.tell(trial, state=TrialState.PRUNED)
    else:
        study.tell(trial, state=TrialState.FAIL)
