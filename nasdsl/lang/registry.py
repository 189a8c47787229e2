"""Every name a user can type, with its documentation.

The checker validates against these tables, the language server completes and
documents from them, and docs/language.md is generated from them (`nasdsl docs`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from nasdsl.lang.units import Dimension


class Task(str, Enum):  # noqa: UP042 - str() of members is relied on
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
    choices: tuple[str, ...] = ()  # for kind "name": the accepted names


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

_ACT = ParamSpec("activation", "activation", "Activation applied after the layer.",
                 default="linear")

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
        OpSpec("global_max_pool", "Maximum over the spatial dimensions: C×H×W → C.",
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
    """A dataset's description: a built-in one (kind `builtin`: shipped with scikit-learn;
    kind `standard`: a standard vision dataset read from its official files), or one that
    nasdsl.data read off a source's headers and listings."""

    name: str
    doc: str
    task: Task
    features: int
    classes: int = 0
    image_shape: tuple[int, int, int] | None = None
    loader: str = ""
    samples: int | None = None  # how many samples the source holds, when known
    class_names: tuple[str, ...] = ()  # labels in the order of the output units
    kind: str = "builtin"  # the source kind that produced this description


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
        DatasetSpec("mnist", "Handwritten digits, 60,000 training and 10,000 test images "
                    "(the official split), from the official IDX files in $NASDSL_DATA/mnist "
                    "(`nasdsl data download mnist`).", Task.CLASSIFICATION, 784, 10,
                    (1, 28, 28), "idx", 70000, tuple(str(d) for d in range(10)), "standard"),
        DatasetSpec("fashion_mnist", "Zalando's clothing images, 60,000 training and 10,000 "
                    "test images (the official split), from the official IDX files in "
                    "$NASDSL_DATA/fashion_mnist.", Task.CLASSIFICATION, 784, 10, (1, 28, 28),
                    "idx", 70000, ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
                    "standard"),
        DatasetSpec("cifar10", "Small colour photos, 50,000 training and 10,000 test images "
                    "(the official split), from the official python batches in "
                    "$NASDSL_DATA/cifar10.", Task.CLASSIFICATION, 3072, 10, (3, 32, 32),
                    "cifar", 60000, ("airplane", "automobile", "bird", "cat", "deer", "dog",
                                     "frog", "horse", "ship", "truck"), "standard"),
        DatasetSpec("cifar100", "Small colour photos in 100 fine classes, 50,000 training and "
                    "10,000 test images (the official split), from the official python "
                    "batches in $NASDSL_DATA/cifar100.", Task.CLASSIFICATION, 3072, 100,
                    (3, 32, 32), "cifar", 60000, (), "standard"),
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
        MetricSpec("accuracy", "Fraction of correctly classified samples. `accuracy(k = 5)` is "
                   "the top-5 accuracy.", (Task.CLASSIFICATION,), True),
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

# Metric names made of a pattern: top5_accuracy, top3_accuracy, …
METRIC_PATTERNS: dict[str, str] = {
    "topK_accuracy": "Top-K accuracy: the true class is among the K highest scores "
                     "(e.g. top5_accuracy, the same as accuracy(k = 5)).",
}

_TOP_K = re.compile(r"^top([1-9][0-9]*)_accuracy$")


def top_k_of(name: str) -> int | None:
    """K of a top-K accuracy metric name (top5_accuracy → 5), else None."""
    m = _TOP_K.match(name)
    return int(m.group(1)) if m else None


def lookup_metric(name: str) -> MetricSpec | None:
    """The metric spec of a name, including top-K accuracies such as top5_accuracy."""
    if name in METRICS:
        return METRICS[name]
    k = top_k_of(name)
    if k is not None:
        return MetricSpec(name, f"Top-{k} accuracy.", (Task.CLASSIFICATION,), True)
    return None


SPLITS = ("train", "val", "test")

TASKS: dict[str, str] = {
    "classification": "Predict a class; the output layer has one unit per class.",
    "regression": "Predict a number; the output layer has one unit.",
}


@dataclass(frozen=True)
class MeasureSpec:
    """A property of the model itself (not of its predictions)."""

    name: str
    doc: str
    dimension: Dimension
    static: bool  # known from the architecture alone, before any training
    params: tuple[ParamSpec, ...] = ()  # measurement settings: latency(batch = 1, device = cpu)


_BATCH = ParamSpec("batch", "int", "Batch size of the measurement.", default=1, searchable=False)
_DEVICE = ParamSpec("device", "name", "Device the measurement runs on (default: the trial's).",
                    searchable=False, choices=("cpu", "cuda"))

MEASURES: dict[str, MeasureSpec] = {
    m.name: m
    for m in [
        MeasureSpec("params", "Number of trainable parameters.", Dimension.COUNT, True),
        MeasureSpec("model_size", "Bytes of the saved weights (parameters and buffers, float32).",
                    Dimension.SIZE, True),
        MeasureSpec("flops", "Floating-point operations of one forward pass of one sample.",
                    Dimension.COUNT, True),
        MeasureSpec("latency", "Median inference time of one batch (default batch 1) on the "
                    "machine running the trial: `latency(batch = 8, device = cpu) <= 5 ms`.",
                    Dimension.DURATION, False, (_BATCH, _DEVICE)),
        MeasureSpec("peak_memory", "Peak memory of one inference batch (activations and "
                    "weights): `peak_memory(batch = 32) <= 64 MB`.", Dimension.SIZE, False,
                    (_BATCH, _DEVICE)),
    ]
}

