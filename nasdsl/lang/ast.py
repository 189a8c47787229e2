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


Distribution = Union[Choice, IntRange, Uniform, LogUniform]  # noqa: UP007
ParamValue = Union[Literal, Distribution]  # noqa: UP007


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
class Preprocess:
    """preprocess { … } in data: how tabular features are scaled, encoded and imputed."""

    numeric: str  # "standardize" | "minmax" | "none"
    categorical: str  # "onehot" | "ordinal"
    impute: str  # "mean" | "median" | "most_frequent" | "constant" | "none"
    categorical_columns: str | tuple[str | int, ...]  # "auto" (by dtype) or column names
    span: Span
    fill_value: int | float | str | None = None  # impute = constant(value = …)


@dataclass(frozen=True)
class DataSpec:
    """data { … }."""

    source: str  # a built-in dataset name, or the path of a file/csv/images source
    split: Split
    stratify: bool
    span: Span
    kind: str = "builtin"  # "builtin" | "npz" | "npy" | "csv" | "images"
    target: str | None = None  # csv: the target column
    labels: str | None = None  # npy: the labels file
    image_size: int | None = None  # images: side after resizing
    grayscale: bool = False  # images: one channel
    folds: int | None = None  # k-fold cross-validation on train+val
    normalize: str = "standard"  # "standard" | "minmax" | "none"
    task: str = "classification"  # declared, or inferred from a built-in dataset
    delimiter: str = ","  # csv: field separator
    preprocess: Preprocess | None = None  # tabular preprocessing (None: the defaults)
    layout: str | None = None  # file(): "nchw" | "nhwc" for 4-D image arrays


@dataclass(frozen=True)
class Goal:
    """One objective: maximise or minimise split.metric (or a model measure)."""

    direction: str  # "maximize" | "minimize"
    metric: str  # "val.accuracy", "val.top5_accuracy", "params", "latency", …
    span: Span


@dataclass(frozen=True)
class Objective:
    """objective { … }: one goal, or several for a Pareto search."""

    goals: tuple[Goal, ...]
    span: Span
    metrics: tuple[str, ...] = ()  # extra metrics recorded for the report ("val.f1")

    @property
    def is_multi(self) -> bool:
        """True for a Pareto (several-goal) search."""
        return len(self.goals) > 1


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
    soft: bool = False  # a penalty rather than a hard limit
    batch: int | None = None  # latency / peak_memory: batch size of the measurement
    device: str | None = None  # latency / peak_memory: "cpu" | "cuda" (None: the trial's)
    quantized: str | None = None  # measured after quantization: "int8" | "float16" | None


@dataclass(frozen=True)
class LayerOp:
    """One op of a layer chain: dense(units = choice(16, 32))."""

    op: str
    params: tuple[Param, ...]
    span: Span
    custom: bool = False  # an op from a `use`d module, not checked against the registry


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


@dataclass(frozen=True)
class LayerChoice:
    """choice(op, [op, op], …) in a layer chain: one of several ops or op sequences."""

    options: tuple[tuple[LayerItem, ...], ...]
    span: Span


LayerItem = Union[LayerOp, OptionalLayer, Repeat, LayerChoice]  # noqa: UP007


@dataclass(frozen=True)
class LayerSpace:
    """space layers { … }."""

    items: tuple[LayerItem, ...]
    span: Span
    kind: str = "layers"


@dataclass(frozen=True)
class CellDef:
    """cell(blocks = 3, ops = […], combine = add): one NASNet-style cell to search."""

    role: str  # "normal" | "reduction"
    blocks: Literal | IntRange | Choice
    ops: tuple[str, ...]
    combine: str  # "add" | "concat"
    span: Span


@dataclass(frozen=True)
class LayoutItem:
    """One entry of a layout: a cell (or fixed block) and how many copies."""

    cell: str  # cells: "normal" | "reduction"; nb201: "cell" | "reduce"
    count: Literal | IntRange | Choice
    span: Span


@dataclass(frozen=True)
class CellSpace:
    """space cells { … }: NASNet-style normal and reduction cells stacked by a layout."""

    stem: tuple[LayerOp, ...]
    normal: CellDef
    reduction: CellDef | None
    layout: tuple[LayoutItem, ...]
    head: tuple[LayerOp, ...]
    span: Span
    kind: str = "cells"


@dataclass(frozen=True)
class DagCellSpace:
    """space nb201 { … }: one DAG cell whose every edge i→j picks an op."""

    nodes: int
    ops: tuple[str, ...]
    stem: tuple[LayerOp, ...]
    layout: tuple[LayoutItem, ...]
    head: tuple[LayerOp, ...]
    span: Span
    kind: str = "nb201"

    @property
    def edges(self) -> int:
        """Number of edges of the cell: every pair of nodes i < j."""
        return self.nodes * (self.nodes - 1) // 2


