"""The nasdsl language server (pygls 2.x over stdio).

Features: diagnostics on open and change, completion, hover, formatting, document
symbols and go-to-definition. It reuses nasdsl.lang only; no framework is imported.
Nothing but protocol frames is ever written to stdout: logging goes to stderr, and
while the server runs both `sys.stdout` and file descriptor 1 point at stderr, so a
stray print cannot corrupt the stream.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import BinaryIO

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from nasdsl import __version__
from nasdsl.lsp import collector, completion, diagnostics, formatting, hover, memo, symbols
from nasdsl.lsp.document import Document

log = logging.getLogger("nasdsl.lsp")

# Seconds of quiet after an edit before the document is checked again.
CHANGE_DELAY = 0.05


class NasLanguageServer(LanguageServer):
    """A pygls server that keeps one analysed `Document` per open file and version."""

    def __init__(self) -> None:
        super().__init__("nasdsl", __version__)
        self._cache: dict[str, tuple[int | None, Document]] = {}
        self._checks: dict[str, asyncio.Task[None]] = {}
        self.collector = collector.IdleCollector()

    def document(self, uri: str) -> Document:
        """The analysed document for a URI, rebuilt only when its version changes."""
        text_doc = self.workspace.get_text_document(uri)
        cached = self._cache.get(uri)
        if cached is not None and cached[0] == text_doc.version and text_doc.version is not None:
            return cached[1]
        encoding = self.workspace.position_encoding
        doc = Document(text_doc.source, to_fs_path(uri) or uri,
                       str(getattr(encoding, "value", encoding) or "utf-16"))
        self._cache[uri] = (text_doc.version, doc)
        return doc

    def forget(self, uri: str) -> None:
        """Drop a closed document and any check still pending for it."""
        self._cache.pop(uri, None)
        task = self._checks.pop(uri, None)
        if task is not None:
            task.cancel()

    def schedule_check(self, uri: str, delay: float = 0.0) -> None:
        """Check a document in the background after `delay` seconds of quiet.

        Typing restarts the delay, so a burst of keystrokes is checked once. The check
        runs in a worker thread: completion and hover answer while a long spec is being
        checked, and a result for an outdated version is dropped, not published.
        """
        previous = self._checks.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.collector.busy()
        task = asyncio.get_running_loop().create_task(self._check(uri, delay))
        self._checks[uri] = task
        task.add_done_callback(self._after_check)

    def _after_check(self, task: asyncio.Task[None]) -> None:
        if not any(not t.done() for t in self._checks.values()):
            self.collector.idle()

    async def _check(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        try:
            doc = self.document(uri)
            version = self.workspace.get_text_document(uri).version
        except Exception:  # noqa: BLE001 - a closed or unknown document: nothing to check
            return
        try:
            found = await asyncio.get_running_loop().run_in_executor(
                None, diagnostics.diagnostics, doc)
        except Exception:  # noqa: BLE001 - a checker bug must not stop the server
            log.exception("checking %s failed", uri)
            return
        current = self._cache.get(uri)
        if current is None or current[1] is not doc:
            return  # edited (or closed) meanwhile: the newer version has its own check
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=found))


def create_server() -> NasLanguageServer:
    """A server with every feature registered."""
    server = NasLanguageServer()

    memo.install()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: NasLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.schedule_check(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: NasLanguageServer,
                         params: lsp.DidChangeTextDocumentParams) -> None:
        ls.schedule_check(params.text_document.uri, CHANGE_DELAY)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: NasLanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.schedule_check(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: NasLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.forget(uri)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION,
                    lsp.CompletionOptions(trigger_characters=completion.TRIGGER_CHARACTERS))
    def on_completion(ls: NasLanguageServer, params: lsp.CompletionParams) -> lsp.CompletionList:
        return completion.complete(ls.document(params.text_document.uri), params.position)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: NasLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
        return hover.hover(ls.document(params.text_document.uri), params.position)

    @server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
    def on_formatting(ls: NasLanguageServer,
                      params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit] | None:
        return formatting.format_document(ls.document(params.text_document.uri))

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def on_symbols(ls: NasLanguageServer,
                   params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        return symbols.document_symbols(ls.document(params.text_document.uri))

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: NasLanguageServer,
                      params: lsp.DefinitionParams) -> lsp.Location | None:
        uri = params.text_document.uri
        return symbols.definition(ls.document(uri), uri, params.position)

    return server


def serve_stdio() -> None:
    """Run the language server over stdin/stdout until the client exits (`nasdsl lsp`)."""
    level = os.environ.get("NASDSL_LSP_LOG", "WARNING").upper()
    logging.basicConfig(stream=sys.stderr, level=getattr(logging, level, logging.WARNING),
                        format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    stdin, stdout = _protocol_streams()
    server = create_server()
    collector.install()
    server.start_io(stdin, stdout)


def _protocol_streams() -> tuple[BinaryIO, BinaryIO]:
    """stdin, and a private handle on the real stdout that only the protocol writes to.

    File descriptor 1 is pointed at stderr, so a print, a C extension or a child process
    that writes to "stdout" lands in the log instead of between two frames.
    """
    sys.stdout.flush()
    try:
        protocol_fd = os.dup(sys.stdout.fileno())
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
        stdout: BinaryIO = os.fdopen(protocol_fd, "wb")
    except (AttributeError, OSError, ValueError):  # no real descriptors (embedded use)
        stdout = sys.stdout.buffer
    sys.stdout = sys.stderr
    return sys.stdin.buffer, stdout
