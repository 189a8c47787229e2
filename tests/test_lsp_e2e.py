"""End-to-end tests of `nasdsl lsp` with pytest-lsp: a real pygls client drives the server
over stdio, as an editor does."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from nasdsl.lang import parse_spec
from nasdsl.lang import registry as reg
from nasdsl.lang.format import format_source
from nasdsl.lsp import positions

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = (ROOT / "specs" / "quickstart.nas").read_text(encoding="utf-8")
WAIT = 10.0

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "nasdsl.lsp"]),
)
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(lsp.InitializeParams(
        root_uri=ROOT.as_uri(),
        capabilities=lsp.ClientCapabilities(
            general=lsp.GeneralClientCapabilities(
                position_encodings=[lsp.PositionEncodingKind.Utf16]),
            text_document=lsp.TextDocumentClientCapabilities(
                hover=lsp.HoverClientCapabilities(content_format=[lsp.MarkupKind.Markdown]),
                completion=lsp.CompletionClientCapabilities(
                    completion_item=lsp.ClientCompletionItemOptions(
                        documentation_format=[lsp.MarkupKind.Markdown])),
            ),
        ),
    ))
    yield
    await lsp_client.shutdown_session()


_versions: dict[str, int] = {}


def _uri(name: str) -> str:
    return (ROOT / "tests" / "e2e" / name).as_uri()


def _pos(text: str, needle: str, into: int = 0, occurrence: int = 0) -> lsp.Position:
    """UTF-16 position of `needle` (its n-th occurrence) plus `into` code points."""
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(needle, index + 1)
    index += into
    line_start = text.rfind("\n", 0, index) + 1
    return lsp.Position(text.count("\n", 0, index), positions.units(text[line_start:index]))


async def _diagnostics(client: LanguageClient, uri: str) -> list[lsp.Diagnostic]:
    """Wait for the server's next publishDiagnostics for `uri`."""
    async with asyncio.timeout(WAIT):
        while True:
            params = await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            if params.uri == uri:
                return list(params.diagnostics)


async def _open(client: LanguageClient, name: str, text: str) -> tuple[str, list]:
    uri = _uri(name)
    _versions[uri] = _versions.get(uri, 0) + 1
    waiting = _diagnostics(client, uri)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(
        uri=uri, language_id="nas", version=_versions[uri], text=text)))
    return uri, await waiting


def _errors(diags: list[lsp.Diagnostic]) -> list[lsp.Diagnostic]:
    return [d for d in diags if d.severity == lsp.DiagnosticSeverity.Error]


# ------------------------------------------------------------------ diagnostics


async def test_error_diagnostic_at_the_right_range(client: LanguageClient):
    text = QUICKSTART.replace("    stratify = true\n", "    stratfy = true\n")
    assert "stratfy" in text
    uri, diags = await _open(client, "error.nas", text)
    errors = _errors(diags)
    assert [d.code for d in errors] == ["NAS101"], diags
    start = _pos(text, "stratfy")
    assert errors[0].range == lsp.Range(start, lsp.Position(start.line, start.character + 7))
    assert errors[0].source == "nasdsl" and "stratify" in errors[0].message

    # the fix clears it
    _versions[uri] += 1
    waiting = _diagnostics(client, uri)
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=_versions[uri]),
        content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=QUICKSTART)]))
    assert _errors(await waiting) == []


async def test_non_ascii_comment_does_not_shift_the_range(client: LanguageClient):
    bad = QUICKSTART.replace("  seed        = 7\n", "  seed        = 7; sed = 8\n")
    plain = bad.replace("experiment", "# an ascii comment, twenty-one code points\nexperiment", 1)
    fancy = bad.replace("experiment", "# 🚀 naïve café — ünïcödé 🧪 ✓ ok\nexperiment", 1)
    assert positions.units(fancy) > len(fancy)  # characters outside the BMP
    ranges = []
    for name, text in (("plain.nas", plain), ("fancy.nas", fancy)):
        _, diags = await _open(client, name, text)
        unknown = [d for d in diags if d.code == "NAS101"]
        assert len(unknown) == 1, diags
        start = _pos(text, "sed = 8")
        assert unknown[0].range == lsp.Range(start, lsp.Position(start.line, start.character + 3))
        ranges.append(unknown[0].range)
    assert ranges[0] == ranges[1]

    # and on the error's own line, the emoji in a string before it counts twice in UTF-16
    same_line = bad.replace("; sed = 8", '; description = "🚀🚀"; sed = 8').replace(
        '  description = "MLP search on digits under a 20k-parameter limit"\n', "")
    _, diags = await _open(client, "same-line.nas", same_line)
    unknown = [d for d in diags if d.code == "NAS101"]
    line = same_line.splitlines()[unknown[0].range.start.line]
    assert unknown[0].range.start.character == line.index("sed = 8") + 2


