"""Rebuild specs/data/tumours.csv from scikit-learn's breast-cancer table (offline).

Run: .venv/bin/python specs/data/make_tumours.py  (deterministic: same file every time)
See specs/data/README.md for what the columns are and how they were derived.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer

OUT = Path(__file__).with_name("tumours.csv")
NUMERIC = ["mean texture", "mean smoothness", "mean compactness", "mean concavity",
           "mean symmetry", "worst radius", "worst concave points", "worst area"]
MISSING_SHARE = 0.06  # of the cells of each numeric and categorical column


def _band(values: np.ndarray, names: list[str]) -> np.ndarray:
    """Cut a feature at its quantiles into len(names) named bands."""
    edges = np.quantile(values, np.linspace(0, 1, len(names) + 1)[1:-1])
    return np.array(names, dtype=object)[np.searchsorted(edges, values, side="right")]


def build() -> list[list[str]]:
    """The table's rows (header first) as text cells; '' is a missing value."""
    bunch = load_breast_cancer()
    x, names = bunch.data, list(bunch.feature_names)
    col = {n: x[:, names.index(n)] for n in names}
    rng = np.random.default_rng(2024)
    size = _band(col["mean radius"], ["small", "medium", "large", "very large"])
    shape = np.where(col["mean fractal dimension"] > np.median(col["mean fractal dimension"]),
                     "irregular", "regular").astype(object)
    # A nominal column with no order: the lab that measured the sample, drawn at random
    # (a realistic nuisance column the model should learn to ignore).
    lab = rng.choice(np.array(["north", "south", "east", "west", "central"], dtype=object),
                     size=len(x))
    diagnosis = np.array(["malignant", "benign"], dtype=object)[bunch.target]
    header = ["size_band", "outline", "lab", *[n.replace(" ", "_") for n in NUMERIC],
              "diagnosis"]
    rows = [header]
    for i in range(len(x)):
        cells: list[str] = [size[i], shape[i], lab[i]]
        cells += [f"{col[n][i]:.6g}" for n in NUMERIC]
        cells.append(diagnosis[i])
        rows.append(cells)
    for j in range(len(header) - 1):  # never the target
        for i in rng.choice(len(x), size=int(MISSING_SHARE * len(x)), replace=False):
            rows[i + 1][j] = ""
    return rows


def main() -> None:
    """Write the CSV next to this script."""
    with OUT.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(build())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
