"""Helpers shared by the search tests (a compiled config from spec text, an ask/tell loop),
plus unit tests of the small search helpers."""

from __future__ import annotations

import math
from typing import Any

SPEC = """
experiment "searchtest" {
  seed = 3
  data { source = sklearn.digits }
  objective { OBJECTIVE }
  constraints { CONSTRAINTS }
  space layers {
    BODY
  }
  train {
    epochs = 2
    batch_size = choice(32, 64)
    optimizer = adam(lr = LR)
  }
  budget { trials = 20 }
  strategy random
}
"""

CONDITIONAL = """
    repeat range(1, 3) {
      dense(units = choice(16, 32, 64), activation = choice(relu, tanh))
      optional batch_norm
      dropout(rate = uniform(0.0, 0.3))
    }"""


def config_for(body: str = CONDITIONAL, lr: str = "loguniform(1e-3, 1e-2)",
               constraints: str = "params <= 1M",
               objective: str = "maximize val.accuracy") -> dict[str, Any]:
    """Compile the test spec with the given pieces."""
    from nasdsl.compile import spec_to_config
    from nasdsl.lang import parse_spec

    text = (SPEC.replace("BODY", body).replace("LR", lr).replace("CONSTRAINTS", constraints)
            .replace("OBJECTIVE", objective))
    result = parse_spec(text)
    assert result.spec is not None, result.diagnostics
    return spec_to_config(result.spec)


def synthetic(arch: Any) -> float:
    """A cheap objective that prefers more units, relu, dropout 0.1 and lr 10^-2.5."""
    value = 0.0
    for layer in arch.layers[:-1]:
        if layer.op == "dense":
            value += math.log2(layer.params["units"]) / 6 + (layer.params["activation"] == "relu")
        if layer.op == "dropout":
            value -= abs(layer.params["rate"] - 0.1)
    return value - abs(math.log10(arch.training.optimizer_params["lr"]) + 2.5)


def run_study(config: dict[str, Any], strategy: dict[str, Any], n: int, seed: int = 0,
              objective: Any = synthetic, with_config: bool = False,
              study: Any = None) -> Any:
    """Ask/tell loop like the runner's: static limits are rejected as 'infeasible' (FAIL)."""
    import optuna
    from optuna.trial import TrialState

    from nasdsl.run.constraints import violated_limits
    from nasdsl.search.strategies import make_sampler
    from nasdsl.space.search_space import OptunaSuggest, SearchSpace
    from nasdsl.space.shapes import measure

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = SearchSpace(config)
    directions = [g["direction"] for g in config["objective"]]
    if study is None:
        sampler = make_sampler(strategy, seed, config if with_config else None)
        study = optuna.create_study(directions=directions, sampler=sampler)
    for _ in range(n):
        trial = study.ask()
        arch = space.sample(OptunaSuggest(trial))
        m = measure(arch)
        measures = {"params": m.params, "model_bytes": m.model_bytes, "flops": m.flops}
        if violated_limits(config["constraints"], measures):
            trial.set_user_attr("status", "infeasible")
            study.tell(trial, state=TrialState.FAIL)
            continue
        trial.set_user_attr("status", "ok")
        values = objective(arch) if len(directions) == 1 else objective(arch, measures)
        study.tell(trial, values)
    return study


def params_sequence(study: Any) -> list[dict[str, Any]]:
    """Every trial's decisions, in order."""
    return [dict(t.params) for t in study.trials]


# --- unit tests of the helpers ------------------------------------------------------------


def test_space_size_counts_conditional_copies() -> None:
    from nasdsl.search.auto import space_size

    body = """
    repeat range(1, 2) {
      dense(units = choice(16, 32))
      optional batch_norm
    }"""
    # per copy 2 × 2 = 4 options; 1 copy: 4, 2 copies: 16; batch size × 2
    assert space_size(config_for(body, lr="0.001")) == (4 + 16) * 2
    assert math.isinf(space_size(config_for()))


def test_unit_moves_stay_in_range() -> None:
    import numpy as np
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    from nasdsl.search.common import contains, from_unit, mutate, neighbours, to_unit

    rng = np.random.RandomState(0)
    dists = [CategoricalDistribution([16, 32, 64]), IntDistribution(1, 5),
             FloatDistribution(1e-4, 1e-1, log=True), FloatDistribution(0.0, 0.3)]
    for dist in dists:
        for _ in range(50):
            value = from_unit(dist, rng.uniform())
            assert contains(dist, value)
            assert contains(dist, mutate(dist, value, rng))
            assert mutate(dist, value, rng) != value
            assert all(contains(dist, v) for v in neighbours(dist, value))
            assert 0.0 <= to_unit(dist, value) <= 1.0