async def test_static_space_findings_match_the_checker(client: LanguageClient):
    text = QUICKSTART.replace("params     <= 20k", "params     <= 10")
    _, diags = await _open(client, "whole-space.nas", text)
    expected = parse_spec(text, "whole-space.nas").diagnostics
    assert expected
    assert [(d.code, d.range.start.line + 1, d.range.start.character + 1) for d in diags] == \
        [(d.code, d.span.line, d.span.column) for d in expected]
    severity = {"error": 1, "warning": 2, "info": 3}
    assert [d.severity.value for d in diags] == \
        [severity[d.severity.value] for d in expected]
    # the limit no architecture meets is reported on the constraint itself
    assert any(d.range.start == _pos(text, "params     <= 10") for d in diags)


# ------------------------------------------------------------------ completion


async def _complete(client: LanguageClient, name: str, text: str, needle: str) -> list:
    uri, _ = await _open(client, name, text)
    result = await client.text_document_completion_async(lsp.CompletionParams(
        text_document=lsp.TextDocumentIdentifier(uri),
        position=_pos(text, needle, len(needle))))
    items = result.items if isinstance(result, lsp.CompletionList) else result
    return items


async def test_completion_inside_strategy(client: LanguageClient):
    names = await _complete(client, "strategy-name.nas",
                            QUICKSTART.replace("strategy random", "strategy "), "strategy ")
    assert {i.label for i in names} >= set(reg.STRATEGIES)

    text = QUICKSTART.replace("strategy random", "strategy evolution()")
    params = await _complete(client, "strategy-params.nas", text, "strategy evolution(")
    expected = {p.name for p in reg.STRATEGIES["evolution"].params}
    assert {i.label for i in params} == expected
    population = next(i for i in params if i.label == "population")
    assert population.documentation is not None
    assert population.text_edit.range.start == _pos(text, "evolution(", len("evolution("))

    # the block form: strategy NAME { key = value; … }
    text = QUICKSTART.replace("strategy random", "strategy bayesian {\n    \n  }")
    keys = await _complete(client, "strategy-block.nas", text, "strategy bayesian {\n    ")
    assert {p.name for p in reg.STRATEGIES["bayesian"].params} <= {i.label for i in keys}
    assert "early_stop" in {i.label for i in keys}
    assert not {"random", "data", "dense"} & {i.label for i in keys}


# ------------------------------------------------------------------ hover


async def test_hover_on_an_op_shows_its_documentation(client: LanguageClient):
    uri, _ = await _open(client, "hover.nas", QUICKSTART)
    for op in ("dense", "dropout", "batch_norm"):
        hover = await client.text_document_hover_async(lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri), position=_pos(QUICKSTART, op, 2)))
        assert hover is not None, op
        assert hover.contents.kind == lsp.MarkupKind.Markdown
        assert reg.OPS[op].doc in hover.contents.value
        start = _pos(QUICKSTART, op)
        assert hover.range == lsp.Range(start, lsp.Position(start.line,
                                                            start.character + len(op)))


# ------------------------------------------------------------------ formatting


async def test_formatting_returns_the_canonical_text(client: LanguageClient):
    messy = (QUICKSTART.replace("  seed        = 7", "  seed=7")
             .replace("    epochs     = 15", "        epochs =    15")
             .replace("  strategy random", "strategy    random"))
    canonical = format_source(messy, str(ROOT / "tests" / "e2e" / "format.nas"))
    canonical = canonical if isinstance(canonical, str) else canonical.text
    assert canonical != messy
    uri, _ = await _open(client, "format.nas", messy)
    edits = await client.text_document_formatting_async(lsp.DocumentFormattingParams(
        text_document=lsp.TextDocumentIdentifier(uri),
        options=lsp.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert edits and len(edits) == 1
    assert _apply(messy, edits[0]) == canonical

    # the canonical text is left as it is
    uri, _ = await _open(client, "formatted.nas", canonical)
    again = await client.text_document_formatting_async(lsp.DocumentFormattingParams(
        text_document=lsp.TextDocumentIdentifier(uri),
        options=lsp.FormattingOptions(tab_size=2, insert_spaces=True)))
    assert not again


def _apply(text: str, edit: lsp.TextEdit) -> str:
    lines = text.split("\n")

    def offset(p: lsp.Position) -> int:
        return positions.offset_of(lines, p)

    return text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
