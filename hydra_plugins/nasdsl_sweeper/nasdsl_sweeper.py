"""The `nasdsl` Hydra sweeper (`hydra/sweeper=nasdsl`).

It runs nasdsl's search loop (nasdsl.run.search_loop): the strategy's Optuna sampler
proposes candidates in this process, batches of `execution.workers` jobs go to the
configured Hydra launcher (basic, joblib, nasdsl_ray, submitit_slurm), and each job's
result is told back to the study. Hydra's own optuna sweeper is pinned to optuna<3,
hence this one.
"""

# No `from __future__ import annotations`: Hydra loads plugin modules outside
# sys.modules, where dataclasses cannot resolve string annotations.
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra.core.config_store import ConfigStore
from hydra.core.plugins import Plugins
from hydra.core.utils import JobStatus
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf


@dataclass
class NasdslSweeperConf:
    """Config of the sweeper; every setting comes from the experiment config."""

    _target_: str = "hydra_plugins.nasdsl_sweeper.nasdsl_sweeper.NasdslSweeper"


ConfigStore.instance().store(group="hydra/sweeper", name="nasdsl", node=NasdslSweeperConf,
                             provider="nasdsl")


class NasdslSweeper(Sweeper):
    """Asks the strategy, launches batches of trial jobs, tells the results."""

    def __init__(self) -> None:
        self.config: DictConfig | None = None
        self.launcher: Any = None
        self.job_idx = 0
        # With dispatch = async, several worker threads launch one job each at a time.
        self._job_idx_lock = threading.Lock()

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction,
              config: DictConfig) -> None:
        """Keep the config and Hydra's context; the launcher starts with the sweep."""
        self.config = config
        self.hydra_context = hydra_context
        self.task_function = task_function

    def _start_launcher(self) -> None:
        # The launcher's config loader composes what every trial job shares only once
        # (nasdsl.run.job_config); the shared part is the sweep's own arguments.
        from nasdsl.run.job_config import ReusingConfigLoader

        assert self.config is not None
        loader = ReusingConfigLoader(self.hydra_context.config_loader, self.arguments)
        loader.prepare(self.config)
        context = HydraContext(config_loader=loader, callbacks=self.hydra_context.callbacks)
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=context, task_function=self.task_function, config=self.config)

    def sweep(self, arguments: list[str]) -> Any:
        """Run the search; return its RunOutcome."""
        from nasdsl.run.hydra_run import Session, current_session
        from nasdsl.run.search_loop import SearchLoop

        assert self.config is not None
        session = current_session()
        if session is None:  # started by Hydra itself rather than `nasdsl run`
            plain = OmegaConf.to_container(self.config, resolve=True)
            assert isinstance(plain, dict)
            plain.pop("hydra", None)
            internal = plain.pop("nasdsl_run")
            session = Session(plain, Path(internal["dir"]), None)
        self.arguments = list(arguments)
        self._start_launcher()
        loop = SearchLoop(session.config, session.run_dir, session.progress, self._launch,
                          session.elapsed_before)
        return loop.run()

    def _launch(self, jobs: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
        from nasdsl.run import warmup
        from nasdsl.run.hydra_run import job_overrides

        warmup.wait()  # the workers warmed up while the search started
        batch = [[*self.arguments, *job_overrides(job)] for job in jobs]
        with self._job_idx_lock:
            first = self.job_idx
            self.job_idx += len(batch)
        returns = self.launcher.launch(batch, initial_job_idx=first)
        out: list[dict[str, Any] | None] = []
        for ret in returns:
            if ret is not None and ret.status == JobStatus.COMPLETED:
                out.append(ret.return_value)
            else:
                error = getattr(ret, "_return_value", None)
                out.append({"__error__": f"{type(error).__name__}: {error}"}
                           if isinstance(error, BaseException) else None)
        return out
