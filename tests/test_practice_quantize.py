"""Compression-aware constraints: int8 / float16 quantization and magnitude pruning of
real models trained on scikit-learn's digits (nasdsl.practice.quantize and
nasdsl.backends.torch.compress)."""

from __future__ import annotations

import pytest

from nasdsl.data import load_data
from nasdsl.practice import quantize as qz
from nasdsl.run import constraints as cons
from nasdsl.run.backend import load_backend
from nasdsl.run.metrics import classification_metrics
from nasdsl.space.ir import Architecture, Layer, Training

CONFIG = {"experiment": {"seed": 0},
          "data": {"source": "sklearn.digits", "split": {"train": 0.7, "val": 0.15, "test": 0.15},
                   "stratify": True},
          "constraints": [
              {"subject": "model_size", "op": "<=", "value": 120_000.0, "text": "120 KB",
               "target": False, "soft": False, "quantized": "int8"},
              {"subject": "val.accuracy", "op": ">=", "value": 0.9, "text": "0.9",
               "target": True, "soft": True, "quantized": "int8"}],
          "train": {"prune": None}}


def _mlp() -> Architecture:
    return Architecture((64,), "classification", 10, (
        Layer("dense", {"units": 128, "activation": "relu"}),
        Layer("dense", {"units": 128, "activation": "relu"}),
        Layer("dense", {"units": 10, "activation": "linear"})),
        Training(epochs=3, batch_size=64, optimizer="adam", optimizer_params={"lr": 3e-3}))


@pytest.fixture(scope="module")
def trained():
    backend = load_backend("torch")
    data = load_data(CONFIG, image=False)
    arch = _mlp()
    model = backend.build(arch, 0)
    backend.fit(model, arch, data.x_train, data.y_train, 0)
    return backend, data, arch, model


def _acc(backend, model, data, split="test") -> float:
    x, y = data.split(split)
    return classification_metrics(backend.predict(model, x), y)["accuracy"]


def test_int8_shrinks_the_mlp_about_four_times_and_keeps_its_accuracy(trained):
    from nasdsl.backends.torch import compress

    backend, data, arch, model = trained
    q = compress.quantize(model, "int8")
    float_bytes, int8_bytes = compress.model_bytes(model), compress.model_bytes(q, "int8")
    assert float_bytes / int8_bytes > 3.8
    assert compress.file_bytes(model) / compress.file_bytes(q) > 3.0  # the saved files too
    assert _acc(backend, model, data) > 0.85
    assert abs(_acc(backend, q, data) - _acc(backend, model, data)) <= 0.01
    assert "quantized.dynamic" in type(q[0]).__module__  # real int8 kernels
    # the float model itself is untouched
    assert compress.model_bytes(model) == float_bytes


def test_float16_halves_the_weights(trained):
    from nasdsl.backends.torch import compress

    backend, data, _, model = trained
    half = compress.quantize(model, "float16")
    assert compress.model_bytes(half, "float16") * 2 == compress.model_bytes(model)
    assert abs(_acc(backend, half, data) - _acc(backend, model, data)) <= 0.005


def test_driver_measures_quantized_copy_and_constraints_read_it(trained):
    backend, data, arch, model = trained

    def metrics_of(m, split):
        x, y = data.split(split)
        return classification_metrics(backend.predict(m, x), y)

    found = qz.measure_quantized(CONFIG, backend, model, arch, metrics_of)
    assert list(found) == ["int8"]
    int8 = found["int8"]
    assert 4 * int8["model_bytes"] < 120_000
    assert int8["latency_s"] > 0
    assert abs(int8["metrics"]["val"]["accuracy"] - metrics_of(model, "val")["accuracy"]) < 0.02
    measures = {"params": 26_122, "model_bytes": 104_488, "quantized": found}
    size = cons.check(CONFIG["constraints"][0], measures, {})
    assert size.actual == int8["model_bytes"] and size.passed is True
    target = cons.check(CONFIG["constraints"][1], measures, {"val.accuracy": 0.0})
    assert target.actual == int8["metrics"]["val"]["accuracy"]  # the quantized model's
    # the report puts float and int8 side by side
    from nasdsl.practice.report import compression_lines

    trial = {"measures": {**measures, "latency_s": 1e-4},
             "metrics": {s: metrics_of(model, s) for s in ("val", "test")}}
    [line] = compression_lines(trial, "val.accuracy")
    ratio = measures["model_bytes"] / int8["model_bytes"]
    assert line.startswith("float32 vs int8: size 104 KB vs ")
    assert f"(×{ratio:.1f} smaller)" in line and "val accuracy" in line and "latency" in line


