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

_COMPARISONS = {"<=", ">=", "==", "<", ">"}


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
        """The innermost enclosing block that is not a `repeat` inside a space."""
        heads = self.block_heads
        while heads and heads[-1] in catalog.SPACE_WORDS and "space" in heads:
            heads = heads[:-1]
        return heads[-1] if heads else None

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
        return catalog.experiment_entries()
    if block == "space" or "space" in ctx.block_heads:
        return catalog.ops() + catalog.space_words() + catalog.block_keys("space")
    if block == "strategy":
        return catalog.strategy_params(ctx.block_label("strategy") or "")
    if block == "constraints":
        return catalog.measures() + catalog.bare_metrics()
    if block == "objective":
        return catalog.block_keys("objective") or catalog.directions()
    return catalog.block_keys(block)


def _after_head(ctx: Context) -> list[Entry]:
    head = ctx.stmt[0].text
    key = ctx.stmt_key
    if key is None and len(ctx.stmt) == 1:
        if head == "strategy":
            return catalog.strategies()
        if head in catalog.DIRECTIONS:
            return catalog.metrics(_split_of(ctx))
        if head == "space":
            return catalog.space_kinds()
        if head == "optional":
            return catalog.ops()
        if head == "repeat":
            return [e for e in catalog.primitives() if e.name in ("range", "choice")]
    if key is not None and len(ctx.stmt) == 2:
        return _values_for(key, None, ctx)
    if key is not None and ctx.stmt[-1].text == ",":
        if key == "split":
            return [Entry(s, "keyword", f"the {s} split") for s in reg.SPLITS]
        return _values_for(key, None, ctx)
    return []


def _split_of(ctx: Context) -> tuple[str, ...]:
    if ctx.prefix is not None and "." in ctx.prefix.text:
        split = ctx.prefix.text.split(".", 1)[0]
        if split in reg.SPLITS:
            return (split,)
    return ("val",)


def _values_for(key: str, callee: str | None, ctx: Context) -> list[Entry]:
    if key == "source":
        return catalog.datasets()
    if key == "optimizer":
        return catalog.optimizers()
    if key == "backend":
        return catalog.backends()
    if key == "activation":
        return catalog.activations() + catalog.primitives()
    if key == "split":
        return [Entry(s, "keyword", f"the {s} split") for s in reg.SPLITS]
    if key == "ops":
        return catalog.ops()
    kind = _param_kind(key, callee)
    if kind == "bool":
        return catalog.booleans() + catalog.primitives()
    if kind is not None or "space" in ctx.block_heads or ctx.block == "train":
        return catalog.primitives()
    if key in ("stratify",):
        return catalog.booleans()
    return []


def _param_kind(key: str, callee: str | None) -> str | None:
    for table in (reg.OPS, reg.OPTIMIZERS, reg.STRATEGIES):
        spec = table.get(callee or "")
        for p in getattr(spec, "params", ()) or ():
            if p.name == key:
                return str(p.kind)
    return None


def _in_brackets(ctx: Context) -> list[Entry]:
    top = ctx.frames[-1]
    if top.opener == "(" and top.key is None and not top.arg and top.callee is not None:
        if top.callee in reg.OPS:
            return catalog.op_params(top.callee)
        if top.callee in reg.OPTIMIZERS:
            return catalog.optimizer_params(top.callee)
    if top.arg:
        return []
    key, callee = value_key(ctx)
    if key is None:
        return catalog.ops() if top.opener == "[" and "space" in ctx.block_heads else []
    return _values_for(key, callee, ctx)


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
    if last is not None and last.kind == "number" and last.text[-1:].isdigit():
        return catalog.units(dim)
    return None


def _expected_dimension(ctx: Context) -> Dimension | None:
    key = ctx.stmt_key
    if key is None:
        return None
    if key in reg.MEASURES:
        return reg.MEASURES[key].dimension
    if ctx.block == "constraints" and key in reg.METRICS:
        return Dimension.FRACTION
    if key == "time":
        return Dimension.DURATION
    if key == "split":
        return Dimension.FRACTION
    return None
