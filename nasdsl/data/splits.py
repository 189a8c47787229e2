"""The one split rule: train/val/test shares, seeded, stratified for classification."""

from __future__ import annotations

from typing import Any

import numpy as np

from nasdsl.data.errors import DataError


def split_indices(config: dict[str, Any], y: np.ndarray, classification: bool,
                  source: str = "the data", test_rows: np.ndarray | None = None,
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row indices of the train, val and test splits of `config['data']['split']`.

    The same rows as splitting the arrays themselves (scikit-learn's train_test_split
    shuffles indices either way), so no array is copied to split it. With `data.folds = k`
    the non-test rows (train and val shares together) are cut into k seeded folds
    (stratified for classification) and `data.fold = i` makes fold i the val split.
    `data.subset` (the pilot) keeps the first share of the training rows. `test_rows`
    fixes the test split (a dataset's official test set); train and val then divide the
    other rows in the ratio of their shares.
    """
    from sklearn.model_selection import train_test_split

    data_cfg = config["data"]
    seed = int(config["experiment"]["seed"])
    split = data_cfg["split"]
    rows = np.arange(len(y))
    stratify = y if (classification and data_cfg.get("stratify", True)) else None
    test_share = float(split.get("test", 0.0))
    try:
        if test_rows is not None:
            test = np.asarray(test_rows)
            rest = np.setdiff1d(rows, test)
        elif test_share > 0:
            rest, test = train_test_split(rows, test_size=test_share, random_state=seed,
                                          stratify=stratify)
        else:
            rest, test = rows, rows[:0]
        folds = int(data_cfg.get("folds") or 0)
        val_share = float(split["val"]) / (float(split["train"]) + float(split["val"]))
        if folds:
            train, val = _fold(rest, y, folds, data_cfg.get("fold"), seed, stratify is not None)
        elif val_share > 0:
            train, val = train_test_split(
                rest, test_size=val_share, random_state=seed,
                stratify=y[rest] if stratify is not None else None)
        else:
            train, val = rest, rest[:0]
    except ValueError as err:  # too few rows of a class for a stratified split, …
        raise DataError(f"{source}: cannot split {len(y)} samples {_shares(split)}: "
                        f"{str(err).splitlines()[0]}") from err
    subset = float(data_cfg.get("subset") or 1.0)
    if subset < 1.0:
        train = train[:max(2, int(round(len(train) * subset)))]
    return train, val, test


def _fold(rest: np.ndarray, y: np.ndarray, folds: int, fold: Any, seed: int,
          stratified: bool) -> tuple[np.ndarray, np.ndarray]:
    """(train, val) rows of fold `fold` of the k-fold split of the non-test rows `rest`.

    Without a fold index every non-test row trains (the final phase's refit, baselines'
    protocol helpers): the val split is empty.
    """
    from sklearn.model_selection import KFold, StratifiedKFold

    if fold is None:
        return rest, rest[:0]
    fold = int(fold)
    if not 0 <= fold < folds:
        raise ValueError(f"fold {fold} does not exist (folds = {folds})")
    if stratified:
        splitter: Any = StratifiedKFold(folds, shuffle=True, random_state=seed)
    else:
        splitter = KFold(folds, shuffle=True, random_state=seed)
    train_pos, val_pos = list(splitter.split(rest, y[rest] if stratified else None))[fold]
    return rest[train_pos], rest[val_pos]


def _shares(split: dict[str, Any]) -> str:
    return ", ".join(f"{k} {float(v):.0%}" for k, v in split.items())


def split_rows(config: dict[str, Any], x: np.ndarray, y: np.ndarray,
               classification: bool) -> list[np.ndarray]:
    """[x_train, y_train, x_val, y_val, x_test, y_test] by `split_indices`."""
    out: list[np.ndarray] = []
    for rows in split_indices(config, y, classification):
        out += [x[rows], y[rows]]
    return out
