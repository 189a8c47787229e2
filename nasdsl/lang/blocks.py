"""Block by block: the experiment's statements → a `Spec`, using the `Checker`."""

from __future__ import annotations

from nasdsl.lang import ast
from nasdsl.lang import registry as reg
from nasdsl.lang.diagnostics import Span
from nasdsl.lang.semantics import (
    DEFAULT_BATCH,
    DEFAULT_EPOCHS,
    DEFAULT_SPLIT,
    Checker,
    Invalid,
)
from nasdsl.lang.syntax import Phrase, Stmt, Term
from nasdsl.lang.units import Dimension

_CMP_UPPER = ("<=", "<")


def build_spec(stmts: list[Stmt], checker: Checker) -> ast.Spec | None:
    """Check the whole file and build the Spec (None if it has errors)."""
    c = checker
    experiments = [s for s in stmts if s.head == "experiment"]
    for s in stmts:
        if s.head != "experiment":
            c.error("NAS101", f"'{s.head}' must be inside the experiment block", s.head_span,
                    hint='a spec is one block: experiment "name" { … }')
    if not experiments:
        span = stmts[0].span if stmts else Span(c.file, 1, 1, 1, 1)
        c.error("NAS104", "the file has no experiment block", span,
                hint='start the file with: experiment "my-search" { … }')
        return None
    for extra in experiments[1:]:
        c.error("NAS102", "a spec holds one experiment block", extra.head_span,
                hint="put each experiment in its own .nas file")
    exp = experiments[0]
    name = _experiment_name(exp, c)
    if exp.body is None:
        c.error("NAS103", "'experiment' is a block", exp.span, hint='experiment "name" { … }')
        return None
    keys = c.keyed(exp.body, "experiment", reg.BLOCKS["experiment"].key_names())
    for key in reg.BLOCKS["experiment"].keys:
        if key.required and key.name not in keys:
            c.error("NAS104", f"the experiment has no '{key.name}' block", exp.head_span,
                    hint=f"add: {reg.BLOCKS.get(key.name, key).doc}")

    seed = c.guarded(lambda: c.int_value(c.one_value(keys["seed"], "experiment"), "seed", 0)) \
        if "seed" in keys else 0
    description = ""
    if "description" in keys:
        lit = c.guarded(lambda: c.literal(c.one_value(keys["description"], "experiment"),
                                          "description"))
        description = str(lit.value) if isinstance(lit, ast.Literal) else ""
    backend = c.guarded(lambda: _backend(keys["backend"], c)) if "backend" in keys else "torch"

    data = c.guarded(lambda: _data(keys["data"], c)) if "data" in keys else None
    task = reg.DATASETS[data.source].task if isinstance(data, ast.DataSpec) else None
    objective = c.guarded(lambda: _objective(keys["objective"], c, task)) \
        if "objective" in keys else None
    constraints = c.guarded(lambda: _constraints(keys["constraints"], c, task)) \
        if "constraints" in keys else ()
    space = c.guarded(lambda: _space(keys["space"], c, data)) if "space" in keys else None
    train = c.guarded(lambda: _train(keys["train"], c)) if "train" in keys else ast.TrainSpec(
        ast.Literal(DEFAULT_EPOCHS, exp.head_span), ast.Literal(DEFAULT_BATCH, exp.head_span),
        ast.Optimizer("adam", (), exp.head_span), exp.head_span)
    budget = c.guarded(lambda: _budget(keys["budget"], c)) if "budget" in keys else ast.Budget(
        20, None, exp.head_span)
    strategy = c.guarded(lambda: _strategy(keys["strategy"], c)) if "strategy" in keys \
        else ast.Strategy("random", (), exp.head_span)

    if any(d.is_error for d in c.diagnostics):
        return None
    assert isinstance(data, ast.DataSpec) and isinstance(objective, ast.Objective)
    assert isinstance(space, ast.LayerSpace) and isinstance(train, ast.TrainSpec)
    assert isinstance(budget, ast.Budget) and isinstance(strategy, ast.Strategy)
    return ast.Spec(name, int(seed or 0), description, data, objective, tuple(constraints or ()),
                    space, train, budget, strategy, str(backend), exp.span)


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


def _backend(s: Stmt, c: Checker) -> str:
    lit = c.literal(c.one_value(s, "experiment"), "backend")
    if lit.value not in reg.BACKENDS:
        raise c.unknown("NAS306", "backend", str(lit.value), lit.span, reg.BACKENDS)
    return str(lit.value)


