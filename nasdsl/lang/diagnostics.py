"""Source spans and diagnostics: where, what, and how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True)
class Span:
    """A region of a source file; lines and columns are 1-based, end is exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def merge(self, other: Span) -> Span:
        """Return the smallest span covering both spans."""
        start = min((self.line, self.column), (other.line, other.column))
        end = max((self.end_line, self.end_column), (other.end_line, other.end_column))
        return Span(self.file, start[0], start[1], end[0], end[1])

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


NO_SPAN = Span("<none>", 0, 0, 0, 0)


class Severity(str, Enum):
    """How bad a diagnostic is; errors stop `check`, `compile` and `run`."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a spec, with a stable code and a hint on how to fix it."""

    code: str
    message: str
    span: Span
    severity: Severity = Severity.ERROR
    hint: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_error(self) -> bool:
        """True when the diagnostic is an error."""
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, used by `nasdsl check --format json`."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "hint": self.hint,
            "notes": list(self.notes),
        }


class SpecError(Exception):
    """Raised when a spec has errors; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("\n".join(f"{d.span}: {d.message}" for d in diagnostics))
        self.diagnostics = diagnostics


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """Return a 'did you mean' hint for a misspelt name, or None."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def unknown_name_hint(word: str, candidates: Iterable[str]) -> tuple[str | None, tuple[str, ...]]:
    """Hint and 'available: …' note for an unknown name."""
    names = sorted(set(candidates))
    return did_you_mean(word, names), (f"available: {', '.join(names)}",)


def render(diagnostic: Diagnostic, source: str | None) -> str:
    """Render a diagnostic the way a compiler does: location, message, the line, a caret."""
    d = diagnostic
    out = [f"{d.span}: {d.severity.value}[{d.code}]: {d.message}"]
    lines = source.splitlines() if source is not None else []
    if 1 <= d.span.line <= len(lines):
        text = lines[d.span.line - 1].rstrip("\n").replace("\t", " ")
        gutter = f"{d.span.line:>5} | "
        out.append(gutter + text)
        width = (
            d.span.end_column - d.span.column
            if d.span.end_line == d.span.line
            else len(text) - d.span.column + 1
        )
        pad = " " * (len(gutter) - 2) + "| " + " " * (d.span.column - 1)
        out.append(pad + "^" * max(1, width))
    if d.hint:
        out.append(f"  hint: {d.hint}")
    out.extend(f"  note: {n}" for n in d.notes)
    return "\n".join(out)
