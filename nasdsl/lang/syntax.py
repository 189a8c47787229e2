"""The uniform statement layer between the Lark tree and the typed AST.

The grammar has four statement shapes; this module turns the parse tree into
`Stmt`/`Phrase`/`Term` objects with spans, which the semantic checker reads block by
block. Keeping this layer separate means the checker never touches Lark types.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lark import Token, Tree

from nasdsl.lang.diagnostics import Span
from nasdsl.lang.parser import token_span, tree_span


@dataclass
class Term:
    """One term of a phrase: a name, string, number, money, call or list."""

    kind: str  # "name" | "string" | "number" | "money" | "call" | "list"
    text: str
    span: Span
    args: list[tuple[str | None, Phrase]] = field(default_factory=list)  # for calls
    items: list[Phrase] = field(default_factory=list)  # for lists
    name_span: Span | None = None  # for calls: span of the callee name


@dataclass
class Phrase:
    """A run of juxtaposed terms: `train 70%`, `256 KB`, `normal x 2`."""

    terms: list[Term]
    span: Span

    @property
    def single(self) -> Term | None:
        """The term if the phrase has exactly one."""
        return self.terms[0] if len(self.terms) == 1 else None


@dataclass
class Stmt:
    """One statement: an assignment, a comparison or a command (with an optional body)."""

    kind: str  # "assign" | "compare" | "command"
    head: str
    head_span: Span
    span: Span
    values: list[Phrase] = field(default_factory=list)
    op: str | None = None
    body: list[Stmt] | None = None
    call: Term | None = None  # a statement that starts with a call: dense(units = 8)
    body_span: Span | None = None


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(body: str) -> str:
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def _term(node: Tree | Token, file: str) -> Term:
    if isinstance(node, Token):  # pragma: no cover - the grammar wraps terms in trees
        return Term("name", str(node), token_span(node, file))
    kind = node.data
    span = tree_span(node, file)
    if kind in ("name", "string", "number", "money"):
        tok = node.children[0]
        text = str(tok)
        if kind == "string":
            text = _unescape(text[1:-1])
        return Term(kind, text, token_span(tok, file))
    if kind == "call":
        name_tok = node.children[0]
        args: list[tuple[str | None, Phrase]] = []
        for arg in node.children[1:]:
            if not isinstance(arg, Tree):
                continue
            if arg.data == "kwarg":
                args.append((str(arg.children[0]), _phrase(arg.children[1], file)))
            else:
                args.append((None, _phrase(arg.children[0], file)))
        return Term("call", str(name_tok), span, args=args, name_span=token_span(name_tok, file))
    if kind == "list":
        items = [_phrase(c, file) for c in node.children if isinstance(c, Tree)]
        return Term("list", "[…]", span, items=items)
    raise ValueError(f"unexpected term {kind}")  # pragma: no cover


def _phrase(node: Tree, file: str) -> Phrase:
    terms = [_term(c, file) for c in node.children]
    return Phrase(terms, tree_span(node, file))


def _values(node: Tree, file: str) -> list[Phrase]:
    return [_phrase(c, file) for c in node.children if isinstance(c, Tree)]


def _stmt(node: Tree, file: str) -> Stmt:
    span = tree_span(node, file)
    if node.data == "assignment":
        name, values = node.children
        return Stmt("assign", str(name), token_span(name, file), span, _values(values, file))
    if node.data == "comparison":
        name, op, values = node.children
        if isinstance(name, Tree):  # a call: latency(batch = 1) <= 2 ms
            call = _term(name, file)
            return Stmt("compare", call.text, call.name_span or call.span, span,
                        _values(values, file), op=str(op), call=call)
        return Stmt("compare", str(name), token_span(name, file), span, _values(values, file),
                    op=str(op))
    # command
    head, *rest = node.children
    stmt = Stmt("command", "", span, span)
    if isinstance(head, Tree):  # a call
        stmt.call = _term(head, file)
        stmt.head, stmt.head_span = stmt.call.text, stmt.call.name_span or stmt.call.span
    else:
        stmt.head, stmt.head_span = str(head), token_span(head, file)
    for child in rest:
        if isinstance(child, Tree) and child.data == "values":
            stmt.values = _values(child, file)
        elif isinstance(child, Tree) and child.data == "body":
            stmt.body = statements(child, file)
            stmt.body_span = tree_span(child, file)
    return stmt


def statements(node: Tree, file: str) -> list[Stmt]:
    """Statements of the file (`start`) or of a block body."""
    return [_stmt(c, file) for c in node.children if isinstance(c, Tree)]
