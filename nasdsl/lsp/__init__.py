"""nasdsl.lsp: the language server for .nas files (pygls); start it with `serve_stdio()`."""

from __future__ import annotations


def serve_stdio() -> None:
    """Run the language server over stdin/stdout (imports pygls only when called)."""
    from nasdsl.lsp.server import serve_stdio as _serve

    _serve()


__all__ = ["serve_stdio"]
