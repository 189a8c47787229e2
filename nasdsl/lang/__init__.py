"""The language stage: .nas text → typed AST with spans, or diagnostics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nasdsl.lang.ast import Spec
from nasdsl.lang.diagnostics import Diagnostic, SpecError, render

if TYPE_CHECKING:
    from nasdsl.lang.registry import DatasetSpec
    from nasdsl.lang.syntax import Stmt

# Reads the description (shape, task, classes) of a spec's data source: passed in by the
# callers that may read files (nasdsl.data.describe_spec); raises ValueError when the
# source cannot be read. Without it, static measures cover the built-in datasets only.
DescribeData = Callable[[Spec], "DatasetSpec"]


@dataclass(frozen=True)
class ParseResult:
    """What the language stage produces: a Spec when there are no errors, and all findings."""

    spec: Spec | None
    diagnostics: tuple[Diagnostic, ...]
    source: str
    file: str

    @property
    def ok(self) -> bool:
        """True when the spec has no errors (warnings allowed)."""
        return self.spec is not None and not any(d.is_error for d in self.diagnostics)

    def rendered(self) -> str:
        """Every diagnostic rendered with the source line and a caret."""
        return "\n\n".join(render(d, self.source) for d in self.diagnostics)


def parse_spec(text: str, file: str = "<spec>",
               describe: DescribeData | None = None) -> ParseResult:
    """Parse and check spec text; never raises for a user error.

    `describe` reads the data source's description for the static measures of sources
    other than the built-in datasets (see `DescribeData`).
    """
    from nasdsl.lang.parser import parse_statements_recovering

    stmts, syntax_errors = parse_statements_recovering(text, file)
    return check_statements(text, file, stmts, syntax_errors, describe)


def check_statements(text: str, file: str, stmts: list[Stmt] | None,
                     syntax_errors: list[Diagnostic],
                     describe: DescribeData | None = None) -> ParseResult:
    """Check the statements parsed from `text` (the rest of `parse_spec`)."""
    from nasdsl.lang.blocks import build_spec
    from nasdsl.lang.semantics import Checker

    if stmts is None:
        return ParseResult(None, tuple(syntax_errors), text, file)
    checker = Checker(file)
    spec = build_spec(stmts, checker)
    if spec is not None and not syntax_errors:
        from nasdsl.lang.analysis import analyze

        analyze(spec, checker, describe)
    found = checker.diagnostics
    if syntax_errors:
        # The checker saw the recovered statements: keep its findings away from the broken lines.
        broken = {d.span.line for d in syntax_errors}
        found = [d for d in found if d.span.line not in broken and d.is_error
                 and d.code not in ("NAS104", "NAS105")]
    if syntax_errors or any(d.is_error for d in found):
        spec = None
    diags = sorted([*syntax_errors, *found], key=lambda d: (d.span.line, d.span.column))
    return ParseResult(spec, tuple(diags), text, file)


def load_spec(path: str | Path, describe: DescribeData | None = None) -> ParseResult:
    """Read and check a .nas file (a file that is not UTF-8 is diagnostic NAS004)."""
    p = Path(path)
    data = p.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        from nasdsl.lang.diagnostics import Span

        before = data[:err.start].decode("utf-8", errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        text = data.decode("utf-8", errors="replace")
        diag = Diagnostic("NAS004", f"byte 0x{data[err.start]:02x} is not UTF-8 text",
                          Span(str(path), line, column, line, column + 1),
                          hint="save the spec as UTF-8")
        return ParseResult(None, (diag,), text, str(path))
    return parse_spec(text, str(path), describe)


def require_spec(path: str | Path) -> Spec:
    """Load a spec or raise SpecError with every diagnostic."""
    result = load_spec(path)
    if not result.ok or result.spec is None:
        raise SpecError([d for d in result.diagnostics if d.is_error])
    return result.spec


def format_source(text: str, file: str = "<spec>") -> str:
    """The canonical layout of a spec (see nasdsl.lang.format); raises SpecError."""
    from nasdsl.lang.format import format_source as _format

    return _format(text, file)


__all__ = ["ParseResult", "Spec", "Diagnostic", "SpecError", "parse_spec", "check_statements",
           "load_spec", "require_spec", "format_source"]
