"""Metrics from predictions, computed once for every backend."""

from __future__ import annotations

import numpy as np


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def classification_metrics(logits: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """accuracy, loss (cross-entropy), f1 (macro) and roc_auc from logits."""
    from sklearn.metrics import f1_score, roc_auc_score

    if len(y) == 0:
        return {}
    probs = _softmax(logits.astype(np.float64))
    pred = probs.argmax(axis=1)
    out = {
        "accuracy": float((pred == y).mean()),
        "loss": float(-np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, None)).mean()),
        "f1": float(f1_score(y, pred, average="macro")),
    }
    try:
        if probs.shape[1] == 2:
            out["roc_auc"] = float(roc_auc_score(y, probs[:, 1]))
        else:
            out["roc_auc"] = float(roc_auc_score(y, probs, multi_class="ovr",
                                                 labels=list(range(probs.shape[1]))))
    except ValueError:  # a split with one class only
        out["roc_auc"] = float("nan")
    return out


def regression_metrics(pred: np.ndarray, y: np.ndarray, y_mean: float,
                       y_std: float) -> dict[str, float]:
    """mse, mae, r2 in the target's own units, and loss (mse on standardised targets)."""
    if len(y) == 0:
        return {}
    p = pred.reshape(-1).astype(np.float64)
    t = y.reshape(-1).astype(np.float64)
    loss = float(((p - t) ** 2).mean())
    p_raw, t_raw = p * y_std + y_mean, t * y_std + y_mean
    err = p_raw - t_raw
    var = float(((t_raw - t_raw.mean()) ** 2).mean()) or 1.0
    return {"loss": loss, "mse": float((err**2).mean()), "mae": float(np.abs(err).mean()),
            "r2": 1.0 - float((err**2).mean()) / var}
