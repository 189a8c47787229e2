"""One spec, two frameworks: the IR's static counts equal PyTorch's and Keras's exactly, for
sampled chains, NASNet cells and NAS-Bench-201 cells, and both train to similar accuracy."""

import numpy as np
import optuna
import pytest

from nasdsl.space.cells import Block, NasnetCell
from nasdsl.space.ir import Architecture, Layer, Training
from nasdsl.space.ops import CELL_OPS
from nasdsl.space.search_space import OptunaSuggest, SearchSpace
from nasdsl.space.shapes import measure

# Keras' TensorFlow core warns about numpy 2's copy keyword; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

pytest.importorskip("torch")
pytest.importorskip("tensorflow")
pytest.importorskip("keras")

TRAIN = {"epochs": 1, "batch_size": 32, "optimizer": {"name": "adam", "lr": 1e-3}}
CHAINS = {"kind": "layers", "layers": [
    {"op": "conv", "params": {"channels": {"dist": "choice", "options": [4, 8]},
                              "kernel": {"dist": "choice", "options": [2, 3, 5]},
                              "activation": {"dist": "choice",
                                             "options": ["relu", "gelu", "leaky_relu"]}}},
    {"optional": {"op": "batch_norm", "params": {}}},
    {"optional": {"op": "max_pool", "params": {"size": 2}}},
    {"repeat": {"dist": "int", "low": 0, "high": 2, "step": 1}, "body": [
        {"op": "conv", "params": {"channels": 8,
                                  "stride": {"dist": "choice", "options": [1, 2]}}}]},
    {"optional": {"op": "global_avg_pool", "params": {}}},
    {"op": "dense", "params": {"units": {"dist": "choice", "options": [16, 32]},
                               "activation": {"dist": "choice", "options": ["swish", "tanh"]}}},
    {"optional": {"op": "batch_norm", "params": {}}},
    {"op": "dropout", "params": {"rate": 0.1}},
]}
CELLS = {
    "kind": "cells",
    "stem": [{"op": "conv", "params": {"channels": {"dist": "choice", "options": [6, 8]}}}],
    "normal": {"blocks": {"dist": "int", "low": 1, "high": 3, "step": 1}, "ops": list(CELL_OPS),
               "combine": {"dist": "choice", "options": ["add", "concat"]}},
    "reduction": {"blocks": 2, "ops": list(CELL_OPS), "combine": "add"},
    "layout": [{"cell": "normal", "count": 1}, {"cell": "reduction", "count": 1},
               {"cell": "normal", "count": {"dist": "choice", "options": [0, 1]}}],
    "head": [{"op": "global_avg_pool", "params": {}}, {"op": "dense", "params": {}}],
}
NB201 = {"kind": "nb201", "cells": 1, "channels": 8}
SPACES = {"chains": CHAINS, "cells": CELLS, "nb201": NB201}


@pytest.fixture(scope="module")
def torch_backend():
    from nasdsl.backends.torch import TorchBackend

    return TorchBackend()


@pytest.fixture(scope="module")
def keras_backend():
    from nasdsl.run.backend import load_backend

    return load_backend("keras")  # through the entry point, as the runner does


def sample(space, n, seed=0):
    ss = SearchSpace({"data": {"source": "sklearn.digits"}, "train": TRAIN, "space": space})
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    out = []
    for _ in range(n):
        trial = study.ask()
        out.append(ss.sample(OptunaSuggest(trial)))
        study.tell(trial, 0.0)
    return out


def assert_agree(arch, torch_backend, keras_backend):
    static = measure(arch)
    expected = {"params": static.params, "model_bytes": static.model_bytes}
    x = np.random.default_rng(0).random((2, *arch.input_shape), dtype=np.float32)
    for backend in (torch_backend, keras_backend):
        model = backend.build(arch, seed=0)
        assert backend.count(model) == expected, (backend.name, arch.describe())
        assert backend.predict(model, x).shape == (2, arch.outputs)


@pytest.mark.parametrize("kind", SPACES)
def test_static_params_equal_both_backends(kind, torch_backend, keras_backend):
    for arch in sample(SPACES[kind], 6, seed=11):
        assert_agree(arch, torch_backend, keras_backend)


