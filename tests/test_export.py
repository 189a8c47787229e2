"""Exports reload and predict what the trained model predicts: ONNX (onnxruntime),
TorchScript (torch.jit.load), the standalone source (exec + saved weights), .keras."""

import json
import sys

import numpy as np
import pytest
import yaml
from conftest import run_cli

from nasdsl.space.cells import Block, NasnetCell
from nasdsl.space.ir import Architecture, Layer, Training

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning",
                                        "ignore::FutureWarning", "ignore::UserWarning")

CONFIG = {
    "experiment": {"name": "exp", "seed": 0},
    "data": {"source": "sklearn.digits", "split": {"train": 0.7, "val": 0.15, "test": 0.15},
             "stratify": True},
    "objective": [{"direction": "maximize", "metric": "val.accuracy"}],
    "constraints": [], "backend": "torch",
}


def conv_chain() -> Architecture:
    return Architecture((1, 8, 8), "classification", 10, (
        Layer("conv", {"channels": 4, "kernel": 3, "activation": "relu", "bias": True}),
        Layer("batch_norm"), Layer("max_pool", {"size": 2}), Layer("flatten"),
        Layer("dense", {"units": 16, "activation": "gelu", "bias": True}),
        Layer("dropout", {"rate": 0.1}),
        Layer("dense", {"units": 10, "activation": "linear", "bias": True})),
        Training(1, 32, "adam", {"lr": 0.01}))


def cell_net() -> Architecture:
    normal = NasnetCell((Block((0, 1), ("sep_conv_3x3", "avg_pool_3x3")),
                         Block((2, 1), ("skip_connect", "dil_conv_3x3"))), 4, combine="add")
    reduction = NasnetCell((Block((0, 1), ("max_pool_3x3", "skip_connect")),), 8, True)
    return Architecture((1, 8, 8), "classification", 10, (
        Layer("conv", {"channels": 4, "kernel": 3}), Layer("cell", normal.to_params()),
        Layer("cell", reduction.to_params()), Layer("global_avg_pool"),
        Layer("dense", {"units": 10, "activation": "linear", "bias": True})),
        Training(1, 64, "adam", {"lr": 0.01}))


def trained_run(tmp_path, arch: Architecture, backend: str = "torch"):
    """A run directory with one completed trial whose model was trained and saved."""
    from nasdsl.data import load_data
    from nasdsl.run.backend import load_backend

    run = tmp_path / "run"
    (run / "trials").mkdir(parents=True)
    (run / "models").mkdir()
    (run / "config.yaml").write_text(yaml.safe_dump({**CONFIG, "backend": backend}))
    (run / "spec.nas").write_text('experiment "exp" {}\n')
    impl = load_backend(backend)
    data = load_data(CONFIG, image=True)
    model = impl.build(arch, 0)
    impl.fit(model, arch, data.x_train[:256], data.y_train[:256], 0)
    impl.save(model, run / "models" / "trial_0003")
    trial = {"number": 3, "status": "ok", "architecture": arch.to_dict(),
             "description": arch.describe(), "params": {}, "measures": {}, "metrics": {},
             "objectives": [0.5], "constraints": []}
    (run / "trials" / "trial_0003.json").write_text(json.dumps(trial))
    x = data.x_test[:32]
    return run, impl.predict(model, x), x


def _spec_hash(run) -> str:
    import hashlib

    return hashlib.sha256((run / "spec.nas").read_bytes()).hexdigest()


def _exec_source(path, name: str):
    namespace: dict = {"__name__": f"exported_{name}"}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102
    return namespace


@pytest.mark.parametrize("make", [conv_chain, pytest.param(cell_net, marks=pytest.mark.slow)],
                         ids=["chain", "cells"])
def test_torch_exports_reload_and_agree(tmp_path, make):
    import onnx
    import onnxruntime as ort

    from nasdsl.export import export_trial

    arch = make()
    run, expected, x = trained_run(tmp_path, arch)
    out = tmp_path / "out"
    digest = _spec_hash(run)

    files = export_trial(run, "source", out)
    source = out / "trial_0003.py"
    assert files[0] == source and "nasdsl" not in _imports(source.read_text())
    ns = _exec_source(source, make.__name__)
    plain = json.loads(arch.to_json())
    assert ns["SPEC_SHA256"] == digest and ns["ARCHITECTURE"] == plain
    net = ns["Net"]()
    net.load_state_dict(torch.load(out / "trial_0003.weights.pt", weights_only=True))
    net.eval()
    with torch.no_grad():
        got = net(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)

    export_trial(run, "torchscript", out)
    extra = {"nasdsl.json": ""}
    loaded = torch.jit.load(str(out / "trial_0003.torchscript.pt"), _extra_files=extra)
    assert json.loads(extra["nasdsl.json"])["spec_sha256"] == digest
    with torch.no_grad():
        np.testing.assert_allclose(loaded(torch.from_numpy(x)).numpy(), expected,
                                   rtol=1e-5, atol=1e-5)

    export_trial(run, "onnx", out)
    graph = onnx.load(str(out / "trial_0003.onnx"))
    props = {p.key: p.value for p in graph.metadata_props}
    assert props["nasdsl.spec_sha256"] == digest
    assert json.loads(props["nasdsl.architecture"]) == plain
    session = ort.InferenceSession(str(out / "trial_0003.onnx"))
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    side = json.loads((out / "trial_0003.onnx.nasdsl.json").read_text())
    assert side["architecture"] == plain and side["trial"] == 3


def _imports(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if line.startswith(("import", "from")))


@pytest.mark.slow
def test_keras_exports_reload_and_agree(tmp_path):
    pytest.importorskip("tensorflow")
    from nasdsl.export import export_trial

    arch = cell_net()
    run, expected, x = trained_run(tmp_path, arch, backend="keras")
    out = tmp_path / "out"
    import keras

    export_trial(run, "keras", out)
    model = keras.models.load_model(out / "trial_0003.keras")
    xl = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
    np.testing.assert_allclose(model(xl, training=False), expected, rtol=1e-5, atol=1e-5)
    export_trial(run, "source", out)
    ns = _exec_source(out / "trial_0003.py", "keras")
    assert "nasdsl" not in _imports((out / "trial_0003.py").read_text())
    rebuilt = ns["build_model"]()
    rebuilt.load_weights(out / "trial_0003.weights.h5")
    np.testing.assert_allclose(rebuilt(xl, training=False), expected, rtol=1e-5, atol=1e-5)
    assert ns["SPEC_SHA256"] == _spec_hash(run)


def test_export_cli_errors_are_usage_errors(tmp_path):
    run, _, _ = trained_run(tmp_path, conv_chain())
    bad_trial = run_cli("export", str(run), "--trial", "9", "--format", "source")
    assert bad_trial.returncode == 2 and "no trial 9" in bad_trial.stderr
    wrong = run_cli("export", str(run), "--format", "keras")
    assert wrong.returncode == 2 and "keras backend" in wrong.stderr
    missing = run_cli("export", str(tmp_path / "nope"), "--format", "onnx")
    assert missing.returncode == 2
    ok = run_cli("export", str(run), "--format", "source", "-o", str(tmp_path / "o"))
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "o" / "trial_0003.py").exists()
    assert sys.executable  # the CLI ran in this interpreter
