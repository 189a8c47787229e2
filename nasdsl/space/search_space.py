"""The search-space IR: named decisions, conditional on earlier ones, sampled into an Architecture.

Decisions are drawn through a `Suggest` object, so the same space is sampled by an
Optuna trial (define-by-run: a decision inside `repeat` exists only when its copy
does) or replayed from a dictionary of recorded values.

`config["space"]["kind"]` selects the space: `layers` (a layer chain, `space.layers` is
the item list), `cells` (NASNet-style) or `nb201` (NAS-Bench-201); the compiled shapes of
the two cell kinds are documented in nasdsl.space.cell_space. Every kind ends the same
way: a flatten where a flat op meets an image, and the output dense layer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nasdsl.data import describe
from nasdsl.lang import registry as reg
from nasdsl.space.cell_space import sample_cells, sample_nb201
from nasdsl.space.decisions import (
    FixedSuggest,
    OptunaSuggest,
    Suggest,
    draw,
    expand_layers,
    is_distribution,
    make_layer,
)
from nasdsl.space.ir import Architecture, Layer, Training

__all__ = ["FixedSuggest", "OptunaSuggest", "SearchSpace", "Suggest", "draw", "is_distribution",
           "SPACE_KINDS"]

SPACE_KINDS = ("layers", "cells", "nb201")


def _ops_in(items: list[dict[str, Any]]) -> Iterator[str]:
    for item in items:
        if "op" in item:
            yield item["op"]
        elif "optional" in item:
            yield item["optional"]["op"]
        elif "body" in item:
            yield from _ops_in(item["body"])
        elif "choose" in item:
            for option in item["choose"]:
                yield from _ops_in(option)


class SearchSpace:
    """A compiled experiment config's space and training decisions."""

    def __init__(self, config: dict[str, Any], description: reg.DatasetSpec | None = None):
        self.config = config
        # what the data stage read off the source's headers: shapes, task, classes
        self.dataset = description if description is not None else describe(config)
        self.kind = str(config["space"].get("kind", "layers"))
        if self.kind not in SPACE_KINDS:
            raise ValueError(f"unknown space kind '{self.kind}' ({', '.join(SPACE_KINDS)})")
        if self.kind == "layers":
            self.items: list[dict[str, Any]] = list(config["space"]["layers"])
            self.image_input = self.dataset.image_shape is not None and any(
                op in reg.OPS and reg.OPS[op].needs_image for op in _ops_in(self.items))
        else:
            self.items = []
            if self.dataset.image_shape is None:
                raise ValueError(f"a '{self.kind}' space needs an image dataset; "
                                 f"{self.dataset.name} is tabular")
            self.image_input = True

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
        if self.kind == "cells":
            layers = sample_cells(self.config["space"], self.input_shape, suggest)
        elif self.kind == "nb201":
            layers = sample_nb201(self.config["space"], self.input_shape, suggest)
        else:
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

    @staticmethod
    def _expand(items: list[dict[str, Any]], prefix: str, suggest: Suggest,
                out: list[Layer]) -> None:
        expand_layers(items, prefix, suggest, out)

    @staticmethod
    def _layer(item: dict[str, Any], path: str, suggest: Suggest) -> Layer:
        return make_layer(item, path, suggest)


def _with_flatten_and_head(layers: list[Layer], input_shape: tuple[int, ...],
                           outputs: int) -> list[Layer]:
    """Insert a flatten where a flat op meets an image, and append the output layer."""
    spatial = len(input_shape) == 3
    out: list[Layer] = []
    for layer in layers:
        if layer.op in ("global_avg_pool", "global_max_pool", "flatten"):
            spatial = False
        elif layer.op == "dense" and spatial:
            out.append(Layer("flatten"))
            spatial = False
        out.append(layer)
    if spatial:
        out.append(Layer("flatten"))
    out.append(Layer("dense", {"units": outputs, "activation": "linear", "bias": True}))
    return out
