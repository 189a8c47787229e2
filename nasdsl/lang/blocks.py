"""Block by block: the experiment's statements → a `Spec`, using the `Checker`.

This module holds the experiment, data, objective and constraints blocks; the space
blocks are in `blocks_space`, the training and run blocks in `blocks_run`, and the
checks between blocks in `consistency`.
"""

from __future__ import annotations

from nasdsl.lang import ast
from nasdsl.lang import registry as reg
from nasdsl.lang.blocks_run import (
    baseline,
    budget,
    default_train,
    execution,
    export,
    final,
    pilot,
    strategy,
    train,
)
from nasdsl.lang.blocks_space import space
from nasdsl.lang.consistency import check_consistency
from nasdsl.lang.diagnostics import Span
from nasdsl.lang.semantics import DEFAULT_SPLIT, Checker, Invalid
from nasdsl.lang.syntax import Phrase, Stmt, Term
from nasdsl.lang.units import UNITS, Dimension

_CMP_UPPER = ("<=", "<")
_EXPERIMENT = reg.BLOCKS["experiment"]
_REPEATABLE = [k.name for k in _EXPERIMENT.keys if k.repeatable]


def build_spec(stmts: list[Stmt], checker: Checker) -> ast.Spec | None:
    """Check the whole file and build the Spec (None if it has errors)."""
    c = checker
    experiments = [s for s in stmts if s.head == "experiment"]
    for s in stmts:
        if s.head != "experiment":
            c.error("NAS101", f"'{s.head}' must be inside the experiment block", s.head_span,
                    hint='a spec is one block: experiment "name" { … }', context=s.span)
    if not experiments:
        span = stmts[0].span if stmts else Span(c.file, 1, 1, 1, 1)
        c.error("NAS104", "the file has no experiment block", span,
                hint='start the file with: experiment "my-search" { … }')
        return None
    for extra in experiments[1:]:
        c.error("NAS102", "a spec holds one experiment block", extra.head_span,
                hint="put each experiment in its own .nas file")
    exp = experiments[0]
    with c.within(exp.span):
        return _experiment(exp, c)


def _experiment(exp: Stmt, c: Checker) -> ast.Spec | None:
    name = _experiment_name(exp, c)
    if exp.body is None:
        c.error("NAS103", "'experiment' is a block", exp.span, hint='experiment "name" { … }')
        return None
    keys = c.keyed(exp.body, "experiment", _EXPERIMENT.key_names(), _REPEATABLE)
    for key in _EXPERIMENT.keys:
        if key.required and key.name not in keys:
            c.error("NAS104", f"the experiment has no '{key.name}' block", exp.head_span,
                    hint=f"add: {reg.BLOCKS.get(key.name, key).doc}")

    uses = tuple(u for u in (c.guarded(lambda s=s: _use(s, c)) for s in exp.body
                             if s.head == "use") if isinstance(u, ast.Use))
    c.custom_ops = bool(uses)

    def block(key: str, fn, default=None):  # type: ignore[no-untyped-def]
        if key not in keys:
            return default
        with c.within(keys[key].span):
            return c.guarded(lambda: fn(keys[key], c))

    seed = block("seed", lambda s, c: c.int_value(c.one_value(s, "experiment"), "seed", 0), 0)
    description = block("description", lambda s, c: c.string_value(
        c.one_value(s, "experiment"), "description"), "")
    backend_call = block("backend", _backend, ("torch", ()))
    backend, backend_options = backend_call if isinstance(backend_call, tuple) \
        else ("torch", ())
    warm_start = block("warm_start", _warm_start, ())
    data = block("data", _data)
    task = data.task if isinstance(data, ast.DataSpec) else None
    dataset = reg.DATASETS.get(data.source) if isinstance(data, ast.DataSpec) \
        and data.kind == "builtin" else None
    objective = block("objective", lambda s, c: _objective(s, c, task, dataset))
    constraints = block("constraints", lambda s, c: _constraints(s, c, task), ())
    space_ = block("space", lambda s, c: space(s, c, data))
    train_ = block("train", train, default_train(exp.head_span))
    budget_ = block("budget", budget, ast.Budget(20, None, exp.head_span))
    strategy_ = block("strategy", strategy, ast.Strategy("random", (), exp.head_span))
    pilot_ = block("pilot", pilot)
    baselines = []
    seen_names: dict[str, Stmt] = {}
    for s in exp.body:
        if s.head != "baseline":
            continue
        with c.within(s.span):
            got = c.guarded(lambda s=s: baseline(s, c))
        if isinstance(got, ast.Baseline):
            if got.name in seen_names:
                c.error("NAS102", f"two baselines are named '{got.name}'", s.head_span,
                        hint=f"the first is at line {seen_names[got.name].span.line}")
            seen_names[got.name] = s
            baselines.append(got)
    targets = _targets(exp.body, c, task)
    final_ = block("final", final)
    export_ = block("export", export)
    execution_ = block("execution", execution)

    if any(d.is_error for d in c.diagnostics):
        return None
    assert isinstance(data, ast.DataSpec) and isinstance(objective, ast.Objective)
    assert isinstance(train_, ast.TrainSpec) and isinstance(budget_, ast.Budget)
    assert isinstance(strategy_, ast.Strategy) and space_ is not None
    spec = ast.Spec(name, int(seed or 0), str(description or ""), data, objective,
                    tuple(constraints or ()), space_, train_, budget_, strategy_, str(backend),
                    exp.span, uses, data.task, pilot_, tuple(baselines), final_, export_,
                    execution_, tuple(backend_options), tuple(warm_start or ()), targets)
    check_consistency(spec, c)
    return spec


