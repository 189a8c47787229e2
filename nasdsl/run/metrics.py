"""Metrics from predictions, computed once for every backend."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


CLASSIFICATION_METRICS = ("accuracy", "loss", "f1", "roc_auc")


def classification_metrics(logits: np.ndarray, y: np.ndarray,
                           wanted: Collection[str] = CLASSIFICATION_METRICS
                           ) -> dict[str, float]:
    """accuracy, loss (cross-entropy), f1 (macro) and roc_auc (one-vs-rest, macro) from
    logits; only the `wanted` ones (a pruner needs one metric after every epoch).

    The values are scikit-learn's (f1_score(average="macro"), roc_auc_score with
    multi_class="ovr"), computed with numpy: scikit-learn's input validation cost ~20 ms
    a split, several times per trial.
    """
    if len(y) == 0:
        return {}
    probs = _softmax(logits.astype(np.float64))
    pred = probs.argmax(axis=1)
    out: dict[str, float] = {}
    if "accuracy" in wanted:
        out["accuracy"] = float((pred == y).mean())
    if "loss" in wanted:
        out["loss"] = float(-np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, None)).mean())
    if "f1" in wanted:
        out["f1"] = macro_f1(y, pred)
    if "roc_auc" in wanted:
        out["roc_auc"] = ovr_roc_auc(y, probs)
    return out


def macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    """The unweighted mean F1 over the labels in y or pred (scikit-learn's macro F1)."""
    labels, index = np.unique(np.concatenate([y, pred]), return_inverse=True)
    true_idx, pred_idx = index[:len(y)], index[len(y):]
    k = len(labels)
    tp = np.bincount(true_idx[true_idx == pred_idx], minlength=k).astype(np.float64)
    in_true = np.bincount(true_idx, minlength=k)
    in_pred = np.bincount(pred_idx, minlength=k)
    # every label occurs in y or pred, so the denominator is never 0
    return float((2 * tp / (in_true + in_pred)).mean())


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing their average rank (scipy's rankdata 'average')."""
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts_group = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    starts = np.flatnonzero(starts_group)
    counts = np.diff(np.append(starts, len(values)))
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = (starts + (counts + 1) / 2.0)[np.cumsum(starts_group) - 1]
    return ranks


def binary_roc_auc(positive: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (ties count half); NaN when one class is absent."""
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    rank_sum = float(_average_ranks(score)[positive].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def ovr_roc_auc(y: np.ndarray, probs: np.ndarray) -> float:
    """ROC AUC from class probabilities: binary, or one-vs-rest averaged over the classes.

    NaN where scikit-learn's roc_auc_score refuses: a class of the model's that the split
    lacks (or a split with one class only).
    """
    if probs.shape[1] == 2:
        return binary_roc_auc(y == 1, probs[:, 1])
    scores = [binary_roc_auc(y == k, probs[:, k]) for k in range(probs.shape[1])]
    if any(np.isnan(scores)) or not np.isin(y, np.arange(probs.shape[1])).all():
        return float("nan")
    return float(np.mean(scores))


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
