"""Re-parse only what an edit touched: statements of a new text from those of an old one.

Given the statements of an old text that parsed without a syntax error and a new text with
the same number of lines, `reparse` finds the innermost statement list whose statements
cover every changed line (whole lines, so nothing else shares them), parses just those
lines and splices the result into the old statements. Everything outside keeps its text and
its line and column, so its statements, spans included, are those a full parse would build.

Why the splice equals a full parse: the region is a run of complete lines holding only
whole statements, separators and comments of one statement list, with a newline (or the
file's start or end) on each side. Lark parses such a run the same way on its own (the
statement-level LALR states are shared by every context, and outside brackets only a
separator token crosses a newline: a run of separators and comment lines that the full
parse gives as one token is, cut at the run's edge, a separator on each side, and a
statement list may start and end with one), and since the lines around it parsed without
errors before, the whole new text parses without errors exactly when the run does.
Anything else (a syntax error in the run, a changed line count, a line continuation `\\`)
returns None, and the caller parses the whole text.
"""

from __future__ import annotations

import dataclasses
import re

from nasdsl.lang.parser import parse_statements_recovering
from nasdsl.lang.syntax import Stmt

_CONTINUATION = re.compile(r"\\\r?\n")


class _FullParse(Exception):
    """The edited lines do not parse on their own: only a full parse can tell what they are."""


def reparse(old_text: str, old_stmts: list[Stmt], new_text: str,
            file: str) -> list[Stmt] | None:
    """Statements of `new_text`, re-parsing only the lines changed since `old_text`.

    `old_stmts` must come from an error-free parse of `old_text` with the same `file`.
    None when the edit cannot be handled this way (the caller then parses everything);
    otherwise the statements equal those of a full, error-free parse of `new_text`.
    """
    if new_text == old_text:
        return old_stmts
    if _CONTINUATION.search(new_text) or _CONTINUATION.search(old_text):
        return None  # a continued line joins two lines into one statement
    old_lines, new_lines = old_text.split("\n"), new_text.split("\n")
    if len(old_lines) != len(new_lines):
        return None
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    try:
        return _splice(old_stmts, changed[0] + 1, changed[-1] + 1, 0, len(new_lines) + 1,
                       new_lines, file)
    except _FullParse:
        return None


def _splice(stmts: list[Stmt], lo: int, hi: int, above: int, below: int,
            lines: list[str], file: str) -> list[Stmt] | None:
    """`stmts` with lines lo..hi re-parsed; None when the statements on those lines reach
    line `above` or `below` (the lines of the enclosing braces): then the enclosing
    statement is re-parsed whole."""
    first, last, wide_lo, wide_hi = _covering(stmts, lo, hi)
    if wide_lo <= above or wide_hi >= below:
        return None
    if last - first == 1:
        s = stmts[first]
        body = s.body_span
        if s.body is not None and body is not None:
            inner = _splice(s.body, lo, hi, body.line, body.end_line, lines, file)
            if inner is not None:
                return [*stmts[:first], dataclasses.replace(s, body=inner), *stmts[last:]]
    return [*stmts[:first], *_parse_lines(lines, wide_lo, wide_hi, file), *stmts[last:]]


def _covering(stmts: list[Stmt], lo: int, hi: int) -> tuple[int, int, int, int]:
    """The run stmts[first:last] on lines lo..hi, the lines widened to cover it whole.

    With no statement on those lines the run is empty, at the place where one would go.
    """
    while True:
        touching = [i for i, s in enumerate(stmts) if s.span.line <= hi and s.span.end_line >= lo]
        if not touching:
            at = sum(1 for s in stmts if s.span.end_line < lo)
            return at, at, lo, hi
        first, last = touching[0], touching[-1] + 1
        wide_lo = min(lo, stmts[first].span.line)
        wide_hi = max(hi, stmts[last - 1].span.end_line)
        if (wide_lo, wide_hi) == (lo, hi):
            return first, last, lo, hi
        lo, hi = wide_lo, wide_hi


def _parse_lines(lines: list[str], lo: int, hi: int, file: str) -> list[Stmt]:
    """The statements on lines lo..hi (1-based), parsed with their own line numbers."""
    # Leading newlines put the first line at its place; the newline after the last line
    # (when there is one) ends it as in the whole text, "\r" included.
    region = "\n" * (lo - 1) + "\n".join(lines[lo - 1:hi]) + ("\n" if hi < len(lines) else "")
    stmts, errors = parse_statements_recovering(region, file)
    if stmts is None or errors:
        raise _FullParse()
    return stmts