def _cell_arch(op, combine="add"):
    normal = NasnetCell((Block((0, 1), (op, op)), Block((2, 0), (op, "identity"))), 4,
                        combine=combine)
    reduction = NasnetCell((Block((0, 1), (op, op)),), 8, reduction=True)
    layers = (Layer("conv", {"channels": 4, "kernel": 3}), Layer("cell", normal.to_params()),
              Layer("cell", reduction.to_params()), Layer("cell", normal.to_params()),
              Layer("global_avg_pool"), Layer("dense", {"units": 10}))
    return Architecture((1, 7, 7), "classification", 10, layers, Training(1, 32, "adam"))


@pytest.mark.parametrize("op", CELL_OPS)
def test_every_cell_op_maps_in_both_backends(op, torch_backend, keras_backend):
    # odd 7x7 images exercise the padding rules of stride-2 ops
    assert_agree(_cell_arch(op, "concat" if op == "sep_conv_3x3" else "add"), torch_backend,
                 keras_backend)


def test_same_weights_same_outputs_for_chain(torch_backend, keras_backend):
    """PyTorch weights copied into the Keras model give the same logits (layouts agree)."""
    arch = sample(CHAINS, 1, seed=5)[0]
    tm = torch_backend.build(arch, 0)
    km = keras_backend.build(arch, 0)
    tw = [t.detach().numpy() for t in tm.state_dict().values() if t.dtype.is_floating_point]
    converted = []
    for w in tw:
        if w.ndim == 4:
            w = w.transpose(2, 3, 1, 0)  # OIHW → HWIO
        elif w.ndim == 2:
            w = w.T
        converted.append(w)
    # torch orders BN tensors weight, bias, mean, var — Keras gamma, beta, mean, var
    km.set_weights(converted)
    x = np.random.default_rng(1).random((4, *arch.input_shape), dtype=np.float32)
    np.testing.assert_allclose(torch_backend.predict(tm, x), keras_backend.predict(km, x),
                               rtol=1e-4, atol=1e-4)


def _digits(n_train=None):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x = (d.data / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    y = d.target.astype(np.int64)
    xt, xv, yt, yv = train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)
    return xt, yt, xv, yv


def _train_both(arch, torch_backend, keras_backend):
    xt, yt, xv, yv = _digits()
    accs = {}
    for backend in (torch_backend, keras_backend):
        model = backend.build(arch, seed=1)
        history = backend.fit(model, arch, xt, yt, seed=1)
        assert len(history) == arch.training.epochs and history[-1] < history[0]
        accs[backend.name] = float((backend.predict(model, xv).argmax(1) == yv).mean())
    return accs


def test_both_backends_train_a_cnn_to_similar_accuracy(torch_backend, keras_backend):
    layers = (Layer("conv", {"channels": 8, "kernel": 3, "activation": "relu"}),
              Layer("max_pool", {"size": 2}),
              Layer("conv", {"channels": 16, "kernel": 3, "activation": "relu"}),
              Layer("flatten"), Layer("dense", {"units": 10}))
    arch = Architecture((1, 8, 8), "classification", 10, layers,
                        Training(5, 32, "adam", {"lr": 0.01}))
    accs = _train_both(arch, torch_backend, keras_backend)
    assert min(accs.values()) >= 0.85, accs
    assert abs(accs["torch"] - accs["keras"]) <= 0.08, accs


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["cells", "nb201"])
def test_both_backends_train_cells_to_similar_accuracy(kind, torch_backend, keras_backend):
    space = {**CELLS, "normal": {**CELLS["normal"], "ops": ["sep_conv_3x3", "conv_3x3",
                                                             "identity", "max_pool_3x3"]},
             "reduction": {**CELLS["reduction"], "ops": ["max_pool_3x3", "conv_3x3"]}} \
        if kind == "cells" else {**NB201, "ops": ["skip_connect", "nor_conv_3x3",
                                                  "nor_conv_1x1"]}
    arch = sample(space, 1, seed=2)[0]
    arch = Architecture(arch.input_shape, arch.task, arch.outputs, arch.layers,
                        Training(6, 32, "adam", {"lr": 0.005}))
    accs = _train_both(arch, torch_backend, keras_backend)
    assert min(accs.values()) >= 0.85, (accs, arch.describe())
    assert abs(accs["torch"] - accs["keras"]) <= 0.08, accs


def test_keras_latency_and_save(keras_backend, tmp_path):
    arch = sample(NB201, 1)[0]
    model = keras_backend.build(arch, 0)
    assert 0 < keras_backend.latency(model, arch, repeats=3) < 1.0
    path = keras_backend.save(model, tmp_path / "m")
    assert path.suffix == ".keras" and path.stat().st_size > 0
    import keras

    again = keras.models.load_model(path)
    assert keras_backend.count(again) == keras_backend.count(model)
