"""The uniform statement layer between the Lark grammar and the typed AST.

The grammar has four statement shapes; this module builds them as `Stmt`/`Phrase`/`Term`
objects with spans, which the semantic checker reads block by block. Keeping this layer
separate means the checker never touches Lark types.

`StatementBuilder` is the parser's inline transformer: Lark calls one of its methods
each time it reduces a grammar rule, so the statements are built while parsing and no
parse tree is made. Spans come from the tokens: a node runs from the start of its first
token to the end of its last one (the parser keeps punctuation tokens for this, so a
call ends at its ')' and a body at its '}').
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lark import Token

from nasdsl.lang.diagnostics import Span, make_span


@dataclass(slots=True)
class Term:
    """One term of a phrase: a name, string, number, money, call or list."""

    kind: str  # "name" | "string" | "number" | "money" | "call" | "list"
    text: str
    span: Span
    # Read-only sequences; an empty tuple as the default saves two lists per term.
    args: Sequence[tuple[str | None, Phrase]] = ()  # for calls
    items: Sequence[Phrase] = ()  # for lists
    name_span: Span | None = None  # for calls: span of the callee name


@dataclass(slots=True)
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
    if "\\" not in body:
        return body
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


class _Body:
    """A block body while its command is being built: its statements and `{ … }` span."""

    __slots__ = ("stmts", "span")

    def __init__(self, stmts: list[Stmt], span: Span):
        self.stmts = stmts
        self.span = span


class StatementBuilder:
    """Lark's inline transformer for grammars/nas.lark: one method per rule.

    Each method gets the rule's children (every token, punctuation included, and what
    the methods of its sub-rules returned). `file` names the file in the spans; the
    caller sets it before each parse.
    """

    def __init__(self) -> None:
        self.file = "<spec>"

    def _token(self, t: Token) -> Span:
        return make_span(self.file, t.line, t.column, t.end_line, t.end_column)

    def _between(self, first: Any, last: Any) -> Span:
        """From the start of `first` to the end of `last` (tokens or spans)."""
        return make_span(self.file, first.line, first.column, last.end_line, last.end_column)

    # ------------------------------------------------------------ statements

    def start(self, children: list[Any]) -> list[Stmt]:
        """The file's statements (separators dropped)."""
        return [c for c in children if type(c) is Stmt]

    def body(self, children: list[Any]) -> _Body:
        """`{ … }`: its statements and its span, braces included."""
        return _Body([c for c in children if type(c) is Stmt],
                     self._between(children[0], children[-1]))

    def _head(self, head: Token | Term) -> tuple[str, Span, Term | None, Span]:
        """Name, name span, call (if any) and full span of a statement's head."""
        if type(head) is Term:
            return head.text, head.name_span or head.span, head, head.span
        span = self._token(head)
        return head.value, span, None, span

    def assignment(self, children: list[Any]) -> Stmt:
        """`key = value, value`."""
        name, _, values = children
        head = self._token(name)
        return Stmt("assign", name.value, head, self._between(head, values[-1].span), values)

    def comparison(self, children: list[Any]) -> Stmt:
        """`key <= value` or `call(…) <= value`."""
        head, op, values = children
        text, head_span, call, start = self._head(head)
        return Stmt("compare", text, head_span, self._between(start, values[-1].span),
                    values, op=op.value, call=call)

    def command(self, children: list[Any]) -> Stmt:
        """`word term … { … }` or `op(…) { … }`, values and body optional."""
        text, head_span, call, start = self._head(children[0])
        stmt = Stmt("command", text, head_span, start, call=call)
        end = start
        for child in children[1:]:
            if type(child) is _Body:
                stmt.body, stmt.body_span = child.stmts, child.span
                end = child.span
            else:
                stmt.values = child
                end = child[-1].span
        if end is not start:
            stmt.span = self._between(start, end)
        return stmt

    # ------------------------------------------------------------ values

    def values(self, children: list[Any]) -> list[Phrase]:
        """Comma-separated phrases (the commas are every other child)."""
        return children[::2]

    def phrase(self, children: list[Term]) -> Phrase:
        """Juxtaposed terms."""
        if len(children) == 1:
            return Phrase(children, children[0].span)
        return Phrase(children, self._between(children[0].span, children[-1].span))

    def name(self, children: list[Token]) -> Term:
        """A (dotted) name."""
        t = children[0]
        return Term("name", t.value, self._token(t))

    def number(self, children: list[Token]) -> Term:
        """A number, its unit attached or not."""
        t = children[0]
        return Term("number", t.value, self._token(t))

    def money(self, children: list[Token]) -> Term:
        """An amount of money."""
        t = children[0]
        return Term("money", t.value, self._token(t))

    def string(self, children: list[Token]) -> Term:
        """A string, quotes removed and escapes resolved."""
        t = children[0]
        return Term("string", _unescape(t[1:-1]), self._token(t))

    def kwarg(self, children: list[Any]) -> tuple[str | None, Phrase]:
        """`name = phrase` inside a call."""
        return children[0].value, children[2]

    def posarg(self, children: list[Any]) -> tuple[str | None, Phrase]:
        """A positional phrase inside a call."""
        return None, children[0]

    def call(self, children: list[Any]) -> Term:
        """`name(arg, …)`, from the name to the ')'."""
        name = children[0]
        return Term("call", name.value, self._between(name, children[-1]),
                    args=[c for c in children[2:-1] if type(c) is tuple],
                    name_span=self._token(name))

    def list(self, children: list[Any]) -> Term:
        """`[phrase, …]`, brackets included."""
        return Term("list", "[…]", self._between(children[0], children[-1]),
                    items=[c for c in children[1:-1] if type(c) is Phrase])