Space = Union[LayerSpace, CellSpace, DagCellSpace]  # noqa: UP007


@dataclass(frozen=True)
class Call:
    """A named call with parameters: cosine(warmup = 2), hyperband(eta = 3)."""

    name: str
    params: tuple[Param, ...]
    span: Span

    def get(self, name: str, default: object = None) -> object:
        """The fixed value of a parameter (a Literal's value), or default."""
        for p in self.params:
            if p.name == name:
                return p.value.value if isinstance(p.value, Literal) else p.value
        return default


@dataclass(frozen=True)
class Augment:
    """augment { … }: the augmentation switches that are on."""

    params: tuple[Param, ...]
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
    schedule: Call | None = None  # None: constant learning rate
    augment: Augment | None = None
    precision: str = "fp32"  # "fp32" | "mixed" | "bf16"
    prune: Prune | None = None  # magnitude pruning after training


@dataclass(frozen=True)
class Prune:
    """prune { sparsity = 50% }: magnitude pruning of a trained model, then fine-tuning."""

    sparsity: float  # fraction of weights set to zero
    fine_tune: int  # epochs of fine-tuning after pruning
    span: Span


@dataclass(frozen=True)
class Budget:
    """budget { … }: the search stops at whichever limit comes first."""

    trials: int | None
    time_s: float | None
    span: Span
    device_hours_s: float | None = None  # accelerator time summed over trials, seconds
    trial_hours_s: float | None = None  # trial time summed over trials, seconds
    trial_time_s: float | None = None  # limit of one trial, seconds
    money: float | None = None  # spending limit, $
    rate_per_h: float | None = None  # $ per device hour (`rate`, or its synonym `cost`)


@dataclass(frozen=True)
class Strategy:
    """strategy NAME { params }."""

    name: str
    params: tuple[Param, ...]
    span: Span
    early_stop: Call | None = None  # hyperband(…), asha(…), median(…); None: never


@dataclass(frozen=True)
class Use:
    """use "mypkg.ops": a module of custom ops, imported only when a trial runs."""

    module: str
    span: Span


@dataclass(frozen=True)
class Pilot:
    """pilot { … }: a short first run that checks the set-up."""

    trials: int
    epochs: int
    subset: float
    span: Span


@dataclass(frozen=True)
class Baseline:
    """baseline "name" { layers { … } } or { model = keras.NASNetMobile(…) }."""

    name: str
    layers: tuple[LayerItem, ...] | None
    model: Call | None
    span: Span
    train: TrainSpec | None = None


@dataclass(frozen=True)
class Scale:
    """scale { cells = 2x; channels = 2x }: NASNet-style transfer to a larger network."""

    cells: float  # multiplier of the layout's cell repeats
    channels: float  # multiplier of the stem and cell channels
    span: Span


@dataclass(frozen=True)
class Final:
    """final { … }: retrain the best candidates with several seeds."""

    top: int
    seeds: int
    epochs: int | None
    span: Span
    scale: Scale | None = None  # rebuild the best cells larger before retraining
    ensemble: int | None = None  # average the predictions of the best k retrained models


@dataclass(frozen=True)
class Export:
    """export { … }: formats of the exported best model."""

    formats: tuple[str, ...]
    dir: str | None
    span: Span


@dataclass(frozen=True)
class Execution:
    """execution { … }: where and how trials run."""

    workers: int
    launcher: str
    storage: str | None
    device: str
    span: Span
    retries: int = 0  # times a failed trial is run again
    trial_timeout_s: float | None = None  # a trial running longer is stopped
    trial_memory_bytes: float | None = None  # memory limit of one trial
    dispatch: str = "batches"  # how trials reach several workers (registry.DISPATCH)


@dataclass(frozen=True)
class Target:
    """target "phone" { latency <= 5 ms; … }: a named deployment target with its own limits."""

    name: str
    constraints: tuple[Constraint, ...]
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
    space: Space  # LayerSpace (space layers), CellSpace (cells) or DagCellSpace (nb201)
    train: TrainSpec
    budget: Budget
    strategy: Strategy
    backend: str
    span: Span
    uses: tuple[Use, ...] = ()
    task: str = "classification"
    pilot: Pilot | None = None
    baselines: tuple[Baseline, ...] = ()
    final: Final | None = None
    export: Export | None = None
    execution: Execution | None = None
    backend_options: tuple[tuple[str, str], ...] = ()  # table("x.csv") → (("path", "x.csv"),)
    warm_start: tuple[str, ...] = ()  # earlier run directories or study URLs, as written
    targets: tuple[Target, ...] = ()