def test_before_training_the_int8_size_is_one_byte_a_weight():
    limit = CONFIG["constraints"][0]
    assert qz.quantized_actual(limit, {"params": 100_000}) == 100_000.0
    # the float bytes (400 KB) would break 120 KB; the int8 estimate (100 KB) does not
    assert cons.violated_limits(CONFIG["constraints"], {"params": 100_000,
                                                        "model_bytes": 400_000}) == []
    broken = cons.violated_limits(CONFIG["constraints"], {"params": 130_000,
                                                          "model_bytes": 520_000})
    assert [c.subject for c in broken] == ["model_size"]
    assert qz.quantized_actual(CONFIG["constraints"][1], {"params": 1}) is None


@pytest.mark.slow
def test_weight_only_int8_for_a_small_cnn():
    from nasdsl.backends.torch import compress

    backend = load_backend("torch")
    data = load_data(CONFIG, image=True)
    arch = Architecture((1, 8, 8), "classification", 10, (
        Layer("conv", {"channels": 8, "kernel": 3, "activation": "relu"}),
        Layer("conv", {"channels": 16, "kernel": 3, "activation": "relu"}),
        Layer("global_avg_pool"), Layer("dense", {"units": 10, "activation": "linear"})),
        Training(epochs=3, batch_size=32, optimizer="adam", optimizer_params={"lr": 5e-3}))
    model = backend.build(arch, 1)
    backend.fit(model, arch, data.x_train, data.y_train, 1)
    q = compress.quantize(model, "int8")
    assert compress.model_bytes(model) / compress.model_bytes(q, "int8") > 3.0
    assert abs(_acc(backend, q, data) - _acc(backend, model, data)) <= 0.02


def test_magnitude_pruning_to_a_sparsity_target_counts_sparse_bytes(trained):
    import copy

    from nasdsl.backends.torch import compress

    backend, data, arch, model = trained
    pruned = copy.deepcopy(model)
    config = {**CONFIG, "train": {"prune": {"sparsity": 0.5, "fine_tune": 1}}}
    got = qz.prune_trained(config, backend, pruned, arch, data.x_train, data.y_train, 0)
    assert got["sparsity"] == pytest.approx(0.5, abs=0.01)
    assert len(got["fine_tune_history"]) == 1
    # masks were folded in: no hooks left, zeros stay zeros
    assert not any(n.endswith("_mask") for n, _ in pruned.named_buffers())
    assert compress.sparsity(pruned) == pytest.approx(0.5, abs=0.01)
    dense = compress.model_bytes(pruned)
    assert got["sparse_bytes"] < 0.6 * dense
    assert _acc(backend, pruned, data) > 0.85
    q = compress.quantize(pruned, "int8")
    assert compress.model_bytes(q, "int8", sparse=True) < compress.model_bytes(q, "int8")


@pytest.mark.slow
def test_keras_int8_weights_shrink_and_keep_accuracy():
    backend = load_backend("keras")
    data = load_data(CONFIG, image=False)
    arch = _mlp()
    model = backend.build(arch, 0)
    backend.fit(model, arch, data.x_train, data.y_train, 0)

    def metrics_of(m, split):
        x, y = data.split(split)
        return classification_metrics(backend.predict(m, x), y)

    before = [w.copy() for w in model.get_weights()]
    found = qz.measure_quantized(CONFIG, backend, model, arch, metrics_of)["int8"]
    float_bytes = backend.count(model)["model_bytes"]
    assert float_bytes / found["model_bytes"] > 3.5
    float_acc = metrics_of(model, "test")["accuracy"]
    assert abs(found["metrics"]["test"]["accuracy"] - float_acc) <= 0.01
    after = model.get_weights()  # the float weights were put back
    assert all((a == b).all() for a, b in zip(before, after, strict=True))
    config = {**CONFIG, "train": {"prune": {"sparsity": 0.5, "fine_tune": 1}}}
    got = qz.prune_trained(config, backend, model, arch, data.x_train, data.y_train, 0)
    assert got["sparsity"] == pytest.approx(0.5, abs=0.01)  # exact after fine-tuning
    assert got["sparse_bytes"] < 0.6 * float_bytes
    assert metrics_of(model, "test")["accuracy"] > 0.8
