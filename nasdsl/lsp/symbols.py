"""Outline (document symbols) and go-to-definition."""

from __future__ import annotations

from lsprotocol import types as lsp

from nasdsl.lang import registry as reg
from nasdsl.lsp.document import Document
from nasdsl.lsp.scanner import Token
from nasdsl.lsp.structure import Node, definitions, node_at

_KIND = lsp.SymbolKind


def _symbol_kind(node: Node) -> lsp.SymbolKind:
    head = node.head.text if node.head else ""
    if node.children is not None:
        return _KIND.Module if head == "experiment" else _KIND.Namespace
    if node.kind == "assign":
        return _KIND.Property
    if node.kind == "compare":
        return _KIND.Field
    if head in reg.OPS:
        return _KIND.Function
    return _KIND.Event


def _detail(node: Node) -> str:
    rest = node.tokens[1:] if node.kind != "command" or node.children is None \
        else node.tokens[2:] if node.label else node.tokens[1:]
    text = " ".join(t.text for t in rest)
    return text if len(text) <= 60 else text[:57] + "…"


def _symbol(node: Node, doc: Document) -> lsp.DocumentSymbol | None:
    head = node.head
    if head is None:
        return None
    name = head.text
    if node.children is not None and node.label is not None:
        name = f"{name} {node.label.text}"
    children = [s for c in node.children or () if (s := _symbol(c, doc)) is not None]
    return lsp.DocumentSymbol(
        name=name,
        kind=_symbol_kind(node),
        range=doc.range_of(node.start, node.end),
        selection_range=doc.range_of(head.start, (node.label or head).end),
        detail=_detail(node) or None,
        children=children or None,
    )


def document_symbols(doc: Document) -> list[lsp.DocumentSymbol]:
    """The outline of blocks, keys, constraints and layers."""
    return [s for node in doc.root.children or () if (s := _symbol(node, doc)) is not None]


def definition(doc: Document, uri: str, position: lsp.Position) -> lsp.Location | None:
    """Where the name (or quoted name) under the cursor is defined, if it is."""
    offset = doc.offset_at(position)
    tok = doc.token_at(offset, ("name", "string"))
    if tok is None:
        return None
    name = tok.text.strip('"')
    here = node_at(doc.root, tok.start)
    if here is not None and here.head is tok:
        return None  # a key being set is not a reference
    scopes = list(here.scope_chain()) if here is not None else []
    candidates: list[tuple[int, Node, Token]] = []
    for def_name, target, node in definitions(doc.root):
        if def_name != name or target is tok:
            continue
        if node.kind == "assign" and target is node.head:
            if node.parent in scopes:  # assignments are visible in their block and below
                candidates.append((scopes.index(node.parent), node, target))
        else:  # labelled blocks (baseline "name") are visible everywhere
            candidates.append((len(scopes), node, target))
    if not candidates:
        return None
    _, _, target = min(candidates, key=lambda c: c[0])
    return lsp.Location(uri=uri, range=doc.range_of(target.start, target.end))

