"""The search-space IR: named decisions, conditional on earlier ones, sampled into an Architecture.

Decisions are drawn through a `Suggest` object, so the same space is sampled by an
Optuna trial (define-by-run: a decision inside `repeat` exists only when its copy
does) or replayed from a dictionary of recorded values.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from nasdsl.lang import registry as reg
from nasdsl.space.ir import Architecture, Layer, Training


class Suggest(Protocol):
    """Where decision values come from."""

    def categorical(self, name: str, options: list[Any]) -> Any:
        """Pick one of the options."""

    def integer(self, name: str, low: int, high: int, step: int) -> int:
        """Pick an integer in [low, high]."""

    def real(self, name: str, low: float, high: float, log: bool) -> float:
        """Pick a float in [low, high]."""


class OptunaSuggest:
    """Draw decisions from an Optuna trial."""

    def __init__(self, trial: Any):
        self.trial = trial

    def categorical(self, name: str, options: list[Any]) -> Any:
        """Pick one of the options."""
        return self.trial.suggest_categorical(name, options)

    def integer(self, name: str, low: int, high: int, step: int) -> int:
        """Pick an integer in [low, high]."""
        return self.trial.suggest_int(name, low, high, step=step)

    def real(self, name: str, low: float, high: float, log: bool) -> float:
        """Pick a float in [low, high]."""
        return self.trial.suggest_float(name, low, high, log=log)


class FixedSuggest:
    """Replay recorded decision values (e.g. a trial's params); missing ones raise KeyError."""

    def __init__(self, values: dict[str, Any]):
        self.values = values

    def categorical(self, name: str, options: list[Any]) -> Any:
        """Recorded value."""
        return self.values[name]

    def integer(self, name: str, low: int, high: int, step: int) -> int:
        """Recorded value."""
        return int(self.values[name])

    def real(self, name: str, low: float, high: float, log: bool) -> float:
        """Recorded value."""
        return float(self.values[name])


def is_distribution(value: Any) -> bool:
    """True for a compiled search primitive such as {dist: choice, options: […]}."""
    return isinstance(value, dict) and "dist" in value


def draw(value: Any, name: str, suggest: Suggest) -> Any:
    """A fixed value as is, or a search primitive drawn under the decision name."""
    if not is_distribution(value):
        return value
    kind = value["dist"]
    if kind == "choice":
        options = list(value["options"])
        return options[0] if len(options) == 1 else suggest.categorical(name, options)
    if kind == "int":
        low, high = int(value["low"]), int(value["high"])
        return low if low == high else suggest.integer(name, low, high, int(value.get("step", 1)))
    if kind in ("uniform", "loguniform"):
        return suggest.real(name, float(value["low"]), float(value["high"]),
                            kind == "loguniform")
    raise ValueError(f"unknown distribution {kind!r} for {name}")


def _ops_in(items: list[dict[str, Any]]) -> Iterator[str]:
    for item in items:
        if "op" in item:
            yield item["op"]
        elif "optional" in item:
            yield item["optional"]["op"]
        elif "body" in item:
            yield from _ops_in(item["body"])


class SearchSpace:
    """A compiled experiment config's space and training decisions."""

    def __init__(self, config: dict[str, Any]):
        self.config = config
        self.dataset = reg.DATASETS[config["data"]["source"]]
        self.items: list[dict[str, Any]] = list(config["space"]["layers"])
        self.image_input = any(reg.OPS[op].needs_image for op in _ops_in(self.items)) and \
            self.dataset.image_shape is not None

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one sample as the network sees it."""
        if self.image_input and self.dataset.image_shape is not None:
            return self.dataset.image_shape
        return (self.dataset.features,)

    @property
    def outputs(self) -> int:
        """Units of the output layer."""
        return self.dataset.classes if self.dataset.task is reg.Task.CLASSIFICATION else 1

    def sample(self, suggest: Suggest) -> Architecture:
        """Draw every decision and build the Architecture it describes."""
        layers: list[Layer] = []
        self._expand(self.items, "layers", suggest, layers)
        layers = _with_flatten_and_head(layers, self.input_shape, self.outputs)
        train_cfg = self.config["train"]
        opt = dict(train_cfg["optimizer"])
        opt_name = opt.pop("name")
        training = Training(
            epochs=int(draw(train_cfg["epochs"], "train.epochs", suggest)),
            batch_size=int(draw(train_cfg["batch_size"], "train.batch_size", suggest)),
            optimizer=opt_name,
            optimizer_params={k: float(draw(v, f"train.optimizer.{k}", suggest))
                              for k, v in opt.items()},
        )
        return Architecture(self.input_shape, self.dataset.task.value, self.outputs,
                            tuple(layers), training)

    def _expand(self, items: list[dict[str, Any]], prefix: str, suggest: Suggest,
                out: list[Layer]) -> None:
        for index, item in enumerate(items):
            path = f"{prefix}.{index}"
            if "op" in item:
                out.append(self._layer(item, path, suggest))
            elif "optional" in item:
                inner = item["optional"]
                if draw({"dist": "choice", "options": [False, True]},
                        f"{path}.{inner['op']}.present", suggest):
                    out.append(self._layer(inner, path, suggest))
            else:
                count = int(draw(item["repeat"], f"{path}.repeat", suggest))
                for copy in range(count):
                    self._expand(item["body"], f"{path}.r{copy}", suggest, out)

    @staticmethod
    def _layer(item: dict[str, Any], path: str, suggest: Suggest) -> Layer:
        op = item["op"]
        spec = reg.OPS[op]
        params: dict[str, Any] = {}
        for p in spec.params:
            if p.name in item.get("params", {}):
                params[p.name] = draw(item["params"][p.name], f"{path}.{op}.{p.name}", suggest)
            elif p.default is not None:
                params[p.name] = p.default
        return Layer(op, params)


def _with_flatten_and_head(layers: list[Layer], input_shape: tuple[int, ...],
                           outputs: int) -> list[Layer]:
    """Insert a flatten where a flat op meets an image, and append the output layer."""
    spatial = len(input_shape) == 3
    out: list[Layer] = []
    for layer in layers:
        if layer.op == "global_avg_pool" or layer.op == "flatten":
            spatial = False
        elif layer.op == "dense" and spatial:
            out.append(Layer("flatten"))
            spatial = False
        out.append(layer)
    if spatial:
        out.append(Layer("flatten"))
    out.append(Layer("dense", {"units": outputs, "activation": "linear", "bias": True}))
    return out
