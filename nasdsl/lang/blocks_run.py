"""The training and run blocks: train, budget, strategy, pilot, baseline, final, export,
execution."""

from __future__ import annotations

from nasdsl.lang import ast
from nasdsl.lang import registry as reg
from nasdsl.lang.diagnostics import Span
from nasdsl.lang.semantics import DEFAULT_BATCH, DEFAULT_EPOCHS, Checker, Invalid
from nasdsl.lang.syntax import Phrase, Stmt
from nasdsl.lang.units import Dimension

_STORAGE_SCHEMES = ("sqlite:///", "postgresql://", "postgresql+", "mysql://", "mysql+",
                    "oracle://", "mssql+", "journal:")


def default_train(span: Span) -> ast.TrainSpec:
    """The training protocol of a spec without a train block."""
    return ast.TrainSpec(ast.Literal(DEFAULT_EPOCHS, span), ast.Literal(DEFAULT_BATCH, span),
                         ast.Optimizer("adam", (), span), span)


# ---------------------------------------------------------------- train


def train(s: Stmt, c: Checker) -> ast.TrainSpec:
    """train { epochs; batch_size; optimizer; schedule; augment { … }; precision }."""
    body = c.expect_block(s, "train")
    keys = c.keyed(body, "train", reg.BLOCKS["train"].key_names())
    got: dict[str, object] = {}
    for key, st in keys.items():
        with c.within(st.span):
            if key in ("epochs", "batch_size"):
                got[key] = c.guarded(lambda st=st, k=key: _positive_int(st, c, k))
            elif key == "optimizer":
                got[key] = c.guarded(lambda st=st: _optimizer(st, c))
            elif key == "schedule":
                got[key] = c.guarded(lambda st=st: named_call(
                    c.one_value(st, "train"), c, "schedule", reg.SCHEDULES, "NAS308"))
            elif key == "augment":
                got[key] = c.guarded(lambda st=st: _augment(st, c))
            elif key == "precision":
                got[key] = c.guarded(lambda st=st: c.name_value(
                    c.one_value(st, "train"), "precision", reg.PRECISIONS))
            elif key == "prune":
                got[key] = c.guarded(lambda st=st: _prune(st, c))
    epochs = got.get("epochs", ast.Literal(DEFAULT_EPOCHS, s.head_span))
    batch = got.get("batch_size", ast.Literal(DEFAULT_BATCH, s.head_span))
    optimizer = got.get("optimizer", ast.Optimizer("adam", (), s.head_span))
    if any(k in keys and got.get(k) is None for k in keys):
        raise Invalid()
    schedule = got.get("schedule")
    if isinstance(schedule, ast.Call) and schedule.name == "constant":
        schedule = None
    precision = got.get("precision")
    return ast.TrainSpec(epochs, batch, optimizer, s.span,  # type: ignore[arg-type]
                         schedule, got.get("augment"),  # type: ignore[arg-type]
                         str(precision.value) if isinstance(precision, ast.Literal) else "fp32",
                         got.get("prune"))  # type: ignore[arg-type]


def _prune(s: Stmt, c: Checker) -> ast.Prune:
    """prune { sparsity = 50%; fine_tune = 1 }."""
    body = c.expect_block(s, "prune")
    keys = c.keyed(body, "prune", reg.BLOCKS["prune"].key_names())
    if "sparsity" not in keys:
        raise c.error("NAS104", "prune needs its sparsity", s.head_span,
                      hint="prune { sparsity = 50% }")
    q = c.quantity(c.one_value(keys["sparsity"], "prune"), Dimension.FRACTION, "sparsity")
    if not 0 < q.value < 1:
        raise c.error("NAS204", "sparsity must be between 0% and 100% (exclusive)", q.span)
    fine_tune = 1
    if "fine_tune" in keys:
        fine_tune = c.int_value(c.one_value(keys["fine_tune"], "prune"), "fine_tune", 0)
    return ast.Prune(q.value, fine_tune, s.span)


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
    _, params = c.call_params(term, spec.params, spec.name)
    return ast.Optimizer(spec.name, params, phrase.span)


