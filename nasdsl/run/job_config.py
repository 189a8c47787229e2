"""Each trial job's Hydra config, composed once for the search and specialised per job.

Hydra's launchers ask the config loader for every job's config
(`load_sweep_config(master, overrides)`), and Hydra composes it from scratch: the
defaults list, every config file, every override. In a nasdsl search all jobs share the
same overrides except their `+trial.*` ones (number, seed, architecture, …), and that
composition was a third of a small trial's overhead (~0.1 s a job). `ReusingConfigLoader`
wraps Hydra's loader: the shared part is composed once, and each job gets a copy of it
with its own overrides applied by Hydra's own code, and the two `hydra.*` entries that
list the overrides (`hydra.overrides.task`, `hydra.job.override_dirname`) brought up to
date. tests/test_run_job_config.py checks that the result equals Hydra's composition.

A list of overrides that does not start with the shared ones is composed by Hydra as
usual. The loader pickles with its composed config, so joblib workers reuse it too.
"""

from __future__ import annotations

import copy
from typing import Any

from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf, open_dict


class ReusingConfigLoader:
    """Hydra's config loader, composing the overrides every job shares only once."""

    def __init__(self, inner: Any, shared: list[str]) -> None:
        self._inner = inner
        self._shared = list(shared)
        self._composed: DictConfig | None = None
        self._shared_task: list[Any] = []  # the shared task overrides, parsed once

    def __getattr__(self, name: str) -> Any:
        # Everything but load_sweep_config is Hydra's own loader. (Looked up in __dict__:
        # while pickle restores an instance, _inner is not set yet.)
        inner = self.__dict__.get("_inner")
        if inner is None:
            raise AttributeError(name)
        return getattr(inner, name)

    def prepare(self, master_config: DictConfig) -> None:
        """Compose the shared part now (before the config is shipped to workers)."""
        if self._composed is None:
            self._composed = self._inner.load_sweep_config(master_config, self._shared)
            self._shared_task = OverridesParser.create().parse_overrides(
                list(self._composed.hydra.overrides.task))

    def load_sweep_config(self, master_config: DictConfig,
                          sweep_overrides: list[str]) -> DictConfig:
        """The config of the job with these overrides, as Hydra would compose it."""
        shared = len(self._shared)
        if list(sweep_overrides[:shared]) != self._shared:
            return self._inner.load_sweep_config(master_config, sweep_overrides)
        own = OverridesParser.create().parse_overrides(list(sweep_overrides[shared:]))
        if any(o.is_hydra_override() or o.package is not None for o in own):
            return self._inner.load_sweep_config(master_config, sweep_overrides)
        self.prepare(master_config)
        assert self._composed is not None
        cfg = copy.deepcopy(self._composed)
        ConfigLoaderImpl._apply_overrides_to_config(own, cfg)
        with open_dict(cfg.hydra):
            cfg.hydra.overrides.task.extend([o.input_line for o in own])
            task = [*self._shared_task, *own]
            dirname = cfg.hydra.job.config.override_dirname
            cfg.hydra.job.override_dirname = get_overrides_dirname(
                overrides=task, kv_sep=dirname.kv_sep, item_sep=dirname.item_sep,
                exclude_keys=dirname.exclude_keys)
        OmegaConf.copy_cache(from_config=master_config, to_config=cfg)
        return cfg
