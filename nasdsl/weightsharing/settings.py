"""Strategy parameters of the weight-sharing strategies, the epoch rule and config checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nasdsl.search.errors import StrategyError
from nasdsl.weightsharing.decisions import reference

WEIGHT_SHARING = ("enas", "darts", "ofa")

# The supernet trains for at most EPOCH_CAP × train.epochs epochs, so a smoke run
# (`train.epochs=1`) stays quick whatever `supernet_epochs` the spec asks for.
EPOCH_CAP = 3

DEFAULTS: dict[str, dict[str, Any]] = {
    "enas": {"supernet_epochs": 50, "controller_steps": 50, "controller_lr": 0.05,
             "entropy": 1e-4, "retrain_top": 1, "samples": 32},
    "darts": {"supernet_epochs": 50, "arch_lr": 3e-4, "arch_weight_decay": 1e-3,
              "max_skips": 2, "first_order": True, "retrain_top": 1},
    "ofa": {"supernet_epochs": 50, "progressive": True, "population": 50,
            "generations": 20, "retrain_top": 1},
}


@dataclass(frozen=True)
class Settings:
    """Everything a weight-sharing search needs to know about its strategy."""

    strategy: str
    epochs: int  # supernet epochs actually trained (after the EPOCH_CAP rule)
    requested_epochs: int
    retrain_top: int
    seed: int
    params: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        """A strategy parameter (the spec's value or the default)."""
        return self.params.get(name, DEFAULTS[self.strategy].get(name))


def train_epochs(config: dict[str, Any]) -> int:
    """train.epochs as a number (the reference value when it is a search decision)."""
    return max(1, int(reference(config["train"]["epochs"])))


def make_settings(strategy: str, params: dict[str, Any], config: dict[str, Any],
                  seed: int) -> Settings:
    """Settings from the strategy block's parameters and the compiled config."""
    merged = {**DEFAULTS[strategy], **{k: v for k, v in params.items() if v is not None}}
    requested = int(merged["supernet_epochs"])
    epochs = max(1, min(requested, EPOCH_CAP * train_epochs(config)))
    return Settings(strategy, epochs, requested, int(merged["retrain_top"]), seed, merged)


def check_config(strategy: str, params: dict[str, Any], config: dict[str, Any]) -> None:
    """Raise StrategyError when the strategy cannot run on this config (cheap, no framework)."""
    backend = config.get("backend")
    if backend != "torch":
        raise StrategyError(
            f"the {backend} backend does not support weight-sharing strategies "
            f"({', '.join(WEIGHT_SHARING)}): set `backend = torch` to use `strategy {strategy}`")
    kind = str(config["space"].get("kind", "layers"))
    if strategy == "darts" and kind not in ("cells", "nb201"):
        raise StrategyError("darts relaxes the ops of cell edges: it needs `space cells` or "
                            "`space nb201`, not a layer chain (use enas or ofa there)")
    merged = {**DEFAULTS[strategy], **{k: v for k, v in params.items() if v is not None}}
    for key in ("supernet_epochs", "retrain_top", "controller_steps", "population",
                "generations", "samples"):
        if key in merged and int(merged[key]) < 1:
            raise StrategyError(f"{strategy}.{key} must be at least 1, got {merged[key]}")
    if int(merged.get("max_skips", 0)) < 0:
        raise StrategyError(f"darts.max_skips must be 0 (no limit) or more, "
                            f"got {merged['max_skips']}")
    if strategy == "darts" and not merged.get("first_order", True):
        raise StrategyError("only first-order DARTS is implemented: set first_order = true")