def named_call(phrase: Phrase, c: Checker, what: str, table: dict[str, reg.CallSpec],
               code: str) -> ast.Call:
    """A name or call from a table of CallSpecs: cosine(warmup = 2), hyperband, none."""
    term = phrase.single
    if term is None or term.kind not in ("call", "name"):
        raise c.error("NAS201", f"{what} is a name, with parameters in ( )", phrase.span,
                      notes=(f"available: {', '.join(table)}",))
    name_span = term.name_span or term.span
    if term.text not in table:
        raise c.unknown(code, what, term.text, name_span, table)
    spec = table[term.text]
    _, params = c.call_params(term, spec.params, spec.name)
    for p in params:
        if isinstance(p.value, ast.Literal) and p.name in ("eta",) and int(p.value.value) < 2:
            raise c.error("NAS204", f"{spec.name}.eta must be at least 2", p.span)
        if isinstance(p.value, ast.Literal) and p.name in ("gamma",) \
                and not 0 < float(p.value.value) <= 1:
            raise c.error("NAS204", f"{spec.name}.gamma must be in (0, 1]", p.span)
    return ast.Call(spec.name, params, phrase.span)


def _augment(s: Stmt, c: Checker) -> ast.Augment:
    body = c.expect_block(s, "augment")
    keys = c.keyed(body, "augment", reg.BLOCKS["augment"].key_names())
    params: list[ast.Param] = []
    for key, st in keys.items():
        spec = reg.AUGMENTATIONS[key]
        value = c.guarded(lambda st=st, spec=spec: c.param_value(
            c.one_value(st, "augment"), spec.name, spec.kind))
        if isinstance(value, ast.Literal | ast.Choice | ast.IntRange | ast.Uniform
                      | ast.LogUniform):
            params.append(ast.Param(key, value, st.span))
    return ast.Augment(tuple(params), s.span)


# ---------------------------------------------------------------- budget


def _duration(s: Stmt, c: Checker, hours_default: bool) -> float:
    phrase = c.one_value(s, "budget")
    term = phrase.single
    if hours_default and term is not None and term.kind == "number" \
            and term.text.replace(".", "", 1).isdigit():
        value = float(term.text) * 3600
    else:
        value = c.quantity(phrase, Dimension.DURATION, s.head).value
    if value <= 0:
        raise c.error("NAS204", f"{s.head} must be positive", phrase.span)
    return value


def budget(s: Stmt, c: Checker) -> ast.Budget:
    """budget { trials; time; device_hours; trial_hours; trial_time; money; rate }."""
    body = c.expect_block(s, "budget")
    keys = c.keyed(body, "budget", reg.BLOCKS["budget"].key_names())
    got: dict[str, float | int | None] = {}
    for key, st in keys.items():
        with c.within(st.span):
            if key == "trials":
                got[key] = c.guarded(lambda st=st: c.int_value(c.one_value(st, "budget"),
                                                               "trials"))  # type: ignore
            elif key in ("time", "trial_time"):
                got[key] = c.guarded(lambda st=st: _duration(st, c, False))  # type: ignore
            elif key in ("device_hours", "trial_hours"):
                got[key] = c.guarded(lambda st=st: _duration(st, c, True))  # type: ignore
            elif key in ("money", "rate", "cost"):
                dim = Dimension.MONEY if key == "money" else Dimension.MONEY_RATE
                q = c.guarded(lambda st=st, dim=dim, key=key: c.quantity(
                    c.one_value(st, "budget"), dim, key))
                got[key] = q.value if isinstance(q, ast.Quantity) else None
    if "cost" in keys:  # a synonym of rate
        if "rate" in keys:
            c.error("NAS102", "cost is another name of rate: give one of them",
                    keys["cost"].head_span, hint=f"rate is at line {keys['rate'].span.line}")
        else:
            keys["rate"], got["rate"] = keys["cost"], got.get("cost")
    if "money" in keys and "rate" not in keys and got.get("money") is not None:
        c.error("NAS405", "a money limit needs a price", keys["money"].span,
                hint="add: rate = $2.48/h (the price of one device hour)")
    if "rate" in keys and "money" not in keys and got.get("rate") is not None:
        c.warning("NAS401", "a rate without a money limit has no effect", keys["rate"].span,
                  hint="add: money = $20")
    limits = ("trials", "time", "device_hours", "trial_hours", "money")
    if not any(got.get(k) is not None for k in limits) \
            and not any(d.is_error for d in c.diagnostics):
        raise c.error("NAS104", "the budget sets no limit", s.head_span,
                      hint="budget { trials = 20; time = 10 min }")

    def num(key: str) -> float | None:
        v = got.get(key)
        return float(v) if v is not None else None

    trials = got.get("trials")
    return ast.Budget(trials if isinstance(trials, int) else None, num("time"), s.span,
                      num("device_hours"), num("trial_hours"), num("trial_time"), num("money"),
                      num("rate"))


