"""Ensembles (nasdsl.practice.ensemble, nasdsl.backends.torch.ensemble): averaging the top
models trained on digits matches or beats the best one, and is saved as one model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nasdsl.data import load_data
from nasdsl.practice import ensemble as en
from nasdsl.run.backend import load_backend
from nasdsl.run.metrics import classification_metrics
from nasdsl.space.ir import Architecture, Layer, Training
from nasdsl.space.shapes import measure

CONFIG = {"experiment": {"seed": 0, "name": "ens"}, "backend": "torch", "backend_options": {},
          "data": {"source": "sklearn.digits", "split": {"train": 0.7, "val": 0.15, "test": 0.15},
                   "stratify": True},
          "final": {"top": 3, "seeds": 1, "ensemble": 3}}


def _arch(units: int, act: str) -> Architecture:
    return Architecture((64,), "classification", 10, (
        Layer("dense", {"units": units, "activation": act}),
        Layer("dense", {"units": 10, "activation": "linear"})),
        Training(epochs=3, batch_size=64, optimizer="adam", optimizer_params={"lr": 3e-3}))


@pytest.fixture(scope="module")
def finals(tmp_path_factory):
    """Three retrained candidates as the final phase leaves them (files and records)."""
    run = tmp_path_factory.mktemp("run")
    (run / "final" / "models").mkdir(parents=True)
    backend = load_backend("torch")
    data = load_data(CONFIG, image=False)
    cands, logits = [], []
    for rank, (units, act, seed) in enumerate([(48, "relu", 1), (32, "tanh", 2),
                                               (24, "relu", 3)]):
        arch = _arch(units, act)
        model = backend.build(arch, seed)
        backend.fit(model, arch, data.x_train, data.y_train, seed)
        out = backend.predict(model, data.x_test)
        logits.append(out)
        path = backend.save(model, run / "final" / "models" / f"trial_{rank:04d}_seed0")
        acc = classification_metrics(out, data.y_test)["accuracy"]
        static = measure(arch)
        cands.append({"number": rank, "rank": rank, "architecture": arch.to_dict(),
                      "params": static.params, "model_bytes": static.model_bytes,
                      "metric": "accuracy", "test_mean": acc, "test_std": 0.0, "n": 1,
                      "seeds": [{"seed": seed, "test": {"accuracy": acc},
                                 "model": str(path.relative_to(run))}]})
    return run, data, cands, logits


def test_averaging_matches_or_beats_the_best_single_model(finals):
    _, data, cands, logits = finals
    best = max(c["test_mean"] for c in cands)
    mixed = en.average(logits, "classification")
    assert classification_metrics(mixed, data.y_test)["accuracy"] >= best
    probs = np.exp(mixed)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_regression_average_is_the_mean():
    outs = [np.array([[1.0], [2.0]]), np.array([[3.0], [4.0]])]
    assert np.allclose(en.average(outs, "regression"), [[2.0], [3.0]])


def test_saved_as_one_model_that_predicts_like_the_average(finals):
    run, data, cands, logits = finals
    summary = {"sentences": [], "ensemble": {"members": 3}}
    config = {**CONFIG, "export": {"formats": ["torchscript"], "dir": None}}
    en.add_to_final(config, run, cands, data, summary)
    ens = summary["ensemble"]
    assert "error" not in ens, ens
    assert ens["file"] == "final/ensemble.pt" and (run / ens["file"]).is_file()
    assert ens["members"] == 3
    assert ens["params"] == sum(c["params"] for c in cands)
    assert ens["single"]["number"] == max(cands, key=lambda c: c["test_mean"])["number"]
    assert ens["latency_s"] > 0 and ens["single"]["latency_s"] > 0
    # the exported file, re-loaded alone, gives the averaged predictions
    from nasdsl.backends.torch import ensemble as te

    saved = te.load(run / ens["file"])
    assert np.allclose(te.predict(saved, data.x_test), en.average(logits, "classification"),
                       atol=1e-4)
    assert ens["test"]["accuracy"] == pytest.approx(
        classification_metrics(en.average(logits, "classification"),
                               data.y_test)["accuracy"])
    assert summary["sentences"][-1].startswith("Ensemble of 3 model(s), saved as one model")
    assert "better than" in summary["sentences"][-1] or "as good as" in summary["sentences"][-1]
    assert (run / "export" / "ensemble.pt").is_file()  # export writes it as one model
    written = json.loads((run / "final" / "ensemble.json").read_text())
    assert written["file"] == ens["file"]


def test_ensemble_errors_are_reported_not_raised(finals):
    run, data, cands, _ = finals
    summary: dict = {"sentences": []}
    en.add_to_final({**CONFIG, "final": {"ensemble": 2}}, run,
                    [{**c, "test_mean": None} for c in cands], data, summary)
    assert "no retrained model" in summary["ensemble"]["error"]
    assert summary["sentences"][-1].startswith("The ensemble was not saved as one model")


@pytest.mark.slow
def test_keras_ensemble_is_one_keras_model(tmp_path):
    backend = load_backend("keras")
    data = load_data(CONFIG, image=False)
    (tmp_path / "final" / "models").mkdir(parents=True)
    cands, logits = [], []
    for rank, (units, seed) in enumerate([(32, 1), (16, 2)]):
        arch = _arch(units, "relu")
        model = backend.build(arch, seed)
        backend.fit(model, arch, data.x_train, data.y_train, seed)
        logits.append(backend.predict(model, data.x_test))
        path = backend.save(model, tmp_path / "final" / "models" / f"trial_{rank:04d}_seed0")
        acc = classification_metrics(logits[-1], data.y_test)["accuracy"]
        static = measure(arch)
        cands.append({"number": rank, "rank": rank, "architecture": arch.to_dict(),
                      "params": static.params, "model_bytes": static.model_bytes,
                      "metric": "accuracy", "test_mean": acc, "n": 1,
                      "seeds": [{"model": str(path.relative_to(tmp_path))}]})
    summary: dict = {"sentences": []}
    en.add_to_final({**CONFIG, "backend": "keras", "final": {"ensemble": 2}}, tmp_path, cands,
                    data, summary)
    ens = summary["ensemble"]
    assert ens.get("file") == "final/ensemble.keras", ens
    from nasdsl.backends.keras import ensemble as ke

    saved = ke.load(tmp_path / ens["file"])
    assert np.allclose(ke.predict(saved, data.x_test), en.average(logits, "classification"),
                       atol=1e-4)
