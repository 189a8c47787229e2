"""The execution settings of a run, with their defaults, read from the compiled config.

`execution { … }` in a spec (or `execution.KEY=VALUE` overrides) sets where and how
trials run; `budget.trial_time` is the per-trial time limit. Every key has a default,
so a spec without an execution block runs one trial at a time in this process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nasdsl.lang.registry import ASYNC_LAUNCHERS, DISPATCH, LAUNCHER_ALIASES

# Hydra launcher config names for the spec's `launcher =` values.
HYDRA_LAUNCHERS = {"basic": "basic", "joblib": "joblib", "ray": "nasdsl_ray",
                   "slurm": "submitit_slurm"}

EXECUTION_DEFAULTS: dict[str, Any] = {
    "workers": 1, "launcher": "basic", "storage": None, "device": "auto", "retries": 0,
    "trial_timeout_s": None, "trial_memory_bytes": None, "dispatch": "batches",
}


@dataclass(frozen=True)
class Execution:
    """Resolved execution settings."""

    workers: int
    launcher: str
    storage: str | None
    device: str
    retries: int
    trial_timeout_s: float | None
    trial_memory_bytes: int | None
    dispatch: str = "batches"

    @property
    def asynchronous(self) -> bool:
        """Whether trials start one by one as workers free up (dispatch = async).

        Only with several workers and a launcher that runs trials in other processes;
        otherwise trials go in batches (the checker warns, NAS414).
        """
        return (self.dispatch == "async" and self.workers > 1
                and self.launcher in ASYNC_LAUNCHERS)

    @property
    def hydra_launcher(self) -> str:
        """The Hydra launcher config (group hydra/launcher) that runs the trials."""
        return HYDRA_LAUNCHERS[self.launcher]

    @property
    def isolated(self) -> bool:
        """Whether each trial runs in a child process (needed to enforce its limits)."""
        return self.trial_timeout_s is not None or self.trial_memory_bytes is not None

    def threads_per_worker(self) -> int:
        """This machine's cores shared among the parallel workers."""
        return max(1, (os.cpu_count() or 1) // max(1, self.workers))


def execution(config: dict[str, Any]) -> Execution:
    """The config's execution settings, defaults filled in."""
    got = {**EXECUTION_DEFAULTS, **{k: v for k, v in (config.get("execution") or {}).items()
                                    if v is not None}}
    timeout = got["trial_timeout_s"]
    if timeout is None:
        timeout = (config.get("budget") or {}).get("trial_time_s")
    memory = got["trial_memory_bytes"]
    return Execution(
        workers=int(got["workers"]), storage=got["storage"],
        # an override may use a synonym the compiler would have resolved (local, submitit)
        launcher=LAUNCHER_ALIASES.get(str(got["launcher"]), str(got["launcher"])),
        device=str(got["device"]), retries=int(got["retries"]),
        trial_timeout_s=None if timeout is None else float(timeout),
        trial_memory_bytes=None if memory is None else int(memory),
        dispatch=str(got["dispatch"]),
    )


def check_execution(config: dict[str, Any]) -> str | None:
    """A one-line problem with the execution settings, or None."""
    try:
        ex = execution(config)
    except (TypeError, ValueError) as err:
        return f"bad execution setting: {err}"
    if ex.launcher not in HYDRA_LAUNCHERS:
        return (f"unknown launcher {ex.launcher!r} "
                f"(available: {', '.join(HYDRA_LAUNCHERS)})")
    if ex.dispatch not in DISPATCH:
        return f"unknown dispatch {ex.dispatch!r} (available: {', '.join(DISPATCH)})"
    if ex.workers < 1:
        return f"execution.workers must be at least 1, got {ex.workers}"
    if ex.retries < 0:
        return f"execution.retries must be 0 or more, got {ex.retries}"
    if ex.trial_timeout_s is not None and ex.trial_timeout_s <= 0:
        return "the per-trial time limit must be positive"
    if ex.trial_memory_bytes is not None and ex.trial_memory_bytes <= 0:
        return "execution.trial_memory_bytes must be positive"
    return None


def storage_url(config: dict[str, Any], run_dir: Path) -> str:
    """The study's storage: the configured URL, else SQLite inside the run directory.

    `journal:PATH` is an Optuna journal file (a relative PATH is taken from the current
    directory); `sqlite:///relative.db` is likewise made absolute so every worker agrees.
    """
    url = execution(config).storage
    if not url:
        return f"sqlite:///{(run_dir / 'study.db').resolve()}"
    if url.startswith("journal:"):
        return "journal:" + str(Path(url[len("journal:"):]).expanduser().resolve())
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        return "sqlite:///" + str(Path(url[len("sqlite:///"):]).expanduser().resolve())
    return url
