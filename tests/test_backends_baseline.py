"""Baselines (a fixed chain, a keras.applications network) give a trial's result record."""

import dataclasses

import numpy as np
import pytest

from nasdsl.data import load_data
from nasdsl.run.baseline import run_baseline, train_application
from nasdsl.space.ir import Training

# Keras' TensorFlow core warns about numpy 2's copy keyword; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CONFIG = {
    "experiment": {"name": "b", "seed": 3},
    "data": {"source": "sklearn.digits", "split": {"train": 0.7, "val": 0.15, "test": 0.15},
             "stratify": True},
    "objective": [{"direction": "maximize", "metric": "val.accuracy"}],
    "constraints": [],
    "train": {"epochs": 4, "batch_size": {"dist": "choice", "options": [32, 64]},
              "optimizer": {"name": "adam", "lr": {"dist": "loguniform", "low": 1e-3,
                                                   "high": 1e-2}}},
    "backend": "torch",
}


def _subset(data, n):
    return dataclasses.replace(data, x_train=data.x_train[:n], y_train=data.y_train[:n],
                               x_val=data.x_val[:n], y_val=data.y_val[:n],
                               x_test=data.x_test[:n], y_test=data.y_test[:n])


def test_fixed_layer_baseline_on_torch_gives_a_trial_record():
    pytest.importorskip("torch")
    data = load_data(CONFIG, image=False)  # flat rows: reshaped for the conv baseline
    baseline = {"name": "hand", "layers": [
        {"op": "conv", "params": {"channels": 16, "kernel": 3, "activation": "relu"}},
        {"op": "max_pool", "params": {}},
        {"op": "conv", "params": {"channels": 32, "kernel": 3, "activation": "relu"}},
        {"op": "global_avg_pool", "params": {}}, {"op": "dense", "params": {}}]}
    result = run_baseline(baseline, CONFIG, data)
    assert result.status == "ok" and result.description.startswith("hand: conv3x3(16")
    assert result.architecture["training"]["batch_size"] == 32
    assert result.measures["params"] == 16 * 9 + 16 + 16 * 32 * 9 + 32 + 32 * 10 + 10
    assert set(result.metrics) == {"train", "val", "test"}
    assert result.metrics["val"]["accuracy"] > 0.6
    assert result.objectives == [result.metrics["val"]["accuracy"]]
    assert len(result.history) == 4 and result.measures["latency_s"] > 0


def test_keras_application_baseline_trains_without_download(tmp_path):
    pytest.importorskip("tensorflow")
    data = _subset(load_data(CONFIG, image=True), 64)
    result = train_application("keras.MobileNetV3Small", data, Training(1, 32, "adam"), seed=0,
                               weights="none", input_size=32, models_dir=tmp_path)
    assert result.status == "ok" and result.params["weights"] == "none"
    assert result.measures["params"] > 500_000 and result.measures["model_bytes"] > 0
    assert 0.0 <= result.metrics["val"]["accuracy"] <= 1.0 and len(result.history) == 1
    assert list(tmp_path.glob("*.keras"))


def test_application_model_shape_and_errors():
    pytest.importorskip("tensorflow")
    from nasdsl.backends.keras.applications import build_application

    model = build_application("keras.MobileNetV3Small", (1, 8, 8), 10)
    assert model.input_shape == (None, 8, 8, 1) and model.output_shape == (None, 10)
    with pytest.raises(ValueError, match="at least 32"):
        build_application("keras.MobileNetV2", (1, 8, 8), 10, input_size=16)
    with pytest.raises(ValueError, match="not a supported"):
        build_application("keras.NoSuchNet", (1, 8, 8), 10)


@pytest.mark.slow
def test_nasnet_mobile_baseline_from_config():
    pytest.importorskip("tensorflow")
    data = _subset(load_data(CONFIG, image=False), 64)
    baseline = {"name": "nasnet", "model": {"name": "keras.NASNetMobile", "weights": "none"},
                "train": {"epochs": 1, "batch_size": 32, "optimizer": {"name": "adam"}}}
    result = run_baseline(baseline, CONFIG, data)
    assert result.status == "ok" and result.measures["params"] > 4_000_000
    assert np.isfinite(result.history[0])
