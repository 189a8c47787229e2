"""Tabular preprocessing from the spec's `data.preprocess`, fitted on the training split only.

The compiled block (docs/compiled-config.md) is `{numeric, categorical, impute, fill_value,
categorical_columns}`. It becomes one scikit-learn `ColumnTransformer`:

* numeric columns: `SimpleImputer` (mean, median, most_frequent, constant) then
  `StandardScaler` (standardize), `MinMaxScaler` (minmax) or nothing (none);
* categorical columns: `SimpleImputer` (most frequent value for mean / median /
  most_frequent, the fill value for constant, a category of its own, `<missing>`, for none)
  then `OneHotEncoder` or `OrdinalEncoder`; a category first seen in the validation or
  test split encodes as all zeros (one-hot) or -1 (ordinal).

The transformer is fitted on the training rows and only applied to the others, so nothing
about the validation or test rows (their statistics, their categories, their missing
cells) reaches the model or the search.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nasdsl.data.errors import DataError

NUMERIC = ("standardize", "minmax", "none")
CATEGORICAL = ("onehot", "ordinal")
IMPUTE = ("mean", "median", "most_frequent", "constant", "none")
MISSING_CATEGORY = "<missing>"


class PreprocessError(DataError):
    """The preprocessing settings do not fit the table (a missing value with impute none…)."""


@dataclass(frozen=True)
class Settings:
    """The spec's preprocessing choices, defaults filled in."""

    numeric: str = "standardize"
    categorical: str = "onehot"
    impute: str = "mean"
    fill_value: Any = None
    categorical_columns: str | tuple[str | int, ...] = "auto"

    @staticmethod
    def from_config(block: dict[str, Any] | None, normalize: str | None = None) -> Settings:
        """Settings of a compiled `data.preprocess` (or of `data.normalize` alone)."""
        block = dict(block or {})
        if not block and normalize:
            block["numeric"] = {"standard": "standardize", "minmax": "minmax"}.get(
                normalize, "none")
        cols = block.get("categorical_columns") or "auto"
        out = Settings(numeric=str(block.get("numeric") or "standardize"),
                       categorical=str(block.get("categorical") or "onehot"),
                       impute=str(block.get("impute") or "mean"),
                       fill_value=block.get("fill_value"),
                       categorical_columns=cols if isinstance(cols, str) else tuple(cols))
        for name, value, allowed in (("numeric", out.numeric, NUMERIC),
                                     ("categorical", out.categorical, CATEGORICAL),
                                     ("impute", out.impute, IMPUTE)):
            if value not in allowed:
                raise PreprocessError(f"preprocess {name} = {value} is not one of "
                                      f"{', '.join(allowed)}")
        return out


def _numeric_imputer(settings: Settings) -> Any:
    from sklearn.impute import SimpleImputer

    if settings.impute == "none":
        return None
    if settings.impute == "constant":
        fill = settings.fill_value if isinstance(settings.fill_value, int | float) else 0.0
        return SimpleImputer(strategy="constant", fill_value=float(fill))
    return SimpleImputer(strategy=settings.impute)


def _categorical_imputer(settings: Settings) -> Any:
    from sklearn.impute import SimpleImputer

    if settings.impute == "constant" and settings.fill_value is not None:
        fill = str(settings.fill_value)
    elif settings.impute in ("mean", "median", "most_frequent"):
        return SimpleImputer(strategy="most_frequent", missing_values=None)
    else:
        fill = MISSING_CATEGORY
    return SimpleImputer(strategy="constant", fill_value=fill, missing_values=None)