# ---------------------------------------------------------------- data


def _data(s: Stmt, c: Checker) -> ast.DataSpec:
    body = c.expect_block(s, "data")
    keys = c.keyed(body, "data", reg.BLOCKS["data"].key_names())
    if "source" not in keys:
        raise c.error("NAS104", "data has no 'source'", s.head_span,
                      hint="source = sklearn.digits", notes=(f"available: {', '.join(reg.DATASETS)}",))
    src = c.literal(c.one_value(keys["source"], "data"), "source")
    if not isinstance(src.value, str) or src.value not in reg.DATASETS:
        raise c.unknown("NAS301", "dataset", str(src.value), src.span, reg.DATASETS)
    split = c.guarded(lambda: _split(keys["split"], c)) if "split" in keys else ast.Split(
        *DEFAULT_SPLIT, s.head_span)
    stratify = True
    if "stratify" in keys:
        lit = c.literal(c.one_value(keys["stratify"], "data"), "stratify")
        if not isinstance(lit.value, bool):
            raise c.error("NAS201", "stratify must be true or false", lit.span)
        stratify = lit.value
        if stratify and reg.DATASETS[src.value].task is reg.Task.REGRESSION:
            c.warning("NAS401", "stratify has no effect on a regression dataset", lit.span)
    if not isinstance(split, ast.Split):
        raise Invalid()
    return ast.DataSpec(str(src.value), split, stratify, s.span)


def _split(s: Stmt, c: Checker) -> ast.Split:
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
    for need in ("train", "val"):
        if parts.get(need, 0) <= 0:
            raise c.error("NAS204", f"the split needs a non-empty '{need}' part", s.span,
                          hint="split = train 70%, val 15%, test 15%")
    total = sum(parts.values())
    if abs(total - 1) > 1e-6:
        raise c.error("NAS204", f"the split adds up to {total * 100:g}%, not 100%", s.span,
                      hint="adjust the shares so they sum to 100%")
    return ast.Split(parts["train"], parts["val"], parts.get("test", 0.0), s.span)


# ---------------------------------------------------------------- objective and constraints


def _metric_name(term: Term, c: Checker, task: reg.Task | None, *, objective: bool) -> str:
    """Check `split.metric` or a model measure; return its canonical text."""
    text = term.text
    if text in reg.MEASURES:
        return text
    split, _, metric = text.rpartition(".")
    if not split:
        if objective:
            raise c.error("NAS302", f"say which split '{text}' is measured on", term.span,
                          hint=f"write val.{text}" if text in reg.METRICS else None,
                          notes=(f"measures: {', '.join(reg.MEASURES)}",))
        split = "val"
    if split not in reg.SPLITS:
        raise c.unknown("NAS302", "split", split, term.span, reg.SPLITS)
    if objective and split == "test":
        raise c.error("NAS205", "the search must not optimise the test split", term.span,
                      hint=f"optimise val.{metric}; the test split is for the final report")
    if metric not in reg.METRICS:
        raise c.unknown("NAS302", "metric", metric, term.span, list(reg.METRICS) + list(reg.MEASURES))
    spec = reg.METRICS[metric]
    if task is not None and task not in spec.tasks:
        fits = [m for m, ms in reg.METRICS.items() if task in ms.tasks]
        raise c.error("NAS402", f"'{metric}' is not a {task.value} metric", term.span,
                      hint=f"the dataset is a {task.value} task",
                      notes=(f"available: {', '.join(fits)}",))
    return f"{split}.{metric}"


def _objective(s: Stmt, c: Checker, task: reg.Task | None) -> ast.Objective:
    body = c.expect_block(s, "objective")
    goals: list[ast.Goal] = []
    for g in body:
        if g.head not in ("maximize", "minimize") or g.kind != "command":
            c.unknown("NAS101", "objective", g.head, g.head_span, ("maximize", "minimize"))
            continue
        if len(g.values) != 1 or g.values[0].single is None or g.values[0].terms[0].kind != "name":
            c.error("NAS201", f"{g.head} takes one metric", g.span, hint=f"{g.head} val.accuracy")
            continue
        term = g.values[0].terms[0]
        metric = c.guarded(lambda term=term: _metric_name(term, c, task, objective=True))
        if isinstance(metric, str):
            _warn_direction(g.head, metric, term, c)
            goals.append(ast.Goal(g.head, metric, g.span))
    if not goals:
        raise c.error("NAS104", "the objective names no metric", s.head_span,
                      hint="objective { maximize val.accuracy }")
    return ast.Objective(tuple(goals), s.span)