CONSTRAINT_MODIFIERS: dict[str, str] = {
    "hard": "The default: a candidate that breaks the limit is rejected (a static limit is "
            "checked before any training).",
    "soft": "The limit becomes a penalty: candidates that break it are kept but ranked below "
            "those that meet it; for a metric target, the report only flags it.",
    "quantized": "`quantized int8` (or `quantized float16`): the limit applies to the model "
                 "after post-training quantization: `model_size <= 256 KB quantized int8` "
                 "counts one byte a weight, `accuracy >= 0.9 quantized int8` is the accuracy "
                 "of the quantized model. Not for params or flops.",
}

# Post-training quantization schemes of `quantized …` (bytes per stored weight).
QUANTIZATIONS: dict[str, tuple[str, float]] = {
    "int8": ("8-bit integer weights (dynamic-range post-training quantization).", 1.0),
    "float16": ("16-bit float weights.", 2.0),
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
        OptimizerSpec("rmsprop", "RMSprop.",
                      (_LR, _WD, ParamSpec("momentum", "float", "Momentum.", default=0.0))),
    ]
}


@dataclass(frozen=True)
class CallSpec:
    """A named call with typed parameters: a schedule, an early-stopping rule, a data source."""

    name: str
    doc: str
    params: tuple[ParamSpec, ...] = ()
    positional: tuple[ParamSpec, ...] = ()  # leading positional parameters

    def param(self, name: str) -> ParamSpec | None:
        """Look up a named parameter."""
        return next((p for p in self.params if p.name == name), None)


def _p(name: str, kind: str, doc: str, default: object = None, **kw: object) -> ParamSpec:
    return ParamSpec(name, kind, doc, default, **kw)  # type: ignore[arg-type]


SCHEDULES: dict[str, CallSpec] = {
    s.name: s
    for s in [
        CallSpec("constant", "Keep the learning rate fixed (the default)."),
        CallSpec("cosine", "Cosine decay to `min_lr` over the training epochs, after a linear "
                 "warm-up.", (
                     _p("warmup", "int", "Warm-up epochs.", 0),
                     _p("min_lr", "float", "Learning rate at the end.", 0.0),
                 )),
        CallSpec("step", "Multiply the learning rate by `gamma` every `every` epochs.", (
            _p("every", "int", "Epochs between steps.", 10),
            _p("gamma", "float", "Factor applied at each step.", 0.1),
        )),
        CallSpec("exponential", "Multiply the learning rate by `gamma` after every epoch.", (
            _p("gamma", "float", "Factor applied each epoch.", 0.95),
        )),
        CallSpec("linear", "Linear warm-up, then linear decay to zero.", (
            _p("warmup", "int", "Warm-up epochs.", 0),
        )),
    ]
}

PRECISIONS: dict[str, str] = {
    "fp32": "32-bit floats everywhere (the default).",
    "mixed": "Automatic mixed precision (float16/bfloat16 compute, float32 master weights); "
             "on a CPU it falls back to fp32.",
    "bf16": "bfloat16 compute where the device supports it.",
}


@dataclass(frozen=True)
class AugmentSpec:
    """One augmentation switch of `augment { … }`."""

    name: str
    kind: str
    doc: str
    image_only: bool


AUGMENTATIONS: dict[str, AugmentSpec] = {
    a.name: a
    for a in [
        AugmentSpec("flip", "bool", "Random horizontal flips.", True),
        AugmentSpec("crop", "int", "Random crops after padding by this many pixels.", True),
        AugmentSpec("cutout", "int", "Zero a random square of this side (pixels).", True),
        AugmentSpec("noise", "float", "Add Gaussian noise with this standard deviation "
                    "(to standardised inputs).", False),
        AugmentSpec("mixup", "float", "Mixup with this Beta(α, α) parameter; 0 turns it off.",
                    False),
    ]
}

NORMALIZATIONS: dict[str, str] = {
    "standard": "Subtract the mean and divide by the standard deviation of the training split "
                "(the default).",
    "minmax": "Scale each feature to [0, 1] using the training split's range.",
    "none": "Feed the data as it is.",
}

NUMERIC_SCALINGS: dict[str, str] = {
    "standardize": "Zero mean, unit variance, fitted on the training split (the default; the "
                   "same as normalize = standard).",
    "minmax": "Scale each numeric column to [0, 1] using the training split's range.",
    "none": "Leave numeric columns as they are.",
}

CATEGORICAL_ENCODINGS: dict[str, str] = {
    "onehot": "One 0/1 column per category seen in the training split (the default); an "
              "unseen category encodes as all zeros.",
    "ordinal": "One integer column: the category's index in the training split's sorted "
               "categories (unseen: -1).",
}

IMPUTATIONS: dict[str, str] = {
    "mean": "Fill a missing numeric value with the training split's column mean (the "
            "default); a missing category with the most frequent one.",
    "median": "Fill with the training split's column median (categories: most frequent).",
    "most_frequent": "Fill with the most frequent value of the training split's column.",
    "constant": "constant(value = 0): fill with a fixed value.",
    "none": "No imputation: a missing value is an error when the data is loaded.",
}

