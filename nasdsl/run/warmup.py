"""A head start for parallel workers: they import the framework while the search starts.

A joblib worker is a fresh process: before its first trial it imports the framework
(torch: 1.5-3 s), loads the data and builds a throwaway model (`Evaluator.prepare`).
Left to the first batch, that start-up happens after the main process has composed the
multirun, opened the study and drawn the first candidates. `start` asks the same loky
executor Hydra's joblib launcher will use (same arguments, so joblib reuses it) to warm
every worker at once, in a background thread, so both happen together; the sweeper
calls `wait` before it launches the first batch.
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from nasdsl.run.settings import execution

_THREADS: list[threading.Thread] = []


def joblib_arguments(workers: int) -> dict[str, Any]:
    """The joblib.Parallel arguments Hydra's joblib launcher passes for `workers` jobs."""
    from hydra_plugins.hydra_joblib_launcher._core import process_joblib_cfg
    from hydra_plugins.hydra_joblib_launcher.config import JobLibLauncherConf

    args = asdict(JobLibLauncherConf(n_jobs=workers))
    args.pop("_target_", None)
    args["backend"] = "loky"  # as the launcher hard-codes it
    process_joblib_cfg(args)
    return args


def start(config: dict[str, Any], run_dir: Path) -> bool:
    """Warm the joblib workers in the background; False when there is nothing to warm."""
    ex = execution(config)
    if ex.hydra_launcher != "joblib" or ex.workers < 2 or ex.isolated:
        return False
    from nasdsl.run.search_loop import is_lookup_backend

    if is_lookup_backend(config):  # table look-ups run in this process, without jobs
        return False
    thread = threading.Thread(target=_warm_all, args=(config, str(run_dir.resolve()), ex.workers),
                              name="nasdsl-warmup", daemon=True)
    thread.start()
    _THREADS.append(thread)
    return True


def wait() -> None:
    """Block until the workers started by `start` are warm (at once if none were)."""
    while _THREADS:
        _THREADS.pop().join()


def _warm_all(config: dict[str, Any], run_dir: str, workers: int) -> None:
    try:
        from joblib import Parallel, delayed

        Parallel(**joblib_arguments(workers))(
            delayed(warm_worker)(config, run_dir) for _ in range(workers))
    except Exception:  # noqa: BLE001 - only a head start: the trials report real errors
        pass


def warm_worker(config: dict[str, Any], run_dir: str) -> None:
    """In a worker: pin its threads, import the backend, load the data, build once."""
    from nasdsl.run.task import evaluator_for, pin_threads

    threads = execution(config).threads_per_worker()
    pin_threads(threads)
    try:
        evaluator_for(config, Path(run_dir)).prepare()
    finally:
        pin_threads(threads)
