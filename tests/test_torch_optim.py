"""The torch backend trains with fused optimizers: the same training as torch's default form,
on a real digits CNN, and a fallback where the fused form cannot take the options."""

import functools

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nasdsl.backends.torch import backend as torch_backend  # noqa: E402
from nasdsl.backends.torch.optim import FUSED, OPTIMIZERS, make_optimizer  # noqa: E402

from nasdsl.space.ir import Architecture, Layer, Training  # noqa: E402


def digits() -> tuple[np.ndarray, np.ndarray]:
    """400 of scikit-learn's digits as (N, 1, 8, 8) float32 images and int64 labels."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = (d.images[:400] / 16.0).astype(np.float32)[:, None]
    return x, d.target[:400].astype(np.int64)


def cnn(optimizer: str, **options: float) -> Architecture:
    """A small CNN for 8x8 digits, trained 3 epochs with the given optimizer."""
    layers = (Layer("conv", {"channels": 8, "kernel": 3, "activation": "relu"}),
              Layer("batch_norm"), Layer("max_pool", {"size": 2}), Layer("flatten"),
              Layer("dense", {"units": 32, "activation": "relu"}), Layer("dense", {"units": 10}))
    return Architecture((1, 8, 8), "classification", 10, layers,
                        Training(epochs=3, batch_size=32, optimizer=optimizer,
                                 optimizer_params={"lr": 1e-2, **options}))


def test_fused_where_torch_has_a_kernel():
    model = torch.nn.Linear(4, 2)
    for name in OPTIMIZERS:
        opt = make_optimizer(name, model.parameters(), {"lr": 0.01})
        assert bool(opt.defaults.get("fused")) == (name in FUSED), name
        plain = make_optimizer(name, model.parameters(), {"lr": 0.01}, fused=False)
        assert not plain.defaults.get("fused")


def test_options_the_fused_form_lacks_fall_back_to_the_default_form():
    model = torch.nn.Linear(4, 2)
    opt = make_optimizer("adam", model.parameters(), {"lr": 0.01, "foreach": True})
    assert opt.defaults["foreach"] is True and not opt.defaults.get("fused")


@pytest.mark.parametrize(("optimizer", "options"), [
    ("adam", {}), ("adamw", {"weight_decay": 0.01}), ("sgd", {"momentum": 0.9})])
def test_fused_training_equals_the_default_form(monkeypatch, optimizer, options):
    """The backend's fit with the fused optimizer and with torch's default form: the same
    losses and predictions, up to float rounding."""
    x, y = digits()
    arch = cnn(optimizer, **options)
    backend = torch_backend.TorchBackend()

    def train() -> tuple[list[float], np.ndarray]:
        model = backend.build(arch, seed=3)
        history = backend.fit(model, arch, x, y, seed=3)
        return history, backend.predict(model, x)

    fused_history, fused_out = train()
    monkeypatch.setattr(torch_backend, "make_optimizer",
                        functools.partial(make_optimizer, fused=False))
    plain_history, plain_out = train()
    np.testing.assert_allclose(fused_history, plain_history, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(fused_out, plain_out, rtol=1e-2, atol=1e-2)
    assert fused_history[-1] < fused_history[0]  # it learned
    assert (fused_out.argmax(1) == plain_out.argmax(1)).mean() > 0.98


def test_fused_training_is_deterministic():
    x, y = digits()
    arch = cnn("adam")
    backend = torch_backend.TorchBackend()
    runs = []
    for _ in range(2):
        model = backend.build(arch, seed=5)
        runs.append((backend.fit(model, arch, x, y, seed=5), backend.predict(model, x)))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