# ---------------------------------------------------------------- strategy


def strategy(s: Stmt, c: Checker) -> ast.Strategy:
    """strategy NAME { parameters; early_stop = … }."""
    if s.kind != "command" or len(s.values) != 1 or s.values[0].single is None:
        raise c.error("NAS103", "write: strategy NAME { parameters }", s.span,
                      notes=(f"strategies: {', '.join(reg.STRATEGIES)}",))
    term = s.values[0].terms[0]
    if term.text not in reg.STRATEGIES:
        raise c.unknown("NAS305", "strategy", term.text, term.span, reg.STRATEGIES)
    info = reg.STRATEGIES[term.text]
    specs = {p.name: p for p in info.params}
    common = [p.name for p in reg.STRATEGY_COMMON]
    keys = c.keyed(s.body or [], f"strategy {info.name}", list(specs) + common)
    params: list[ast.Param] = []
    early: ast.Call | None = None
    for key, st in keys.items():
        with c.within(st.span):
            if key == "early_stop":
                got = c.guarded(lambda st=st: named_call(c.one_value(st, "strategy"), c,
                                                         "early_stop", reg.EARLY_STOPPING,
                                                         "NAS308"))
                if isinstance(got, ast.Call) and got.name != "none":
                    early = got
                continue
            spec = specs[key]
            value = c.guarded(lambda st=st, spec=spec: c.param_value(
                c.one_value(st, "strategy"), spec.name, spec.kind, spec.searchable,
                spec.choices))
            if value is not None:
                _strategy_range(info.name, spec.name, value, c)  # type: ignore[arg-type]
                params.append(ast.Param(key, value, st.span))  # type: ignore[arg-type]
    return ast.Strategy(info.name, tuple(params), s.span, early)


def _strategy_range(name: str, key: str, value: ast.ParamValue, c: Checker) -> None:
    if not isinstance(value, ast.Literal) or isinstance(value.value, bool):
        return
    v = value.value
    if key in ("population", "sample", "resolution", "neighbors", "restart", "initial") \
            and isinstance(v, int) and v < 1:
        raise c.error("NAS204", f"{name}.{key} must be at least 1", value.span)
    if key in ("crossover", "mutation", "mutation_rate", "baseline_decay") \
            and isinstance(v, int | float) and not 0 <= v <= 1:
        raise c.error("NAS204", f"{name}.{key} is a probability in [0, 1]", value.span)


# ---------------------------------------------------------------- pilot, baseline, final


def _int_keys(s: Stmt, c: Checker, block: str, minimum: dict[str, int]) -> dict[str, int]:
    body = c.expect_block(s, block)
    keys = c.keyed(body, block, reg.BLOCKS[block].key_names())
    out: dict[str, int] = {}
    for key, st in keys.items():
        if key in minimum:
            with c.within(st.span):
                v = c.guarded(lambda st=st, key=key: c.int_value(c.one_value(st, block), key,
                                                                 minimum[key]))
            if isinstance(v, int):
                out[key] = v
    return out


def pilot(s: Stmt, c: Checker) -> ast.Pilot:
    """pilot { trials = 3; epochs = 1; subset = 20% }."""
    got = _int_keys(s, c, "pilot", {"trials": 1, "epochs": 1})
    subset = 1.0
    for st in s.body or []:
        if st.head == "subset":
            q = c.guarded(lambda st=st: c.quantity(c.one_value(st, "pilot"), Dimension.FRACTION,
                                                   "subset"))
            if isinstance(q, ast.Quantity):
                if not 0 < q.value <= 1:
                    c.error("NAS204", "subset must be in (0%, 100%]", q.span)
                subset = q.value
    return ast.Pilot(got.get("trials", 3), got.get("epochs", 1), subset, s.span)


