"""The space blocks: `space layers { … }`, `space cells { … }` and `space nb201 { … }`."""

from __future__ import annotations

from collections.abc import Iterator

from nasdsl.lang import ast
from nasdsl.lang import registry as reg
from nasdsl.lang.diagnostics import Span, unknown_name_hint
from nasdsl.lang.semantics import Checker, Invalid
from nasdsl.lang.syntax import Phrase, Stmt, Term

DEFAULT_CELL_LAYOUT = (("normal", 2), ("reduction", 1), ("normal", 2))
DEFAULT_NB201_LAYOUT = (("cell", 5), ("reduce", 1), ("cell", 5), ("reduce", 1), ("cell", 5))


def space(s: Stmt, c: Checker, data: object) -> ast.Space:
    """The space block of an experiment, of any kind."""
    if s.kind != "command" or s.body is None or len(s.values) != 1 \
            or s.values[0].single is None:
        raise c.error("NAS103", "write the space as: space KIND { … }", s.span,
                      notes=(f"space kinds: {', '.join(reg.SPACE_KINDS)}",))
    kind = s.values[0].terms[0]
    if kind.text not in reg.SPACE_KINDS:
        raise c.unknown("NAS307", "space kind", kind.text, kind.span, reg.SPACE_KINDS)
    result: ast.Space
    if kind.text == "cells":
        result = _cells(s, c)
    elif kind.text == "nb201":
        result = _nb201(s, c)
    else:
        items = layer_items(s.body, c)
        if not items and not any(d.is_error for d in c.diagnostics):
            raise c.error("NAS104", "the space has no layers", s.head_span,
                          hint="space layers { dense(units = choice(32, 64)) }")
        result = ast.LayerSpace(tuple(items), s.span)
    if isinstance(data, ast.DataSpec):
        _check_image_input(result, c, data)
    return result


# ---------------------------------------------------------------- layer chains


def layer_items(stmts: list[Stmt], c: Checker, *, fixed: bool = False) -> list[ast.LayerItem]:
    """The layers of a chain body; `fixed` forbids every decision (for baselines)."""
    items: list[ast.LayerItem] = []
    for index, st in enumerate(stmts):
        output_ok = fixed and index == len(stmts) - 1
        if output_ok and st.kind == "command" and st.head == "dense" and st.call is None \
                and not st.values and st.body is None:
            continue  # a trailing bare `dense` names the output layer, which is always added
        with c.within(st.span):
            try:
                items.append(_layer_item(st, c, fixed))
            except Invalid:
                pass  # the diagnostic is recorded
    return items


def _layer_item(st: Stmt, c: Checker, fixed: bool) -> ast.LayerItem:
    if st.kind != "command":
        raise c.error("NAS103", "a space holds layers, not settings", st.span,
                      hint="dense(units = 32), optional batch_norm, repeat range(1, 3) { … }")
    if st.head == "repeat" and st.call is None:
        if st.body is None or len(st.values) != 1:
            raise c.error("NAS103", "write: repeat COUNT { layers }", st.span,
                          hint="repeat range(1, 3) { dense(units = 32) }")
        count = _count(st.values[0], c, "the repeat count", fixed)
        body = layer_items(st.body, c, fixed=False) if not fixed else \
            [i for i in (c.guarded(lambda s=s: _layer_item(s, c, True)) for s in st.body) if i]
        return ast.Repeat(count, tuple(body), st.span)  # type: ignore[arg-type]
    if st.head == "optional" and st.call is None:
        if fixed:
            raise c.error("NAS206", "a baseline is fixed: it has no optional layers", st.span,
                          hint="write the layer, or leave it out")
        if len(st.values) != 1 or st.values[0].single is None or st.body is not None:
            raise c.error("NAS103", "write: optional OP", st.span, hint="optional batch_norm")
        layer = layer_op(st.values[0].terms[0], c, st.span)
        return ast.OptionalLayer(layer, st.span)
    if st.values or st.body is not None:
        raise c.error("NAS103", f"unexpected text after '{st.head}'",
                      (st.values[0].span if st.values else st.body_span) or st.span,
                      hint="one layer per line, e.g. dense(units = 32)")
    term = st.call or Term("name", st.head, st.head_span)
    if term.kind == "call" and term.text == "choice":
        if fixed:
            raise c.error("NAS206", "a baseline is fixed: it has no choice(…)", term.span)
        return _layer_choice(term, c, st.span)
    return layer_op(term, c, st.span, fixed=fixed)