def _warn_direction(direction: str, metric: str, term: Term, c: Checker) -> None:
    name = metric.rpartition(".")[2]
    higher = reg.METRICS[name].higher_is_better if name in reg.METRICS else False
    if (direction == "maximize") != higher:
        c.warning("NAS403", f"{direction} {metric}: smaller is better for '{name}'" if higher is
                  False else f"{direction} {metric}: larger is better for '{name}'", term.span)


def _constraints(s: Stmt, c: Checker, task: reg.Task | None) -> tuple[ast.Constraint, ...]:
    body = c.expect_block(s, "constraints")
    out: list[ast.Constraint] = []
    for k in body:
        if k.kind != "compare":
            c.error("NAS103", "a constraint is a comparison", k.span,
                    hint="params <= 60k, latency <= 2 ms, accuracy >= 0.95")
            continue
        got = c.guarded(lambda k=k: _constraint(k, c, task))
        if isinstance(got, ast.Constraint):
            out.append(got)
    return tuple(out)


def _constraint(k: Stmt, c: Checker, task: reg.Task | None) -> ast.Constraint:
    if len(k.values) != 1:
        raise c.error("NAS201", "a constraint has one bound", k.span)
    op = k.op or "<="
    if k.head in reg.MEASURES:
        m = reg.MEASURES[k.head]
        if op not in _CMP_UPPER:
            raise c.error("NAS204", f"'{k.head}' is a limit: use <= or <", k.head_span,
                          hint=f"{k.head} <= …")
        q = c.quantity(k.values[0], m.dimension, k.head)
        if q.value <= 0:
            raise c.error("NAS204", f"a {k.head} limit must be positive", q.span)
        return ast.Constraint(k.head, op, q.value, m.dimension, q.text, False, k.span)
    metric = _metric_name(Term("name", k.head, k.head_span), c, task, objective=False)
    q = c.quantity(k.values[0], Dimension.FRACTION if metric.endswith(
        ("accuracy", "roc_auc", "f1")) else Dimension.NUMBER, k.head)
    return ast.Constraint(metric, op, q.value, q.dimension, q.text, True, k.span)


# ---------------------------------------------------------------- space


def _space(s: Stmt, c: Checker, data: object) -> ast.LayerSpace:
    if s.kind != "command" or s.body is None or len(s.values) != 1 \
            or s.values[0].single is None:
        raise c.error("NAS103", "write the space as: space layers { … }", s.span,
                      notes=(f"space kinds: {', '.join(reg.SPACE_KINDS)}",))
    kind = s.values[0].terms[0]
    if kind.text not in reg.SPACE_KINDS:
        raise c.unknown("NAS307", "space kind", kind.text, kind.span, reg.SPACE_KINDS)
    items = _layer_items(s.body, c)
    if not items and not any(d.is_error for d in c.diagnostics):
        raise c.error("NAS104", "the space has no layers", s.head_span,
                      hint="space layers { dense(units = choice(32, 64)) }")
    space = ast.LayerSpace(tuple(items), s.span)
    if isinstance(data, ast.DataSpec):
        _check_image_ops(space.items, c, data)
    return space


def _layer_items(stmts: list[Stmt], c: Checker) -> list[ast.LayerItem]:
    items: list[ast.LayerItem] = []
    for st in stmts:
        got = c.guarded(lambda st=st: _layer_item(st, c))
        if got is not None:
            items.append(got)  # type: ignore[arg-type]
    return items


