"""after_search on a run directory: baselines under the same protocol, the final phase
(train+val, several seeds, test mean ± std, cell transfer) and the spec's exports — and
the report showing them."""

import json

import numpy as np
import pytest
import yaml

from nasdsl.report.content import build_report
from nasdsl.report.summary import read_run
from nasdsl.run.after import after_search
from nasdsl.run.final import final_architecture
from nasdsl.space.cells import Block, NasnetCell
from nasdsl.space.ir import Architecture, Layer, Training
from nasdsl.space.scale import scale_architecture
from nasdsl.space.shapes import measure

pytest.importorskip("torch")

TRAIN = {"epochs": 2, "batch_size": 32, "optimizer": {"name": "adam", "lr": 0.01}}
CONFIG = {
    "experiment": {"name": "fin", "seed": 2},
    "data": {"source": "sklearn.digits", "split": {"train": 0.7, "val": 0.15, "test": 0.15},
             "stratify": True},
    "objective": [{"direction": "maximize", "metric": "val.accuracy"}],
    "constraints": [],
    "space": {"kind": "layers", "layers": []},
    "train": TRAIN,
    "budget": {"trials": 3},
    "backend": "torch",
    "final": {"top": 2, "seeds": 2, "epochs": 3, "scale": None, "ensemble": 2},
    "baselines": [{"name": "hand", "layers": [{"op": "dense", "params": {"units": 16,
                                                                        "activation": "relu"}},
                                              {"op": "dense", "params": {}}]}],
    "export": {"formats": ["source"]},
}


def mlp(units: int) -> Architecture:
    return Architecture((64,), "classification", 10, (
        Layer("dense", {"units": units, "activation": "relu", "bias": True}),
        Layer("dense", {"units": 10, "activation": "linear", "bias": True})),
        Training(2, 32, "adam", {"lr": 0.01}))


def make_trained_run(tmp_path, config=CONFIG):
    """A run directory with three completed trials; the best one's model is trained and saved
    as the runner saves it."""
    from nasdsl.backends.torch import TorchBackend

    from nasdsl.data import load_data

    run = tmp_path / "run"
    (run / "trials").mkdir(parents=True)
    (run / "models").mkdir()
    (run / "config.yaml").write_text(yaml.safe_dump(config))
    (run / "spec.nas").write_text('experiment "fin" {}\n')
    (run / "run.json").write_text(json.dumps({"stop_reason": "trials", "seconds": 5.0}))
    data = load_data(config, image=False)
    backend = TorchBackend()
    for number, units, score in ((0, 8, 0.80), (1, 32, 0.93), (2, 16, 0.90)):
        arch = mlp(units)
        if number == 1:
            model = backend.build(arch, 1)
            backend.fit(model, arch, data.x_train, data.y_train, 1)
            backend.save(model, run / "models" / "trial_0001")
        trial = {"number": number, "status": "ok", "architecture": arch.to_dict(),
                 "description": arch.describe(), "params": {"layers.0.dense.units": units},
                 "measures": {"params": measure(arch).params}, "metrics": {},
                 "objectives": [score], "constraints": [], "history": [], "reason": "",
                 "seconds": 1.0, "seed": number}
        (run / "trials" / f"trial_{number:04d}.json").write_text(json.dumps(trial))
    return run