DATA_SOURCES: dict[str, CallSpec] = {
    s.name: s
    for s in [
        CallSpec("file", 'file("x.npz") holds arrays `x` and `y`; file("x.npy", labels = '
                 '"y.npy") reads features and labels from two .npy files (memory-mapped). '
                 "x is (N, F) for a table, (N, H, W), (N, C, H, W) or (N, H, W, C) for images; "
                 "y holds N class labels or values (see Data sources).",
                 (_p("labels", "string", "The .npy file of labels (with a .npy source)."),
                  _p("layout", "name", "Axis order of 4-D image arrays: nchw or nhwc "
                     "(inferred when only one of axes 1 and 3 holds 1, 3 or 4 channels).",
                     searchable=False, choices=("nchw", "nhwc"))),
                 (_p("path", "string", "Path of the .npz or .npy file, relative to the spec.",
                     required=True),)),
        CallSpec("csv", 'csv("table.csv", target = "label"): one sample a row, the target in '
                 "one column, every other column a feature; UTF-8 text, gzip-compressed when "
                 "the name ends in .gz.",
                 (_p("target", "string", "Name of the target column.", required=True),
                  _p("delimiter", "string", "Field separator.", ",")),
                 (_p("path", "string", "Path of the CSV file, relative to the spec.",
                     required=True),)),
        CallSpec("images", 'images("dir/"): one sub-folder of images per class.',
                 (_p("size", "int", "Images are resized to size×size.", 32),
                  _p("grayscale", "bool", "Read images as one channel.", False)),
                 (_p("path", "string", "The folder, relative to the spec.", required=True),)),
    ]
}


@dataclass(frozen=True)
class StrategyInfo:
    """A search strategy and the parameters its block accepts."""

    name: str
    doc: str
    params: tuple[ParamSpec, ...] = ()
    multi_objective: bool = False  # can it search for a Pareto front?


_SUPERNET_EPOCHS = _p("supernet_epochs", "int", "Epochs of supernet (shared-weight) training, "
                      "at most 3 × train.epochs.", 50, searchable=False)
_RETRAIN_TOP = _p("retrain_top", "int", "Best sub-networks retrained from scratch and "
                  "evaluated as ordinary trials.", 1, searchable=False)

# Strategies that train one shared-weight supernet instead of one model a trial.
WEIGHT_SHARING = ("enas", "darts", "ofa")

STRATEGIES: dict[str, StrategyInfo] = {
    s.name: s
    for s in [
        StrategyInfo("random", "Sample every decision uniformly at random (seeded).", (),
                     True),
        StrategyInfo("grid", "Try every combination of the discrete decisions in order; "
                     "continuous decisions are cut into `resolution` points (3 unless the "
                     "block says otherwise).", (
                         _p("resolution", "int", "Points per continuous decision (default 3: "
                            "low, middle, high).", 3, searchable=False),
                         _p("shuffle", "bool", "Visit the grid in a seeded random order.", False,
                            searchable=False),
                     ), True),
        StrategyInfo("tpe", "Tree-structured Parzen estimator (Optuna's TPE).", (
            _p("startup", "int", "Random trials before the model is used.", 10, searchable=False),
            _p("multivariate", "bool", "Model decisions jointly.", True, searchable=False),
            _p("constant_liar", "bool", "Count trials still training as poor results, so "
               "parallel workers are not given the candidate another worker is training "
               "(no effect with one worker).", True, searchable=False),
        ), True),
        StrategyInfo("bayesian", "Gaussian-process Bayesian optimisation over the decisions "
                     "(Auto-Keras-style).", (
                         _p("initial", "int", "Random trials before the GP is fitted.", 10,
                            searchable=False),
                         _p("kernel", "name", "Covariance kernel.", "matern", searchable=False,
                            choices=("matern", "rbf")),
                         _p("acquisition", "name", "Acquisition function.", "ei",
                            searchable=False, choices=("ei", "ucb", "pi")),
                     )),
        StrategyInfo("evolution", "Regularized (aging) evolution (Real et al., 2019): "
                     "tournament selection, one mutation per child.", (
                         _p("population", "int", "Population size.", 20, searchable=False),
                         _p("sample", "int", "Tournament size.", 5, searchable=False),
                         _p("aging", "bool", "Remove the oldest (true) or the worst (false).",
                            True, searchable=False),
                         _p("mutation_rate", "float", "Probability that each decision mutates "
                            "(at least one always does).", 0.0, searchable=False),
                     )),
        StrategyInfo("rl", "A NASNet-style controller trained with REINFORCE on validation "
                     "reward.", (
                         _p("lr", "float", "Controller learning rate.", 0.15, searchable=False),
                         _p("entropy", "float", "Entropy bonus weight.", 1e-4, searchable=False),
                         _p("baseline_decay", "float", "Decay of the reward baseline.", 0.8,
                            searchable=False),
                     )),
        StrategyInfo("local", "Local search: start from the best so far, try neighbours that "
                     "change one decision.", (
                         _p("neighbors", "int", "Neighbours tried per step.", 4,
                            searchable=False),
                         _p("restart", "int", "Steps without improvement before a random "
                            "restart.", 10, searchable=False),
                     )),
        StrategyInfo("nsga2", "NSGA-II multi-objective evolution (Optuna's NSGA-II).", (
            _p("population", "int", "Population size.", 20, searchable=False),
            _p("crossover", "float", "Crossover probability.", 0.9, searchable=False),
            _p("mutation", "float", "Mutation probability per decision (default 1/decisions).",
               None, searchable=False),
        ), True),
        StrategyInfo("cfo", "Cost-frugal optimisation (FLAML's CFO): a randomized direct search "
                     "that starts from the cheapest configuration.", (
                         _p("step", "float", "Initial step size in the normalised space.", 0.1,
                            searchable=False),
                     )),
        StrategyInfo("auto", "Pick a strategy from the space, the objectives and the budget, "
                     "and say why at the start of the run: nsga2 for several objectives; grid "
                     "when the budget covers the whole space; bayesian for small budgets "
                     "(≤ 40 trials, ≤ 20 decisions); evolution for large budgets over mostly "
                     "discrete decisions; tpe otherwise.", (), True),
        StrategyInfo("enas", "ENAS (Pham et al., 2018): one weight-sharing supernet holds every "
                     "candidate; an RL controller samples sub-networks scored with the shared "
                     "weights, and the best are retrained from scratch.", (
                         _SUPERNET_EPOCHS,
                         _p("controller_steps", "int", "Controller updates per supernet "
                            "epoch.", 50, searchable=False),
                         _p("controller_lr", "float", "Controller learning rate (the rl "
                            "strategy's REINFORCE policy).", 0.05, searchable=False),
                         _p("entropy", "float", "Entropy bonus weight of the controller.",
                            1e-4, searchable=False),
                         _RETRAIN_TOP,
                     )),
        StrategyInfo("darts", "DARTS (Liu et al., 2019): a continuous relaxation of the cell "
                     "ops trained by gradient descent on the architecture weights, then "
                     "discretised (the strongest op per edge).", (
                         _SUPERNET_EPOCHS,
                         _p("arch_lr", "float", "Learning rate of the architecture weights.",
                            3e-4, searchable=False),
                         _p("arch_weight_decay", "float", "Weight decay of the architecture "
                            "weights.", 1e-3, searchable=False),
                         _p("max_skips", "int", "Most skip connections kept per cell when "
                            "discretising (guards against the collapse to skips); 0: no "
                            "limit.", 2, searchable=False),
                         _p("first_order", "bool", "First-order approximation (faster, "
                            "cruder).", True, searchable=False),
                         _RETRAIN_TOP,
                     )),
        StrategyInfo("ofa", "Once-for-all (Cai et al., 2020): train one supernet with "
                     "progressive shrinking, then search it without retraining for each "
                     "deployment `target` (evolution under that target's limits).", (
                         _SUPERNET_EPOCHS,
                         _p("progressive", "bool", "Progressive shrinking (largest "
                            "sub-networks first).", True, searchable=False),
                         _p("population", "int", "Population of the per-target "
                            "evolutionary search.", 50, searchable=False),
                         _p("generations", "int", "Generations of the per-target search.", 20,
                            searchable=False),
                         _RETRAIN_TOP,
                     ), True),
    ]
}