def _count(phrase: Phrase, c: Checker, what: str,
           fixed: bool = False) -> ast.Literal | ast.IntRange | ast.Choice:
    count = c.param_value(phrase, what, "int", searchable=not fixed)
    if isinstance(count, ast.Uniform | ast.LogUniform):
        raise c.error("NAS201", f"{what} is a whole number", count.span)
    if isinstance(count, ast.Literal) and (not isinstance(count.value, int) or count.value < 1):
        raise c.error("NAS204", f"{what} is at least 1", count.span)
    if isinstance(count, ast.IntRange) and count.low < 0:
        raise c.error("NAS204", f"{what} cannot be negative", count.span)
    if isinstance(count, ast.Choice) and any(int(o.value) < 0 for o in count.options):
        raise c.error("NAS204", f"{what} cannot be negative", count.span)
    return count


def _layer_choice(term: Term, c: Checker, span: Span) -> ast.LayerChoice:
    options: list[tuple[ast.LayerItem, ...]] = []
    for key, phrase in term.args:
        if key is not None:
            raise c.error("NAS201", "choice(…) of layers takes ops, not named values",
                          phrase.span, hint="choice(conv(channels = 16), dense(units = 32))")
        options.append(_chain_option(phrase, c))
    if len(options) < 2:
        raise c.error("NAS204", "a choice of layers needs at least two options", term.span,
                      hint="choice(conv(channels = 16), dense(units = 32))")
    return ast.LayerChoice(tuple(options), span)


def _chain_option(phrase: Phrase, c: Checker) -> tuple[ast.LayerItem, ...]:
    """One option of a layer choice: an op, `optional OP`, or a list of those ([] = nothing)."""
    term = phrase.single
    if term is not None and term.kind == "list":
        return tuple(x for p in term.items for x in _chain_option(p, c))
    if len(phrase.terms) == 2 and phrase.terms[0].kind == "name" \
            and phrase.terms[0].text == "optional":
        return (ast.OptionalLayer(layer_op(phrase.terms[1], c, phrase.span), phrase.span),)
    if term is None:
        raise c.error("NAS201", "expected an op", phrase.span)
    if term.kind == "call" and term.text == "choice":
        return (_layer_choice(term, c, phrase.span),)
    return (layer_op(term, c, phrase.span),)


def layer_op(term: Term, c: Checker, span: Span, *, fixed: bool = False) -> ast.LayerOp:
    """One op with checked parameters: dense(units = choice(16, 32))."""
    if term.kind not in ("name", "call"):
        raise c.error("NAS201", "expected a layer op", term.span)
    name_span = term.name_span or term.span
    if term.text not in reg.OPS:
        if c.custom_ops:
            return _custom_op(term, c, span)
        hint, notes = unknown_name_hint(term.text, reg.OPS)
        raise c.error("NAS303", f"unknown op '{term.text}'", name_span,
                      hint=hint or 'custom ops come from a module: use "mypkg.ops"', notes=notes)
    op = reg.OPS[term.text]
    _, params = c.call_params(term, _param_specs(op, fixed), op.name)
    for p in params:
        _check_param_range(op.name, p.name, p.value, c)
    return ast.LayerOp(op.name, params, span)


def _param_specs(op: reg.OpSpec, fixed: bool) -> tuple[reg.ParamSpec, ...]:
    """An op's parameter specs; in a baseline (`fixed`) none of them is searchable."""
    if not fixed:
        return tuple(op.params)
    return tuple(reg.ParamSpec(p.name, p.kind, p.doc, p.default, p.required, False, p.choices)
                 for p in op.params)


def _custom_op(term: Term, c: Checker, span: Span) -> ast.LayerOp:
    params: list[ast.Param] = []
    for key, phrase in term.args:
        if key is None:
            raise c.error("NAS201", f"{term.text}(…) takes named parameters", phrase.span)
        params.append(ast.Param(key, c.param_value(phrase, f"{term.text}.{key}"), phrase.span))
    return ast.LayerOp(term.text, tuple(params), span, custom=True)


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


def walk_ops(items: tuple[ast.LayerItem, ...]) -> Iterator[ast.LayerOp]:
    """Every op of a layer chain, in order, through repeats, options and choices."""
    for it in items:
        if isinstance(it, ast.LayerOp):
            yield it
        elif isinstance(it, ast.OptionalLayer):
            yield it.layer
        elif isinstance(it, ast.Repeat):
            yield from walk_ops(it.body)
        else:
            for option in it.options:
                yield from walk_ops(option)


