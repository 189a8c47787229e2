"""Checks between blocks: settings that are each valid but do not fit together."""

from __future__ import annotations

from nasdsl.lang import ast
from nasdsl.lang import registry as reg
from nasdsl.lang.semantics import Checker


def check_consistency(spec: ast.Spec, c: Checker) -> None:
    """Record NAS4xx diagnostics for a spec whose blocks are each valid."""
    _strategy(spec, c)
    _execution(spec, c)
    _budget(spec, c)
    _baselines(spec, c)
    _training(spec, c)
    _final(spec, c)
    _folds(spec, c)


def _folds(spec: ast.Spec, c: Checker) -> None:
    """k-fold needs a candidate trained k times: not a supernet, not a table look-up."""
    if spec.data.folds is None:
        return
    if spec.strategy.name in reg.WEIGHT_SHARING:
        c.error("NAS422", f"folds = {spec.data.folds} cannot be used with strategy "
                f"{spec.strategy.name}: it trains one shared supernet, not each candidate",
                spec.data.span, hint="remove `folds`, or use a strategy that trains each "
                "candidate (random, tpe, bayesian, evolution, …)", context=spec.strategy.span)
    if spec.backend == "table":
        c.error("NAS422", f"folds = {spec.data.folds} cannot be used with backend table: it "
                "looks results up instead of training", spec.data.span,
                hint="remove `folds`")


def _strategy(spec: ast.Spec, c: Checker) -> None:
    info = reg.STRATEGIES[spec.strategy.name]
    goals = spec.objective.goals
    if len(goals) > 1 and not info.multi_objective:
        fits = [s.name for s in reg.STRATEGIES.values() if s.multi_objective]
        c.error("NAS406", f"strategy {info.name} optimises one objective, but the objective "
                f"has {len(goals)} goals", spec.strategy.span,
                hint="use a Pareto strategy, or keep one goal and turn the others into "
                "constraints", notes=(f"available: {', '.join(fits)}",),
                context=spec.objective.span)
    if len(goals) > 1 and spec.strategy.early_stop is not None:
        c.error("NAS407", f"early_stop = {spec.strategy.early_stop.name} ranks trials on one "
                "value; the objective has several goals", spec.strategy.early_stop.span,
                hint="remove early_stop, or keep one goal", context=spec.strategy.span)
    if len(goals) == 1 and info.name == "nsga2":
        c.warning("NAS417", "nsga2 with one goal is a plain genetic algorithm",
                  spec.strategy.span, hint="add a second goal (e.g. minimize params) or use "
                  "evolution")
    early = spec.strategy.early_stop
    epochs = spec.train.epochs
    if early is not None and isinstance(epochs, ast.Literal) and isinstance(epochs.value, int):
        low = early.get("min_epochs", early.get("warmup", 1))
        if isinstance(low, int) and low >= epochs.value:
            c.warning("NAS401", f"{early.name} starts at {low} epochs, but trials train for "
                      f"{epochs.value}: nothing is stopped early", early.span)


def _execution(spec: ast.Spec, c: Checker) -> None:
    ex = spec.execution
    if ex is not None and ex.workers > 1 and ex.launcher == "basic":
        c.warning("NAS414", f"workers = {ex.workers} with the basic launcher runs one trial at "
                  "a time", ex.span, hint="launcher = joblib runs trials in parallel")
    if ex is not None and ex.dispatch == "async" and ex.launcher not in reg.ASYNC_LAUNCHERS:
        c.warning("NAS414", f"dispatch = async needs launcher = "
                  f"{' or '.join(reg.ASYNC_LAUNCHERS)}; with {ex.launcher} trials go in batches",
                  ex.span)
    device = ex.device if ex is not None else "auto"
    if spec.train.precision != "fp32" and device == "cpu":
        c.warning("NAS414", f"precision = {spec.train.precision} on the CPU falls back to fp32",
                  spec.train.span)
    if device == "mps" and spec.backend != "torch":
        c.warning("NAS414", "device = mps is a PyTorch device", ex.span if ex else spec.span)
    if spec.export is not None:
        for fmt in spec.export.formats:
            backends = reg.EXPORT_FORMATS[fmt][1]
            if spec.backend not in backends:
                c.warning("NAS415", f"export format '{fmt}' needs backend = "
                          f"{' or '.join(backends)}, but the backend is {spec.backend}",
                          spec.export.span, hint="the best model is rebuilt with that backend "
                          "to export it, which needs its extra installed")


def _budget(spec: ast.Spec, c: Checker) -> None:
    trials = spec.budget.trials
    if trials is None:
        return
    if spec.pilot is not None and spec.pilot.trials > trials:
        c.warning("NAS416", f"the pilot runs {spec.pilot.trials} trials, more than the budget's "
                  f"{trials}", spec.pilot.span)
    if spec.final is not None and spec.final.top > trials:
        c.warning("NAS416", f"final retrains the top {spec.final.top}, but the budget allows "
                  f"{trials} trials", spec.final.span)


def _baselines(spec: ast.Spec, c: Checker) -> None:
    from nasdsl.lang.blocks_space import walk_ops

    ds = reg.DATASETS.get(spec.data.source) if spec.data.kind == "builtin" else None
    for b in spec.baselines:
        if b.model is not None:
            framework = b.model.name.partition(".")[0]
            wanted = {"keras": "keras", "torchvision": "torch"}.get(framework)
            if wanted and wanted != spec.backend:
                c.warning("NAS419", f"baseline '{b.name}' ({b.model.name}) is built with "
                          f"{wanted}, not the experiment's {spec.backend} backend", b.model.span,
                          hint=f"install the `{wanted}` extra; the protocol (data, split, "
                          "epochs) stays the same")
            if ds is not None and ds.image_shape is None:
                c.error("NAS404", f"{b.model.name} needs image input, but {ds.name} is "
                        "tabular", b.model.span)
        if b.layers is not None and ds is not None and ds.image_shape is None:
            for op in walk_ops(b.layers):
                if not op.custom and reg.OPS[op.op].needs_image:
                    c.error("NAS404", f"'{op.op}' needs image input, but {ds.name} is tabular",
                            op.span)


def _training(spec: ast.Spec, c: Checker) -> None:
    aug = spec.train.augment
    ds = reg.DATASETS.get(spec.data.source) if spec.data.kind == "builtin" else None
    tabular = ds is not None and ds.image_shape is None
    if aug is not None and tabular:
        for p in aug.params:
            if reg.AUGMENTATIONS[p.name].image_only:
                c.warning("NAS401", f"augment.{p.name} works on images; {spec.data.source} is "
                          "tabular", p.span)


def _final(spec: ast.Spec, c: Checker) -> None:
    final = spec.final
    if final is not None and final.scale is not None and isinstance(spec.space, ast.LayerSpace):
        c.warning("NAS401", "final.scale multiplies cells and channels of a cell space; a "
                  "layer chain has none", final.scale.span,
                  hint="use space cells or space nb201, or remove scale")