def _experiment_name(exp: Stmt, c: Checker) -> str:
    if exp.kind != "command" or len(exp.values) != 1 or exp.values[0].single is None \
            or exp.values[0].terms[0].kind != "string":
        c.error("NAS105", "the experiment needs a name in double quotes", exp.head_span,
                hint='experiment "digits-mlp" { … }')
        return "experiment"
    name = exp.values[0].terms[0].text
    if not name or "/" in name or name.startswith("."):
        c.error("NAS204", f"'{name}' cannot name a run directory", exp.values[0].span,
                hint="use letters, digits, '-' and '_'")
    return name


def _use(s: Stmt, c: Checker) -> ast.Use:
    if s.kind != "command" or s.body is not None or len(s.values) != 1 \
            or s.values[0].single is None or s.values[0].terms[0].kind != "string":
        raise c.error("NAS103", "write: use \"package.module\"", s.span,
                      hint='use "mypkg.ops" names a Python module of custom ops')
    module = s.values[0].terms[0].text
    parts = module.split(".")
    if not all(p.isidentifier() for p in parts):
        raise c.error("NAS204", f"'{module}' is not a Python module name", s.values[0].span,
                      hint="a dotted module path such as mypkg.ops; it is imported, never run "
                      "as code")
    return ast.Use(module, s.span)


def _backend(s: Stmt, c: Checker) -> tuple[str, tuple[tuple[str, str], ...]]:
    """backend = torch | keras | table("results.csv"): the name and its options."""
    phrase = c.one_value(s, "experiment")
    term = phrase.single
    if term is not None and term.kind == "call":
        name_span = term.name_span or term.span
        if term.text not in reg.BACKEND_CALLS:
            raise c.unknown("NAS306", "backend", term.text, name_span, reg.BACKENDS)
        spec = reg.BACKEND_CALLS[term.text]
        pos, _ = c.call_params(term, spec.params, spec.name, positional=len(spec.positional))
        options = tuple((p.name, c.string_value(ph, p.name))
                        for p, ph in zip(spec.positional, pos, strict=True))
        return spec.name, options
    name = str(c.name_value(phrase, "backend", reg.BACKENDS, "NAS306").value)
    if name in reg.BACKEND_CALLS:
        raise c.error("NAS105", f"backend {name} needs its table", phrase.span,
                      hint=f'backend = {name}("path/to/results.csv")')
    return name, ()


