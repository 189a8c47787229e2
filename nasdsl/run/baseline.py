"""Baselines: a fixed architecture or a published network, trained under the trial protocol.

Each function returns the same `TrialResult` record a searched trial has (measures,
metrics of every split, objectives, constraints, history), so the report can put a
baseline next to the search's best. Nothing here imports a framework: backends are
loaded by name when a baseline runs.

Compiled baseline configs (`config["baselines"]`, one mapping each) understood by
`run_baseline`::

    {name: "hand-designed", layers: [ITEM, …]}                 # a fixed layer chain
    {name: "nasnet", model: {name: keras.NASNetMobile, weights: none,
                             trainable: true, input_size: 32}}   # keras.applications
    # either may carry train: {epochs, batch_size, optimizer: {name, …}} (default: the
    # experiment's train block; a remaining search primitive takes its first option
    # or the middle of its range)
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from nasdsl.data import Dataset
from nasdsl.run import constraints as cons
from nasdsl.run.backend import Backend, BackendError, load_backend
from nasdsl.run.metrics import classification_metrics, regression_metrics
from nasdsl.run.runner import FAILED, OK, TrialResult, objective_value
from nasdsl.space.ir import Architecture, Layer, Training
from nasdsl.space.search_space import _with_flatten_and_head, draw
from nasdsl.space.shapes import measure


class DefaultSuggest:
    """Decide a leftover search primitive without searching: the first option of a
    choice, the middle of an integer or uniform range, the geometric middle of a log one."""

    def categorical(self, name: str, options: list[Any]) -> Any:
        """The first option."""
        return options[0]

    def integer(self, name: str, low: int, high: int, step: int) -> int:
        """The middle of the range, on the step grid."""
        return low + ((high - low) // step // 2) * step

    def real(self, name: str, low: float, high: float, log: bool) -> float:
        """The (geometric) middle."""
        return math.sqrt(low * high) if log else (low + high) / 2


def training_from_config(train: dict[str, Any]) -> Training:
    """The Training of a compiled train block, leftover primitives decided by DefaultSuggest."""
    suggest = DefaultSuggest()
    opt = dict(train["optimizer"])
    name = opt.pop("name")
    return Training(int(draw(train["epochs"], "train.epochs", suggest)),
                    int(draw(train["batch_size"], "train.batch_size", suggest)), name,
                    {k: float(draw(v, k, suggest)) for k, v in opt.items()})


def architecture_from_layers(items: list[dict[str, Any]], config: dict[str, Any],
                             training: Training) -> Architecture:
    """The Architecture of a fixed baseline layer chain (a trailing bare `dense` is the
    output layer, which is always appended)."""
    from nasdsl.space.decisions import expand_layers
    from nasdsl.space.search_space import SearchSpace

    items = list(items)
    if items and items[-1].get("op") == "dense" and "units" not in (items[-1].get("params")
                                                                    or {}):
        items = items[:-1]
    space = SearchSpace({**config, "space": {"kind": "layers", "layers": items}})
    layers: list[Layer] = []
    expand_layers(items, "baseline", DefaultSuggest(), layers)
    layers = _with_flatten_and_head(layers, space.input_shape, space.outputs)
    return Architecture(space.input_shape, space.dataset.task.value, space.outputs,
                        tuple(layers), training)


def _shaped(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The data reshaped to the model's sample shape (flat ↔ image) when sizes agree."""
    if tuple(x.shape[1:]) == tuple(shape):
        return x
    if int(np.prod(x.shape[1:])) != int(np.prod(shape)):
        raise ValueError(f"data of shape {x.shape[1:]} does not fit a model input {shape}")
    return x.reshape((-1, *shape))


def _metrics(backend: Backend, model: Any, data: Dataset, split: str,
             shape: tuple[int, ...]) -> dict[str, float]:
    x, y = data.split(split)
    if len(y) == 0:
        return {}
    out = backend.predict(model, _shaped(x, shape))
    if data.task == "classification":
        return classification_metrics(out, y)
    return regression_metrics(out, y, data.y_mean, data.y_std)


