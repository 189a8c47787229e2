"""The Architecture IR: a framework-neutral, JSON-serialisable description of one network.

Backends build exactly the layers listed here, in order; every shape decision (where to
flatten, the output layer) is already made, so PyTorch and Keras agree by construction.

Cell-based networks use the same chain: a NASNet cell, a NAS-Bench-201 cell and NB201's
residual reduction block are single composite layers (`cell`, `nb201_cell`, `res_reduce`)
whose params are plain data (see nasdsl.space.cells); the op names are those of
nasdsl.space.ops.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from nasdsl.space.cells import NasnetCell, Nb201Cell

_COMPOSITE = ("cell", "nb201_cell", "res_reduce")


@dataclass(frozen=True)
class Layer:
    """One op with its concrete parameters, e.g. Layer('dense', {'units': 64})."""

    op: str
    params: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """Short text such as 'dense(64, relu)'."""
        p = self.params
        if self.op == "dense":
            act = p.get("activation", "linear")
            return f"dense({p['units']}{'' if act == 'linear' else ', ' + act})"
        if self.op == "conv":
            act = p.get("activation", "linear")
            extra = f"/{p['stride']}" if p.get("stride", 1) != 1 else ""
            return (f"conv{p.get('kernel', 3)}x{p.get('kernel', 3)}{extra}({p['channels']}"
                    f"{'' if act == 'linear' else ', ' + act})")
        if self.op == "dropout":
            return f"dropout({p.get('rate', 0.5):.2f})"
        if self.op in ("max_pool", "avg_pool"):
            return f"{self.op}({p.get('size', 2)})"
        if self.op == "cell":
            return NasnetCell.from_params(p).describe()
        if self.op == "nb201_cell":
            return "nb201" + Nb201Cell.from_params(p).describe()
        if self.op == "res_reduce":
            return f"res_reduce({p['channels']})"
        return self.op


@dataclass(frozen=True)
class Training:
    """The training protocol sampled for one candidate."""

    epochs: int
    batch_size: int
    optimizer: str
    optimizer_params: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Architecture:
    """A whole candidate: input, the ordered layers (output layer included), and training."""

    input_shape: tuple[int, ...]  # (features,) or (channels, height, width)
    task: str  # "classification" | "regression"
    outputs: int
    layers: tuple[Layer, ...]
    training: Training

    def describe(self) -> str:
        """One line a person can read: 'dense(64, relu) → dropout(0.10) → dense(10)'."""
        parts: list[str] = []
        counts: list[int] = []
        for layer in self.layers:
            if layer.op == "flatten":
                continue
            text = layer.describe()
            if layer.op in _COMPOSITE and parts and parts[-1] == text:
                counts[-1] += 1  # repeated cells: 'normal cell[16](…) ×3'
                continue
            parts.append(text)
            counts.append(1)
        return " → ".join(t if n == 1 else f"{t} ×{n}" for t, n in zip(parts, counts, strict=True))

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        d = asdict(self)
        d["input_shape"] = list(self.input_shape)
        return d

    def to_json(self) -> str:
        """JSON text."""
        return json.dumps(self.to_dict(), sort_keys=True)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Architecture:
        """Inverse of to_dict."""
        return Architecture(
            tuple(d["input_shape"]), d["task"], int(d["outputs"]),
            tuple(Layer(x["op"], dict(x["params"])) for x in d["layers"]),
            Training(**d["training"]),
        )

    @staticmethod
    def from_json(text: str) -> Architecture:
        """Inverse of to_json."""
        return Architecture.from_dict(json.loads(text))
