"""The typed AST of a spec: frozen dataclasses, every node with its source span.

Quantities are normalised to base units (bytes, seconds, counts, fractions) so that
later stages never see a unit string.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from nasdsl.lang.diagnostics import Span
from nasdsl.lang.units import Dimension

# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class Literal:
    """A fixed value: int, float, bool or str (names such as `relu` are str)."""

    value: int | float | bool | str
    span: Span


@dataclass(frozen=True)
class Quantity:
    """A number with a unit, normalised to its dimension's base unit."""

    value: float
    dimension: Dimension
    text: str
    span: Span


@dataclass(frozen=True)
class Choice:
    """choice(a, b, …)."""

    options: tuple[Literal, ...]
    span: Span


@dataclass(frozen=True)
class IntRange:
    """range(low, high[, step]) — inclusive on both ends."""

    low: int
    high: int
    step: int
    span: Span


@dataclass(frozen=True)
class Uniform:
    """uniform(low, high)."""

    low: float
    high: float
    span: Span


@dataclass(frozen=True)
class LogUniform:
    """loguniform(low, high)."""

    low: float
    high: float
    span: Span


Distribution = Union[Choice, IntRange, Uniform, LogUniform]
ParamValue = Union[Literal, Distribution]


@dataclass(frozen=True)
class Param:
    """name = value inside a call such as dense(units = 32)."""

    name: str
    value: ParamValue
    span: Span


# ---------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Split:
    """Fractions of the data in each split; they add up to 1."""

    train: float
    val: float
    test: float
    span: Span


@dataclass(frozen=True)
class DataSpec:
    """data { … }."""

    source: str
    split: Split
    stratify: bool
    span: Span


@dataclass(frozen=True)
class Goal:
    """One objective: maximise or minimise split.metric (or a model measure)."""

    direction: str  # "maximize" | "minimize"
    metric: str  # "val.accuracy", "params", "latency", …
    span: Span


@dataclass(frozen=True)
class Objective:
    """objective { … }: one goal, or several for a Pareto search."""

    goals: tuple[Goal, ...]
    span: Span


@dataclass(frozen=True)
class Constraint:
    """quantity OP value: a deployment limit or a metric target."""

    subject: str  # "params", "model_size", "latency", "flops", or a metric ("accuracy")
    op: str  # "<=", "<", ">=", ">", "=="
    value: float
    dimension: Dimension
    text: str
    is_target: bool  # metric targets are reported, not enforced
    span: Span


@dataclass(frozen=True)
class LayerOp:
    """One op of a layer chain: dense(units = choice(16, 32))."""

    op: str
    params: tuple[Param, ...]
    span: Span


@dataclass(frozen=True)
class OptionalLayer:
    """optional op: the op is present or absent (a boolean decision)."""

    layer: LayerOp
    span: Span


@dataclass(frozen=True)
class Repeat:
    """repeat COUNT { … }: the body repeated COUNT times, each copy with its own decisions."""

    count: Literal | IntRange | Choice
    body: tuple[LayerItem, ...]
    span: Span


LayerItem = Union[LayerOp, OptionalLayer, Repeat]


@dataclass(frozen=True)
class LayerSpace:
    """space layers { … }."""

    items: tuple[LayerItem, ...]
    span: Span


@dataclass(frozen=True)
class Optimizer:
    """adam(lr = …), adamw(…), sgd(…)."""

    name: str
    params: tuple[Param, ...]
    span: Span


@dataclass(frozen=True)
class TrainSpec:
    """train { … }."""

    epochs: ParamValue
    batch_size: ParamValue
    optimizer: Optimizer
    span: Span


@dataclass(frozen=True)
class Budget:
    """budget { … }: the search stops at whichever limit comes first."""

    trials: int | None
    time_s: float | None
    span: Span


@dataclass(frozen=True)
class Strategy:
    """strategy NAME { params }."""

    name: str
    params: tuple[Param, ...]
    span: Span


@dataclass(frozen=True)
class Spec:
    """A whole experiment."""

    name: str
    seed: int
    description: str
    data: DataSpec
    objective: Objective
    constraints: tuple[Constraint, ...]
    space: LayerSpace
    train: TrainSpec
    budget: Budget
    strategy: Strategy
    backend: str
    span: Span