# Parameters every strategy block accepts besides its own.
STRATEGY_COMMON: tuple[ParamSpec, ...] = (
    _p("early_stop", "early_stop", "Stop weak candidates early: hyperband(…), asha(…), "
       "successive_halving(…), median(…) or none.", "none", searchable=False),
)

_SHA_PARAMS = (
    _p("min_epochs", "int", "Epochs of the smallest rung.", 1),
    _p("eta", "int", "Reduction factor between rungs.", 3),
    _p("min_early_stopping_rate", "int", "Rungs skipped before the first promotion decision "
       "(the first rung is min_epochs · eta^rate epochs).", 0),
)

EARLY_STOPPING: dict[str, CallSpec] = {
    s.name: s
    for s in [
        CallSpec("hyperband", "Hyperband (Li et al., 2018) over training epochs.", (
            _p("min_epochs", "int", "Epochs of the smallest rung.", 1),
            _p("eta", "int", "Reduction factor between rungs.", 3),
            _p("max_epochs", "int", "Epochs of the largest rung (default: train.epochs).",
               None),
        )),
        CallSpec("asha", "Asynchronous successive halving (Li et al., 2020).", _SHA_PARAMS),
        CallSpec("successive_halving", "The same as asha: asynchronous successive halving.",
                 _SHA_PARAMS),
        CallSpec("median", "Stop a trial whose best value is worse than the median of earlier "
                 "trials at the same epoch.", (
                     _p("warmup", "int", "Epochs before a trial may be stopped.", 1),
                     _p("min_trials", "int", "Finished trials needed before stopping any.", 5),
                 )),
        CallSpec("none", "Never stop a trial early (the default)."),
    ]
}

BACKENDS: dict[str, str] = {
    "torch": "PyTorch (CPU or CUDA); installed with the `torch` extra.",
    "keras": "Keras 3 (TensorFlow CPU); installed with the `keras` extra.",
    "table": 'A tabular benchmark: `backend = table("nb201.csv")` looks each architecture up '
             "in a table of results (e.g. NAS-Bench-201) instead of training it.",
}

# Backends written as a call, with their parameters.
BACKEND_CALLS: dict[str, CallSpec] = {
    "table": CallSpec("table", 'table("path/to/results.csv"): the table\'s path, relative to '
                      "the spec file.", (), (
                          _p("path", "string", "The results table (CSV), relative to the "
                             "spec.", required=True),)),
}

LAUNCHERS: dict[str, str] = {
    "basic": "Run trials one after another in this process (Hydra's basic launcher).",
    "local": "The same as basic.",
    "joblib": "Run `workers` trials in parallel processes on this machine (Hydra joblib).",
    "ray": "Run trials on a Ray cluster (Hydra ray launcher).",
    "slurm": "Submit trials as SLURM jobs (Hydra's submitit launcher).",
    "submitit": "The same as slurm (compiled as `slurm`).",
}
# How trials are handed to several workers (`execution { dispatch = … }`).
DISPATCH: dict[str, str] = {
    "batches": "`workers` trials at a time; the next batch starts when the whole batch has "
               "finished. The order of proposals depends only on the seed, so a run can be "
               "repeated exactly (the default).",
    "async": "A new trial starts as soon as a worker is free, so no worker waits for the "
             "slowest trial of a batch. Which proposals the strategy makes then depends on "
             "which trials finish first, so two runs with the same seed may differ. "
             "Launchers joblib and ray.",
}
# Launchers that take trials one at a time from several threads (dispatch = async).
ASYNC_LAUNCHERS = ("joblib", "ray")

