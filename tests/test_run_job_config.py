"""A trial job's config from nasdsl's reusing loader equals Hydra's own composition."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from conftest import SPECS
from hydra import initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.types import RunMode
from omegaconf import OmegaConf

from nasdsl.compile import CONFIG_NAME, write_config_dir
from nasdsl.lang import parse_spec
from nasdsl.run.hydra_run import ensure_plugins, hydra_overrides, job_overrides
from nasdsl.run.job_config import ReusingConfigLoader


def _jobs() -> list[dict]:
    arch = {"layers": [{"op": "dense", "params": {"units": 32}}], "note": "quote ' and \" é"}
    return [{"number": n, "id": n + 1, "seed": 7 + n, "deadline": None if n else 1.5e9,
             "arch": {**arch, "n": n}, "params": {"layers.0.units": 32 + n},
             "description": f"dense {32 + n}, 'quoted' = {{x}}"} for n in range(3)]


@pytest.fixture
def hydra_loader(tmp_path: Path):
    spec = parse_spec((SPECS / "quickstart.nas").read_text(encoding="utf-8"),
                      "quickstart.nas").spec
    config_dir = write_config_dir(spec, tmp_path / "compiled")
    config = OmegaConf.to_container(OmegaConf.load(config_dir / f"{CONFIG_NAME}.yaml"))
    overrides = hydra_overrides(config, tmp_path, ["experiment.seed=3", "budget.trials=4"])
    ensure_plugins()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(config_dir.resolve()), version_base=None,
                               job_name="nasdsl"):
        loader = GlobalHydra.instance().hydra.config_loader
        master = loader.load_configuration(config_name=CONFIG_NAME, overrides=overrides,
                                           run_mode=RunMode.MULTIRUN)
        shared = list(master.hydra.overrides.task)
        yield loader, master, shared
    GlobalHydra.instance().clear()


def _plain(cfg) -> dict:
    return OmegaConf.to_container(cfg, resolve=False)


def test_every_jobs_config_equals_hydras_composition(hydra_loader):
    loader, master, shared = hydra_loader
    reusing = ReusingConfigLoader(loader, shared)
    for job in _jobs():
        overrides = [*shared, *job_overrides(job)]
        ours, hydras = (reusing.load_sweep_config(master, overrides),
                        loader.load_sweep_config(master, overrides))
        assert _plain(ours) == _plain(hydras)
        assert OmegaConf.to_yaml(ours, resolve=True) == OmegaConf.to_yaml(hydras, resolve=True)
        assert OmegaConf.is_struct(ours) and not OmegaConf.is_readonly(ours.hydra)
        assert ours.trial.arch == hydras.trial.arch
        assert ours.hydra.job.override_dirname == hydras.hydra.job.override_dirname


def test_jobs_do_not_share_mutable_state(hydra_loader):
    loader, master, shared = hydra_loader
    reusing = ReusingConfigLoader(loader, shared)
    first, second = (reusing.load_sweep_config(master, [*shared, *job_overrides(j)])
                     for j in _jobs()[:2])
    first.experiment.seed = 99
    assert second.experiment.seed == 3 and second.trial.number == 1
    assert len(second.hydra.overrides.task) == len(shared) + len(job_overrides(_jobs()[1]))


def test_other_overrides_are_composed_by_hydra(hydra_loader):
    loader, master, shared = hydra_loader
    reusing = ReusingConfigLoader(loader, shared)
    other = ["experiment.seed=5", *job_overrides(_jobs()[0])]
    assert _plain(reusing.load_sweep_config(master, other)) == \
        _plain(loader.load_sweep_config(master, other))
    hydra_too = [*shared, "hydra.job.name=x", *job_overrides(_jobs()[0])]
    assert reusing.load_sweep_config(master, hydra_too).hydra.job.name == "x"


def test_the_loader_pickles_with_its_composed_config(hydra_loader):
    loader, master, shared = hydra_loader
    reusing = ReusingConfigLoader(loader, shared)
    reusing.prepare(master)
    copy = pickle.loads(pickle.dumps(reusing))
    assert copy._composed is not None
    overrides = [*shared, *job_overrides(_jobs()[1])]
    assert _plain(copy.load_sweep_config(master, overrides)) == \
        _plain(loader.load_sweep_config(master, overrides))