def _warm_start(s: Stmt, c: Checker) -> tuple[str, ...]:
    """warm_start = "runs/earlier" or ["runs/a", "sqlite:///runs/b/study.db"]."""
    phrases = c.expect_assign(s, "experiment")
    if len(phrases) == 1 and phrases[0].single is not None \
            and phrases[0].terms[0].kind == "list":
        phrases = phrases[0].terms[0].items
    out: list[str] = []
    for p in phrases:
        path = c.guarded(lambda p=p: c.string_value(p, "warm_start"))
        if isinstance(path, str):
            if not path:
                c.error("NAS204", "warm_start names an empty path", p.span)
            elif path in out:
                c.error("NAS102", f"'{path}' is listed twice", p.span)
            else:
                out.append(path)
    if not out and not phrases:
        raise c.error("NAS204", "warm_start lists no run", s.span,
                      hint='warm_start = "runs/earlier-run"')
    return tuple(out)


def _targets(body: list[Stmt], c: Checker, task: str | None) -> tuple[ast.Target, ...]:
    """Every `target "name" { constraints }` of the experiment."""
    out: list[ast.Target] = []
    seen: dict[str, Stmt] = {}
    for s in body:
        if s.head != "target":
            continue
        with c.within(s.span):
            if s.kind != "command" or len(s.values) != 1 or s.values[0].single is None \
                    or s.values[0].terms[0].kind != "string" or s.body is None:
                c.error("NAS105", 'write: target "name" { constraints }', s.span,
                        hint='target "phone" { latency <= 5 ms; model_size <= 1 MB }')
                continue
            name = s.values[0].terms[0].text
            if name in seen:
                c.error("NAS102", f"two targets are named '{name}'", s.values[0].span,
                        hint=f"the first is at line {seen[name].span.line}")
                continue
            seen[name] = s
            limits = _constraints(s, c, task, "target")
            if not limits and not any(d.is_error for d in c.diagnostics):
                c.error("NAS104", f"target '{name}' sets no limit", s.head_span,
                        hint="latency <= 5 ms; model_size <= 1 MB")
            out.append(ast.Target(name, limits, s.span))
    return tuple(out)


# ---------------------------------------------------------------- data


