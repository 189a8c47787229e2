"""Shared helpers of the search tests: a compiled config from spec text, ask/tell loops."""

from __future__ import annotations

import math
from typing import Any

SPEC = """
experiment "searchtest" {
  seed = 3
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  constraints { CONSTRAINTS }
  space layers {
    repeat range(1, 3) {
      dense(units = choice(16, 32, 64), activation = choice(relu, tanh))
      optional batch_norm
      dropout(rate = DROPOUT)
    }
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


def config_for(dropout: str = "uniform(0.0, 0.3)", lr: str = "loguniform(1e-3, 1e-2)",
               constraints: str = "params <= 1M") -> dict[str, Any]:
    from nasdsl.compile import spec_to_config
    from nasdsl.lang import parse_spec

    text = SPEC.replace("DROPOUT", dropout).replace("LR", lr).replace("CONSTRAINTS", constraints)
    result = parse_spec(text)
    spec = getattr(result, "spec", result)
    assert spec is not None, getattr(result, "diagnostics", result)
    return spec_to_config(spec)


def synthetic(arch: Any) -> float:
    """A cheap objective that prefers more units, relu and a mid learning rate."""
    value = 0.0
    for layer in arch.layers[:-1]:
        if layer.op == "dense":
            value += math.log2(layer.params["units"]) / 6 + (layer.params["activation"] == "relu")
        if layer.op == "dropout":
            value -= abs(layer.params["rate"] - 0.1)
    return value - abs(math.log10(arch.training.optimizer_params["lr"]) + 2.5)


def run_study(config: dict[str, Any], strategy: dict[str, Any], n: int, seed: int = 0,
              objective: Any = synthetic, with_config: bool = False) -> Any:
    """Ask/tell loop like the runner's (static limits rejected as infeasible, told as FAIL)."""
    import optuna
    from optuna.trial import TrialState

    from nasdsl.run.constraints import violated_limits
    from nasdsl.search.strategies import make_sampler
    from nasdsl.space.search_space import OptunaSuggest, SearchSpace
    from nasdsl.space.shapes import measure

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = SearchSpace(config)
    directions = [g["direction"] for g in config["objective"]]
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
