"""Run a search as a Hydra multirun with nasdsl's sweeper and the configured launcher.

The compiled config directory (`run_dir/compiled`) is the primary config; the sweeper is
`hydra/sweeper=nasdsl` (hydra_plugins/nasdsl_sweeper), the launcher comes from
`execution.launcher`, and each trial is a Hydra job in `run_dir/trials/trial_NNNN/`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nasdsl.run.runner import RunOutcome
from nasdsl.run.settings import execution, storage_url


@dataclass
class Session:
    """What the sweeper needs from the command that started it."""

    config: dict[str, Any]
    run_dir: Path
    progress: Any
    elapsed_before: float = 0.0


_CURRENT: list[Session] = []


def current_session() -> Session | None:
    """The session of the `nasdsl run` / `resume` in progress, if any."""
    return _CURRENT[-1] if _CURRENT else None


def quote(text: str) -> str:
    """A Hydra override value quoted so that any text survives."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def job_overrides(job: dict[str, Any]) -> list[str]:
    """The overrides that make a Hydra job run one trial."""
    deadline = job.get("deadline")
    return [
        f"+trial.number={job['number']}",
        f"+trial.name=trial_{job['number']:04d}",
        f"+trial.id={job['id']}",
        f"+trial.seed={job['seed']}",
        f"+trial.deadline={'null' if deadline is None else repr(float(deadline))}",
        f"+trial.arch={quote(json.dumps(job['arch'], sort_keys=True, ensure_ascii=False))}",
        f"+trial.params={quote(json.dumps(job['params'], sort_keys=True))}",
        f"+trial.description={quote(str(job.get('description', '')))}",
    ]


def launcher_overrides(config: dict[str, Any], run_dir: Path) -> list[str]:
    """Hydra overrides selecting the launcher and its parallelism."""
    ex = execution(config)
    out = [f"hydra/launcher={ex.hydra_launcher}"]
    if ex.hydra_launcher == "joblib":
        out.append(f"hydra.launcher.n_jobs={ex.workers}")
    elif ex.hydra_launcher == "submitit_slurm":
        out += [f"hydra.launcher.submitit_folder={run_dir / 'slurm'}/%j",
                f"hydra.launcher.array_parallelism={ex.workers}"]
    return out


def hydra_overrides(config: dict[str, Any], run_dir: Path, task_overrides: list[str]) -> list[str]:
    """Every override of the multirun: the user's, then nasdsl's own."""
    run_dir = run_dir.resolve()
    return [
        *task_overrides,
        "hydra/sweeper=nasdsl",
        *launcher_overrides(config, run_dir),
        "hydra/job_logging=disabled", "hydra/hydra_logging=disabled",
        f"hydra.sweep.dir={run_dir / 'trials'}",
        "hydra.sweep.subdir=${trial.name}",
        f"+nasdsl_run.dir={quote(str(run_dir))}",
        f"+nasdsl_run.storage={quote(storage_url(config, run_dir))}",
    ]


def ensure_plugins() -> None:
    """Register nasdsl's sweeper and Ray launcher with Hydra.

    Hydra finds plugins by scanning the `hydra_plugins` namespace package; an editable
    install (pip install -e) hides our part of that namespace from the scan, so the
    plugins are also registered by hand (registering twice is harmless).
    """
    from hydra.core.plugins import Plugins

    from hydra_plugins.nasdsl_ray_launcher.ray_launcher import NasdslRayLauncher
    from hydra_plugins.nasdsl_sweeper.nasdsl_sweeper import NasdslSweeper

    plugins = Plugins.instance()
    plugins.register(NasdslSweeper)
    plugins.register(NasdslRayLauncher)


def run_search(config: dict[str, Any], run_dir: Path, progress: Any = None,
               task_overrides: list[str] | None = None, elapsed_before: float = 0.0,
               config_dir: Path | None = None, resume: bool = False) -> RunOutcome:
    """Search inside `run_dir` through Hydra; return what the search did."""
    import warnings

    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from nasdsl.compile import CONFIG_NAME
    from nasdsl.run.task import hydra_task

    session = Session(config, run_dir, progress, elapsed_before)
    config_dir = (config_dir or run_dir / "compiled").resolve()
    overrides = hydra_overrides(config, run_dir, list(task_overrides or []))
    _CURRENT.append(session)
    ensure_plugins()
    from nasdsl.run import warmup

    warmup.start(config, run_dir)  # parallel workers start while Hydra composes the run
    GlobalHydra.instance().clear()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            with initialize_config_dir(config_dir=str(config_dir), version_base=None,
                                       job_name="nasdsl"):
                hydra = GlobalHydra.instance().hydra
                assert hydra is not None
                outcome = hydra.multirun(config_name=CONFIG_NAME, task_function=hydra_task,
                                         overrides=overrides, with_log_configuration=False)
    finally:
        _CURRENT.pop()
        GlobalHydra.instance().clear()
    assert isinstance(outcome, RunOutcome)
    return outcome
