"""A trial in a child process, so its time and memory limits can be enforced.

Used only when `budget.trial_time` / `execution.trial_timeout_s` or
`execution.trial_memory_bytes` is set: the child sets its address-space limit
(`resource.setrlimit`), the parent kills it when the time is up. A trial that blows
either limit is recorded as failed with the reason; the run goes on.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

from nasdsl.run.runner import FAILED, TrialResult
from nasdsl.run.settings import execution

# How long a child may take to import its framework and load the data.
STARTUP_S = 300.0


def _child(conn: Any, config: dict[str, Any], run_dir: str, url: str, job: dict[str, Any],
           attempt: int, memory: int | None) -> None:
    from nasdsl.run import task

    task._STUDIES.clear()  # a forked parent's database connections are not ours
    if memory is not None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        task.evaluator_for(config, Path(run_dir)).prepare()
    except Exception:  # noqa: BLE001 - evaluate_here records it as the trial's failure
        pass
    conn.send("ready")  # the trial's clock starts now, not during the framework's import
    result = task.evaluate_here(config, Path(run_dir), url, job, attempt)
    conn.send(result.__dict__)
    conn.close()


def _context() -> Any:
    # fork is fast, but not safe once a framework has started its thread pools.
    heavy = any(m in sys.modules for m in ("torch", "tensorflow", "jax"))
    if multiprocessing.get_start_method(allow_none=True) not in (
            None, *multiprocessing.get_all_start_methods()):
        # A joblib (loky) worker's default start method is "loky", which a spawned child
        # is told to set and cannot: every isolated trial of a joblib run died at start.
        multiprocessing.set_start_method(None, force=True)
    return multiprocessing.get_context("spawn" if heavy else "fork")


def run_isolated(config: dict[str, Any], run_dir: Path, url: str, job: dict[str, Any],
                 attempt: int = 1) -> TrialResult:
    """Evaluate `job` in a child process under the configured limits."""
    ex = execution(config)
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, config, str(run_dir), url, job, attempt,
                                            ex.trial_memory_bytes), daemon=True)
    t0 = time.monotonic()
    proc.start()
    send.close()
    timeout = ex.trial_timeout_s
    got: dict[str, Any] | None = None
    try:
        if receive.poll(max(STARTUP_S, timeout or 0)) and receive.recv() == "ready":
            t0 = time.monotonic()
            if receive.poll(timeout):
                got = receive.recv()
    except EOFError:  # the child died before it could answer
        got = None
    finally:
        if got is None and proc.is_alive():
            proc.kill()
        proc.join(5)
    if got is not None:
        return TrialResult.from_dict(got)
    result = TrialResult(int(job["number"]), FAILED, job["arch"], job.get("description", ""),
                         dict(job.get("params", {})), seed=int(job["seed"]))
    result.seconds = time.monotonic() - t0
    if timeout is not None and result.seconds >= timeout:
        result.reason = f"the trial exceeded its time limit of {timeout:g} s and was stopped"
    elif ex.trial_memory_bytes is not None and proc.exitcode is not None and proc.exitcode < 0:
        result.reason = (f"the trial process was killed (signal {-proc.exitcode}), most likely "
                         f"over its memory limit of {ex.trial_memory_bytes / 2**20:.0f} MiB")
    else:
        result.reason = f"the trial process died (exit code {proc.exitcode})"
    from nasdsl.run.task import write_traceback

    write_traceback(run_dir, result.number, attempt, result.reason + "\n")
    return result
