from pathlib import Path

import yaml
from conftest import SPECS, run_cli

from nasdsl.compile import compose, spec_to_config
from nasdsl.lang import load_spec, parse_spec

GOOD = Path(__file__).parent / "good_specs"


def _config(name: str) -> dict:
    result = load_spec(GOOD / f"{name}.nas")
    assert result.ok, result.rendered()
    return spec_to_config(result.spec)


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
                                     "soft": False, "batch": None, "device": None,
                                     "quantized": None}


def test_compile_rejects_a_bad_spec(tmp_path):
    bad = SPECS.parent / "tests" / "bad_specs" / "unknown_op.nas"
    proc = run_cli("compile", str(bad), "-o", str(tmp_path / "x"))
    assert proc.returncode == 1
    assert "NAS303" in proc.stderr and not (tmp_path / "x").exists()


def test_table_backend_resolves_its_path_against_the_spec():
    config = _config("deploy_features")
    assert config["backend"] == "table"
    assert config["backend_options"] == {"path": str((GOOD / "tables" / "nb201.csv").resolve())}
    plain = spec_to_config(load_spec(SPECS / "quickstart.nas").spec)
    assert plain["backend"] == "torch" and plain["backend_options"] == {}


def test_final_scale_ensemble_and_pilot():
    config = _config("deploy_features")
    assert config["final"] == {"top": 3, "seeds": 2, "epochs": None,
                               "scale": {"cells": 2.0, "channels": 1.5}, "ensemble": 3}
    assert config["pilot"] is None
    cells = spec_to_config(load_spec(GOOD / "cells_digits.nas").spec)
    assert cells["pilot"] == {"trials": 3, "epochs": 1, "subset": 0.2}
    assert cells["final"]["scale"] is None and cells["final"]["ensemble"] is None


def test_execution_limits_and_defaults():
    config = _config("deploy_features")
    assert config["execution"] == {"workers": 2, "launcher": "slurm",
                                   "storage": "journal:runs/study.log", "device": "cpu",
                                   "retries": 1, "trial_timeout_s": 600.0,
                                   "trial_memory_bytes": 2e9, "dispatch": "batches"}
    assert config["budget"]["rate_per_h"] == 2.48 and config["budget"]["money"] == 5
    plain = spec_to_config(load_spec(SPECS / "quickstart.nas").spec)
    assert plain["execution"] == {"workers": 1, "launcher": "basic", "storage": None,
                                  "device": "auto", "retries": 0, "trial_timeout_s": None,
                                  "trial_memory_bytes": None, "dispatch": "batches"}


def test_quantized_constraints_prune_and_targets():
    config = _config("deploy_features")
    size, acc = config["constraints"]
    assert (size["subject"], size["value"], size["quantized"]) == ("model_size", 256e3, "int8")
    assert (acc["subject"], acc["target"], acc["soft"], acc["quantized"]) == \
        ("val.accuracy", True, True, "int8")
    assert config["train"]["prune"] == {"sparsity": 0.5, "fine_tune": 2}
    assert [t["name"] for t in config["targets"]] == ["phone", "mcu"]
    phone = config["targets"][0]["constraints"]
    assert [(c["subject"], c["value"], c["batch"], c["quantized"]) for c in phone] == \
        [("latency", 0.005, 1, None), ("model_size", 1e6, None, "float16")]
    assert config["strategy"] == {"name": "ofa", "supernet_epochs": 3, "population": 10,
                                  "retrain_top": 2}


def test_warm_start_paths_resolve_and_urls_stay():
    config = _config("deploy_features")
    assert config["warm_start"] == [str((GOOD / "runs" / "earlier-run").resolve()),
                                    "sqlite:///runs/other/study.db"]
    one = parse_spec('''experiment "w" {
      data { source = sklearn.iris }
      objective { maximize val.accuracy }
      space layers { dense(units = 8) }
      warm_start = "runs/x"
    }''', str(GOOD / "inline.nas"))
    assert one.ok, one.rendered()
    assert spec_to_config(one.spec)["warm_start"] == [str((GOOD / "runs" / "x").resolve())]


def test_tabular_preprocess():
    pre = _config("tabular_preprocess")["data"]
    assert pre["preprocess"] == {"numeric": "minmax", "categorical": "ordinal",
                                 "impute": "constant", "fill_value": 0,
                                 "categorical_columns": ["city", 3]}
    assert pre["normalize"] == "minmax"
    darts = _config("darts_cells")["data"]
    assert darts["preprocess"]["numeric"] == "none" and darts["normalize"] == "none"
    assert darts["preprocess"]["impute"] == "median"
    default = spec_to_config(load_spec(SPECS / "quickstart.nas").spec)["data"]["preprocess"]
    assert default == {"numeric": "standardize", "categorical": "onehot", "impute": "mean",
                       "fill_value": None, "categorical_columns": "auto"}


def test_weight_sharing_strategies_and_early_stop_defaults():
    enas = _config("tabular_preprocess")["strategy"]
    assert enas == {"name": "enas", "supernet_epochs": 5, "controller_steps": 20,
                    "controller_lr": 0.001}
    darts = _config("darts_cells")["strategy"]
    assert darts["name"] == "darts" and darts["max_skips"] == 2 and darts["first_order"] is True
    assert darts["early_stop"] == {"name": "hyperband", "min_epochs": 1, "eta": 3,
                                   "max_epochs": 9}
    cells = spec_to_config(load_spec(GOOD / "cells_digits.nas").spec)
    assert cells["strategy"]["early_stop"] == {"name": "hyperband", "min_epochs": 1, "eta": 3}


def test_every_top_level_key_is_documented():
    doc = (Path(__file__).parent.parent / "docs" / "compiled-config.md").read_text()
    config = _config("deploy_features")
    missing = [k for k in config if f"### `{k}`" not in doc]
    assert not missing, missing


def test_dispatch_async_compiles_and_is_checked_against_the_launcher():
    from nasdsl.run.settings import check_execution, execution

    text = (SPECS / "quickstart.nas").read_text(encoding="utf-8")
    with_async = text.replace("  backend = torch\n", "  backend = torch\n  execution {\n"
                              "    workers  = 2\n    launcher = joblib\n"
                              "    dispatch = async\n  }\n")
    result = parse_spec(with_async, "q.nas")
    assert result.ok, result.rendered()
    assert not [d for d in result.diagnostics if d.code == "NAS414"]
    config = spec_to_config(result.spec)
    assert config["execution"]["dispatch"] == "async" and execution(config).asynchronous
    basic = parse_spec(with_async.replace("launcher = joblib", "launcher = basic"), "q.nas")
    assert [d.message for d in basic.diagnostics if d.code == "NAS414"] == [
        "workers = 2 with the basic launcher runs one trial at a time",
        "dispatch = async needs launcher = joblib or ray; with basic trials go in batches"]
    assert not execution(spec_to_config(basic.spec)).asynchronous
    wrong = parse_spec(with_async.replace("dispatch = async", "dispatch = eager"), "q.nas")
    assert [d.code for d in wrong.diagnostics if d.is_error] == ["NAS309"]
    config["execution"]["dispatch"] = "eager"  # as a bad command-line override would
    assert "unknown dispatch 'eager'" in check_execution(config)