def _data(s: Stmt, c: Checker) -> ast.DataSpec:
    body = c.expect_block(s, "data")
    keys = c.keyed(body, "data", reg.BLOCKS["data"].key_names())
    if "source" not in keys:
        raise c.error("NAS104", "data has no 'source'", s.head_span,
                      hint="source = sklearn.digits",
                      notes=(f"available: {', '.join(reg.DATASETS)}, "
                             f"{', '.join(f'{n}(…)' for n in reg.DATA_SOURCES)}",))
    src = _source(c.one_value(keys["source"], "data"), c)
    kind, path = src["kind"], str(src["source"])
    ds = reg.DATASETS.get(path) if kind == "builtin" else None

    task = ds.task.value if ds else "classification"
    if "task" in keys:
        lit = c.guarded(lambda: c.name_value(c.one_value(keys["task"], "data"), "task",
                                             reg.TASKS))
        if isinstance(lit, ast.Literal):
            if ds and lit.value != ds.task.value:
                c.error("NAS402", f"{ds.name} is a {ds.task.value} dataset, not "
                        f"{lit.value}", lit.span, hint="remove `task`: it is inferred from a "
                        "built-in dataset")
            elif kind == "images" and lit.value != "classification":
                c.error("NAS402", "an image folder gives class labels: the task is "
                        "classification", lit.span)
            task = str(lit.value)

    folds = None
    if "folds" in keys:
        folds = c.guarded(lambda: c.int_value(c.one_value(keys["folds"], "data"), "folds", 2))
    split = c.guarded(lambda: _split(keys["split"], c, folds is not None)) if "split" in keys \
        else ast.Split(*(DEFAULT_SPLIT if folds is None else (0.85, 0.0, 0.15)), s.head_span)
    if folds is not None and isinstance(split, ast.Split) and split.val > 0 and "split" in keys:
        c.warning("NAS401", f"with folds = {folds} the val share joins the train share: "
                  "the validation folds are drawn from both",
                  keys["split"].span, hint="with k-fold, validation folds come from the train "
                  "share: split = train 85%, test 15%")
    if ds is not None and ds.kind == "standard" and "split" in keys \
            and isinstance(split, ast.Split) and split.test > 0:
        c.warning("NAS401", f"{ds.name} has an official test set, which is the test split: "
                  "the test share is not used", keys["split"].span,
                  hint="train and val divide the official training set: split = train 85%, "
                  "val 15%")
    stratify = task == "classification"
    if "stratify" in keys:
        lit = c.literal(c.one_value(keys["stratify"], "data"), "stratify")
        if not isinstance(lit.value, bool):
            raise c.error("NAS201", "stratify must be true or false", lit.span)
        stratify = lit.value
        if stratify and task == "regression":
            c.warning("NAS401", "stratify has no effect on a regression task", lit.span)
    normalize = "standard"
    if "normalize" in keys:
        lit = c.guarded(lambda: c.name_value(c.one_value(keys["normalize"], "data"),
                                             "normalize", reg.NORMALIZATIONS))
        normalize = str(lit.value) if isinstance(lit, ast.Literal) else normalize
    preprocess = None
    if "preprocess" in keys:
        with c.within(keys["preprocess"].span):
            got = c.guarded(lambda: _preprocess(keys["preprocess"], c, normalize,
                                                "normalize" in keys))
        preprocess = got if isinstance(got, ast.Preprocess) else None
        if preprocess is not None:  # one scaling, whichever key said it
            normalize = {v: k for k, v in _SCALING_OF_NORMALIZE.items()}[preprocess.numeric]
        if preprocess is not None and kind == "images":
            c.warning("NAS401", "preprocess applies to tables; an image folder is scaled by "
                      "`normalize`", keys["preprocess"].head_span)
    if not isinstance(split, ast.Split):
        raise Invalid()
    return ast.DataSpec(path, split, stratify, s.span, kind, src.get("target"),  # type: ignore
                        src.get("labels"), src.get("size"), bool(src.get("grayscale", False)),
                        folds if isinstance(folds, int) else None, normalize, task,
                        str(src.get("delimiter", ",")), preprocess,
                        str(src["layout"]) if src.get("layout") else None)


_SCALING_OF_NORMALIZE = {"standard": "standardize", "minmax": "minmax", "none": "none"}


def _preprocess(s: Stmt, c: Checker, normalize: str, has_normalize: bool) -> ast.Preprocess:
    """preprocess { numeric; categorical; impute; categorical_columns }."""
    body = c.expect_block(s, "preprocess")
    keys = c.keyed(body, "preprocess", reg.BLOCKS["preprocess"].key_names())
    numeric = _SCALING_OF_NORMALIZE.get(normalize, "standardize")
    categorical, impute, columns = "onehot", "mean", "auto"
    fill: int | float | str | None = None
    for key, st in keys.items():
        with c.within(st.span):
            if key == "numeric":
                lit = c.guarded(lambda st=st: c.name_value(c.one_value(st, "preprocess"),
                                                           "numeric", reg.NUMERIC_SCALINGS))
                if isinstance(lit, ast.Literal):
                    numeric = str(lit.value)
                    if has_normalize and _SCALING_OF_NORMALIZE.get(normalize) != numeric:
                        c.error("NAS102", f"preprocess.numeric = {numeric} contradicts "
                                f"normalize = {normalize}", lit.span,
                                hint="keep one of them: preprocess.numeric replaces normalize")
            elif key == "categorical":
                lit = c.guarded(lambda st=st: c.name_value(c.one_value(st, "preprocess"),
                                                           "categorical",
                                                           reg.CATEGORICAL_ENCODINGS))
                categorical = str(lit.value) if isinstance(lit, ast.Literal) else categorical
            elif key == "impute":
                got = c.guarded(lambda st=st: _impute(c.one_value(st, "preprocess"), c))
                if isinstance(got, tuple):
                    impute, fill = got
            else:
                cols = c.guarded(lambda st=st: _columns(st, c))
                columns = cols if cols is not None else columns  # type: ignore[assignment]
    return ast.Preprocess(numeric, categorical, impute, columns, s.span, fill)


