"""Every name a user can type, with its documentation.

The checker validates against these tables, the language server completes and
documents from them, and docs/language.md is generated from them (`nasdsl docs`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from nasdsl.lang.units import Dimension


class Task(str, Enum):
    """What the network predicts."""

    CLASSIFICATION = "classification"
    REGRESSION = "regression"


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of an op, optimizer or strategy."""

    name: str
    kind: str  # "int", "float", "bool", "activation", "name"
    doc: str
    default: object = None
    required: bool = False
    searchable: bool = True


@dataclass(frozen=True)
class OpSpec:
    """A layer operation of a layer-chain space."""

    name: str
    doc: str
    params: tuple[ParamSpec, ...] = ()
    needs_image: bool = False

    def param(self, name: str) -> ParamSpec | None:
        """Look up a parameter by name."""
        return next((p for p in self.params if p.name == name), None)


ACTIVATIONS: dict[str, str] = {
    "relu": "Rectified linear unit, max(0, x).",
    "gelu": "Gaussian error linear unit.",
    "tanh": "Hyperbolic tangent.",
    "sigmoid": "Logistic sigmoid.",
    "swish": "x · sigmoid(x) (also called SiLU).",
    "elu": "Exponential linear unit.",
    "leaky_relu": "Leaky ReLU with slope 0.01 below zero.",
    "linear": "No activation.",
}

_ACT = ParamSpec("activation", "activation", "Activation applied after the layer.", default="linear")

OPS: dict[str, OpSpec] = {
    o.name: o
    for o in [
        OpSpec("dense", "Fully connected layer. Flattens an image input first.", (
            ParamSpec("units", "int", "Number of output units.", required=True),
            _ACT,
            ParamSpec("bias", "bool", "Whether the layer has a bias.", default=True),
        )),
        OpSpec("conv", "2-D convolution with 'same' padding.", (
            ParamSpec("channels", "int", "Number of output channels.", required=True),
            ParamSpec("kernel", "int", "Kernel size k (k×k).", default=3),
            ParamSpec("stride", "int", "Stride.", default=1),
            _ACT,
            ParamSpec("bias", "bool", "Whether the layer has a bias.", default=True),
        ), needs_image=True),
        OpSpec("max_pool", "2-D max pooling.", (
            ParamSpec("size", "int", "Window size; the stride equals it.", default=2),
        ), needs_image=True),
        OpSpec("avg_pool", "2-D average pooling.", (
            ParamSpec("size", "int", "Window size; the stride equals it.", default=2),
        ), needs_image=True),
        OpSpec("global_avg_pool", "Average over the spatial dimensions: C×H×W → C.",
               needs_image=True),
        OpSpec("flatten", "Flatten C×H×W to one vector."),
        OpSpec("dropout", "Randomly zero a fraction of activations while training.", (
            ParamSpec("rate", "float", "Fraction dropped, in [0, 1).", default=0.5),
        )),
        OpSpec("batch_norm", "Batch normalisation over features (or channels of an image)."),
    ]
    + [OpSpec(name, f"Activation layer: {doc}") for name, doc in ACTIVATIONS.items()
       if name != "linear"]
}


@dataclass(frozen=True)
class DatasetSpec:
    """A built-in dataset that ships offline with scikit-learn."""

    name: str
    doc: str
    task: Task
    features: int
    classes: int = 0
    image_shape: tuple[int, int, int] | None = None
    loader: str = ""


DATASETS: dict[str, DatasetSpec] = {
    d.name: d
    for d in [
        DatasetSpec("sklearn.digits", "8×8 images of handwritten digits, 1797 samples, 10 classes.",
                    Task.CLASSIFICATION, 64, 10, (1, 8, 8), "load_digits"),
        DatasetSpec("sklearn.iris", "Iris flowers, 150 samples, 4 features, 3 classes.",
                    Task.CLASSIFICATION, 4, 3, None, "load_iris"),
        DatasetSpec("sklearn.wine", "Wine cultivars, 178 samples, 13 features, 3 classes.",
                    Task.CLASSIFICATION, 13, 3, None, "load_wine"),
        DatasetSpec("sklearn.breast_cancer",
                    "Breast cancer diagnosis, 569 samples, 30 features, 2 classes.",
                    Task.CLASSIFICATION, 30, 2, None, "load_breast_cancer"),
        DatasetSpec("sklearn.diabetes", "Diabetes progression, 442 samples, 10 features, "
                    "regression.", Task.REGRESSION, 10, 0, None, "load_diabetes"),
    ]
}


@dataclass(frozen=True)
class MetricSpec:
    """A metric computed on a split: its task, and whether larger is better."""

    name: str
    doc: str
    tasks: tuple[Task, ...]
    higher_is_better: bool


METRICS: dict[str, MetricSpec] = {
    m.name: m
    for m in [
        MetricSpec("accuracy", "Fraction of correctly classified samples.",
                   (Task.CLASSIFICATION,), True),
        MetricSpec("roc_auc", "Area under the ROC curve (one-vs-rest macro for several classes).",
                   (Task.CLASSIFICATION,), True),
        MetricSpec("f1", "F1 score (macro average over classes).", (Task.CLASSIFICATION,), True),
        MetricSpec("loss", "The training loss (cross-entropy or mean squared error).",
                   (Task.CLASSIFICATION, Task.REGRESSION), False),
        MetricSpec("mse", "Mean squared error.", (Task.REGRESSION,), False),
        MetricSpec("mae", "Mean absolute error.", (Task.REGRESSION,), False),
        MetricSpec("r2", "Coefficient of determination.", (Task.REGRESSION,), True),
    ]
}

SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class MeasureSpec:
    """A property of the model itself (not of its predictions)."""

    name: str
    doc: str
    dimension: Dimension
    static: bool  # known from the architecture alone, before any training


MEASURES: dict[str, MeasureSpec] = {
    m.name: m
    for m in [
        MeasureSpec("params", "Number of trainable parameters.", Dimension.COUNT, True),
        MeasureSpec("model_size", "Bytes of the saved weights (parameters and buffers, float32).",
                    Dimension.SIZE, True),
        MeasureSpec("flops", "Floating-point operations of one forward pass of one sample.",
                    Dimension.COUNT, True),
        MeasureSpec("latency", "Median batch-1 inference time on the machine running the trial.",
                    Dimension.DURATION, False),
    ]
}


@dataclass(frozen=True)
class OptimizerSpec:
    """A training optimizer."""

    name: str
    doc: str
    params: tuple[ParamSpec, ...]


_LR = ParamSpec("lr", "float", "Learning rate.", default=1e-3)
_WD = ParamSpec("weight_decay", "float", "Weight decay (L2 for adam/sgd, decoupled for adamw).",
                default=0.0)

OPTIMIZERS: dict[str, OptimizerSpec] = {
    o.name: o
    for o in [
        OptimizerSpec("adam", "Adam (Kingma & Ba, 2015).", (_LR, _WD)),
        OptimizerSpec("adamw", "Adam with decoupled weight decay (Loshchilov & Hutter, 2019).",
                      (_LR, ParamSpec("weight_decay", "float", "Decoupled weight decay.",
                                      default=0.01))),
        OptimizerSpec("sgd", "Stochastic gradient descent with momentum.",
                      (ParamSpec("lr", "float", "Learning rate.", default=0.01), _WD,
                       ParamSpec("momentum", "float", "Momentum.", default=0.9))),
    ]
}


@dataclass(frozen=True)
class StrategyInfo:
    """A search strategy and the parameters its block accepts."""

    name: str
    doc: str
    params: tuple[ParamSpec, ...] = ()


STRATEGIES: dict[str, StrategyInfo] = {
    s.name: s
    for s in [
        StrategyInfo("random", "Sample every decision uniformly at random (seeded).", ()),
    ]
}

BACKENDS: dict[str, str] = {
    "torch": "PyTorch (CPU or CUDA); installed with the `torch` extra.",
}

SPACE_KINDS: dict[str, str] = {
    "layers": "A layer chain: a sequence of ops, with `repeat`, `optional` and hyperparameter "
              "choices.",
}

SEARCH_PRIMITIVES: dict[str, str] = {
    "choice": "choice(a, b, …): one of the listed values.",
    "range": "range(low, high[, step]): an integer from low to high inclusive.",
    "uniform": "uniform(low, high): a float drawn uniformly.",
    "loguniform": "loguniform(low, high): a positive float drawn uniformly in log space.",
}


@dataclass(frozen=True)
class KeySpec:
    """A key (attribute or nested block) accepted inside a block."""

    name: str
    doc: str
    is_block: bool = False
    required: bool = False


@dataclass(frozen=True)
class BlockSpec:
    """A block and the keys it accepts."""

    name: str
    doc: str
    keys: tuple[KeySpec, ...] = field(default_factory=tuple)

    def key_names(self) -> list[str]:
        """Names of the accepted keys."""
        return [k.name for k in self.keys]


BLOCKS: dict[str, BlockSpec] = {
    b.name: b
    for b in [
        BlockSpec("experiment", 'experiment "name" { … }: the one top-level block of a spec.', (
            KeySpec("seed", "Integer seed of the whole experiment (default 0)."),
            KeySpec("description", "Free text shown in the report."),
            KeySpec("backend", "Framework that builds and trains the models: "
                    + ", ".join(BACKENDS) + "."),
            KeySpec("data", "Where the data comes from and how it is split.", True, True),
            KeySpec("objective", "What the search optimises.", True, True),
            KeySpec("constraints", "Deployment limits and metric targets.", True),
            KeySpec("space", "The search space: `space layers { … }`.", True, True),
            KeySpec("train", "How each candidate is trained.", True),
            KeySpec("budget", "When the search stops.", True),
            KeySpec("strategy", "How the space is searched: `strategy random`.", True),
        )),
        BlockSpec("data", "data { source = …; split = …; stratify = … }", (
            KeySpec("source", "A built-in dataset: " + ", ".join(DATASETS) + ".", required=True),
            KeySpec("split", "train 70%, val 15%, test 15% (must add up to 100%)."),
            KeySpec("stratify", "Keep class proportions in every split (classification)."),
        )),
        BlockSpec("objective", "objective { maximize val.accuracy }", (
            KeySpec("maximize", "Maximise a metric: `maximize val.accuracy`."),
            KeySpec("minimize", "Minimise a metric: `minimize val.loss`."),
        )),
        BlockSpec("constraints", "constraints { params <= 60k; model_size <= 256 KB; "
                  "latency <= 2 ms; accuracy >= 0.95 }", ()),
        BlockSpec("train", "train { epochs = 8; batch_size = 32; optimizer = adam(lr = 1e-3) }", (
            KeySpec("epochs", "Training epochs per candidate (default 10)."),
            KeySpec("batch_size", "Mini-batch size (default 32); may be a choice."),
            KeySpec("optimizer", "adam(…), adamw(…) or sgd(…), with lr and other parameters."),
        )),
        BlockSpec("budget", "budget { trials = 40; time = 10 min }", (
            KeySpec("trials", "Maximum number of candidates evaluated."),
            KeySpec("time", "Wall-clock limit; no new trial starts after it."),
        )),
    ]
}
