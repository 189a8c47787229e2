"""What the user is writing at a position: enclosing blocks, statement, call, key.

Computed from the tolerant token stream, so it works on half-written files. The
`expected` function turns a context into the list of names that fit there; both
completion and hover use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nasdsl.lang import registry as reg
from nasdsl.lang.units import Dimension
from nasdsl.lsp import catalog
from nasdsl.lsp.catalog import Entry
from nasdsl.lsp.scanner import Token


@dataclass
class Frame:
    """An open ( or [ in the current statement."""

    opener: str
    callee: str | None
    key: str | None = None
    arg: list[Token] = field(default_factory=list)


@dataclass
class Context:
    """Where a position is: block headers, the statement so far, open brackets."""

    blocks: list[list[Token]]
    stmt: list[Token]
    frames: list[Frame]
    prefix: Token | None = None
    in_comment: bool = False

    @property
    def block_heads(self) -> list[str]:
        """Heads of the enclosing blocks, outermost first (e.g. experiment, space, repeat)."""
        return [b[0].text if b else "" for b in self.blocks]

    @property
    def block(self) -> str | None:
        """The registry block the position is in: `space layers` for a repeat inside it."""
        for tokens in reversed(self.blocks):
            head = tokens[0].text if tokens else ""
            label = tokens[1].text if len(tokens) > 1 else ""
            if head == "space":
                return f"space {label}".strip()
            if head in ("repeat", "optional", "choice") and self.in_space:
                continue
            if head == "layers":
                return "space layers"
            return head
        return None

    @property
    def in_space(self) -> bool:
        """True inside a space block (or a baseline's layers block)."""
        return any(t and t[0].text in ("space", "layers") for t in self.blocks)

    def block_label(self, head: str) -> str | None:
        """The word after `head` in the innermost block header starting with it."""
        for tokens in reversed(self.blocks):
            if tokens and tokens[0].text == head:
                return tokens[1].text if len(tokens) > 1 else None
        return None

    @property
    def stmt_key(self) -> str | None:
        """The key of an assignment or comparison statement (`source` in `source = …`)."""
        if len(self.stmt) >= 2 and self.stmt[1].kind == "op":
            return self.stmt[0].text
        return None


def cursor_context(tokens: list[Token], offset: int) -> Context:
    """The context of code-point `offset`, reading only the tokens before it."""
    blocks: list[list[Token]] = []
    stmt: list[Token] = []
    depth = 0
    prefix = None
    in_comment = False
    for tok in tokens:
        if tok.start >= offset:
            break
        if tok.end >= offset and tok.kind in ("comment", "string"):
            in_comment = tok.end > offset or tok.kind == "comment" or not _closed(tok)
            if in_comment:
                break
        if tok.end >= offset and tok.kind in ("name", "number", "money"):
            prefix = tok
            break
        if tok.kind == "comment":
            continue
        if tok.kind == "punct" and tok.text == "{":
            blocks.append(stmt)
            stmt, depth = [], 0
        elif tok.kind == "punct" and tok.text == "}":
            if blocks:
                blocks.pop()
            stmt, depth = [], 0
        elif (tok.kind == "nl" or tok.text == ";") and depth == 0:
            stmt = []
        elif tok.kind != "nl":
            if tok.text in ("(", "["):
                depth += 1
            elif tok.text in (")", "]"):
                depth = max(0, depth - 1)
            stmt.append(tok)
    return Context(blocks, stmt, _frames(stmt), prefix, in_comment)


def _closed(tok: Token) -> bool:
    return len(tok.text) >= 2 and tok.text.endswith('"') and not tok.text.endswith('\\"')


def _frames(stmt: list[Token]) -> list[Frame]:
    frames: list[Frame] = []
    for i, tok in enumerate(stmt):
        if tok.text in ("(", "["):
            callee = stmt[i - 1].text if tok.text == "(" and i and stmt[i - 1].kind == "name" \
                else None
            frames.append(Frame(tok.text, callee))
        elif tok.text in (")", "]"):
            if frames:
                frames.pop()
        elif not frames:
            continue
        elif tok.text == ",":
            frames[-1].key, frames[-1].arg = None, []
        elif tok.text == "=" and len(frames[-1].arg) == 1 and frames[-1].arg[0].kind == "name":
            frames[-1].key = frames[-1].arg[0].text
            frames[-1].arg = []
        else:
            frames[-1].arg.append(tok)
    return frames


def value_key(ctx: Context) -> tuple[str | None, str | None]:
    """(key, callee) whose value is being written: `activation` in dense(activation = …)."""
    for frame in reversed(ctx.frames):
        if frame.key is not None:
            return frame.key, frame.callee
        if frame.opener == "(" and frame.callee not in reg.SEARCH_PRIMITIVES:
            return None, frame.callee
    return ctx.stmt_key, None


def expected(ctx: Context) -> list[Entry]:
    """The names that fit at the context's position (empty when nothing is known)."""
    if ctx.in_comment:
        return []
    unit_entries = _units_here(ctx)
    if unit_entries is not None:
        return unit_entries
    if ctx.frames:
        return _in_brackets(ctx)
    if not ctx.stmt:
        return _statement_start(ctx)
    return _after_head(ctx)


def _statement_start(ctx: Context) -> list[Entry]:
    block = ctx.block
    if block is None:
        return catalog.experiment()
    entries = catalog.block_keys(block)
    if block.startswith("space ") and block not in reg.BLOCKS:
        entries = catalog.block_keys("space layers")
    if block == "strategy":
        strategy = reg.STRATEGIES.get(ctx.block_label("strategy") or "")
        entries = catalog.param_entries(catalog.params_of(strategy)) + entries
    if block == "constraints":
        entries = entries + catalog.by_table("METRICS")
    return entries


def _after_head(ctx: Context) -> list[Entry]:
    head = ctx.stmt[0].text
    key = ctx.stmt_key
    if key is None and len(ctx.stmt) == 1:
        if head == "strategy":
            return catalog.by_table("STRATEGIES")
        if head in catalog.DIRECTIONS:
            return catalog.metrics(_split_of(ctx))
        if head == "space":
            return catalog.by_table("SPACE_KINDS")
        if head == "optional" and ctx.in_space:
            return catalog.by_table("OPS")
        if head == "repeat" and ctx.in_space:
            return catalog.named(("range", "choice"), "primitive")
        return []
    if key is None:
        return []
    last = ctx.stmt[-1]
    if len(ctx.stmt) == 2 or last.text == ",":
        if key == "split":
            return catalog.splits()
        return _values_for(key, ctx.block or "", None)
    if ctx.block == "constraints" and ctx.stmt[1].text != "=" and len(ctx.stmt) >= 3:
        return catalog.by_table("CONSTRAINT_MODIFIERS")
    return []


def _split_of(ctx: Context) -> str:
    if ctx.prefix is not None and "." in ctx.prefix.text:
        split = ctx.prefix.text.split(".", 1)[0]
        if split in reg.SPLITS:
            return split
    return "val"


_KIND_VALUES = {
    "metric": lambda: catalog.metrics(),
    "list of metrics": lambda: catalog.by_table("METRICS"),
    "activation": lambda: catalog.by_table("ACTIVATIONS"),
    "early_stop": lambda: catalog.by_table("EARLY_STOPPING"),
    "bool": catalog.booleans,
    "dataset": lambda: catalog.by_table("DATASETS") + catalog.by_table("DATA_SOURCES"),
    "optimizer": lambda: catalog.by_table("OPTIMIZERS"),
    "schedule": lambda: catalog.by_table("SCHEDULES"),
    "model": lambda: catalog.by_table("BASELINE_MODELS"),
    "list of cell ops": lambda: catalog.by_table("CELL_OPS"),
}


def _values_for(key: str, block: str, callee: str | None) -> list[Entry]:
    """Values of `key = …` in `block`, or of `callee(key = …)`."""
    if callee is not None:
        spec = catalog.callee(callee)
        param = next((p for p in catalog.params_of(spec) if p.name == key), None)
        if param is None and key == "ops" and callee == "cell":
            return catalog.by_table("CELL_OPS")
        if param is None and key == "combine":
            return catalog.by_table("COMBINES")
        if param is None:
            return []
        return _typed(str(getattr(param, "kind", "")), getattr(param, "choices", ()),
                      searchable=bool(getattr(param, "searchable", True)))
    if block == "strategy":
        for strategy in reg.STRATEGIES.values():
            for param in catalog.params_of(strategy):
                if param.name == key:
                    return _typed(str(param.kind), getattr(param, "choices", ()), False)
    spec = catalog.key_spec(block, key)
    if spec is None:
        return []
    searchable = block.startswith("space") or block in ("train", "augment")
    return _typed(str(getattr(spec, "kind", "")), getattr(spec, "values", ()), searchable)


def _typed(kind: str, values: object, searchable: bool) -> list[Entry]:
    out: list[Entry] = []
    if values:
        out = catalog.named(values)
    elif kind in _KIND_VALUES:
        out = _KIND_VALUES[kind]()
    if searchable and kind in ("int", "float", "bool", "activation", "name", "any", ""):
        out = out + catalog.by_table("SEARCH_PRIMITIVES")
    return out


def _in_brackets(ctx: Context) -> list[Entry]:
    top = ctx.frames[-1]
    if top.opener == "(" and top.key is None and not top.arg and top.callee is not None:
        spec = catalog.callee(top.callee)
        if spec is not None:
            return catalog.param_entries(catalog.params_of(spec))
        if top.callee == "cell":
            return catalog.block_keys("cell")
    if top.arg:
        return []
    key, callee = value_key(ctx)
    if key is None:
        if top.opener == "[" and ctx.in_space:
            return catalog.by_table("OPS")
        if top.opener == "(" and top.callee in ("choice",) and ctx.in_space:
            return catalog.by_table("OPS")
        return []
    if callee is None and ctx.block is not None:
        return _values_for(key, ctx.block, None)
    return _values_for(key, ctx.block or "", callee)


def _units_here(ctx: Context) -> list[Entry] | None:
    """Units after a number: `256 K|`, `256 |` or an attached `256K|` suffix."""
    dim = _expected_dimension(ctx)
    prefix = ctx.prefix
    if prefix is not None and prefix.kind == "money" and "/" in prefix.text:
        return catalog.rate_periods()
    if prefix is not None and prefix.kind == "number":
        digits = prefix.text.rstrip("%abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
        if digits != prefix.text or dim is not None:
            return catalog.units(dim)
        return None
    last = ctx.stmt[-1] if ctx.stmt else None
    if last is not None and last.kind == "number" and last.text[-1:].isdigit() \
            and not ctx.frames:
        return catalog.units(dim)
    return None


_DIMENSIONS = {d.value: d for d in Dimension}


def _expected_dimension(ctx: Context) -> Dimension | None:
    key = ctx.stmt_key
    if key is None or ctx.frames:
        return None
    if key == "split":
        return Dimension.FRACTION
    if ctx.block == "constraints" and key in reg.METRICS:
        return Dimension.FRACTION
    spec = catalog.key_spec(ctx.block or "", key)
    return _DIMENSIONS.get(str(getattr(spec, "kind", "")))
