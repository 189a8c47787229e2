"""`hydra/launcher=nasdsl_ray`: each job of a batch is a Ray task.

`address` is the cluster to join (`auto`, `ray://host:10001`, or null for the
`RAY_ADDRESS` environment variable, else a local Ray started on first use);
`num_cpus` is what one trial reserves.
"""

# No `from __future__ import annotations`: Hydra loads plugin modules outside
# sys.modules, where dataclasses cannot resolve string annotations.
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Optional  # noqa: UP035

from hydra.core.config_store import ConfigStore
from hydra.core.hydra_config import HydraConfig
from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, run_job, setup_globals
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf, open_dict


@dataclass
class NasdslRayLauncherConf:
    """Settings of the Ray launcher."""

    _target_: str = "hydra_plugins.nasdsl_ray_launcher.ray_launcher.NasdslRayLauncher"
    address: Optional[str] = None  # noqa: UP045 - OmegaConf reads Optional, not X | None
    num_cpus: float = 1.0
    init: Dict[str, Any] = field(default_factory=dict)  # noqa: UP006


# With dispatch = async, worker threads launch concurrently: Ray is started once.
_RAY_INIT = threading.Lock()

ConfigStore.instance().store(group="hydra/launcher", name="nasdsl_ray",
                             node=NasdslRayLauncherConf, provider="nasdsl")


def _run_on_ray(hydra_context: HydraContext, config: DictConfig, overrides: list[str],
                idx: int, task_function: TaskFunction, singleton_state: dict[Any, Any]) -> Any:
    """Runs inside a Ray worker: compose the job's config and run it."""
    setup_globals()
    Singleton.set_state(singleton_state)
    sweep_config = hydra_context.config_loader.load_sweep_config(config, overrides)
    with open_dict(sweep_config):
        sweep_config.hydra.job.id = f"{sweep_config.hydra.job.name}_{idx}"
        sweep_config.hydra.job.num = idx
    HydraConfig.instance().set_config(sweep_config)
    ret = run_job(hydra_context=hydra_context, config=sweep_config,
                  task_function=task_function, job_dir_key="hydra.sweep.dir",
                  job_subdir_key="hydra.sweep.subdir")
    ret.hydra_cfg = None  # keep what travels back small
    return ret


class NasdslRayLauncher(Launcher):
    """Runs the batch's jobs as Ray tasks and waits for all of them."""

    def __init__(self, address: str | None = None, num_cpus: float = 1.0,
                 init: dict[str, Any] | None = None) -> None:
        self.address = address
        self.num_cpus = num_cpus
        self.init = dict(init or {})
        self.config: DictConfig | None = None
        self.hydra_context: HydraContext | None = None
        self.task_function: TaskFunction | None = None

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction,
              config: DictConfig) -> None:
        """Keep what the jobs need."""
        self.config, self.hydra_context, self.task_function = config, hydra_context, task_function

    def launch(self, job_overrides: Any, initial_job_idx: int) -> list[JobReturn]:
        """Run one batch of jobs on Ray."""
        import ray

        assert self.config is not None and self.hydra_context is not None
        setup_globals()
        with _RAY_INIT:
            if not ray.is_initialized():
                init = OmegaConf.to_container(OmegaConf.create(self.init)) if self.init else {}
                assert isinstance(init, dict)
                address = self.address or os.environ.get("RAY_ADDRESS")
                ray.init(address=address, ignore_reinit_error=True, log_to_driver=False,
                         include_dashboard=False, **init)
        Path(str(self.config.hydra.sweep.dir)).mkdir(parents=True, exist_ok=True)
        remote = ray.remote(num_cpus=self.num_cpus, max_retries=0)(_run_on_ray)
        state = Singleton.get_state()
        refs = [remote.remote(self.hydra_context, self.config, list(overrides),
                              initial_job_idx + i, self.task_function, state)
                for i, overrides in enumerate(job_overrides)]
        return list(ray.get(refs))