def _impute(phrase: Phrase, c: Checker) -> tuple[str, int | float | str | None]:
    term = phrase.single
    if term is not None and term.kind == "call" and term.text == "constant":
        _, params = c.call_params(term, (reg.ParamSpec("value", "any", "Fill value.",
                                                         required=True, searchable=False),),
                                    "constant")
        value = params[0].value
        assert isinstance(value, ast.Literal)
        if isinstance(value.value, bool):
            raise c.error("NAS201", "constant(value = …) is a number or a string", value.span)
        return "constant", value.value
    lit = c.name_value(phrase, "impute", reg.IMPUTATIONS)
    if lit.value == "constant":
        raise c.error("NAS105", "constant imputation needs its value", lit.span,
                      hint="impute = constant(value = 0)")
    return str(lit.value), None


def _columns(s: Stmt, c: Checker) -> str | tuple[str | int, ...]:
    phrase = c.one_value(s, "preprocess")
    term = phrase.single
    if term is not None and term.kind == "name" and term.text == "auto":
        return "auto"
    if term is None or term.kind != "list":
        raise c.error("NAS201", "categorical_columns is auto or a list of column names",
                      phrase.span, hint='categorical_columns = ["color", "city"]')
    out: list[str | int] = []
    for p in term.items:
        lit = c.literal(p, "a categorical column")
        if isinstance(lit.value, bool) or isinstance(lit.value, float) \
                or (isinstance(lit.value, int) and lit.value < 0) \
                or (isinstance(lit.value, str) and p.terms[0].kind != "string"):
            raise c.error("NAS201", "a column is a name in double quotes or a 0-based index",
                          p.span)
        if lit.value in out:
            raise c.error("NAS102", f"column {lit.value!r} is listed twice", p.span)
        out.append(lit.value)
    return tuple(out)


def _source(phrase: Phrase, c: Checker) -> dict[str, object]:
    term = phrase.single
    everything = list(reg.DATASETS) + [f"{n}(…)" for n in reg.DATA_SOURCES]
    if term is None:
        raise c.error("NAS201", "source is one dataset or file", phrase.span)
    if term.kind == "string":
        raise c.error("NAS201", "a file source says how to read it", term.span,
                      hint=f'source = file("{term.text}") or csv("{term.text}", target = '
                      '"label")')
    if term.kind == "name":
        if term.text in reg.DATASETS:
            return {"kind": "builtin", "source": term.text}
        raise c.unknown("NAS301", "dataset", term.text, term.span, everything)
    if term.kind != "call" or term.text not in reg.DATA_SOURCES:
        name_span = term.name_span or term.span
        raise c.unknown("NAS301", "data source", term.text, name_span, everything)
    spec = reg.DATA_SOURCES[term.text]
    pos, params = c.call_params(term, spec.params, spec.name, positional=1)
    path = c.string_value(pos[0], "the path")
    out: dict[str, object] = {"source": path, "kind": term.text}
    for p in params:
        assert isinstance(p.value, ast.Literal)
        out[p.name] = p.value.value
    if term.text == "file":
        if path.endswith(".npz"):
            out["kind"] = "npz"
            if "labels" in out:
                raise c.error("NAS106", "a .npz file holds its labels (array y)", term.span)
        elif path.endswith(".npy"):
            out["kind"] = "npy"
            if "labels" not in out:
                raise c.error("NAS105", "a .npy source needs its labels file", term.span,
                              hint=f'file("{path}", labels = "labels.npy")')
        else:
            raise c.error("NAS204", f"file() reads .npz or .npy, not '{path}'", pos[0].span,
                          hint='use csv("…", target = "…") for tables, images("dir/") for '
                          "image folders")
    if term.text == "images" and isinstance(out.get("size"), int) and int(out["size"]) < 1:
        raise c.error("NAS204", "images(size = …) must be at least 1", term.span)
    return out


