"""Early stopping with training epochs as the resource: Optuna pruners chosen by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nasdsl.search.errors import StrategyError

PrunerFactory = Callable[[dict[str, Any]], Any]


def _int(params: dict[str, Any], name: str, default: int, low: int = 1) -> int:
    value = params.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise StrategyError(f"early_stop {name} must be a whole number ≥ {low}, got {value!r}")
    return value


def hyperband(params: dict[str, Any]) -> Any:
    """Hyperband (Li et al., 2018): brackets of successive halving over epochs."""
    import optuna

    max_epochs = params.get("max_epochs")
    return optuna.pruners.HyperbandPruner(
        min_resource=_int(params, "min_epochs", 1),
        max_resource=max_epochs if isinstance(max_epochs, int) and max_epochs >= 1 else "auto",
        reduction_factor=_int(params, "eta", 3, low=2),
    )


def successive_halving(params: dict[str, Any]) -> Any:
    """Asynchronous successive halving (ASHA, Li et al., 2020)."""
    import optuna

    return optuna.pruners.SuccessiveHalvingPruner(
        min_resource=_int(params, "min_epochs", 1),
        reduction_factor=_int(params, "eta", 3, low=2),
        min_early_stopping_rate=_int(params, "min_early_stopping_rate", 0, low=0),
    )


def median(params: dict[str, Any]) -> Any:
    """Stop a trial worse than the median of earlier trials at the same epoch."""
    import optuna

    return optuna.pruners.MedianPruner(
        n_startup_trials=_int(params, "min_trials", 5, low=0),
        n_warmup_steps=_int(params, "warmup", 1, low=0),
    )


def never(params: dict[str, Any]) -> None:
    """No early stopping."""
    return None


# early_stop name → factory(early-stop parameters) → optuna.pruners.BasePruner (or None)
PRUNER_FACTORIES: dict[str, PrunerFactory] = {
    "hyperband": hyperband,
    "asha": successive_halving,
    "successive_halving": successive_halving,
    "median": median,
    "none": never,
}


def early_stop_settings(strategy: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(name, parameters) of the strategy's early_stop setting, or None without one."""
    early = strategy.get("early_stop")
    if not early:
        return None
    if isinstance(early, str):
        return early, {}
    if isinstance(early, dict) and "name" in early:
        return str(early["name"]), {k: v for k, v in early.items() if k != "name"}
    raise StrategyError(f"strategy.early_stop must be a name or a mapping with a name, "
                        f"got {early!r}")


def make_pruner(config: dict[str, Any]) -> Any | None:
    """The Optuna pruner for the config's `strategy.early_stop`, or None without one.

    Takes the whole experiment config (so Hyperband's largest rung is train.epochs when
    that is fixed); a bare strategy mapping is accepted too.
    """
    strategy = config.get("strategy", config) if "strategy" in config else config
    settings = early_stop_settings(strategy)
    if settings is None:
        return None
    name, params = settings
    if name not in PRUNER_FACTORIES:
        raise StrategyError(f"unknown early stopping '{name}' "
                            f"(available: {', '.join(PRUNER_FACTORIES)})")
    epochs = (config.get("train") or {}).get("epochs")
    if name == "hyperband" and isinstance(epochs, int) and "max_epochs" not in params:
        params = {**params, "max_epochs": epochs}
    return PRUNER_FACTORIES[name](params)
