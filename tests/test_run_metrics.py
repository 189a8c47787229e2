"""Trial metrics equal scikit-learn's, computed without it."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score, roc_auc_score

from nasdsl.run.metrics import _softmax, classification_metrics


def _sklearn(logits: np.ndarray, y: np.ndarray) -> dict[str, float]:
    probs = _softmax(logits.astype(np.float64))
    pred = probs.argmax(axis=1)
    out = {"accuracy": float((pred == y).mean()),
           "loss": float(-np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, None)).mean()),
           "f1": float(f1_score(y, pred, average="macro", zero_division=0))}
    try:
        if probs.shape[1] == 2:
            out["roc_auc"] = float(roc_auc_score(y, probs[:, 1]))
        else:
            out["roc_auc"] = float(roc_auc_score(y, probs, multi_class="ovr",
                                                 labels=list(range(probs.shape[1]))))
    except ValueError:
        out["roc_auc"] = float("nan")
    return out


def _case(rng: np.random.Generator, classes: int, n: int, ties: bool, missing: bool):
    y = rng.integers(0, classes, n)
    if missing:
        y[y == classes - 1] = 0  # a class the model has but the split lacks
    logits = rng.normal(size=(n, classes)) + 2.0 * np.eye(classes)[y] * rng.random()
    if ties:
        logits = np.round(logits, 0)  # many equal scores
    return logits.astype(np.float32), y


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
@pytest.mark.parametrize("classes", [2, 3, 10])
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("missing", [False, True])
def test_metrics_equal_scikit_learns(classes, ties, missing):
    rng = np.random.default_rng(classes * 4 + 2 * ties + missing)
    for n in (1, 2, 7, 40, 270):
        logits, y = _case(rng, classes, n, ties, missing)
        ours, theirs = classification_metrics(logits, y), _sklearn(logits, y)
        assert ours.keys() == theirs.keys()
        for name in ours:
            if np.isnan(theirs[name]):
                assert np.isnan(ours[name]), (name, n)
            else:
                assert ours[name] == pytest.approx(theirs[name], abs=1e-12), (name, n)


def test_a_perfect_and_a_reversed_classifier():
    y = np.array([0, 0, 1, 1])
    good = np.array([[2.0, 0], [1, 0], [0, 1], [0, 3]])
    assert classification_metrics(good, y)["roc_auc"] == 1.0
    assert classification_metrics(good[::-1], y)["roc_auc"] == 0.0
    assert classification_metrics(good, y)["f1"] == 1.0


def test_only_the_wanted_metrics_are_computed():
    logits, y = _case(np.random.default_rng(0), 10, 50, False, False)
    assert classification_metrics(logits, y, ("accuracy",)).keys() == {"accuracy"}
    assert classification_metrics(logits[:0], y[:0]) == {}