def _split(s: Stmt, c: Checker, folds: bool = False) -> ast.Split:
    parts: dict[str, float] = {}
    for phrase in c.expect_assign(s, "data"):
        head = phrase.terms[0]
        if head.kind != "name" or len(phrase.terms) != 2:
            raise c.error("NAS201", "each part of the split is a name and a share",
                          phrase.span, hint="split = train 70%, val 15%, test 15%")
        if head.text not in reg.SPLITS:
            raise c.unknown("NAS101", "split", head.text, head.span, reg.SPLITS)
        if head.text in parts:
            raise c.error("NAS102", f"'{head.text}' appears twice in the split", head.span)
        share = c.quantity(Phrase(phrase.terms[1:], phrase.terms[1].span), Dimension.FRACTION,
                           f"the {head.text} share")
        if not 0 <= share.value <= 1:
            raise c.error("NAS204", f"the {head.text} share must be between 0% and 100%",
                          share.span)
        parts[head.text] = share.value
    for need in ("train",) if folds else ("train", "val"):
        if parts.get(need, 0) <= 0:
            raise c.error("NAS204", f"the split needs a non-empty '{need}' part", s.span,
                          hint="split = train 70%, val 15%, test 15%")
    total = sum(parts.values())
    if abs(total - 1) > 1e-6:
        raise c.error("NAS204", f"the split adds up to {total * 100:g}%, not 100%", s.span,
                      hint="adjust the shares so they sum to 100%")
    return ast.Split(parts["train"], parts.get("val", 0.0), parts.get("test", 0.0), s.span)


# ---------------------------------------------------------------- objective and constraints


def _metric_name(term: Term, c: Checker, task: str | None, *, objective: bool,
                 dataset: reg.DatasetSpec | None = None, bare: bool = False) -> str:
    """Check `split.metric` (or `split.accuracy(k = 5)`) or a measure; return canonical text."""
    text = term.text
    if text in reg.MEASURES and term.kind == "name":
        if bare:
            raise c.error("NAS302", f"'{text}' is a model measure, not a metric", term.span)
        return text
    split, _, metric = text.rpartition(".")
    if not split and not bare:
        if objective:
            raise c.error("NAS302", f"say which split '{text}' is measured on", term.span,
                          hint=f"write val.{text}" if reg.lookup_metric(text) else None,
                          notes=(f"measures: {', '.join(reg.MEASURES)}",))
        split = "val"
    if bare and split:
        raise c.error("NAS302", f"name the metric without a split: '{metric}'", term.span,
                      hint="extra metrics are recorded on every split")
    if split and split not in reg.SPLITS:
        raise c.unknown("NAS302", "split", split, term.span, reg.SPLITS)
    if objective and split == "test":
        raise c.error("NAS205", "the search must not optimise the test split", term.span,
                      hint=f"optimise val.{metric}; the test split is for the final report")
    if term.kind == "call":
        if metric != "accuracy":
            raise c.error("NAS201", f"'{metric}' takes no parameters", term.span)
        _, params = c.call_params(term, (reg.ParamSpec("k", "int", "k", required=True,
                                                       searchable=False),), "accuracy")
        k = params[0].value
        assert isinstance(k, ast.Literal)
        if not isinstance(k.value, int) or k.value < 1:
            raise c.error("NAS204", "accuracy(k = …) needs k ≥ 1", k.span)
        metric = "accuracy" if k.value == 1 else f"top{k.value}_accuracy"
    spec = reg.lookup_metric(metric)
    if spec is None:
        names = list(reg.METRICS) + ["top5_accuracy"] + ([] if bare else list(reg.MEASURES))
        raise c.unknown("NAS302", "metric", metric, term.span, names)
    if task is not None and reg.Task(task) not in spec.tasks:
        fits = [m for m, ms in reg.METRICS.items() if reg.Task(task) in ms.tasks]
        raise c.error("NAS402", f"'{metric}' is not a {task} metric", term.span,
                      hint=f"the dataset is a {task} task",
                      notes=(f"available: {', '.join(fits)}",))
    k = reg.top_k_of(metric)
    if k is not None and dataset is not None and dataset.classes and k >= dataset.classes:
        c.warning("NAS418", f"{metric} is always 1: {dataset.name} has {dataset.classes} "
                  "classes", term.span, hint="k must be smaller than the number of classes")
    return metric if bare else f"{split}.{metric}"


