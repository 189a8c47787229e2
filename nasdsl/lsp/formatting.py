"""Formatting through `nasdsl.lang.format.format_source` (the `nasdsl fmt` engine)."""

from __future__ import annotations

import importlib
import logging

from lsprotocol import types as lsp

from nasdsl.lsp.document import Document

log = logging.getLogger(__name__)


def _formatter():
    try:
        module = importlib.import_module("nasdsl.lang.format")
    except ImportError:
        log.info("nasdsl.lang.format is not available; formatting is off")
        return None
    return getattr(module, "format_source", None)


def _text_of(result: object) -> str | None:
    if isinstance(result, str):
        return result
    text = getattr(result, "text", None)
    return text if isinstance(text, str) else None


def format_document(doc: Document) -> list[lsp.TextEdit] | None:
    """One edit replacing the whole document with its canonical layout, or none.

    A file the formatter cannot handle (syntax errors) is left alone: the diagnostics
    already say what is wrong.
    """
    format_source = _formatter()
    if format_source is None:
        return None
    try:
        formatted = _text_of(format_source(doc.source, doc.file))
    except Exception as err:  # noqa: BLE001 - a formatter failure must not kill the server
        log.info("not formatting %s: %s", doc.file, err)
        return None
    if formatted is None or formatted == doc.source:
        return []
    return [lsp.TextEdit(doc.range_of(0, len(doc.text)), formatted)]
