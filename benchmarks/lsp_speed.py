"""Language-server latency on a generated 1,000-line spec: diagnostics and completion.

Usage: .venv/bin/python benchmarks/lsp_speed.py [--lines 1000] [--repeats 7]

Two kinds of figures, medians of --repeats (the didOpen row also gives the slowest):
- handler: the server's own functions called in this process (nasdsl.lsp.diagnostics /
  completion on a fresh Document, i.e. a new document version, as after a keystroke);
- stdio: the real server (`python -m nasdsl.lsp`) driven by a pygls client over
  stdin/stdout: the first document's diagnostics from the server's launch (once per
  run, so not a median); didOpen of a new document (its space new to the server, so nothing is
  cached) → its publishDiagnostics; didChange → publishDiagnostics for that version;
  and a completion request sent right after a didChange.
Targets (issue 8): diagnostics ≤ 50 ms, completion ≤ 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types as lsp

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "specs" / "quickstart.nas"


def generate(lines: int) -> str:
    """The quickstart with its layer space grown to a spec of about `lines` lines."""
    head = QUICKSTART.read_text(encoding="utf-8")
    start, end = head.index("  space layers {"), head.index("  train {")
    outside = head.count("\n") - head[start:end].count("\n") + 3
    body: list[str] = []
    i = 0
    while outside + len(body) + 4 <= lines:
        body += [f"    # block {i}: a dense layer, an optional norm, dropout",
                 "    dense(units = choice(16, 32, 64), activation = choice(relu, gelu))",
                 "    optional batch_norm",
                 "    dropout(rate = uniform(0.0, 0.3))"]
        i += 1
    return head[:start] + "  space layers {\n" + "\n".join(body) + "\n  }\n\n" + head[end:]


def _position(text: str, needle: str) -> lsp.Position:
    index = text.index(needle) + len(needle)
    return lsp.Position(text.count("\n", 0, index), index - text.rfind("\n", 0, index) - 1)


def _ms(times: list[float]) -> str:
    return f"{1000 * statistics.median(times):7.1f} ms"


def _ms_worst(times: list[float]) -> str:
    """Median and slowest: the slowest shows pauses (such as a garbage collection)."""
    return f"{1000 * statistics.median(times):7.1f} ms (slowest {1000 * max(times):.1f} ms)"


def handler_figures(text: str, repeats: int) -> list[tuple[str, str]]:
    """Medians of the handler functions, called directly."""
    from nasdsl.lsp import completion, diagnostics, memo
    from nasdsl.lsp.document import Document

    def diag(t: str) -> float:
        start = time.perf_counter()
        diagnostics.diagnostics(Document(t, "bench.nas"))
        return time.perf_counter() - start

    def complete(t: str, needle: str) -> float:
        start = time.perf_counter()
        result = completion.complete(Document(t, "bench.nas"), _position(t, needle))
        elapsed = time.perf_counter() - start
        assert result.items, needle
        return elapsed

    diag(text)  # warm-up: imports and the Lark parser tables
    rows = [("handler: full check (parse + semantics + static space analysis)",
             _ms([diag(text.replace("seed        = 7", f"seed        = {i}"))
                  for i in range(repeats)]))]
    memo.install()
    diag(text)
    rows.append(("handler: check after an edit outside the space (measures cached)",
                 _ms([diag(text.replace("seed        = 7", f"seed        = {i}"))
                      for i in range(repeats)])))
    rows.append(("handler: check after an edit inside the space",
                 _ms([diag(text.replace("block 3:", f"block 3.{i}:")
                           .replace("choice(16, 32, 64)", f"choice(16, 32, {64 + i})", 1))
                      for i in range(repeats)])))
    strategy = text.replace("strategy random", "strategy ")
    rows.append(("handler: completion after `strategy ` (end of file)",
                 _ms([complete(strategy.replace("seed        = 7", f"seed        = {i}"),
                               "strategy ") for i in range(repeats)])))
    inside = text.replace("    optional batch_norm\n", "    optional \n", 1)
    rows.append(("handler: completion of an op inside the space",
                 _ms([complete(inside.replace("seed        = 7", f"seed        = {i}"),
                               "\n    optional ") for i in range(repeats)])))
    return rows


async def stdio_figures(text: str, repeats: int) -> list[tuple[str, str]]:
    """Medians measured through the real server process over stdio."""
    from pygls.lsp.client import LanguageClient

    from nasdsl.lsp.server import CHANGE_DELAY

    client = LanguageClient("lsp-speed", "1")
    published: dict[int, float] = {}
    opened: dict[str, float] = {}
    arrived = asyncio.Event()

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
        if params.uri == uri:
            published[params.version or 0] = time.perf_counter()
        else:
            opened.setdefault(params.uri, time.perf_counter())
        arrived.set()

    launched = time.perf_counter()
    await client.start_io(sys.executable, "-m", "nasdsl.lsp")
    await client.initialize_async(lsp.InitializeParams(capabilities=lsp.ClientCapabilities()))
    client.initialized(lsp.InitializedParams())
    uri = (ROOT / "bench.nas").as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        lsp.TextDocumentItem(uri=uri, language_id="nas", version=1, text=text)))
    version = 1

    async def change(new_text: str) -> float:
        nonlocal version
        version += 1
        sent = time.perf_counter()
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [lsp.TextDocumentContentChangeWholeDocument(text=new_text)]))
        return sent

    async def diagnostics_for(wanted: int, sent: float) -> float:
        while wanted not in published:
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), 30)
        return published[wanted] - sent

    while 1 not in published:
        arrived.clear()
        await asyncio.wait_for(arrived.wait(), 30)
    first = published[1] - launched

    opens = []
    for i in range(repeats):  # a new document each time, its space new to the server too
        other = (ROOT / f"bench-open-{i}.nas").as_uri()
        new_text = text.replace("choice(16, 32, 64)", f"choice(16, 32, {80 + i})", 1)
        sent = time.perf_counter()
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(uri=other, language_id="nas", version=1, text=new_text)))
        while other not in opened:
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), 30)
        opens.append(opened[other] - sent)

    outside = []
    for i in range(repeats):
        sent = await change(text.replace("seed        = 7", f"seed        = {100 + i}"))
        outside.append(await diagnostics_for(version, sent) - CHANGE_DELAY)

    completions = []
    strategy = text.replace("strategy random", "strategy ")
    for i in range(repeats):
        edited = strategy.replace("seed        = 7", f"seed        = {200 + i}")
        await change(edited)
        start = time.perf_counter()
        result = await client.text_document_completion_async(lsp.CompletionParams(
            lsp.TextDocumentIdentifier(uri), _position(edited, "strategy ")))
        completions.append(time.perf_counter() - start)
        assert result and result.items
        await diagnostics_for(version, start)  # let the check finish before the next round

    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return [
        ("stdio: start the server, initialize, open a 1,000-line document → its diagnostics",
         _ms([first])),
        ("stdio: didOpen of a new 1,000-line document → publishDiagnostics", _ms_worst(opens)),
        (f"stdio: didChange → publishDiagnostics (edit outside the space; "
         f"minus the {CHANGE_DELAY * 1000:.0f} ms debounce)", _ms(outside)),
        ("stdio: completion request right after a didChange", _ms(completions)),
    ]


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    text = generate(args.lines)
    print(f"spec: {text.count(chr(10))} lines, {len(text):,} characters; "
          f"median of {args.repeats}")
    rows = handler_figures(text, args.repeats) + asyncio.run(stdio_figures(text, args.repeats))
    width = max(len(label) for label, _ in rows)
    for label, figure in rows:
        print(f"{label:<{width}}  {figure}")


if __name__ == "__main__":
    main()