# Launcher synonyms and the name they compile to (overrides are resolved the same way).
LAUNCHER_ALIASES = {"local": "basic", "submitit": "slurm"}

# Storage URL prefixes accepted by `execution { storage = … }`.
STORAGE_SCHEMES: dict[str, str] = {
    "sqlite:///": "An SQLite file: `sqlite:///runs/study.db` (the default, in the run "
                  "directory).",
    "postgresql://": "A PostgreSQL server (any SQLAlchemy URL: postgresql+psycopg2://…).",
    "mysql://": "A MySQL server (any SQLAlchemy URL: mysql+pymysql://…).",
    "journal:": "An Optuna journal file, safe for many processes on a shared file system: "
                "`journal:runs/study.log`.",
}

DEVICES: dict[str, str] = {
    "auto": "CUDA when available, else the CPU (the default).",
    "cpu": "The CPU.",
    "cuda": "The first CUDA GPU.",
    "mps": "Apple-silicon GPU (PyTorch only).",
}

EXPORT_FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "onnx": ("ONNX graph (`model.onnx`).", ("torch", "keras")),
    "torchscript": ("TorchScript module (`model.pt`).", ("torch",)),
    "keras": ("Keras native format (`model.keras`).", ("keras",)),
    "source": ("Readable Python source that builds the model (`model.py`).",
               ("torch", "keras")),
}

BASELINE_MODELS: dict[str, CallSpec] = {
    s.name: s
    for s in [
        CallSpec(name, doc, (
            _p("weights", "name", "Pre-trained weights, or none to train from scratch.", "none",
               choices=("none", "imagenet")),
            _p("trainable", "bool", "Fine-tune the pre-trained layers (false: train the head "
               "only).", True),
            _p("input_size", "int", "Images are resized to input_size×input_size.", 32),
        ))
        for name, doc in [
            ("keras.NASNetMobile", "NASNet-A Mobile (Zoph et al., 2018), from Keras applications."),
            ("keras.NASNetLarge", "NASNet-A Large, from Keras applications."),
            ("keras.MobileNetV2", "MobileNetV2, from Keras applications."),
            ("keras.MobileNetV3Small", "MobileNetV3 Small, from Keras applications."),
            ("keras.EfficientNetB0", "EfficientNet-B0, from Keras applications."),
            ("keras.ResNet50", "ResNet-50, from Keras applications."),
            ("keras.DenseNet121", "DenseNet-121, from Keras applications."),
            ("torchvision.resnet18", "ResNet-18, from torchvision."),
            ("torchvision.mobilenet_v3_small", "MobileNetV3 Small, from torchvision."),
        ]
    ]
}

SPACE_KINDS: dict[str, str] = {
    "layers": "A layer chain: a sequence of ops, with `repeat`, `optional`, `choice` between "
              "ops and hyperparameter choices.",
    "cells": "A NASNet-style cell space: a stem, a normal and a reduction cell (each a small "
             "DAG of blocks picking inputs and ops), stacked by a layout, then a head.",
    "nb201": "A NAS-Bench-201-style space: one DAG cell whose every edge picks an op, "
             "stacked by a layout between a stem and a head.",
}

CELL_OPS: dict[str, str] = {
    "identity": "Pass the input through (skip connection).",
    "skip_connect": "Skip connection (NAS-Bench-201 name of identity).",
    "none": "The zero op: the edge is absent.",
    "conv_1x1": "ReLU-conv 1×1-batch norm.",
    "conv_3x3": "ReLU-conv 3×3-batch norm.",
    "nor_conv_1x1": "ReLU-conv 1×1-batch norm (NAS-Bench-201).",
    "nor_conv_3x3": "ReLU-conv 3×3-batch norm (NAS-Bench-201).",
    "sep_conv_3x3": "Two depthwise-separable 3×3 convolutions.",
    "sep_conv_5x5": "Two depthwise-separable 5×5 convolutions.",
    "sep_conv_7x7": "Two depthwise-separable 7×7 convolutions.",
    "dil_conv_3x3": "Dilated depthwise-separable 3×3 convolution.",
    "dil_conv_5x5": "Dilated depthwise-separable 5×5 convolution.",
    "max_pool_3x3": "3×3 max pooling.",
    "avg_pool_3x3": "3×3 average pooling.",
    "conv_5x5": "ReLU-conv 5×5-batch norm.",
    "conv_7x1_1x7": "ReLU-conv 1×7-conv 7×1-batch norm (NASNet's factorised 7×7).",
    "zero": "Another name of none: the edge is absent.",
}

CELL_ROLES: dict[str, str] = {
    "normal": "A normal cell keeps the spatial size and the channels.",
    "reduction": "A reduction cell halves the spatial size and doubles the channels.",
}

COMBINES: dict[str, str] = {
    "add": "Per block: the block sums the outputs of its two ops (C channels). The cell "
           "output is always the concatenation of the blocks no other block reads.",
    "concat": "Per block: the block concatenates the outputs of its two ops along channels "
              "and projects 2C back to C (ReLU-conv 1×1-batch norm). The cell output is "
              "always the concatenation of the blocks no other block reads.",
}

