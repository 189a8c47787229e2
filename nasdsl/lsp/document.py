"""One open document and everything derived from it, computed once per version."""

from __future__ import annotations

import logging
from functools import cached_property

from lsprotocol import types as lsp

from nasdsl.lang import ParseResult, Spec
from nasdsl.lsp import memo, positions
from nasdsl.lsp.scanner import LineIndex, Token, tokenize
from nasdsl.lsp.structure import Node, build

log = logging.getLogger(__name__)


class Document:
    """Text of a .nas document with its tokens, structure and parse result (lazily)."""

    def __init__(self, text: str, file: str, encoding: str = positions.UTF16):
        self.source = text
        self.text = text.replace("\r\n", "\n")
        self.file = file
        self.encoding = encoding

    @cached_property
    def lines(self) -> list[str]:
        """Lines without terminators."""
        return positions.split_lines(self.text)

    @cached_property
    def tokens(self) -> list[Token]:
        """Tolerant tokens of the text."""
        return tokenize(self.text)

    @cached_property
    def index(self) -> LineIndex:
        """Offset ↔ line/column conversion."""
        return LineIndex(self.text)

    @cached_property
    def root(self) -> Node:
        """Block structure."""
        return build(self.tokens, len(self.text))

    @cached_property
    def result(self) -> ParseResult:
        """The language stage's result: spec (when valid) and diagnostics."""
        return memo.parse_spec(self.source, self.file)

    @property
    def spec(self) -> Spec | None:
        """The checked spec, or None when it has errors or the checker itself failed."""
        try:
            return self.result.spec
        except Exception:  # noqa: BLE001 - the editor keeps working whatever the checker does
            log.exception("checking %s failed", self.file)
            return None

    def offset_at(self, position: lsp.Position) -> int:
        """Code-point offset of an LSP position."""
        return positions.offset_of(self.lines, position, self.encoding)

    def range_of(self, start: int, end: int) -> lsp.Range:
        """LSP range of code-point offsets [start, end)."""
        sl, sc = self.index.line_col(start)
        el, ec = self.index.line_col(end)
        return lsp.Range(positions.lsp_position(self.lines, sl, sc, self.encoding),
                         positions.lsp_position(self.lines, el, ec, self.encoding))

    def token_at(self, offset: int, kinds: tuple[str, ...] = ("name", "number", "money",
                                                              "string")) -> Token | None:
        """The token of one of `kinds` under (or just before) the offset."""
        touching = [t for t in self.tokens if t.kind in kinds and t.contains(offset)]
        inside = [t for t in touching if t.start <= offset < t.end]
        return (inside or touching or [None])[0]