def final(s: Stmt, c: Checker) -> ast.Final:
    """final { top = 3; seeds = 3; epochs = 20; scale { … }; ensemble = top 3 }."""
    got = _int_keys(s, c, "final", {"top": 1, "seeds": 1, "epochs": 1})
    top = got.get("top", 1)
    scale = ensemble = None
    done: set[str] = set()
    for st in s.body or []:
        if st.head in done:
            continue  # reported as given twice
        done.add(st.head)
        with c.within(st.span):
            if st.head == "scale":
                scale = c.guarded(lambda st=st: _scale(st, c))
            elif st.head == "ensemble":
                ensemble = c.guarded(lambda st=st: _ensemble(st, c, top))
    return ast.Final(top, got.get("seeds", 3), got.get("epochs"), s.span,
                     scale if isinstance(scale, ast.Scale) else None,
                     ensemble if isinstance(ensemble, int) else None)


def _scale(s: Stmt, c: Checker) -> ast.Scale:
    body = c.expect_block(s, "scale")
    keys = c.keyed(body, "scale", reg.BLOCKS["scale"].key_names())
    factors = {"cells": 1.0, "channels": 1.0}
    for key, st in keys.items():
        got = c.guarded(lambda st=st, key=key: _multiplier(c.one_value(st, "scale"), c, key))
        if isinstance(got, float):
            factors[key] = got
    return ast.Scale(factors["cells"], factors["channels"], s.span)


def _multiplier(phrase: Phrase, c: Checker, what: str) -> float:
    """2x, 1.5x, 2 x or a plain 2."""
    terms = phrase.terms
    ok = terms[0].kind == "number" and (
        len(terms) == 1 or (len(terms) == 2 and terms[1].kind == "name" and terms[1].text == "x"))
    if ok:
        value, unit = c.number(terms[0])
        ok = unit in (None, "x") and not (len(terms) == 2 and unit is not None)
    if not ok:
        raise c.error("NAS201", f"{what} is a multiplier such as 2x", phrase.span,
                      hint=f"{what} = 2x")
    if value <= 0:
        raise c.error("NAS204", f"{what} must be a positive multiplier", phrase.span)
    return float(value)


def _ensemble(s: Stmt, c: Checker, top: int) -> int | None:
    """ensemble = top 3, ensemble = 3, or ensemble = none / false."""
    phrase = c.one_value(s, "final")
    terms = phrase.terms
    if len(terms) == 1 and terms[0].kind == "name" and terms[0].text in ("none", "false"):
        return None
    if len(terms) == 2 and terms[0].kind == "name" and terms[0].text == "top":
        phrase = Phrase(terms[1:], terms[1].span)
    k = c.int_value(phrase, "ensemble", 2)
    if k > top:
        raise c.error("NAS204", f"the ensemble averages the top {k}, but final retrains only "
                      f"the top {top}", phrase.span, hint=f"set top = {k} in final")
    return k


def baseline(s: Stmt, c: Checker) -> ast.Baseline:
    """baseline "name" { layers { … } } or { model = keras.NASNetMobile(…) }."""
    from nasdsl.lang.blocks_space import layer_items

    if s.kind != "command" or len(s.values) != 1 or s.values[0].single is None \
            or s.values[0].terms[0].kind != "string" or s.body is None:
        raise c.error("NAS105", 'write: baseline "name" { layers { … } }', s.span,
                      hint='baseline "nasnet" { model = keras.NASNetMobile(weights = none) }')
    name = s.values[0].terms[0].text
    keys = c.keyed(s.body, "baseline", reg.BLOCKS["baseline"].key_names())
    if ("layers" in keys) == ("model" in keys):
        raise c.error("NAS104", f"baseline '{name}' needs either layers {{ … }} or model = …",
                      s.head_span, hint="layers { conv(channels = 16); global_avg_pool; dense }")
    layers = model = train_ = None
    if "layers" in keys:
        body = c.expect_block(keys["layers"], "layers")
        layers = tuple(layer_items(body, c, fixed=True))
        if not layers and not any(d.is_error for d in c.diagnostics):
            raise c.error("NAS104", f"baseline '{name}' has no layers", keys["layers"].span)
    if "model" in keys:
        model = named_call(c.one_value(keys["model"], "baseline"), c, "model",
                           reg.BASELINE_MODELS, "NAS310")
    if "train" in keys:
        train_ = train(keys["train"], c)
    return ast.Baseline(name, layers, model, s.span, train_)


