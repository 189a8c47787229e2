"""The language server command."""

from __future__ import annotations

import argparse

from nasdsl.cli.common import EXIT_OK, UsageError


def cmd_lsp(args: argparse.Namespace) -> int:
    """Serve the language server protocol on stdin/stdout."""
    try:
        from nasdsl.lsp.server import serve_stdio
    except ImportError as err:
        raise UsageError(f"the language server needs the 'lsp' extra: "
                         f"pip install 'nasdsl[lsp]' ({err})") from err
    serve_stdio()
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add lsp to the command parser."""
    p = sub.add_parser("lsp", help="serve the language server protocol on stdio")
    p.set_defaults(func=cmd_lsp)