NB201_DEFAULT_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
NB201_LAYOUT_ITEMS: dict[str, str] = {
    "cell": "The searched DAG cell (every copy shares its ops).",
    "reduce": "A fixed residual block with stride 2 that doubles the channels.",
}

SEARCH_PRIMITIVES: dict[str, str] = {
    "choice": "choice(a, b, …): one of the listed values (or, in a layer chain, ops).",
    "range": "range(low, high[, step]): an integer from low to high inclusive.",
    "uniform": "uniform(low, high): a float drawn uniformly.",
    "loguniform": "loguniform(low, high): a positive float drawn uniformly in log space.",
}

LAYER_KEYWORDS: dict[str, str] = {
    "repeat": "repeat COUNT { layers }: the layers COUNT times, each copy with its own "
              "decisions; COUNT may be range(…) or choice(…).",
    "optional": "optional OP: the op is present or absent (a yes/no decision).",
    "choice": "choice(op, op, [op, op], …): one of the ops or op sequences.",
}


@dataclass(frozen=True)
class KeySpec:
    """A key (attribute or nested block) accepted inside a block."""

    name: str
    doc: str
    is_block: bool = False
    required: bool = False
    kind: str = ""  # what the value is, for docs and hover: "int", "duration", "name", …
    values: tuple[str, ...] = ()  # accepted names, for completion
    repeatable: bool = False  # may appear several times (use, baseline, maximize)


@dataclass(frozen=True)
class BlockSpec:
    """A block and the keys it accepts."""

    name: str
    doc: str
    keys: tuple[KeySpec, ...] = field(default_factory=tuple)

    def key_names(self) -> list[str]:
        """Names of the accepted keys."""
        return [k.name for k in self.keys]

    def key(self, name: str) -> KeySpec | None:
        """Look up a key by name."""
        return next((k for k in self.keys if k.name == name), None)


_K = KeySpec
_LIMIT = "params <= 60k; model_size <= 256 KB; latency <= 2 ms; accuracy >= 0.95"

