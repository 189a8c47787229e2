"""Completion by context: blocks, keys, ops, strategies, metrics, datasets, units, …"""

from __future__ import annotations

import re

from lsprotocol import types as lsp

from nasdsl.lsp.catalog import Entry
from nasdsl.lsp.context import Context, cursor_context, expected
from nasdsl.lsp.document import Document

_KINDS = {
    "block": lsp.CompletionItemKind.Module,
    "key": lsp.CompletionItemKind.Property,
    "op": lsp.CompletionItemKind.Function,
    "optimizer": lsp.CompletionItemKind.Function,
    "strategy": lsp.CompletionItemKind.Class,
    "metric": lsp.CompletionItemKind.Field,
    "measure": lsp.CompletionItemKind.Field,
    "dataset": lsp.CompletionItemKind.Constant,
    "backend": lsp.CompletionItemKind.Constant,
    "space kind": lsp.CompletionItemKind.Enum,
    "activation": lsp.CompletionItemKind.EnumMember,
    "primitive": lsp.CompletionItemKind.Function,
    "param": lsp.CompletionItemKind.Variable,
    "unit": lsp.CompletionItemKind.Unit,
    "keyword": lsp.CompletionItemKind.Keyword,
    "constant": lsp.CompletionItemKind.Constant,
}

_DIGITS = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

TRIGGER_CHARACTERS = [".", "(", "=", " ", ","]


def _replace_range(ctx: Context, offset: int) -> tuple[int, int]:
    """Offsets of the text the chosen item replaces: the word (or unit suffix) being typed."""
    tok = ctx.prefix
    if tok is None:
        return offset, offset
    if tok.kind == "number":
        digits = _DIGITS.match(tok.text)
        return min(tok.start + (digits.end() if digits else 0), offset), offset
    if tok.kind == "money":
        slash = tok.text.find("/")
        return (tok.start + slash + 1 if slash >= 0 else offset), offset
    return tok.start, offset


def _item(entry: Entry, edit_range: lsp.Range, index: int) -> lsp.CompletionItem:
    return lsp.CompletionItem(
        label=entry.name,
        kind=_KINDS.get(entry.category, lsp.CompletionItemKind.Text),
        detail=entry.detail or entry.category,
        documentation=lsp.MarkupContent(lsp.MarkupKind.Markdown, entry.doc) if entry.doc else None,
        text_edit=lsp.TextEdit(edit_range, entry.name),
        sort_text=f"{index:04d}",
    )


def complete(doc: Document, position: lsp.Position) -> lsp.CompletionList:
    """Completion items that fit at the position."""
    offset = doc.offset_at(position)
    ctx = cursor_context(doc.tokens, offset)
    entries = expected(ctx)
    start, end = _replace_range(ctx, offset)
    edit_range = doc.range_of(start, end)
    seen: set[str] = set()
    items = []
    for i, entry in enumerate(entries):
        if entry.name not in seen:
            seen.add(entry.name)
            items.append(_item(entry, edit_range, i))
    return lsp.CompletionList(is_incomplete=False, items=items)