def _objective(s: Stmt, c: Checker, task: str | None,
               dataset: reg.DatasetSpec | None) -> ast.Objective:
    body = c.expect_block(s, "objective")
    goals: list[ast.Goal] = []
    metrics: list[str] = []
    allowed = reg.BLOCKS["objective"].key_names()
    seen_metrics = False
    for g in body:
        if g.head == "metrics" and g.kind == "assign":
            if seen_metrics:
                c.error("NAS102", "'metrics' is given twice in 'objective'", g.head_span)
                continue
            seen_metrics = True
            metrics.extend(_extra_metrics(g, c, task, dataset))
            continue
        if g.head not in ("maximize", "minimize") or g.kind != "command":
            c.unknown("NAS101", "key in 'objective'", g.head, g.head_span, allowed)
            continue
        if len(g.values) != 1 or g.values[0].single is None \
                or g.values[0].terms[0].kind not in ("name", "call") or g.body is not None:
            c.error("NAS201", f"{g.head} takes one metric", g.span, hint=f"{g.head} val.accuracy")
            continue
        term = g.values[0].terms[0]
        metric = c.guarded(lambda term=term: _metric_name(term, c, task, objective=True,
                                                          dataset=dataset))
        if isinstance(metric, str):
            if any(x.metric == metric for x in goals):
                c.error("NAS102", f"'{metric}' is an objective twice", term.span)
                continue
            _warn_direction(g.head, metric, term, c)
            goals.append(ast.Goal(g.head, metric, g.span))
    if not goals and not any(g.head in ("maximize", "minimize") for g in body):
        raise c.error("NAS104", "the objective names no metric", s.head_span,
                      hint="objective { maximize val.accuracy }")
    if not goals:
        raise Invalid()
    return ast.Objective(tuple(goals), s.span, tuple(metrics))


def _extra_metrics(g: Stmt, c: Checker, task: str | None,
                   dataset: reg.DatasetSpec | None) -> list[str]:
    phrases = g.values
    if len(phrases) == 1 and phrases[0].single is not None \
            and phrases[0].terms[0].kind == "list":
        phrases = phrases[0].terms[0].items
    out: list[str] = []
    for p in phrases:
        term = p.single
        if term is None or term.kind not in ("name", "call"):
            c.error("NAS201", "metrics is a list of metric names", p.span,
                    hint="metrics = [f1, roc_auc]")
            continue
        got = c.guarded(lambda term=term: _metric_name(term, c, task, objective=False,
                                                       dataset=dataset, bare=True))
        if isinstance(got, str) and got not in out:
            out.append(got)
    return out


def _warn_direction(direction: str, metric: str, term: Term, c: Checker) -> None:
    name = metric.rpartition(".")[2]
    spec = reg.lookup_metric(name)
    higher = spec.higher_is_better if spec else False
    if (direction == "maximize") != higher:
        c.warning("NAS403", f"{direction} {metric}: smaller is better for '{name}'" if higher is
                  False else f"{direction} {metric}: larger is better for '{name}'", term.span)


def _constraints(s: Stmt, c: Checker, task: str | None,
                 block: str = "constraints") -> tuple[ast.Constraint, ...]:
    body = c.expect_block(s, block)
    out: list[ast.Constraint] = []
    for k in body:
        if k.kind != "compare":
            c.error("NAS103", "a constraint is a comparison", k.span,
                    hint="params <= 60k, latency <= 2 ms, accuracy >= 0.95")
            continue
        with c.within(k.span):
            got = c.guarded(lambda k=k: _constraint(k, c, task))
        if isinstance(got, ast.Constraint):
            out.append(got)
    return tuple(out)


