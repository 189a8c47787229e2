"""Position conversion between nasdsl spans and LSP positions.

nasdsl spans are 1-based lines and columns counted in code points (Python string
indices), end exclusive. LSP positions are 0-based lines and a character offset in
the negotiated encoding: UTF-16 code units by default, UTF-8 bytes or UTF-32 code
points when the client asks for them.
"""

from __future__ import annotations

from lsprotocol import types as lsp

from nasdsl.lang.diagnostics import Span

UTF16 = "utf-16"
UTF8 = "utf-8"
UTF32 = "utf-32"


def split_lines(text: str) -> list[str]:
    """The lines of a document without their line terminators (LSP line numbering)."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def units(chars: str, encoding: str = UTF16) -> int:
    """Length of `chars` in code units of the given encoding."""
    if encoding == UTF32:
        return len(chars)
    if encoding == UTF8:
        return len(chars.encode("utf-8", errors="surrogatepass"))
    return len(chars) + sum(1 for ch in chars if ord(ch) > 0xFFFF)


def to_code_points(line: str, character: int, encoding: str = UTF16) -> int:
    """Code-point index in `line` of an LSP character offset (clamped to the line)."""
    if encoding == UTF32:
        return max(0, min(character, len(line)))
    count = 0
    for index, ch in enumerate(line):
        if count >= character:
            return index
        count += units(ch, encoding)
    return len(line)


def lsp_position(lines: list[str], line: int, column: int, encoding: str = UTF16) -> lsp.Position:
    """LSP position of a 1-based (line, code-point column) pair, clamped into the document."""
    index = min(max(line - 1, 0), max(len(lines) - 1, 0))
    text = lines[index] if lines else ""
    if line - 1 >= len(lines) and lines:  # past the end: the end of the last line
        return lsp.Position(index, units(text, encoding))
    cp = min(max(column - 1, 0), len(text))
    return lsp.Position(index, units(text[:cp], encoding))


def span_to_range(span: Span, lines: list[str], encoding: str = UTF16) -> lsp.Range:
    """LSP range of a nasdsl span; an empty or unknown span becomes a one-character range."""
    start = lsp_position(lines, span.line, span.column, encoding)
    end = lsp_position(lines, span.end_line, span.end_column, encoding)
    if (end.line, end.character) <= (start.line, start.character):
        text = lines[start.line] if start.line < len(lines) else ""
        cp = to_code_points(text, start.character, encoding)
        width = units(text[cp:cp + 1], encoding)
        end = lsp.Position(start.line, start.character + width)
    return lsp.Range(start, end)


def offset_of(lines: list[str], position: lsp.Position, encoding: str = UTF16) -> int:
    """Absolute code-point offset in the document text ('\\n'-joined lines) of an LSP position."""
    line = min(max(position.line, 0), max(len(lines) - 1, 0))
    if not lines:
        return 0
    before = sum(len(text) + 1 for text in lines[:line])
    return before + to_code_points(lines[line], position.character, encoding)
