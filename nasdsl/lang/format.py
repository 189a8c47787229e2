"""`nasdsl fmt`: one canonical layout for .nas files, keeping every comment.

The layout: two-space indentation, one statement a line (`;`-joined statements are
expanded), `=` and comparison operators aligned within a run of consecutive settings,
one space around `=` and after commas, at most one blank line between statements (a
blank line of the source is kept), comments kept where they were: a full-line comment
before the statement it preceded, a trailing comment after the line it ended.
Formatting is idempotent: format_source(format_source(x)) == format_source(x).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nasdsl.lang.diagnostics import SpecError
from nasdsl.lang.syntax import Phrase, Stmt, Term
from nasdsl.lang.units import UNITS

INDENT = "  "


@dataclass
class _Comment:
    line: int
    text: str
    full_line: bool
    used: bool = False


def scan_comments(text: str) -> list[_Comment]:
    """Every `#` or `//` comment of the text, outside strings, with its line number."""
    out: list[_Comment] = []
    for number, line in enumerate(text.splitlines(), start=1):
        in_string = False
        i = 0
        while i < len(line):
            ch = line[i]
            if in_string:
                if ch == "\\":
                    i += 2
                    continue
                if ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch == "#" or line.startswith("//", i):
                out.append(_Comment(number, line[i:].rstrip(), not line[:i].strip()))
                break
            i += 1
    return out


def _escape(s: str) -> str:
    return (s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\t", "\\t"))


def term_text(t: Term) -> str:
    """Canonical text of one term."""
    if t.kind == "string":
        return f'"{_escape(t.text)}"'
    if t.kind == "call":
        args = ", ".join(f"{k} = {phrase_text(p)}" if k else phrase_text(p) for k, p in t.args)
        return f"{t.text}({args})"
    if t.kind == "list":
        return "[" + ", ".join(phrase_text(p) for p in t.items) + "]"
    return t.text


def phrase_text(p: Phrase) -> str:
    """Canonical text of a phrase: its terms separated by one space."""
    parts: list[str] = []
    for i, t in enumerate(p.terms):
        text = term_text(t)
        if t.kind == "call" and t.text in UNITS and i > 0 and p.terms[i - 1].kind == "number":
            # `2 ms (batch = 1)`: a unit followed by measurement settings
            text = f"{t.text} {text[len(t.text):]}"
        parts.append(text)
    return " ".join(parts)


def _values(s: Stmt) -> str:
    return ", ".join(phrase_text(p) for p in s.values)


def _head(s: Stmt) -> str:
    return term_text(s.call) if s.call is not None else s.head


class _Formatter:
    def __init__(self, comments: list[_Comment]):
        self.comments = comments
        self.lines: list[tuple[str, int | None]] = []  # text, source line it ends

    def full_comments_before(self, line: int, indent: str, last_line: int | None) -> int | None:
        """Emit unused full-line comments above `line`; return the last source line used."""
        for cm in self.comments:
            if cm.used or not cm.full_line or cm.line >= line:
                continue
            if last_line is not None and cm.line - last_line > 1 and self.lines \
                    and self.lines[-1][0].strip() and not self.lines[-1][0].endswith("{"):
                self.lines.append(("", None))
            self.lines.append((indent + cm.text, None))
            cm.used = True
            last_line = cm.line
        return last_line

    def block(self, stmts: list[Stmt], depth: int, end_line: int | None) -> None:
        indent = INDENT * depth
        last: int | None = None
        groups = _align_groups(stmts, self.comments)
        for s in stmts:
            last = self.full_comments_before(s.span.line, indent, last)
            if last is not None and s.span.line - last > 1 and self.lines \
                    and not self.lines[-1][0].endswith("{"):
                self.lines.append(("", None))
            self.stmt(s, depth, groups.get(id(s), 0))
            last = s.span.end_line
        if end_line is not None:
            self.full_comments_before(end_line, indent, last)

    def stmt(self, s: Stmt, depth: int, width: int) -> None:
        indent = INDENT * depth
        head = _head(s)
        if s.kind == "assign":
            self.lines.append((f"{indent}{head.ljust(width)} = {_values(s)}", s.span.end_line))
            return
        if s.kind == "compare":
            self.lines.append((f"{indent}{head.ljust(width)} {s.op} {_values(s)}",
                               s.span.end_line))
            return
        text = indent + head + (" " + _values(s) if s.values else "")
        if s.body is None:
            self.lines.append((text, s.span.end_line))
            return
        open_line = s.body_span.line if s.body_span else s.span.line
        close_line = s.body_span.end_line if s.body_span else s.span.end_line
        if not s.body and not any(open_line <= c.line <= close_line for c in self.comments):
            self.lines.append((text + " {}", close_line))
            return
        self.lines.append((text + " {", open_line))
        self.block(s.body, depth + 1, close_line)
        self.lines.append((indent + "}", close_line))

    def attach_trailing(self) -> None:
        for cm in self.comments:
            if cm.used or cm.full_line:
                continue
            for i in range(len(self.lines) - 1, -1, -1):
                text, src = self.lines[i]
                if src == cm.line:
                    self.lines[i] = (f"{text}  {cm.text}", None)
                    cm.used = True
                    break


def _align_groups(stmts: list[Stmt], comments: list[_Comment]) -> dict[int, int]:
    """Width of the key column for each setting, per run of consecutive settings."""
    widths: dict[int, int] = {}
    run: list[Stmt] = []

    def close() -> None:
        width = max((len(_head(s)) for s in run), default=0)
        for s in run:
            widths[id(s)] = width
        run.clear()

    prev: Stmt | None = None
    for s in stmts:
        simple = s.kind in ("assign", "compare") and s.body is None
        breaks = prev is None or s.span.line - prev.span.end_line > 1 or any(
            c.full_line and prev.span.line < c.line < s.span.line for c in comments)
        if not simple or breaks:
            close()
        if simple:
            run.append(s)
        prev = s
    close()
    return widths


def format_source(text: str, file: str = "<spec>") -> str:
    """The canonical layout of a spec; raises SpecError if the text has syntax errors."""
    from nasdsl.lang.parser import parse_statements

    stmts, errors = parse_statements(text, file)
    if stmts is None:
        raise SpecError(errors)
    comments = scan_comments(text)
    # A trailing comment inside a multi-line statement has no line to follow: keep it as a
    # full-line comment after that statement.
    f = _Formatter(comments)
    f.block(stmts, 0, None)
    f.full_comments_before(10**9, "", None)
    f.attach_trailing()
    for cm in comments:
        if not cm.used:
            cm.full_line = True
    if any(not cm.used for cm in comments):  # rare: trailing comments inside a statement
        f2 = _Formatter(comments)
        for cm in comments:
            cm.used = False
        f2.block(stmts, 0, None)
        f2.full_comments_before(10**9, "", None)
        f2.attach_trailing()
        f = f2
    out = "\n".join(line for line, _ in f.lines).rstrip("\n")
    return out + "\n" if out else ""


def format_path(path: str | Path, *, write: bool = True) -> bool:
    """Format a file in place (unless write is False); return True if it was not canonical."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    formatted = format_source(text, str(path))
    if formatted != text and write:
        p.write_text(formatted, encoding="utf-8")
    return formatted != text