def _layer_item(st: Stmt, c: Checker) -> ast.LayerItem:
    if st.kind != "command":
        raise c.error("NAS103", "a space holds layers, not settings", st.span,
                      hint="dense(units = 32), optional batch_norm, repeat range(1, 3) { … }")
    if st.head == "repeat" and st.call is None:
        if st.body is None or len(st.values) != 1:
            raise c.error("NAS103", "write: repeat COUNT { layers }", st.span,
                          hint="repeat range(1, 3) { dense(units = 32) }")
        count = c.param_value(st.values[0], "the repeat count", "int")
        if isinstance(count, ast.Uniform | ast.LogUniform):
            raise c.error("NAS201", "a repeat count is a whole number", count.span)
        if isinstance(count, ast.Literal) and (not isinstance(count.value, int) or count.value < 1):
            raise c.error("NAS204", "a repeat count is at least 1", count.span)
        if isinstance(count, ast.IntRange) and count.low < 0:
            raise c.error("NAS204", "a repeat count cannot be negative", count.span)
        body = _layer_items(st.body, c)
        return ast.Repeat(count, tuple(body), st.span)  # type: ignore[arg-type]
    if st.head == "optional" and st.call is None:
        if len(st.values) != 1 or st.values[0].single is None or st.body is not None:
            raise c.error("NAS103", "write: optional OP", st.span, hint="optional batch_norm")
        term = st.values[0].terms[0]
        layer = _layer_op(term, c, st.span)
        return ast.OptionalLayer(layer, st.span)
    if st.values or st.body is not None:
        raise c.error("NAS103", f"unexpected text after '{st.head}'",
                      (st.values[0].span if st.values else st.body_span) or st.span,
                      hint="one layer per line, e.g. dense(units = 32)")
    term = st.call or Term("name", st.head, st.head_span)
    return _layer_op(term, c, st.span)


def _layer_op(term: Term, c: Checker, span: Span) -> ast.LayerOp:
    if term.kind not in ("name", "call"):
        raise c.error("NAS201", "expected a layer op", term.span)
    name_span = term.name_span or term.span
    if term.text not in reg.OPS:
        raise c.unknown("NAS303", "op", term.text, name_span, reg.OPS)
    op = reg.OPS[term.text]
    params: list[ast.Param] = []
    seen: set[str] = set()
    for key, phrase in term.args:
        if key is None:
            raise c.error("NAS201", f"{op.name}(…) takes named parameters", phrase.span,
                          hint=f"{op.name}({op.params[0].name} = …)" if op.params else None)
        spec = op.param(key)
        if spec is None:
            names = [p.name for p in op.params]
            if names:
                raise c.unknown("NAS106", f"parameter of {op.name}", key, phrase.span, names)
            raise c.error("NAS106", f"{op.name} takes no parameters", phrase.span)
        if key in seen:
            raise c.error("NAS102", f"'{key}' is given twice", phrase.span)
        seen.add(key)
        value = c.param_value(phrase, f"{op.name}.{key}", spec.kind)
        _check_param_range(op.name, key, value, c)
        params.append(ast.Param(key, value, phrase.span))
    for p in op.params:
        if p.required and p.name not in seen:
            raise c.error("NAS105", f"{op.name} needs '{p.name}'", name_span,
                          hint=f"{op.name}({p.name} = …)")
    return ast.LayerOp(op.name, tuple(params), span)


def _check_param_range(op: str, key: str, value: ast.ParamValue, c: Checker) -> None:
    values: list[float] = []
    if isinstance(value, ast.Literal) and isinstance(value.value, int | float):
        values = [float(value.value)]
    elif isinstance(value, ast.Choice):
        values = [float(o.value) for o in value.options if isinstance(o.value, int | float)]
    elif isinstance(value, ast.IntRange | ast.Uniform | ast.LogUniform):
        values = [float(value.low), float(value.high)]
    if key == "rate" and any(not 0 <= v < 1 for v in values):
        raise c.error("NAS204", f"{op}.rate must be in [0, 1)", value.span)
    if key in ("units", "channels", "kernel", "stride", "size") and any(v < 1 for v in values):
        raise c.error("NAS204", f"{op}.{key} must be at least 1", value.span)


def _walk_ops(items: tuple[ast.LayerItem, ...]):
    for it in items:
        if isinstance(it, ast.LayerOp):
            yield it
        elif isinstance(it, ast.OptionalLayer):
            yield it.layer
        else:
            yield from _walk_ops(it.body)


def _check_image_ops(items: tuple[ast.LayerItem, ...], c: Checker, data: ast.DataSpec) -> None:
    ds = reg.DATASETS[data.source]
    if ds.image_shape is not None:
        return
    for op in _walk_ops(items):
        if reg.OPS[op.op].needs_image:
            c.error("NAS404", f"'{op.op}' needs image input, but {ds.name} is tabular "
                    f"({ds.features} features)", op.span,
                    hint="use dense layers for tabular data, or an image dataset such as "
                    "sklearn.digits")


# ---------------------------------------------------------------- training, budget, strategy