BLOCKS: dict[str, BlockSpec] = {
    b.name: b
    for b in [
        BlockSpec("experiment", 'experiment "name" { … }: the one top-level block of a spec.', (
            _K("seed", "Integer seed of the whole experiment (default 0).", kind="int"),
            _K("description", "Free text shown in the report.", kind="string"),
            _K("use", 'use "mypkg.ops": a Python module of custom ops, imported only when a '
               "trial runs (never evaluated while checking). Repeatable.", kind="string",
               repeatable=True),
            _K("backend", "Framework that builds and trains the models: torch, keras, or "
               'table("results.csv") to look architectures up in a tabular benchmark.',
               kind="name", values=tuple(BACKENDS)),
            _K("data", "Where the data comes from and how it is split.", True, True),
            _K("objective", "What the search optimises.", True, True),
            _K("constraints", "Deployment limits and metric targets.", True),
            _K("space", "The search space: `space layers { … }`, `space cells { … }` or "
               "`space nb201 { … }`.", True, True, values=tuple(SPACE_KINDS)),
            _K("train", "How each candidate is trained.", True),
            _K("budget", "When the search stops.", True),
            _K("strategy", "How the space is searched: `strategy tpe { … }`.", True,
               values=tuple(STRATEGIES)),
            _K("pilot", "A short first run that checks the set-up before the full budget.",
               True),
            _K("baseline", 'baseline "name" { … }: a fixed model trained under the same '
               "protocol. Repeatable.", True, repeatable=True),
            _K("final", "Retrain the best candidates with several seeds and test them.", True),
            _K("export", "Which files the best model is exported to.", True),
            _K("execution", "Where and how trials run: workers, launcher, dispatch, storage, "
               "device.",
               True),
            _K("warm_start", 'warm_start = "runs/earlier-run" or a list of run directories '
               "and study URLs: their finished trials seed the search (paths are relative "
               "to the spec).", kind="string or list of strings"),
            _K("target", 'target "phone" { latency <= 5 ms; model_size <= 1 MB }: a named '
               "deployment target with its own limits (searched per target by strategy "
               "ofa). Repeatable.", True, repeatable=True),
        )),
        BlockSpec("data", "data { source = …; split = …; stratify = … }", (
            _K("source", "A built-in dataset (" + ", ".join(DATASETS) + '), file("x.npz"), '
               'file("x.npy", labels = "y.npy"), csv("t.csv", target = "label") or '
               'images("dir/").', required=True, kind="dataset",
               values=tuple(DATASETS) + tuple(DATA_SOURCES)),
            _K("split", "train 70%, val 15%, test 15% (must add up to 100%).", kind="split"),
            _K("stratify", "Keep class proportions in every split (classification).",
               kind="bool"),
            _K("folds", "k-fold cross-validation on the non-test data (train and val shares "
               "together, seeded, stratified for classification): each candidate is trained "
               "k times, its val and test metrics are the means over the folds (each fold's "
               "are in its trial record), and it counts once in budget.trials. Early "
               "stopping reads the first fold; the saved model and its measures are the "
               "first fold's; baselines are cross-validated alike; the final phase retrains "
               "on all non-test data. Not with weight-sharing strategies or the table "
               "backend (NAS422).", kind="int"),
            _K("normalize", "Feature scaling fitted on the training split: "
               + ", ".join(NORMALIZATIONS) + ".", kind="name", values=tuple(NORMALIZATIONS)),
            _K("task", "classification or regression; inferred from a built-in dataset, "
               "classification otherwise.", kind="name", values=tuple(TASKS)),
            _K("preprocess", "preprocess { numeric = standardize; categorical = onehot; "
               "impute = median }: tabular preprocessing fitted on the training split.", True),
        )),
        BlockSpec("preprocess", "preprocess { … } inside data: how table columns are scaled, "
                  "encoded and imputed (fitted on the training split).", (
                      _K("numeric", "Scaling of numeric columns: " + ", ".join(NUMERIC_SCALINGS)
                         + " (default: from `normalize`).", kind="name",
                         values=tuple(NUMERIC_SCALINGS)),
                      _K("categorical", "Encoding of categorical columns: "
                         + ", ".join(CATEGORICAL_ENCODINGS) + " (default onehot).",
                         kind="name", values=tuple(CATEGORICAL_ENCODINGS)),
                      _K("impute", "Missing values: " + ", ".join(IMPUTATIONS)
                         + " (default mean); `constant(value = 0)` fills a fixed value.",
                         kind="name", values=tuple(IMPUTATIONS)),
                      _K("categorical_columns", 'Which columns are categorical: auto (columns '
                         'that are not numbers; the default) or a list of names ["color", '
                         '"city"] or 0-based indices.', kind="auto or list"),
                  )),
        BlockSpec("objective", "objective { maximize val.accuracy }: one goal, or several for a "
                  "Pareto search.", (
                      _K("maximize", "Maximise a metric: `maximize val.accuracy`.",
                         kind="metric", repeatable=True),
                      _K("minimize", "Minimise a metric or measure: `minimize latency`.",
                         kind="metric", repeatable=True),
                      _K("metrics", "Extra metrics to record for the report: "
                         "`metrics = [f1, top5_accuracy]`.", kind="list of metrics",
                         values=tuple(METRICS)),
                  )),
        BlockSpec("constraints", "constraints { " + _LIMIT + " }: a comparison a line; add "
                  "`soft` at the end to make it a penalty instead of a hard limit.", tuple(
                      _K(m.name, m.doc, kind=m.dimension.value, repeatable=True)
                      for m in MEASURES.values())),
        BlockSpec("space layers", "space layers { … }: one op a line; `repeat`, `optional` and "
                  "`choice(…)` shape the chain.", tuple(
                      _K(name, doc, kind="layer") for name, doc in LAYER_KEYWORDS.items())
                  + tuple(_K(o.name, o.doc, kind="op") for o in OPS.values())),
        BlockSpec("space cells", "space cells { stem = …; normal = cell(…); reduction = cell(…); "
                  "layout = […]; head = […] }", (
                      _K("stem", "Layers before the first cell: an op or a list of ops "
                         "(default conv(channels = 16)).", kind="layers"),
                      _K("normal", "cell(blocks = 3, ops = […], combine = add): the normal "
                         "cell.", required=True, kind="cell"),
                      _K("reduction", "cell(…): the reduction cell.", kind="cell"),
                      _K("layout", "[normal x choice(1, 2), reduction, normal x 2]: how cells "
                         "are stacked (default [normal x 2, reduction, normal x 2]).",
                         kind="layout", values=tuple(CELL_ROLES)),
                      _K("head", "Layers after the last cell (default [global_avg_pool]); the "
                         "output dense layer is always appended.", kind="layers"),
                  )),
        BlockSpec("space nb201", "space nb201 { nodes = 4; ops = […] }", (
            _K("nodes", "Nodes of the DAG cell (default 4): every pair i < j is an edge.",
               kind="int"),
            _K("ops", "Ops an edge may pick (default " + ", ".join(NB201_DEFAULT_OPS) + ").",
               kind="list of cell ops", values=tuple(CELL_OPS)),
            _K("stem", "Layers before the first cell (default conv(channels = 16)).",
               kind="layers"),
            _K("layout", "[cell x 5, reduce, cell x 5, reduce, cell x 5] (the default).",
               kind="layout", values=tuple(NB201_LAYOUT_ITEMS)),
            _K("head", "Layers after the last cell (default [global_avg_pool]).",
               kind="layers"),
        )),
        BlockSpec("train", "train { epochs = 8; batch_size = 32; optimizer = adam(lr = 1e-3) }", (
            _K("epochs", "Training epochs per candidate (default 10).", kind="int"),
            _K("batch_size", "Mini-batch size (default 32); may be a choice.", kind="int"),
            _K("optimizer", "adam(…), adamw(…), sgd(…) or rmsprop(…), with lr and other "
               "parameters.", kind="optimizer", values=tuple(OPTIMIZERS)),
            _K("schedule", "Learning-rate schedule: " + ", ".join(SCHEDULES) + ".",
               kind="schedule", values=tuple(SCHEDULES)),
            _K("augment", "augment { flip = true; crop = 2 }: data augmentation switches.",
               True),
            _K("precision", "Numeric precision: " + ", ".join(PRECISIONS) + ".", kind="name",
               values=tuple(PRECISIONS)),
            _K("prune", "prune { sparsity = 50% }: magnitude pruning of every trained model "
               "(candidates, baselines and the final retraining), then fine-tuning.", True),
        )),
        BlockSpec("prune", "prune { sparsity = 50%; fine_tune = 1 } inside train: zero the "
                  "smallest-magnitude weights of each trained model, then fine-tune.", (
                      _K("sparsity", "Share of the weights set to zero, in (0%, 100%).",
                         required=True, kind="fraction"),
                      _K("fine_tune", "Epochs of fine-tuning after pruning (default 1; 0 "
                         "for none).", kind="int"),
                  )),
        BlockSpec("augment", "augment { flip = true; crop = 2 } inside train.", tuple(
            _K(a.name, a.doc + (" Images only." if a.image_only else ""), kind=a.kind)
            for a in AUGMENTATIONS.values())),
        BlockSpec("budget", "budget { trials = 40; time = 10 min }: the search stops at the "
                  "first limit reached.", (
                      _K("trials", "Maximum number of candidates settled: trained, pruned, "
                         "failed, turned away by a static limit, or a repeat of an "
                         "architecture already trained (its result reused, so an exhausted "
                         "space still ends). Warm-start results and interrupted trials do "
                         "not count.", kind="int"),
                      _K("time", "Wall-clock limit; no new trial starts after it.",
                         kind="duration"),
                      _K("device_hours", "Accelerator time summed over trials (a number of "
                         "hours, or a duration).", kind="duration"),
                      _K("trial_hours", "Trial time summed over all trials, on any device (a "
                         "number of hours, or a duration).", kind="duration"),
                      _K("trial_time", "Limit of one trial; a longer trial is stopped and "
                         "recorded as failed.", kind="duration"),
                      _K("money", "Spending limit, e.g. $20; needs `rate`.", kind="money"),
                      _K("rate", "Price of one device hour, e.g. $2.48/h.", kind="money rate"),
                      _K("cost", "The same as rate: `cost = $2.48/h`.", kind="money rate"),
                  )),
        BlockSpec("strategy", "strategy NAME { parameters }: " + ", ".join(STRATEGIES) + ".",
                  tuple(_K(p.name, p.doc, kind=p.kind) for p in STRATEGY_COMMON)),
        BlockSpec("pilot", "pilot { trials = 3; epochs = 1 }: run first, stop on any failure.", (
            _K("trials", "Candidates of the pilot (default 3).", kind="int"),
            _K("epochs", "Epochs per pilot candidate (default 1).", kind="int"),
            _K("subset", "Share of the training split the pilot uses (default 100%).",
               kind="fraction"),
        )),
        BlockSpec("baseline", 'baseline "name" { layers { … } } or baseline "name" { model = '
                  "keras.NASNetMobile(weights = none) }", (
                      _K("layers", "A fixed layer chain (no search primitives); a trailing "
                         "`dense` names the output layer, which is always appended.", True),
                      _K("model", "A published architecture: " + ", ".join(BASELINE_MODELS)
                         + ".", kind="model", values=tuple(BASELINE_MODELS)),
                      _K("train", "Training overrides for this baseline (default: the "
                         "experiment's train block).", True),
                  )),
        BlockSpec("final", "final { top = 3; seeds = 3 }: retrain the best on train+val and "
                  "report test mean ± std.", (
                      _K("top", "How many of the best candidates are retrained (default 1).",
                         kind="int"),
                      _K("seeds", "Seeds per retrained candidate (default 3).", kind="int"),
                      _K("epochs", "Epochs of the retraining (default: train.epochs).",
                         kind="int"),
                      _K("scale", "scale { cells = 2x; channels = 2x }: rebuild the best cells "
                         "in a larger network for the retraining (NASNet transfer).", True),
                      _K("ensemble", "ensemble = top 3 (or 3): also report the ensemble that "
                         "averages the predictions of the best k retrained models.",
                         kind="int"),
                  )),
        BlockSpec("scale", "scale { cells = 2x; channels = 2x } inside final: multipliers "
                  "applied to the best architectures before retraining (cell spaces).", (
                      _K("cells", "Multiplier of the layout's cell repeats (2x doubles every "
                         "`normal x N`; default 1x).", kind="multiplier"),
                      _K("channels", "Multiplier of the stem and cell channels (default 1x).",
                         kind="multiplier"),
                  )),
        BlockSpec("export", "export { formats = [onnx, torchscript, keras, source] }", (
            _K("formats", "Formats of the exported best model: " + ", ".join(EXPORT_FORMATS)
               + ".", kind="list of names", values=tuple(EXPORT_FORMATS)),
            _K("dir", "Output folder (default: the run directory's `export/`).",
               kind="string"),
        )),
        BlockSpec("execution", "execution { workers = 2; launcher = joblib; storage = "
                  '"sqlite:///runs/study.db"; device = cpu }', (
                      _K("workers", "Trials run in parallel (default 1).", kind="int"),
                      _K("launcher", "How trials are launched: " + ", ".join(LAUNCHERS) + ".",
                         kind="name", values=tuple(LAUNCHERS)),
                      _K("dispatch", "How trials reach the workers: " + ", ".join(DISPATCH)
                         + " (default batches).", kind="name", values=tuple(DISPATCH)),
                      _K("storage", "Optuna storage URL: " + ", ".join(STORAGE_SCHEMES)
                         + " (default: SQLite in the run directory).", kind="string"),
                      _K("device", "Device trials train on: " + ", ".join(DEVICES) + ".",
                         kind="name", values=tuple(DEVICES)),
                      _K("retries", "Times a failed trial is run again before it counts as "
                         "failed (default 0).", kind="int"),
                      _K("trial_timeout", "Wall-clock limit of one trial: `10 min`.",
                         kind="duration"),
                      _K("trial_memory", "Memory limit of one trial: `2 GB`.", kind="size"),
                  )),
        BlockSpec("target", 'target "phone" { latency <= 5 ms; model_size <= 1 MB }: a named '
                  "deployment target; its body holds constraints like the constraints block.",
                  tuple(_K(m.name, m.doc, kind=m.dimension.value, repeatable=True)
                        for m in MEASURES.values())),
    ]
}
