"""Hover: the registry's documentation of the name under the cursor."""

from __future__ import annotations

import re

from lsprotocol import types as lsp

from nasdsl.lang import registry as reg
from nasdsl.lang.units import RATE_PERIODS, UNITS
from nasdsl.lsp import catalog
from nasdsl.lsp.catalog import Entry
from nasdsl.lsp.context import cursor_context, expected
from nasdsl.lsp.document import Document
from nasdsl.lsp.scanner import Token
from nasdsl.lsp.spaceinfo import space_markdown
from nasdsl.lsp.structure import node_at

_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?P<unit>%|[A-Za-z_]+)?")


def _markdown(entry: Entry) -> str:
    title = f"**{entry.name}** — {entry.category}"
    if entry.detail and entry.detail != entry.category:
        title += f" · `{entry.detail}`"
    return f"{title}\n\n{entry.doc}" if entry.doc else title


def _lookup(name: str, entries: list[Entry]) -> Entry | None:
    return next((e for e in entries if e.name == name), None)


def _name_entry(tok: Token, doc: Document) -> Entry | None:
    ctx = cursor_context(doc.tokens, tok.start)
    found = _lookup(tok.text, expected(ctx))
    if found is None and not ctx.stmt and ctx.block is not None:
        found = _lookup(tok.text, catalog.block_keys(ctx.block))
    if found is None or found.category == "key":
        # A key that is also a table entry (an op in a layer space) reads better from its table.
        tabled = [e for e in catalog.index().get(tok.text, []) if e.category not in ("key",
                                                                                    "block")]
        if tabled and (found is None or tabled[0].doc == found.doc):
            found = tabled[0]
    if found is None:
        found = (catalog.index().get(tok.text) or [None])[0]
    if found is None and "." in tok.text:
        split, _, metric = tok.text.rpartition(".")
        spec = _metric(metric)
        if spec is not None and split in reg.SPLITS:
            found = Entry(tok.text, "metric", f"{catalog.doc_of(spec)}\n\nMeasured on the "
                          f"{split} split.")
    if found is None:
        spec = _metric(tok.text)
        found = Entry(tok.text, "metric", catalog.doc_of(spec)) if spec is not None else None
    return found


def _metric(name: str) -> object | None:
    lookup = getattr(reg, "lookup_metric", None)
    return lookup(name) if lookup is not None else catalog.table("METRICS").get(name)


def _number_markdown(tok: Token) -> str | None:
    if tok.kind == "money":
        period = tok.text.partition("/")[2]
        if period:
            known = "" if period in RATE_PERIODS else \
                f" (unknown period; use {', '.join(RATE_PERIODS)})"
            return f"**{tok.text}** — a price per {period}{known}"
        return f"**{tok.text}** — an amount of money"
    m = _NUMBER.fullmatch(tok.text)
    suffix = m.group("unit") if m else None
    if suffix in UNITS:
        unit = UNITS[suffix]
        return f"**{suffix}** — {unit.doc} · {unit.dimension.describe()}"
    return None


def hover(doc: Document, position: lsp.Position) -> lsp.Hover | None:
    """Documentation of the name under the cursor, or a summary of a space header."""
    offset = doc.offset_at(position)
    tok = doc.token_at(offset, ("name", "number", "money"))
    if tok is None:
        return None
    if tok.kind == "name":
        node = node_at(doc.root, tok.start)
        if node is not None and node.head is not None and node.head.text == "space" \
                and node.children is not None and tok in (node.head, node.label):
            label = node.label.text if node.label else None
            line = doc.index.line_col(node.head.start)[0]
            text = space_markdown(label, doc.spec, line)
        else:
            entry = _name_entry(tok, doc)
            text = _markdown(entry) if entry else None
    else:
        text = _number_markdown(tok)
    if text is None:
        return None
    return lsp.Hover(contents=lsp.MarkupContent(lsp.MarkupKind.Markdown, text),
                     range=doc.range_of(tok.start, tok.end))
