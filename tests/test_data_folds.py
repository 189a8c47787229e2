"""k-fold cross-validation (`data { folds = k }`): the folds partition the non-test rows,
each fold is scaled on its own training rows, every candidate and baseline is trained k
times and scored on the mean, the final phase refits on all non-test data; in both
documented forms (with and without a val share)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import run_cli

from nasdsl.data import load_data
from nasdsl.data.splits import split_indices


def _config(folds: int | None, split: dict, fold: int | None = None) -> dict:
    data = {"source": "sklearn.digits", "kind": "builtin", "split": split, "stratify": True,
            "folds": folds, "normalize": "standard"}
    if fold is not None:
        data["fold"] = fold
    return {"experiment": {"seed": 3}, "data": data}


NO_VAL = {"train": 0.85, "val": 0.0, "test": 0.15}
WITH_VAL = {"train": 0.7, "val": 0.15, "test": 0.15}


@pytest.mark.parametrize("split", [NO_VAL, WITH_VAL], ids=["no-val", "with-val"])
def test_folds_partition_the_non_test_rows(split):
    y = np.arange(300) % 3
    _, _, test = split_indices(_config(None, split), y, True)
    vals = []
    for fold in range(4):
        train, val, fold_test = split_indices(_config(4, split, fold), y, True)
        np.testing.assert_array_equal(fold_test, test)  # the test rows never move
        assert not set(train) & set(val) and not (set(train) | set(val)) & set(test)
        assert len(train) + len(val) + len(test) == 300
        assert np.bincount(y[val]).min() >= len(val) // 3 - 1  # stratified
        vals.append(set(val))
    assert set().union(*vals) == set(range(300)) - set(test)
    assert sum(len(v) for v in vals) == 300 - len(test)
    refit, empty, _ = split_indices(_config(4, split), y, True)
    assert len(empty) == 0 and set(refit) == set(range(300)) - set(test)


def test_each_fold_is_scaled_on_its_own_training_rows():
    cfg = {**_config(3, NO_VAL), "experiment": {"seed": 3}}
    cfg["data"] = {**cfg["data"], "source": "sklearn.wine"}
    for fold in range(3):
        data = load_data(cfg, image=False, fold=fold)
        assert np.abs(data.x_train.mean(axis=0)).max() < 1e-5  # standardised on these rows
        assert abs(data.x_val.mean(axis=0)).max() > 1e-4  # …and applied to the others
    whole = load_data(cfg, image=False)
    assert len(whole.y_val) == 0 and len(whole.y_train) + len(whole.y_test) == 178


SPEC = """experiment "kfold" {{
  seed = 4
  data {{
    source = sklearn.digits
    split  = {split}
    folds  = 3
  }}
  objective {{ maximize val.accuracy }}
  space layers {{
    dense(units = choice(16, 32), activation = relu)
  }}
  train {{ epochs = 2 }}
  budget {{ trials = 2 }}
  strategy grid
{extra}}}
"""


@pytest.mark.parametrize("split,extra", [
    ("train 85%, test 15%", '  baseline "small" { layers { dense(units = 8) } }\n'
                            "  final { top = 1; seeds = 1 }\n"),
    ("train 70%, val 15%, test 15%", ""),
], ids=["no-val-with-baseline-and-final", "with-val"])
def test_a_cross_validated_run_trains_each_candidate_on_every_fold(tmp_path, split, extra):
    spec = tmp_path / "kfold.nas"
    spec.write_text(SPEC.format(split=split, extra=extra), encoding="utf-8")
    proc = run_cli("run", str(spec), "--quiet", "--runs-dir", str(tmp_path / "runs"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Cross-validated: each candidate trained on 3 folds" in proc.stdout
    run = next((tmp_path / "runs" / "kfold").iterdir())
    for path in sorted((run / "trials").glob("trial_*.json")):
        trial = json.loads(path.read_text(encoding="utf-8"))
        assert trial["status"] == "ok", trial["reason"]
        folds = trial["folds"]
        assert len(folds) == 3
        fold_vals = [f["val"]["accuracy"] for f in folds]
        assert len(set(fold_vals)) > 1  # three trainings, three scores
        assert trial["metrics"]["val"]["accuracy"] == pytest.approx(np.mean(fold_vals))
        assert trial["objectives"][0] == pytest.approx(np.mean(fold_vals))
        assert trial["metrics"]["test"]["accuracy"] == pytest.approx(
            np.mean([f["test"]["accuracy"] for f in folds]))
    report = run_cli("report", str(run), "--json", str(tmp_path / "r.json"))
    assert report.returncode == 0, report.stderr
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["folds"] == 3
    if "baseline" in extra:
        base = json.loads((run / "baselines" / "small.json").read_text(encoding="utf-8"))
        assert base["status"] == "ok" and len(base["folds"]) == 3
        assert base["metrics"]["val"]["accuracy"] == pytest.approx(
            np.mean([f["val"]["accuracy"] for f in base["folds"]]))
        final = json.loads((run / "final" / "summary.json").read_text(encoding="utf-8"))
        assert final["candidates"][0]["test_mean"] > 0.5