def _check_image_input(sp: ast.Space, c: Checker, data: ast.DataSpec) -> None:
    if data.kind == "images":
        return
    ds = reg.DATASETS.get(data.source) if data.kind == "builtin" else None
    if ds is None or ds.image_shape is not None:
        return
    if not isinstance(sp, ast.LayerSpace):
        c.error("NAS404", f"a {sp.kind} space needs image input, but {ds.name} is tabular "
                f"({ds.features} features)", sp.span,
                hint="use `space layers` with dense layers, or an image dataset such as "
                "sklearn.digits")
        return
    for op in walk_ops(sp.items):
        if not op.custom and reg.OPS[op.op].needs_image:
            c.error("NAS404", f"'{op.op}' needs image input, but {ds.name} is tabular "
                    f"({ds.features} features)", op.span,
                    hint="use dense layers for tabular data, or an image dataset such as "
                    "sklearn.digits")


# ---------------------------------------------------------------- cell spaces


def _op_list(phrase: Phrase | None, c: Checker, *, output_ok: bool,
             default: tuple[ast.LayerOp, ...]) -> tuple[ast.LayerOp, ...]:
    """A stem or head: one op, or a list of ops (a trailing bare dense is the output)."""
    if phrase is None:
        return default
    term = phrase.single
    items = term.items if term is not None and term.kind == "list" else [phrase]
    out: list[ast.LayerOp] = []
    for index, p in enumerate(items):
        t = p.single
        if t is None:
            raise c.error("NAS201", "expected an op", p.span)
        if output_ok and index == len(items) - 1 and t.kind == "name" and t.text == "dense":
            continue
        out.append(layer_op(t, c, p.span))
    return tuple(out)


def _names(phrase: Phrase, c: Checker, what: str, table: dict[str, str]) -> tuple[str, ...]:
    term = phrase.single
    if term is None or term.kind != "list":
        raise c.error("NAS201", f"{what} is a list: [a, b, …]", phrase.span)
    out: list[str] = []
    for p in term.items:
        t = p.single
        if t is None or t.kind != "name":
            raise c.error("NAS201", f"{what} lists names", p.span)
        if t.text not in table:
            raise c.unknown("NAS309", "cell op", t.text, t.span, table)
        if t.text in out:
            raise c.error("NAS102", f"'{t.text}' is listed twice", t.span)
        out.append(t.text)
    if not out:
        raise c.error("NAS204", f"{what} is empty", phrase.span)
    return tuple(out)


def _cell(s: Stmt, c: Checker, role: str) -> ast.CellDef:
    phrase = c.one_value(s, "space cells")
    term = phrase.single
    if term is None or term.kind != "call" or term.text != "cell":
        raise c.error("NAS201", f"{role} is a cell(…)", phrase.span,
                      hint=f"{role} = cell(blocks = 3, ops = [sep_conv_3x3, max_pool_3x3, "
                      "identity])")
    blocks: ast.Literal | ast.IntRange | ast.Choice = ast.Literal(5, term.span)
    ops: tuple[str, ...] | None = None
    combine = "concat"
    seen: set[str] = set()
    names = ["blocks", "ops", "combine"]
    for key, p in term.args:
        if key is None or key not in names:
            raise c.unknown("NAS106", "parameter of cell", key or "(positional)", p.span, names)
        if key in seen:
            raise c.error("NAS102", f"'{key}' is given twice", p.span)
        seen.add(key)
        if key == "blocks":
            blocks = _count(p, c, "cell blocks")
        elif key == "ops":
            ops = _names(p, c, "ops", reg.CELL_OPS)
        else:
            combine = str(c.name_value(p, "combine", reg.COMBINES).value)
    if ops is None:
        raise c.error("NAS105", "cell needs 'ops'", term.name_span or term.span,
                      hint="cell(blocks = 3, ops = [sep_conv_3x3, max_pool_3x3, identity])")
    return ast.CellDef(role, blocks, ops, combine, s.span)


