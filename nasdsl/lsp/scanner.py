"""A tolerant tokenizer for .nas text.

The Lark parser stops at the first unrecoverable error, but an editor needs structure
while the user is typing (half a string, an unclosed brace). This scanner mirrors the
grammar's terminals (grammars/nas.lark) and never fails: an unknown character becomes
an `error` token and an unterminated string runs to the end of its line.
"""

from __future__ import annotations

import re
from typing import NamedTuple

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


class Token(NamedTuple):
    """One token: its kind, text and code-point offsets [start, end) in the text.

    A named tuple, not a dataclass: a 1,000-line spec has ~10,000 tokens, and a tuple is
    several times cheaper to build on every keystroke.
    """

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
    new = tuple.__new__  # Token(...) without the Python-level __new__ frame
    offset = 0
    for line in _LINE_RE.findall(text):
        found = _LINE_CACHE.get(line)
        if found is None:
            found = _tokenize_line(line)
        tokens.extend([new(Token, (kind, tok, offset + start, offset + end))
                       for kind, tok, start, end in found])
        offset += len(line)
    return tokens


# No token spans two lines (strings and comments stop at the end of theirs), so the tokens
# of a line depend on its text alone: a keystroke re-scans one line, not the document.
_NEWLINE_RE = re.compile("\n")
_LINE_RE = re.compile(r"[^\n]*\n|[^\n]+")
_LINE_CACHE: dict[str, tuple[tuple[str, str, int, int], ...]] = {}
_LINE_CACHE_SIZE = 50_000


def _tokenize_line(line: str) -> tuple[tuple[str, str, int, int], ...]:
    found = tuple((m.lastgroup or "error", m.group(), m.start(), m.end())
                  for m in _TOKEN_RE.finditer(line) if m.lastgroup != "space")
    if len(_LINE_CACHE) >= _LINE_CACHE_SIZE:
        _LINE_CACHE.clear()
    _LINE_CACHE[line] = found
    return found


class LineIndex:
    """Converts code-point offsets in a text to 1-based (line, column) pairs and back."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in _NEWLINE_RE.finditer(text)]

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