# ---------------------------------------------------------------- export, execution


def export(s: Stmt, c: Checker) -> ast.Export:
    """export { formats = [onnx, source]; dir = "out/" }."""
    body = c.expect_block(s, "export")
    keys = c.keyed(body, "export", reg.BLOCKS["export"].key_names())
    formats: list[str] = []
    if "formats" in keys:
        values = c.expect_assign(keys["formats"], "export")
        if len(values) == 1 and values[0].single is not None \
                and values[0].terms[0].kind == "list":
            values = values[0].terms[0].items
        for p in values:
            lit = c.guarded(lambda p=p: c.name_value(p, "export format", reg.EXPORT_FORMATS))
            if isinstance(lit, ast.Literal):
                if lit.value in formats:
                    c.error("NAS102", f"'{lit.value}' is listed twice", lit.span)
                formats.append(str(lit.value))
    else:
        formats = ["onnx"]
    folder = None
    if "dir" in keys:
        folder = c.guarded(lambda: c.string_value(c.one_value(keys["dir"], "export"), "dir"))
    return ast.Export(tuple(formats), folder if isinstance(folder, str) else None, s.span)


def execution(s: Stmt, c: Checker) -> ast.Execution:
    """execution { workers; launcher; dispatch; storage; device; retries; trial_timeout;
    trial_memory }."""
    body = c.expect_block(s, "execution")
    keys = c.keyed(body, "execution", reg.BLOCKS["execution"].key_names())
    workers, launcher, storage, device = 1, "basic", None, "auto"
    if "workers" in keys:
        w = c.guarded(lambda: c.int_value(c.one_value(keys["workers"], "execution"),
                                          "workers"))
        workers = w if isinstance(w, int) else 1
    if "launcher" in keys:
        lit = c.guarded(lambda: c.name_value(c.one_value(keys["launcher"], "execution"),
                                             "launcher", reg.LAUNCHERS))
        if isinstance(lit, ast.Literal):
            launcher = reg.LAUNCHER_ALIASES.get(str(lit.value), str(lit.value))
    dispatch = "batches"
    if "dispatch" in keys:
        lit = c.guarded(lambda: c.name_value(c.one_value(keys["dispatch"], "execution"),
                                             "dispatch", reg.DISPATCH))
        dispatch = str(lit.value) if isinstance(lit, ast.Literal) else dispatch
    if "storage" in keys:
        got = c.guarded(lambda: _storage(c.one_value(keys["storage"], "execution"), c))
        storage = got if isinstance(got, str) else None
    if "device" in keys:
        lit = c.guarded(lambda: c.name_value(c.one_value(keys["device"], "execution"),
                                             "device", reg.DEVICES))
        device = str(lit.value) if isinstance(lit, ast.Literal) else device
    retries = 0
    if "retries" in keys:
        r = c.guarded(lambda: c.int_value(c.one_value(keys["retries"], "execution"),
                                          "retries", 0))
        retries = r if isinstance(r, int) else 0
    limits: dict[str, float | None] = {"trial_timeout": None, "trial_memory": None}
    for key, dim in (("trial_timeout", Dimension.DURATION), ("trial_memory", Dimension.SIZE)):
        if key in keys:
            q = c.guarded(lambda key=key, dim=dim: c.quantity(
                c.one_value(keys[key], "execution"), dim, key))
            if isinstance(q, ast.Quantity):
                if q.value <= 0:
                    c.error("NAS204", f"{key} must be positive", q.span)
                limits[key] = float(q.value)
    return ast.Execution(workers, launcher, storage, device, s.span, retries,
                         limits["trial_timeout"], limits["trial_memory"], dispatch)


def _storage(phrase: Phrase, c: Checker) -> str:
    url = c.string_value(phrase, "storage")
    if not url.startswith(_STORAGE_SCHEMES):
        raise c.error("NAS204", f"'{url}' is not a database URL", phrase.span,
                      hint='storage = "sqlite:///runs/study.db" (any SQLAlchemy URL) or '
                      '"journal:runs/study.log"')
    if url == "journal:":
        raise c.error("NAS204", "a journal storage names its file", phrase.span,
                      hint='storage = "journal:runs/study.log"')
    return url