def _train_and_score(backend: Backend, model: Any, arch: Architecture, data: Dataset,
                     result: TrialResult, seed: int, goals: list[dict[str, str]],
                     limits: list[dict[str, Any]], models_dir: Path | None) -> TrialResult:
    t0 = time.monotonic()
    result.measures["latency_s"] = backend.latency(model, arch)
    x, y = data.split("train")
    result.history = backend.fit(model, arch, _shaped(x, arch.input_shape), y, seed)
    for split in ("train", "val", "test"):
        result.metrics[split] = _metrics(backend, model, data, split, tuple(arch.input_shape))
    flat = {f"{s}.{k}": v for s, ms in result.metrics.items() for k, v in ms.items()}
    result.constraints = [cons.check(c, result.measures, flat).__dict__ for c in limits]
    values = [objective_value(g["metric"], result.metrics, result.measures) for g in goals]
    result.objectives = [float(v) for v in values if v is not None]
    if models_dir is not None:
        models_dir.mkdir(parents=True, exist_ok=True)
        backend.save(model, models_dir / f"baseline_{result.description.split(':')[0]}")
    result.status = OK
    result.seconds = time.monotonic() - t0
    return result


def train_architecture(arch: Architecture, data: Dataset, backend: str = "torch",
                       seed: int = 0, name: str = "baseline",
                       goals: list[dict[str, str]] | None = None,
                       limits: list[dict[str, Any]] | None = None, number: int = -1,
                       models_dir: Path | None = None) -> TrialResult:
    """Train a fixed Architecture on the data like a trial; return its result record."""
    impl = load_backend(backend)
    static = measure(arch)
    result = TrialResult(number, FAILED, arch.to_dict(), f"{name}: {arch.describe()}", {},
                         seed=seed)
    result.measures = {"params": static.params, "model_bytes": static.model_bytes,
                       "flops": static.flops}
    model = impl.build(arch, seed)
    return _train_and_score(impl, model, arch, data, result, seed,
                            goals or [{"direction": "maximize", "metric": "val.accuracy"}],
                            limits or [], models_dir)


def train_application(model_name: str, data: Dataset, training: Training,
                      backend: str = "keras", seed: int = 0, weights: str = "none",
                      trainable: bool = True, input_size: int = 32,
                      input_shape: tuple[int, ...] | None = None, name: str | None = None,
                      goals: list[dict[str, str]] | None = None,
                      limits: list[dict[str, Any]] | None = None, number: int = -1,
                      models_dir: Path | None = None) -> TrialResult:
    """Train a published network (e.g. 'keras.NASNetMobile') like a trial.

    `weights = "imagenet"` starts from pre-trained weights (transfer learning; Keras
    downloads them once), `"none"` from scratch. Images are upsampled to `input_size`
    inside the model (keras.applications need at least 32×32). The data must be images:
    (N, C, H, W) arrays, or flat rows with `input_shape` given.
    """
    impl = load_backend(backend)
    if not hasattr(impl, "build_application"):
        raise BackendError(f"the {backend} backend has no published networks "
                           f"(use backend = keras for {model_name})")
    shape = tuple(input_shape or data.x_train.shape[1:])
    outputs = data.classes if data.task == "classification" else 1
    arch = Architecture(shape, data.task, outputs, (), training)  # the protocol; no layers
    model = impl.build_application(model_name, shape, outputs, seed, weights, trainable,
                                   input_size)
    label = name or model_name
    result = TrialResult(number, FAILED, None,
                         f"{label}: {model_name}(weights = {weights}, input {input_size}²)",
                         {"model": model_name, "weights": weights, "trainable": trainable,
                          "input_size": input_size}, seed=seed)
    counted = impl.count(model)
    result.measures = {"params": counted["params"], "model_bytes": counted["model_bytes"]}
    return _train_and_score(impl, model, arch, data, result, seed,
                            goals or [{"direction": "maximize", "metric": "val.accuracy"}],
                            limits or [], models_dir)


def run_baseline(baseline: dict[str, Any], config: dict[str, Any], data: Dataset,
                 number: int = -1, models_dir: Path | None = None) -> TrialResult:
    """Run one compiled baseline config (see the module docstring) of an experiment."""
    training = training_from_config(baseline.get("train") or config["train"])
    seed = int(config.get("experiment", {}).get("seed", 0))
    goals = config.get("objective") or None
    limits = config.get("constraints") or []
    name = str(baseline.get("name", "baseline"))
    if baseline.get("model"):
        model = dict(baseline["model"])
        image_shape = None
        from nasdsl.lang import registry as reg

        spec = reg.DATASETS.get(config["data"]["source"])
        if spec is not None and spec.image_shape is not None:
            image_shape = spec.image_shape
        return train_application(
            model["name"], data, training, "keras", seed, str(model.get("weights", "none")),
            bool(model.get("trainable", True)), int(model.get("input_size", 32)),
            image_shape, name, goals, limits, number, models_dir)
    arch = architecture_from_layers(baseline["layers"], config, training)
    return train_architecture(arch, data, config.get("backend", "torch"), seed, name, goals,
                              limits, number, models_dir)