def _constraint(k: Stmt, c: Checker, task: str | None) -> ast.Constraint:
    if len(k.values) != 1:
        raise c.error("NAS201", "a constraint has one bound", k.span)
    op = k.op or "<="
    terms = list(k.values[0].terms)
    soft, quantized = _modifiers(terms, c)
    settings: Term | None = k.call
    # `2 ms (batch = 1)` lexes as the call ms(batch = 1): split the unit from the settings.
    if len(terms) == 2 and terms[1].kind == "call" and terms[1].text in UNITS:
        unit = terms[1]
        if settings is not None:
            raise c.error("NAS102", "the measurement settings are given twice", unit.span)
        settings = Term("call", k.head, unit.span, args=unit.args, name_span=unit.name_span)
        terms[1] = Term("name", unit.text, unit.name_span or unit.span)
    bound = Phrase(terms, terms[0].span.merge(terms[-1].span))
    if k.head in reg.MEASURES:
        m = reg.MEASURES[k.head]
        if op not in _CMP_UPPER:
            raise c.error("NAS204", f"'{k.head}' is a limit: use <= or <", k.head_span,
                          hint=f"{k.head} <= …")
        batch = device = None
        if settings is not None:
            if not m.params:
                raise c.error("NAS106", f"{k.head} takes no measurement settings",
                              settings.span, hint="only latency and peak_memory do")
            _, params = c.call_params(settings, m.params, k.head)
            for p in params:
                assert isinstance(p.value, ast.Literal)
                if p.name == "batch":
                    if not isinstance(p.value.value, int) or p.value.value < 1:
                        raise c.error("NAS204", "batch must be at least 1", p.span)
                    batch = int(p.value.value)
                else:
                    device = str(p.value.value)
        q = c.quantity(bound, m.dimension, k.head)
        if q.value <= 0:
            raise c.error("NAS204", f"a {k.head} limit must be positive", q.span)
        if m.params and batch is None:
            batch = 1
        if quantized is not None and m.name in ("params", "flops"):
            raise c.error("NAS106", f"quantization does not change {m.name}", k.span,
                          hint="quantized applies to model_size, latency, peak_memory and "
                          "metric targets")
        return ast.Constraint(k.head, op, q.value, m.dimension, q.text, False, k.span, soft,
                              batch, device, quantized)
    if settings is not None and k.call is not None:
        raise c.error("NAS106", f"'{k.head}' takes no measurement settings", settings.span)
    metric = _metric_name(Term("name", k.head, k.head_span), c, task, objective=False)
    name = metric.rpartition(".")[2]
    spec = reg.lookup_metric(name)
    fraction = spec is not None and name in ("accuracy", "roc_auc", "f1") \
        or reg.top_k_of(name) is not None
    q = c.quantity(bound, Dimension.FRACTION if fraction else Dimension.NUMBER, k.head)
    return ast.Constraint(metric, op, q.value, q.dimension, q.text, True, k.span, soft,
                          quantized=quantized)


def _modifiers(terms: list[Term], c: Checker) -> tuple[bool, str | None]:
    """Strip trailing `soft`/`hard` and `quantized SCHEME` from a bound; return both."""
    soft, quantized = False, None
    while len(terms) > 1 and terms[-1].kind == "name":
        last = terms[-1]
        if last.text in ("soft", "hard"):
            soft = terms.pop().text == "soft" or soft
        elif len(terms) > 2 and terms[-2].kind == "name" and terms[-2].text == "quantized":
            if last.text not in reg.QUANTIZATIONS:
                raise c.unknown("NAS309", "quantization", last.text, last.span,
                                reg.QUANTIZATIONS)
            quantized = last.text
            del terms[-2:]
        elif last.text == "quantized":
            raise c.error("NAS105", "say how the model is quantized", last.span,
                          hint="quantized int8", notes=(
                              f"available: {', '.join(reg.QUANTIZATIONS)}",))
        else:
            break
    return soft, quantized
