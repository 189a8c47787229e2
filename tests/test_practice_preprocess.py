"""Tabular preprocessing (nasdsl.data.preprocess) and CSV tables
(nasdsl.data.table) on the shipped specs/data/tumours.csv: fitted on the training
split only, nothing leaks from the validation or test rows."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from nasdsl.data import preprocess as pp
from nasdsl.data import table as tb

ROOT = Path(__file__).resolve().parent.parent
CSV = ROOT / "specs" / "data" / "tumours.csv"
PRE = {"numeric": "standardize", "categorical": "onehot", "impute": "median",
       "fill_value": None, "categorical_columns": "auto"}


def _config(**pre) -> dict:
    return {"experiment": {"seed": 4, "task": None},
            "data": {"kind": "csv", "source": "data/tumours.csv", "path": str(CSV),
                     "target": "diagnosis", "split": {"train": 0.6, "val": 0.2, "test": 0.2},
                     "stratify": True, "delimiter": ",", "task": None,
                     "preprocess": {**PRE, **pre}}}


@pytest.fixture(scope="module")
def splits():
    config = _config()
    table = tb.read_table(config["data"])
    cats = tb.categorical_columns(table, "auto")
    y, labels = tb.encode_target(table.target, "classification")
    x_tr, _, x_va, _, x_te, _ = tb.split_rows(config, table.x, y, True)
    return table, cats, x_tr, x_va, x_te


def test_the_shipped_csv_has_categories_and_missing_values(splits):
    table, cats, *_ = splits
    assert [table.columns[j] for j in cats] == ["size_band", "outline", "lab"]
    missing = sum(v is None for v in table.x.ravel())
    assert missing > 0.04 * table.x.size
    assert sorted(set(table.target)) == ["benign", "malignant"]


def test_fitted_on_train_only_differs_from_fitted_on_everything(splits):
    table, cats, x_tr, x_va, x_te = splits
    settings = pp.Settings.from_config(PRE)
    train_only = pp.fit(settings, x_tr, cats, table.columns)
    everything = pp.fit(settings, np.concatenate([x_tr, x_va, x_te]), cats, table.columns)
    mean_tr = train_only.transformer.named_transformers_["numeric"].named_steps["scale"].mean_
    mean_all = everything.transformer.named_transformers_["numeric"].named_steps["scale"].mean_
    assert not np.allclose(mean_tr, mean_all)
    med_tr = train_only.transformer.named_transformers_["numeric"].named_steps["impute"]
    med_all = everything.transformer.named_transformers_["numeric"].named_steps["impute"]
    assert not np.allclose(med_tr.statistics_, med_all.statistics_)
    # standardised on its own statistics: the training split has mean 0, the others not
    out = [train_only.transform(a) for a in (x_tr, x_va)]
    numeric = len(train_only.numeric)
    assert np.allclose(out[0][:, :numeric].mean(axis=0), 0.0, atol=1e-5)
    assert not np.allclose(out[1][:, :numeric].mean(axis=0), 0.0, atol=1e-3)


@pytest.mark.parametrize("numeric,categorical,impute", [
    ("standardize", "onehot", "median"), ("minmax", "ordinal", "mean"),
    ("none", "onehot", "most_frequent"), ("standardize", "ordinal", "constant")])
def test_validation_and_test_rows_never_influence_the_fit(tmp_path, numeric, categorical,
                                                          impute):
    import csv

    pre = {"numeric": numeric, "categorical": categorical, "impute": impute,
           "fill_value": 0 if impute == "constant" else None}
    config = _config(**pre)
    table = tb.read_table(config["data"])
    y, _ = tb.encode_target(table.target, "classification")
    rows = np.arange(len(y)).reshape(-1, 1)
    _, _, va, _, te, _ = tb.split_rows(config, rows, y, True)
    held_out = set(va.ravel()) | set(te.ravel())
    # the same file with every validation and test row wrecked: huge numbers, unseen
    # categories, missing cells
    with CSV.open(encoding="utf-8") as f:
        lines = list(csv.reader(f))
    for i in held_out:
        row = lines[i + 1]
        for j in range(len(row) - 1):
            row[j] = "" if (i + j) % 3 == 0 else ("never-seen" if j < 3 else "1e9")
    wrecked = tmp_path / "tumours.csv"
    with wrecked.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(lines)
    other = copy.deepcopy(config)
    other["data"]["path"] = str(wrecked)
    clean, dirty = tb.load_table_data(config), tb.load_table_data(other)
    assert np.array_equal(clean.x_train, dirty.x_train)  # the fit saw training rows only
    assert np.array_equal(clean.y_train, dirty.y_train)
    assert not np.array_equal(clean.x_val, dirty.x_val)
    assert np.isfinite(dirty.x_val).all() and np.isfinite(dirty.x_test).all()
    width = 8  # numeric columns come first
    unseen = dirty.x_val[:, width:]
    if categorical == "onehot":  # an unseen category encodes as all zeros
        assert set(np.unique(unseen)) <= {0.0, 1.0}
        assert (unseen.sum(axis=1) < 3).any()
    else:
        assert (unseen == -1).any()


def test_minmax_puts_training_rows_in_the_unit_interval(splits):
    table, cats, x_tr, x_va, _ = splits
    fitted = pp.fit(pp.Settings("minmax", "ordinal", "mean"), x_tr, cats, table.columns)
    out = fitted.transform(x_tr)[:, :len(fitted.numeric)]
    assert out.min() == pytest.approx(0.0) and out.max() == pytest.approx(1.0)


def test_builtin_standardize_matches_plain_numpy():
    from sklearn.datasets import load_breast_cancer

    x = load_breast_cancer().data
    tr, va, te = x[:300], x[300:450], x[450:]
    got = pp.transform_splits({"numeric": "standardize"}, tr, va, te)
    mean, std = tr.mean(axis=0), tr.std(axis=0)
    assert np.allclose(got[1], (va - mean) / std, atol=1e-4)
    assert got[0].dtype == np.float32


def test_csv_loads_end_to_end_as_a_dataset():
    data = tb.load_table_data(_config())
    assert data.task == "classification" and data.classes == 2
    assert data.x_train.shape[1] == data.x_val.shape[1] == data.x_test.shape[1]
    # 8 numeric columns + one-hot of size_band (4), outline (2), lab (5)
    assert data.x_train.shape[1] == 8 + 4 + 2 + 5
    assert len(data.x_train) + len(data.x_val) + len(data.x_test) == 569
    assert np.isfinite(data.x_train).all() and np.isfinite(data.x_test).all()
    spec = tb.dataset_spec(_config())
    assert (spec.features, spec.classes, spec.image_shape) == (19, 2, None)
    ordinal = tb.dataset_spec(_config(categorical="ordinal"))
    assert ordinal.features == 11


def test_columns_by_name_or_position_and_clear_errors():
    table = tb.read_table(_config()["data"]["path"] and _config()["data"])
    assert tb.categorical_columns(table, ["size_band", 1, "lab"]) == [0, 1, 2]
    with pytest.raises(tb.TableError, match="no column 'city'"):
        tb.categorical_columns(table, ["city"])
    with pytest.raises(tb.TableError, match="is the target"):
        tb.categorical_columns(table, [11])
    with pytest.raises(pp.PreprocessError, match="'outline' holds the text"):
        tb.load_table_data(_config(categorical_columns=["size_band", "lab"]))
    with pytest.raises(pp.PreprocessError, match="missing values but preprocess impute = none"):
        tb.load_table_data(_config(impute="none"))
    bad = _config()
    bad["data"]["path"] = str(CSV.with_name("nothere.csv"))
    with pytest.raises(tb.TableError, match="no CSV file"):
        tb.load_table_data(bad)


def test_task_inference():
    assert tb.infer_task({}, {}, ["a", "b"]) == "classification"
    assert tb.infer_task({}, {}, ["1", "2", "1"]) == "classification"
    assert tb.infer_task({}, {}, ["1.5", "2.25", "3"]) == "regression"
    assert tb.infer_task({"task": "regression"}, {}, ["1", "2"]) == "regression"


def test_a_numeric_target_with_many_values_is_regression():
    config = _config()
    config["data"]["target"] = "worst_area"
    config["data"]["stratify"] = False
    data = tb.load_table_data(config)
    assert data.task == "regression" and data.classes == 0
    assert data.y_train.dtype == np.float32
    assert abs(float(data.y_train.mean())) < 1e-5  # standardised on the training split
    assert data.y_std > 100  # areas in the hundreds to thousands
    assert data.x_train.shape[1] == 7 + 4 + 2 + 5 + 2  # diagnosis is a one-hot feature now


def _table_config(path):
    config = _config()
    config["data"]["path"] = str(path)
    config["data"]["source"] = path.name
    return config


def test_a_gzip_compressed_csv_reads_as_the_plain_one(tmp_path):
    import gzip

    packed = tmp_path / "tumours.csv.gz"
    packed.write_bytes(gzip.compress(CSV.read_bytes()))
    plain, zipped = tb.load_table_data(_config()), tb.load_table_data(_table_config(packed))
    np.testing.assert_array_equal(plain.x_train, zipped.x_train)
    np.testing.assert_array_equal(plain.y_test, zipped.y_test)
    fake = tmp_path / "fake.csv.gz"
    fake.write_bytes(CSV.read_bytes())
    with pytest.raises(tb.TableError, match="fake.csv.gz is not a gzip file"):
        tb.load_table_data(_table_config(fake))


def _edited(tmp_path, line: int, column: str, value: str, encoding: str = "utf-8"):
    rows = CSV.read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    cells = rows[line - 1].split(",")
    cells[header.index(column)] = value
    rows[line - 1] = ",".join(cells)
    path = tmp_path / "edited.csv"
    path.write_bytes(("\n".join(rows) + "\n").encode(encoding))
    return _table_config(path)


@pytest.mark.parametrize("value", ["inf", "1e400", "-Infinity"])
def test_an_infinite_cell_is_an_error_naming_line_and_column(tmp_path, value):
    with pytest.raises(tb.TableError) as err:
        tb.load_table_data(_edited(tmp_path, 14, "mean_texture", value))
    assert f"edited.csv:14: column 'mean_texture' holds '{value}'" in str(err.value)


def test_a_typo_in_a_numeric_column_is_reported_not_one_hot_encoded(tmp_path):
    with pytest.raises(tb.TableError) as err:
        tb.load_table_data(_edited(tmp_path, 9, "mean_texture", "1O.5"))
    message = str(err.value)
    assert "column 'mean_texture' holds numbers except for 1 cell(s) (line 9: '1O.5')" \
        in message and "\n" not in message


def test_a_latin1_csv_is_an_error_naming_the_line(tmp_path):
    config = _edited(tmp_path, 5, "lab", "Zürich", encoding="latin-1")
    with pytest.raises(tb.TableError, match=r"edited.csv:5: byte 0xfc is not UTF-8 text"):
        tb.load_table_data(config)