def _layout(phrase: Phrase | None, c: Checker, names: dict[str, str],
            default: tuple[tuple[str, int], ...], span: Span) -> tuple[ast.LayoutItem, ...]:
    if phrase is None:
        return tuple(ast.LayoutItem(n, ast.Literal(k, span), span) for n, k in default)
    term = phrase.single
    if term is None or term.kind != "list" or not term.items:
        raise c.error("NAS201", "layout is a list of cells", phrase.span,
                      hint="layout = [normal x 2, reduction, normal x 2]")
    out: list[ast.LayoutItem] = []
    for p in term.items:
        got = c.guarded(lambda p=p: _layout_item(p, c, names))
        if isinstance(got, ast.LayoutItem):
            out.append(got)
    if len(out) != len(term.items):
        raise Invalid()
    return tuple(out)


def _layout_item(p: Phrase, c: Checker, names: dict[str, str]) -> ast.LayoutItem:
    first = p.terms[0]
    if first.kind != "name" or len(p.terms) not in (1, 3):
        raise c.error("NAS201", "a layout entry is NAME or NAME x COUNT", p.span,
                      hint="normal x choice(1, 2)")
    if first.text in reg.CELL_ROLES and first.text not in names:
        raise c.error("NAS309", f"the layout stacks a {first.text} cell, but the space "
                      f"defines none", first.span,
                      hint=f"add {first.text} = cell(blocks = 2, ops = […]), or remove it "
                      "from the layout", notes=(f"available: {', '.join(names)}",))
    if first.text not in names:
        raise c.unknown("NAS309", "layout entry", first.text, first.span, names)
    count: ast.Literal | ast.IntRange | ast.Choice = ast.Literal(1, first.span)
    if len(p.terms) == 3:
        times = p.terms[1]
        if times.kind != "name" or times.text != "x":
            raise c.error("NAS201", "write NAME x COUNT", times.span,
                          hint=f"{first.text} x 2")
        count = _count(Phrase([p.terms[2]], p.terms[2].span), c, "the cell count")
    return ast.LayoutItem(first.text, count, p.span)


def _cells(s: Stmt, c: Checker) -> ast.CellSpace:
    keys = c.keyed(s.body or [], "space cells", reg.BLOCKS["space cells"].key_names())
    value = {k: c.guarded(lambda st=st: c.one_value(st, "space cells"))
             for k, st in keys.items() if k in ("stem", "layout", "head")}
    if "normal" not in keys:
        raise c.error("NAS104", "a cell space needs a normal cell", s.head_span,
                      hint="normal = cell(blocks = 3, ops = [sep_conv_3x3, max_pool_3x3, "
                      "identity])")
    normal = _cell(keys["normal"], c, "normal")
    reduction = _cell(keys["reduction"], c, "reduction") if "reduction" in keys else None
    roles = {"normal": reg.CELL_ROLES["normal"]}
    if reduction is not None:
        roles["reduction"] = reg.CELL_ROLES["reduction"]
    default = DEFAULT_CELL_LAYOUT if reduction is not None else (("normal", 3),)
    layout = _layout(value.get("layout"), c, roles, default, s.head_span)
    stem = _op_list(value.get("stem"), c, output_ok=False,
                    default=_default_stem(s.head_span))
    head = _op_list(value.get("head"), c, output_ok=True,
                    default=(ast.LayerOp("global_avg_pool", (), s.head_span),))
    return ast.CellSpace(stem, normal, reduction, layout, head, s.span)


def _default_stem(span: Span) -> tuple[ast.LayerOp, ...]:
    return (ast.LayerOp("conv", (ast.Param("channels", ast.Literal(16, span), span),), span),)


def _nb201(s: Stmt, c: Checker) -> ast.DagCellSpace:
    keys = c.keyed(s.body or [], "space nb201", reg.BLOCKS["space nb201"].key_names())
    value = {k: c.guarded(lambda st=st: c.one_value(st, "space nb201")) for k, st in keys.items()}
    nodes = 4
    if value.get("nodes") is not None:
        nodes = c.int_value(value["nodes"], "nodes", 2)  # type: ignore[arg-type]
    ops = reg.NB201_DEFAULT_OPS
    if value.get("ops") is not None:
        ops = _names(value["ops"], c, "ops", reg.CELL_OPS)  # type: ignore[arg-type]
    layout = _layout(value.get("layout"), c, reg.NB201_LAYOUT_ITEMS, DEFAULT_NB201_LAYOUT,
                     s.head_span)
    stem = _op_list(value.get("stem"), c, output_ok=False, default=_default_stem(s.head_span))
    head = _op_list(value.get("head"), c, output_ok=True,
                    default=(ast.LayerOp("global_avg_pool", (), s.head_span),))
    return ast.DagCellSpace(nodes, ops, stem, layout, head, s.span)
