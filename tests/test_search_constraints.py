"""Constraints before compute: aware strategies waste fewer trials on infeasible candidates."""

from __future__ import annotations

import statistics

from test_search_helpers import config_for, run_study

BODY = """
    repeat range(1, 3) {
      dense(units = choice(16, 32, 64, 128), activation = choice(relu, tanh))
      optional batch_norm
    }"""
# digits has 64 features: one dense(16) layer already has 1k weights
TIGHT = "params <= 3k"


def _infeasible(study) -> int:
    return sum(t.user_attrs.get("status") == "infeasible" for t in study.trials)


def test_the_constraint_excludes_most_of_the_space() -> None:
    config = config_for(BODY, lr="0.001", constraints=TIGHT)
    study = run_study(config, {"name": "random"}, 60, seed=0)
    assert _infeasible(study) > 30


def test_history_aware_strategies_avoid_infeasible_regions() -> None:
    config = config_for(BODY, lr="0.001", constraints=TIGHT)

    def mean_infeasible(strategy: dict) -> float:
        return statistics.mean(_infeasible(run_study(config, strategy, 60, seed=s))
                               for s in range(3))

    random = mean_infeasible({"name": "random"})
    for strategy in ({"name": "evolution", "population": 8, "sample": 3},
                     {"name": "local", "neighbors": 4}, {"name": "rl", "lr": 0.2}):
        assert mean_infeasible(strategy) < random, strategy["name"]


def test_static_filter_rejects_before_the_trial() -> None:
    config = config_for(BODY, lr="0.001", constraints=TIGHT)
    for name in ("random", "tpe", "evolution", "rl", "nsga2", "cfo", "local"):
        study = run_study(config, {"name": name}, 30, seed=1, with_config=True)
        assert _infeasible(study) == 0, name
        assert study.sampler.rejected > 0


def test_the_filter_is_off_without_hard_limits() -> None:
    from nasdsl.search.strategies import make_sampler

    config = config_for(BODY, lr="0.001", constraints="accuracy >= 0.5")
    assert type(make_sampler({"name": "tpe"}, 0, config)).__name__ == "TPESampler"
    # a latency limit is measured by the runner, but the sampler still learns from it
    config = config_for(BODY, lr="0.001", constraints="latency <= 5 ms")
    assert type(make_sampler({"name": "tpe"}, 0, config)).__name__ == "StaticConstraintSampler"


def _rejections_per_trial(study) -> list[int]:
    return [int(t.system_attrs.get("nasdsl:rejected", 0))
            for t in sorted(study.trials, key=lambda t: t.number)]


def _without_memory(monkeypatch) -> None:
    from nasdsl.search.rejections import RejectionMemory

    monkeypatch.setattr(RejectionMemory, "view", lambda self, study: study)
    monkeypatch.setattr(RejectionMemory, "sync", lambda self, study: None)


DROPOUT_BODY = """
    repeat range(1, 3) {
      dense(units = choice(8, 16, 32, 64, 128, 256), activation = relu)
      dropout(rate = uniform(0.0, 0.3))
    }"""


def test_tpe_learns_from_rejected_candidates(monkeypatch) -> None:
    # Most of the space breaks the limit and the largest layers score best: without the
    # rejections TPE keeps proposing large layers; with them it proposes feasible ones.
    config = config_for(DROPOUT_BODY, lr="0.001", constraints="params <= 2000")
    seeds = range(3)
    learned = [sum(_rejections_per_trial(run_study(config, {"name": "tpe"}, 30, seed=s,
                                                   with_config=True))[-10:]) for s in seeds]
    _without_memory(monkeypatch)
    blind = [sum(_rejections_per_trial(run_study(config, {"name": "tpe"}, 30, seed=s,
                                                 with_config=True))[-10:]) for s in seeds]
    assert sum(learned) * 3 < sum(blind), (learned, blind)


def test_rejections_live_in_the_study_not_as_trials() -> None:
    from nasdsl.search.rejections import REJECTIONS_ATTR, RejectionMemory

    config = config_for(DROPOUT_BODY, lr="0.001", constraints="params <= 2000")
    study = run_study(config, {"name": "tpe"}, 12, seed=0, with_config=True)
    assert len(study.trials) == 12  # rejected candidates are not trials of the study
    stored = [r for t in study.trials for r in t.system_attrs.get(REJECTIONS_ATTR, [])]
    assert stored and all(r["excess"] > 0 for r in stored)
    # another process (a resumed run, a worker) rebuilds the same memory from storage
    memory = RejectionMemory()
    memory.sync(study)
    assert len(memory) == len(stored)
    view = memory.view(study)
    extra = [t for t in view.get_trials() if t.number == -1 or t not in study.trials]
    assert len(extra) == len(stored)
    assert all(t.constraints["nasdsl_limits"] > 0 for t in extra)


def test_runner_rejections_reach_tpe() -> None:
    # A candidate the runner rejected (FAIL, status infeasible) becomes an observation too.
    from nasdsl.search.rejections import RejectionMemory

    config = config_for(BODY, lr="0.001", constraints=TIGHT)
    study = run_study(config, {"name": "tpe"}, 15, seed=2)  # unwrapped: the runner rejects
    bad = sum(t.user_attrs.get("status") == "infeasible" for t in study.trials)
    assert bad > 0
    memory = RejectionMemory()
    memory.sync(study)
    assert len(memory) == len({tuple(sorted(t.params.items())) for t in study.trials
                               if t.user_attrs.get("status") == "infeasible"})