def _train(s: Stmt, c: Checker) -> ast.TrainSpec:
    body = c.expect_block(s, "train")
    keys = c.keyed(body, "train", reg.BLOCKS["train"].key_names())
    epochs: object = ast.Literal(DEFAULT_EPOCHS, s.head_span)
    batch: object = ast.Literal(DEFAULT_BATCH, s.head_span)
    optimizer: object = ast.Optimizer("adam", (), s.head_span)
    if "epochs" in keys:
        epochs = c.guarded(lambda: _positive_int(keys["epochs"], c, "epochs"))
    if "batch_size" in keys:
        batch = c.guarded(lambda: _positive_int(keys["batch_size"], c, "batch_size"))
    if "optimizer" in keys:
        optimizer = c.guarded(lambda: _optimizer(keys["optimizer"], c))
    if not (isinstance(optimizer, ast.Optimizer) and epochs is not None and batch is not None):
        raise Invalid()
    return ast.TrainSpec(epochs, batch, optimizer, s.span)  # type: ignore[arg-type]


def _positive_int(s: Stmt, c: Checker, what: str) -> ast.ParamValue:
    value = c.param_value(c.one_value(s, "train"), what, "int")
    if isinstance(value, ast.Uniform | ast.LogUniform):
        raise c.error("NAS201", f"{what} is a whole number", value.span)
    lows = [value.value] if isinstance(value, ast.Literal) else (
        [o.value for o in value.options] if isinstance(value, ast.Choice) else [value.low])
    if any(not isinstance(v, int) or v < 1 for v in lows):
        raise c.error("NAS204", f"{what} must be at least 1", value.span)
    return value


def _optimizer(s: Stmt, c: Checker) -> ast.Optimizer:
    phrase = c.one_value(s, "train")
    term = phrase.single
    if term is None or term.kind not in ("call", "name"):
        raise c.error("NAS201", "optimizer is a name with parameters", phrase.span,
                      hint="optimizer = adam(lr = 1e-3)")
    name_span = term.name_span or term.span
    if term.text not in reg.OPTIMIZERS:
        raise c.unknown("NAS304", "optimizer", term.text, name_span, reg.OPTIMIZERS)
    spec = reg.OPTIMIZERS[term.text]
    params: list[ast.Param] = []
    for key, p in term.args:
        names = [x.name for x in spec.params]
        if key is None or key not in names:
            raise c.unknown("NAS106", f"parameter of {spec.name}", key or "(positional)", p.span,
                            names)
        value = c.param_value(p, f"{spec.name}.{key}", "float")
        if isinstance(value, ast.Literal) and float(value.value) < 0:
            raise c.error("NAS204", f"{spec.name}.{key} cannot be negative", value.span)
        params.append(ast.Param(key, value, p.span))
    return ast.Optimizer(spec.name, tuple(params), phrase.span)


def _budget(s: Stmt, c: Checker) -> ast.Budget:
    body = c.expect_block(s, "budget")
    keys = c.keyed(body, "budget", reg.BLOCKS["budget"].key_names())
    trials = time_s = None
    if "trials" in keys:
        trials = c.guarded(lambda: c.int_value(c.one_value(keys["trials"], "budget"), "trials"))
    if "time" in keys:
        q = c.guarded(lambda: c.quantity(c.one_value(keys["time"], "budget"), Dimension.DURATION,
                                         "time"))
        time_s = q.value if isinstance(q, ast.Quantity) else None
    if trials is None and time_s is None and not any(d.is_error for d in c.diagnostics):
        raise c.error("NAS104", "the budget sets no limit", s.head_span,
                      hint="budget { trials = 20; time = 10 min }")
    return ast.Budget(trials if isinstance(trials, int) else None, time_s, s.span)


def _strategy(s: Stmt, c: Checker) -> ast.Strategy:
    if s.kind != "command" or len(s.values) != 1 or s.values[0].single is None:
        raise c.error("NAS103", "write: strategy NAME { parameters }", s.span,
                      notes=(f"strategies: {', '.join(reg.STRATEGIES)}",))
    term = s.values[0].terms[0]
    if term.text not in reg.STRATEGIES:
        raise c.unknown("NAS305", "strategy", term.text, term.span, reg.STRATEGIES)
    info = reg.STRATEGIES[term.text]
    params: list[ast.Param] = []
    keys = c.keyed(s.body or [], f"strategy {info.name}", [p.name for p in info.params])
    for key, st in keys.items():
        spec = info.params[[p.name for p in info.params].index(key)]
        value = c.param_value(c.one_value(st, "strategy"), key, spec.kind)
        params.append(ast.Param(key, value, st.span))
    return ast.Strategy(info.name, tuple(params), s.span)