def build_transformer(settings: Settings, numeric: list[int], categorical: list[int]) -> Any:
    """An unfitted ColumnTransformer for these column positions."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler

    parts: list[tuple[str, Any, list[int]]] = []
    if numeric:
        steps: list[tuple[str, Any]] = []
        imputer = _numeric_imputer(settings)
        if imputer is not None:
            steps.append(("impute", imputer))
        if settings.numeric == "standardize":
            steps.append(("scale", StandardScaler()))
        elif settings.numeric == "minmax":
            steps.append(("scale", MinMaxScaler()))
        parts.append(("numeric", Pipeline(steps) if steps else "passthrough", numeric))
    if categorical:
        encoder = (OneHotEncoder(handle_unknown="ignore", sparse_output=False)
                   if settings.categorical == "onehot" else
                   OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1))
        parts.append(("categorical", Pipeline([("impute", _categorical_imputer(settings)),
                                               ("encode", encoder)]), categorical))
    return ColumnTransformer(parts, remainder="drop", sparse_threshold=0.0)


def _as_numeric(column: np.ndarray, name: str) -> np.ndarray:
    out = np.empty(len(column), dtype=np.float64)
    for i, v in enumerate(column):
        try:
            out[i] = np.nan if v is None else float(v)
        except ValueError:
            raise PreprocessError(f"{name} holds the text '{v}' but is not a categorical "
                                  "column: add it to preprocess categorical_columns (or use "
                                  "categorical_columns = auto)") from None
    return out


def _as_text(column: np.ndarray) -> np.ndarray:
    out = np.empty(len(column), dtype=object)
    for i, v in enumerate(column):
        out[i] = None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
    return out


def prepare_columns(x: np.ndarray, categorical: list[int],
                    columns: list[str] | None = None) -> np.ndarray:
    """An object array: numeric columns as floats (NaN missing), categorical as text (None)."""
    out = np.empty(x.shape, dtype=object)
    for j in range(x.shape[1]):
        name = f"column '{columns[j]}'" if columns else f"column {j}"
        out[:, j] = _as_text(x[:, j]) if j in categorical else _as_numeric(x[:, j], name)
    return out


@dataclass
class Fitted:
    """A transformer fitted on the training rows, and what it did."""

    transformer: Any
    numeric: list[int]
    categorical: list[int]
    width: int
    columns: list[str] | None = None

    def transform(self, x: np.ndarray) -> np.ndarray:
        """Rows of any split → float32 features (never refits)."""
        if len(x) == 0:
            return np.zeros((0, self.width), dtype=np.float32)
        return np.asarray(self.transformer.transform(
            prepare_columns(x, self.categorical, self.columns)),
                          dtype=np.float32)


def fit(settings: Settings, x_train: np.ndarray, categorical: list[int] | None = None,
        columns: list[str] | None = None) -> Fitted:
    """Fit the preprocessing on the training rows only."""
    categorical = sorted(categorical or [])
    numeric = [j for j in range(x_train.shape[1]) if j not in categorical]
    prepared = prepare_columns(x_train, categorical, columns)
    if settings.impute == "none":
        for j in numeric:
            if np.isnan(prepared[:, j].astype(np.float64)).any():
                name = f"column '{columns[j]}'" if columns else f"column {j}"
                raise PreprocessError(
                    f"{name} has missing values but preprocess impute = none; "
                    "choose impute = mean, median, most_frequent or constant")
    transformer = build_transformer(settings, numeric, categorical)
    out = transformer.fit_transform(prepared)
    return Fitted(transformer, numeric, categorical, int(np.asarray(out).shape[1]), columns)


def transform_splits(block: dict[str, Any] | None, x_train: np.ndarray, x_val: np.ndarray,
                     x_test: np.ndarray, categorical: list[int] | None = None,
                     columns: list[str] | None = None,
                     normalize: str | None = None) -> list[np.ndarray]:
    """[train, val, test] preprocessed, the transformer fitted on `x_train` alone."""
    fitted = fit(Settings.from_config(block, normalize), x_train, categorical, columns)
    return [fitted.transform(a) for a in (x_train, x_val, x_test)]


def feature_names(fitted: Fitted, columns: list[str]) -> list[str]:
    """Names of the produced features (one-hot columns as `city=paris`)."""
    names: list[str] = []
    for name, _, idx in fitted.transformer.transformers_:
        if name == "numeric":
            names += [columns[j] for j in idx]
        elif name == "categorical":
            encoder = fitted.transformer.named_transformers_["categorical"].named_steps["encode"]
            if hasattr(encoder, "categories_") and len(encoder.categories_) == len(idx) and \
                    type(encoder).__name__ == "OneHotEncoder":
                for j, cats in zip(idx, encoder.categories_, strict=True):
                    names += [f"{columns[j]}={c}" for c in cats]
            else:
                names += [columns[j] for j in idx]
    return names
