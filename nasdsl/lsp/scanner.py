"""A tolerant tokenizer for .nas text.

The Lark parser stops at the first unrecoverable error, but an editor needs structure
while the user is typing (half a string, an unclosed brace). This scanner mirrors the
grammar's terminals (grammars/nas.lark) and never fails: an unknown character becomes
an `error` token and an unterminated string runs to the end of its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN_RE = re.compile(
    r"""
    (?P<comment>(?:\#|//)[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*"?)
  | (?P<money>\$(?:\d+(?:\.\d*)?|\.\d+)?(?:/[A-Za-z_]*)?)
  | (?P<number>-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:%|[A-Za-z_]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\.?)
  | (?P<op><=|>=|==|<|>|=)
  | (?P<punct>[{}()\[\],;])
  | (?P<nl>\n)
  | (?P<space>[ \t\f\r]+|\\\r?\n)
  | (?P<error>.)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    """One token: its kind, text and code-point offsets [start, end) in the text."""

    kind: str  # name, number, money, string, comment, op, punct, nl, error
    text: str
    start: int
    end: int

    def contains(self, offset: int) -> bool:
        """True when offset lies inside the token or at its end (the cursor touches it)."""
        return self.start <= offset <= self.end


def tokenize(text: str) -> list[Token]:
    """All tokens of `text` except blanks; never raises."""
    tokens: list[Token] = []
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup or "error"
        if kind == "space":
            continue
        tokens.append(Token(kind, m.group(), m.start(), m.end()))
    return tokens


class LineIndex:
    """Converts code-point offsets in a text to 1-based (line, column) pairs and back."""

    def __init__(self, text: str):
        self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an offset."""
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.starts[lo] + 1

    def offset(self, line: int, column: int) -> int:
        """Offset of a 1-based line and column."""
        line = min(max(line, 1), len(self.starts))
        return self.starts[line - 1] + max(column - 1, 0)
