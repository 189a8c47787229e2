"""Warm starts (nasdsl.practice.warm_start) from a real earlier run shipped in the repo
(specs/data/earlier-run: a run of specs/warm_start.nas without its warm_start line)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import optuna
import pytest
import yaml

from nasdsl.practice import warm_start as ws

ROOT = Path(__file__).resolve().parent.parent
EARLIER = ROOT / "specs" / "data" / "earlier-run"


def _config(**changes) -> dict:
    config = yaml.safe_load((EARLIER / "config.yaml").read_text())
    config["warm_start"] = [str(EARLIER)]
    for dotted, value in changes.items():
        node = config
        *path, last = dotted.split(".")
        for key in path:
            node = node[key]
        node[last] = value
    return config


def _study(config: dict) -> optuna.Study:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.create_study(directions=[g["direction"] for g in config["objective"]],
                               sampler=optuna.samplers.RandomSampler(seed=0))


def _earlier() -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((EARLIER / "trials").glob("*.json"))]


def test_same_protocol_reuses_every_distinct_earlier_candidate(tmp_path):
    config = _config()
    study = _study(config)
    report = ws.apply(study, config, tmp_path, "tag")
    earlier = [t for t in _earlier() if t["status"] == "ok"]
    distinct = {json.dumps(t["architecture"], sort_keys=True) for t in earlier}
    assert report is not None and len(report.reused) == len(distinct)
    assert report.queued == []
    trials = study.get_trials()
    assert all(t.state.name == "COMPLETE" and t.user_attrs["warm_start"] for t in trials)
    by_value = sorted(t["objectives"][0] for t in earlier)
    assert max(t.value for t in trials) == by_value[-1]  # the recorded results, not retrained
    files = sorted((tmp_path / "trials").glob("trial_*.json"))
    assert len(files) == len(distinct)
    first = json.loads(files[0].read_text())
    assert first["reused_from"] is not None and first["seconds"] == 0.0
    assert "warm start" in first["reason"]
    assert any((tmp_path / "models").glob("trial_*.pt"))  # models come along for export
    written = ws.read_report(tmp_path)
    assert written is not None and len(written["reused"]) == len(distinct)
    # once per study: a resumed run does not seed again
    assert ws.apply(study, config, tmp_path, "tag") is None
    assert len(study.get_trials()) == len(distinct)


def test_another_protocol_queues_starting_points_best_first(tmp_path):
    config = _config(**{"experiment.seed": 6})  # another split of the data
    study = _study(config)
    report = ws.apply(study, config, tmp_path, "tag")
    assert report is not None and report.reused == []
    assert len(report.queued) == config["budget"]["trials"] // 2  # half the trial budget
    best = max((t for t in _earlier() if t["status"] == "ok"),
               key=lambda t: (t["objectives"][0], -t["number"]))
    trial = study.ask()
    assert trial.params == {}  # decisions are drawn by the space, from the queue
    from nasdsl.space.search_space import OptunaSuggest, SearchSpace

    arch = SearchSpace(config).sample(OptunaSuggest(trial))
    assert trial.params == best["params"]
    assert json.dumps(arch.to_dict(), sort_keys=True) == \
        json.dumps(best["architecture"], sort_keys=True)
    assert not list((tmp_path / "trials").glob("*.json"))  # nothing re-used


def test_candidates_outside_the_new_space_are_skipped(tmp_path):
    config = _config()
    layers = copy.deepcopy(config["space"]["layers"])
    layers[0]["params"]["units"] = {"dist": "choice", "options": [8, 16]}
    config["space"]["layers"] = layers
    report = ws.apply(_study(config), config, tmp_path, "tag")
    assert report is not None
    units = [t["params"].get("layers.0.dense.units") for t in _earlier() if t["status"] == "ok"]
    outside = sum(u not in (None, 8, 16) for u in units)
    assert outside > 0
    assert sum("is not an option any more" in s["why"] for s in report.skipped) == outside


def test_protocol_hash_ignores_per_trial_training_decisions():
    base = ws.protocol_hash(_config())
    assert ws.protocol_hash(_config(**{"train.epochs": 3})) == base
    assert ws.protocol_hash(_config(**{"experiment.seed": 9})) != base
    assert ws.protocol_hash(_config(**{"data.split": {"train": 0.5, "val": 0.3,
                                                      "test": 0.2}})) != base


def test_a_missing_source_is_a_clear_error(tmp_path):
    config = _config()
    config["warm_start"] = [str(tmp_path / "nothing-here")]
    with pytest.raises(ws.WarmStartError, match="is not a run directory"):
        ws.apply(_study(config), config, tmp_path, "tag")


def test_a_study_url_gives_starting_points(tmp_path):
    url = f"sqlite:///{tmp_path / 'other.db'}"
    config = _config()
    earlier = optuna.create_study(study_name="other", storage=url, direction="maximize")
    best = max((t for t in _earlier() if t["status"] == "ok"), key=lambda t: t["objectives"][0])
    from nasdsl.space.search_space import OptunaSuggest, SearchSpace

    space = SearchSpace(config)
    trial = earlier.ask()
    earlier.enqueue_trial(best["params"])
    earlier.tell(trial, state=optuna.trial.TrialState.FAIL)
    trial = earlier.ask()
    space.sample(OptunaSuggest(trial))
    earlier.tell(trial, 0.5)
    config["warm_start"] = [url]
    report = ws.apply(_study(config), config, tmp_path / "run", "tag") if \
        (tmp_path / "run").mkdir() is None else None
    assert report is not None and report.reused == [] and len(report.queued) == 1
    assert report.queued[0]["params"] == best["params"]


def test_reused_results_are_checked_against_the_new_limits(tmp_path):
    config = _config()
    config["constraints"] = [{"subject": "params", "op": "<=", "value": 300.0, "text": "300",
                              "target": False, "soft": False, "quantized": None}]
    study = _study(config)
    report = ws.apply(study, config, tmp_path, "tag")
    assert report is not None
    params = {r["trial"]: json.loads((tmp_path / "trials" / f"trial_{r['trial']:04d}.json")
                                     .read_text())["measures"]["params"] for r in report.reused}
    for r in report.reused:
        assert r["status"] == ("ok" if params[r["trial"]] <= 300 else "infeasible")
    states = {t.number: t.state.name for t in study.get_trials()}
    assert {states[n] for n, p in params.items() if p > 300} == {"FAIL"}
    assert {states[n] for n, p in params.items() if p <= 300} == {"COMPLETE"}
