"""How a run is interrupted: Ctrl-C, `kill -INT`, SIGTERM, and the workers left running.

Either signal stops a run the same way: the running trials are recorded as interrupted,
run.json says `interrupted`, the command exits with 130, and `nasdsl resume` continues.

In batches, Ctrl-C lands in joblib's own wait, and joblib kills its workers. With
`dispatch = async` the launches wait in daemon threads and never see the interrupt, so
a worker whose trial does not stop on its own (the signal sent to the main process
only, or a trial stuck in a long native call) would keep the process waiting at exit:
loky joins its workers' tasks before the interpreter ends. The run has already recorded
such a trial as interrupted, so `stop_workers` kills the worker, and waits until it
is gone before the run repairs its trials.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any


def sigterm_as_ctrl_c() -> None:
    """Make SIGTERM (a scheduler's or `timeout`'s stop) interrupt the run as Ctrl-C does.

    It calls whatever handles SIGINT at the time it arrives, so the async loop's flag
    works for both; where SIGINT is ignored, it raises KeyboardInterrupt. Nothing
    changes off the main thread (signals go there only).
    """
    if threading.current_thread() is not threading.main_thread():
        return

    def on_term(signum: int, frame: FrameType | None) -> None:
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler):  # Python's default raises KeyboardInterrupt itself
            handler(signal.SIGINT, frame)
            return
        raise KeyboardInterrupt  # SIGINT ignored or SIG_DFL: stop all the same

    signal.signal(signal.SIGTERM, on_term)


def sigint_sets(flag: Any) -> Any:
    """Make Ctrl-C set `flag` (a threading.Event) instead of raising; return what it replaced.

    Returns None, and changes nothing, off the main thread or where SIGINT is not
    Python's default: a process started with SIGINT ignored (`nohup`, a background job
    of a script) keeps ignoring it, as it does in batches.
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return None
    return signal.signal(signal.SIGINT, lambda *_: flag.set())


def stop_workers(launcher: str) -> bool:
    """Kill the workers (and their children) of `launcher` and wait until they are gone;
    False when there were none.

    `launcher` is the Hydra launcher name. Only joblib's loky executor outlives the
    interrupt: Ray's tasks end with the driver, and the basic launcher runs in-process.
    """
    if launcher != "joblib":
        return False
    from joblib.externals.loky import reusable_executor

    # loky keeps the one reusable executor in a module global; asking for it through
    # get_reusable_executor would start a new one when there is none.
    executor = reusable_executor._executor
    if executor is None:
        return False
    from joblib.externals.loky.backend.utils import kill_process_tree

    # Kill them here rather than leave it to the executor's manager thread, which does it
    # some time later: a worker still alive when the run repairs its interrupted trials
    # can finish one and overwrite the "interrupted" record with a result the study never
    # gets, while the trial's candidate is queued to run again.
    workers = list(getattr(executor, "_processes", {}).values())
    for worker in workers:
        try:
            kill_process_tree(worker)
        except ProcessLookupError:
            pass
    executor.shutdown(wait=False, kill_workers=True)  # wait=True would join a hung trial
    # Not worker.is_alive(): the executor's manager thread sees the killed workers and
    # reaps them too, and a process object whose pid another thread reaped reads as alive.
    deadline = time.monotonic() + 10
    while any(process_running(w.pid) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.01)
    return True


def process_running(pid: int | None) -> bool:
    """Whether process `pid` still exists and is not a zombie (dead, not yet reaped)."""
    if pid is None:
        return False
    if not Path("/proc/self/stat").is_file():  # no /proc (macOS): a zombie counts as running
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")  # after "(command name)"
