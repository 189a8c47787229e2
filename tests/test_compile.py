import yaml
from conftest import SPECS, run_cli

from nasdsl.compile import compose


def test_compile_writes_a_config_hydra_loads_with_overrides(tmp_path):
    out = tmp_path / "cfg"
    proc = run_cli("compile", str(SPECS / "quickstart.nas"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert (out / "config.yaml").is_file() and (out / "spec.nas").is_file()

    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(out), version_base=None):
        cfg = hydra_compose(config_name="config",
                            overrides=["train.epochs=3", "budget.trials=5"])
    assert cfg.train.epochs == 3 and cfg.budget.trials == 5
    assert cfg.experiment.name == "quickstart"
    assert cfg.train.batch_size.dist == "choice" and list(cfg.train.batch_size.options) == [32, 64]
    assert cfg.space.layers[0].repeat.low == 1


def test_override_fixes_a_decision(tmp_path):
    out = tmp_path / "cfg"
    assert run_cli("compile", str(SPECS / "quickstart.nas"), "-o", str(out)).returncode == 0
    cfg = compose(out, ["train.batch_size=64", "train.optimizer.lr=0.003"])
    assert cfg["train"]["batch_size"] == 64 and cfg["train"]["optimizer"]["lr"] == 0.003
    raw = yaml.safe_load((out / "config.yaml").read_text())
    assert raw["constraints"][0] == {"subject": "params", "op": "<=", "value": 20000.0,
                                     "text": "20k", "dimension": "count", "target": False,
                                     "soft": False}


def test_compile_rejects_a_bad_spec(tmp_path):
    bad = SPECS.parent / "tests" / "bad_specs" / "unknown_op.nas"
    proc = run_cli("compile", str(bad), "-o", str(tmp_path / "x"))
    assert proc.returncode == 1
    assert "NAS303" in proc.stderr and not (tmp_path / "x").exists()
