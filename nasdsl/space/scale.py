"""Cell transfer (NASNet's key idea): rebuild a found architecture with more cells and
more channels for the final training, keeping every searched choice.

`scale_architecture(arch, cells=2, channels=2)`:

* NASNet cells (`cell` layers): each run of consecutive normal cells gets
  `round(count × cells)` copies (at least one); reduction cells stay one each; every
  cell's channels and the stem's conv channels are multiplied by `channels`.
* NAS-Bench-201 (`nb201_cell`, `res_reduce`): each run of cells is lengthened the same
  way; the stem's and the residual blocks' channels are multiplied.
* Layer chains: `cells` does not apply; hidden dense units and conv channels are
  multiplied by `channels` (a width multiplier). The output layer never changes.

Pure: a new Architecture is returned; nothing is imported from a framework.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from nasdsl.space.ir import Architecture, Layer


def _times(value: int, factor: float) -> int:
    return max(1, round(value * factor))


def _wider(layer: Layer, channels: float) -> Layer:
    params: dict[str, Any] = dict(layer.params)
    if layer.op in ("conv", "res_reduce", "cell") and "channels" in params:
        params["channels"] = _times(int(params["channels"]), channels)
        if layer.op == "cell" and params.get("reduction") and params["channels"] < 2:
            params["channels"] = 2
    elif layer.op == "dense" and "units" in params:
        params["units"] = _times(int(params["units"]), channels)
    return Layer(layer.op, params)


def _runs(layers: list[Layer]) -> list[list[Layer]]:
    """Consecutive layers grouped so that a run of identical normal cells is one group."""
    groups: list[list[Layer]] = []
    for layer in layers:
        repeatable = _repeatable(layer)
        if groups and repeatable and _repeatable(groups[-1][-1]) and groups[-1][-1] == layer:
            groups[-1].append(layer)
        else:
            groups.append([layer])
    return groups


def _repeatable(layer: Layer) -> bool:
    return layer.op == "nb201_cell" or (layer.op == "cell" and not layer.params.get("reduction"))


def scale_architecture(arch: Architecture, cells: float = 1.0,
                       channels: float = 1.0) -> Architecture:
    """The architecture with `cells`× as many normal cells per stage and `channels`× the
    width (see the module docstring); factors of 1 return an equal architecture."""
    if cells <= 0 or channels <= 0:
        raise ValueError("cell transfer multipliers must be positive")
    body, head = list(arch.layers[:-1]), arch.layers[-1]  # the output layer stays
    out: list[Layer] = []
    for group in _runs(body):
        count = _times(len(group), cells) if _repeatable(group[0]) else len(group)
        out.extend(_wider(group[0], channels) for _ in range(count))
    return replace(arch, layers=(*out, head))
