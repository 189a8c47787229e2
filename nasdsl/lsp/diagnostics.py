"""nasdsl diagnostics → LSP diagnostics (codes, severities, UTF-16 ranges)."""

from __future__ import annotations

from lsprotocol import types as lsp

from nasdsl.lang.diagnostics import Diagnostic, Severity
from nasdsl.lsp.document import Document
from nasdsl.lsp.positions import span_to_range

SOURCE = "nasdsl"

_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
}


def to_lsp(diag: Diagnostic, doc: Document) -> lsp.Diagnostic:
    """One diagnostic, its message followed by the hint and notes."""
    message = diag.message
    if diag.hint:
        message += f"\nhint: {diag.hint}"
    for note in diag.notes:
        message += f"\nnote: {note}"
    return lsp.Diagnostic(
        range=span_to_range(diag.span, doc.lines, doc.encoding),
        message=message,
        severity=_SEVERITY.get(diag.severity, lsp.DiagnosticSeverity.Error),
        code=diag.code,
        source=SOURCE,
        data={"hint": diag.hint, "notes": list(diag.notes)},
    )


def diagnostics(doc: Document) -> list[lsp.Diagnostic]:
    """All of the language stage's findings for a document."""
    return [to_lsp(d, doc) for d in doc.result.diagnostics]