def test_after_search_runs_baselines_final_phase_and_exports(tmp_path):
    run = make_trained_run(tmp_path)
    after_search(CONFIG, run)
    base = json.loads((run / "baselines" / "hand.json").read_text())
    assert base["status"] == "ok" and base["name"] == "hand"
    assert base["metrics"]["val"]["accuracy"] > 0.3 and base["objectives"]
    summary = json.loads((run / "final" / "summary.json").read_text())
    assert [c["number"] for c in summary["candidates"]] == [1, 2]
    assert summary["trained_on"] == "train+val" and summary["metric"] == "accuracy"
    for cand in summary["candidates"]:
        assert cand["n"] == 2 and 0.5 < cand["test_mean"] <= 1.0 and cand["test_std"] >= 0
    per_trial = json.loads((run / "final" / "trial_0001.json").read_text())
    assert len(per_trial["seeds"]) == 2
    assert per_trial["architecture"]["training"]["epochs"] == 3  # final.epochs
    assert any("seed noise" in s for s in summary["sentences"])
    assert summary["ensemble"]["members"] == 4
    assert 0.5 < summary["ensemble"]["test"]["accuracy"] <= 1.0
    assert (run / "export" / "trial_0001.py").exists()
    assert json.loads((run / "export" / "trial_0001.source.nasdsl.json").read_text())["trial"] == 1

    report = build_report(read_run(run))
    assert report["baselines"][0]["name"] == "hand" and "baseline 'hand'" in \
        report["baselines"][0]["sentence"]
    assert report["final"]["candidates"][0]["test_mean"] == summary["candidates"][0]["test_mean"]


def test_final_reads_defaults_and_scales_architectures():
    trial = {"architecture": mlp(16).to_dict()}
    settings = {"top": 1, "seeds": 1, "epochs": None,
                "scale": {"cells": 1.0, "channels": 2.0}, "ensemble": None}
    arch = final_architecture(trial, settings)
    assert arch.layers[0].params["units"] == 32 and arch.layers[-1].params["units"] == 10


def test_cell_transfer_adds_cells_and_channels():
    normal = NasnetCell((Block((0, 1), ("sep_conv_3x3", "identity")),), 8)
    reduction = NasnetCell((Block((0, 1), ("max_pool_3x3", "sep_conv_3x3")),), 16,
                           reduction=True)
    layers = (Layer("conv", {"channels": 8, "kernel": 3}),
              Layer("cell", normal.to_params()), Layer("cell", normal.to_params()),
              Layer("cell", reduction.to_params()),
              Layer("cell", {**normal.to_params(), "channels": 16}),
              Layer("global_avg_pool"), Layer("dense", {"units": 10, "activation": "linear"}))
    arch = Architecture((1, 8, 8), "classification", 10, layers, Training(1, 32, "adam"))
    big = scale_architecture(arch, cells=2, channels=2)
    cells = [layer for layer in big.layers if layer.op == "cell"]
    assert len(cells) == 2 * 2 + 1 + 2 * 1
    assert [c.params["channels"] for c in cells] == [16] * 4 + [32] + [32] * 2
    assert big.layers[0].params["channels"] == 16 and big.layers[-1] == arch.layers[-1]
    assert all(c.params["blocks"] == normal.to_params()["blocks"] for c in cells
               if not c.params["reduction"])
    assert measure(big).params > 3 * measure(arch).params
    assert scale_architecture(arch) == arch
    with pytest.raises(ValueError):
        scale_architecture(arch, cells=0)


@pytest.mark.slow
def test_final_phase_on_scaled_cells_trains(tmp_path):
    from nasdsl.run.final import run_final

    normal = NasnetCell((Block((0, 1), ("sep_conv_3x3", "identity")),), 4)
    layers = (Layer("conv", {"channels": 4, "kernel": 3}), Layer("cell", normal.to_params()),
              Layer("global_avg_pool"), Layer("dense", {"units": 10, "activation": "linear",
                                                        "bias": True}))
    arch = Architecture((1, 8, 8), "classification", 10, layers, Training(1, 64, "adam",
                                                                          {"lr": 0.01}))
    config = {**CONFIG, "final": {"top": 1, "seeds": 1, "scale": {"cells": 2, "channels": 2}}}
    ranked = [{"number": 7, "architecture": arch.to_dict(), "objectives": [0.5]}]
    summary = run_final(config, tmp_path, ranked)
    cand = summary["candidates"][0]
    assert cand["params"] > measure(arch).params
    assert "cell[8]" in cand["description"] and "×2" in cand["description"]
    assert cand["n"] == 1 and np.isfinite(cand["test_mean"])
    assert any("seed noise is unknown" in s for s in summary["sentences"])
