"""The language server, spoken to over real stdio JSON-RPC (`python -m nasdsl.lsp`)."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")

from lsprotocol import types as lsp  # noqa: E402

from nasdsl.lang.diagnostics import Span  # noqa: E402
from nasdsl.lsp import positions  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = (ROOT / "specs" / "quickstart.nas").read_text(encoding="utf-8")
TIMEOUT = 10.0


class LspClient:
    """A minimal LSP client: Content-Length framing over a subprocess's pipes."""

    def __init__(self, command: list[str] | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            command or [sys.executable, "-m", "nasdsl.lsp"], cwd=ROOT, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.responses: dict[int, dict[str, Any]] = {}
        self.notifications: queue.Queue[dict[str, Any]] = queue.Queue()
        self.junk: list[bytes] = []  # anything on stdout that is not a protocol frame
        self.frames = 0
        self.stderr = b""
        self._next_id = 0
        self._cond = threading.Condition()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    # -------------------------------------------------------------- transport

    def _read_stdout(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line == b"\r\n":
                    break
                name, _, value = line.decode("ascii", "replace").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
                elif name.lower() != "content-type":
                    self.junk.append(line)
            if length is None:
                self.junk.append(b"<frame without Content-Length>")
                continue
            message = json.loads(out.read(length).decode("utf-8"))
            self.frames += 1
            self._dispatch(message)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        self.stderr = self.proc.stderr.read()

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message and "method" in message:  # a request from the server
            self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
        elif "id" in message:
            with self._cond:
                self.responses[message["id"]] = message
                self._cond.notify_all()
        else:
            self.notifications.put(message)

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    # -------------------------------------------------------------- API

    def request(self, method: str, params: Any) -> Any:
        """Send a request and wait for its result."""
        self._next_id += 1
        rid = self._next_id
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        with self._cond:
            if not self._cond.wait_for(lambda: rid in self.responses, TIMEOUT):
                raise TimeoutError(f"no answer to {method}; stderr: {self.stderr!r}")
            message = self.responses.pop(rid)
        assert "error" not in message, message["error"]
        return message["result"]

    def notify(self, method: str, params: Any) -> None:
        """Send a notification."""
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics_for(self, uri: str) -> list[dict[str, Any]]:
        """Wait for the next publishDiagnostics of `uri`."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            message = self.notifications.get(timeout=deadline - time.monotonic())
            if message.get("method") == "textDocument/publishDiagnostics" \
                    and message["params"]["uri"] == uri:
                return message["params"]["diagnostics"]
        raise TimeoutError(f"no diagnostics for {uri}")

    def open(self, uri: str, text: str, version: int = 1) -> list[dict[str, Any]]:
        """Open a document and return its diagnostics."""
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "nas", "version": version, "text": text}})
        return self.diagnostics_for(uri)

    def close(self) -> int:
        """Shut the server down politely and return its exit code."""
        self.request("shutdown", None)
        self.notify("exit", None)
        return self.proc.wait(timeout=TIMEOUT)


def _started(command: list[str] | None = None, env: dict[str, str] | None = None) -> LspClient:
    c = LspClient(command, env)
    result = c.request("initialize", {
        "processId": None, "rootUri": ROOT.as_uri(),
        "capabilities": {"general": {"positionEncodings": ["utf-16"]},
                         "textDocument": {"hover": {"contentFormat": ["markdown"]}}},
    })
    c.notify("initialized", {})
    c.capabilities = result["capabilities"]
    return c


@pytest.fixture(scope="module")
def client():
    c = _started()
    yield c
    if c.proc.poll() is None:
        c.close()
    assert c.junk == []


def _uri(name: str) -> str:
    return (ROOT / "tests" / name).as_uri()


def _pos(text: str, needle: str, offset_in_needle: int = 0, occurrence: int = 0) -> dict:
    """LSP position (UTF-16) of `needle` (its n-th occurrence) in `text`."""
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(needle, index + 1)
    index += offset_in_needle
    line = text.count("\n", 0, index)
    line_start = text.rfind("\n", 0, index) + 1
    return {"line": line, "character": positions.units(text[line_start:index])}


def _errors(diags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in diags if d["severity"] == 1]


def _labels(result: Any) -> list[str]:
    items = result["items"] if isinstance(result, dict) else result
    return [item["label"] for item in items]


def _complete(client: LspClient, name: str, text: str, needle: str) -> list[str]:
    uri = _uri(name)
    client.open(uri, text)
    pos = _pos(text, needle, len(needle))
    return _labels(client.request("textDocument/completion",
                                  {"textDocument": {"uri": uri}, "position": pos}))


# ------------------------------------------------------------------ pure conversions


def test_positions_count_utf16_code_units():
    lines = ['  x = "🚀é" y']
    assert positions.units("🚀é") == 3
    assert positions.units("🚀é", positions.UTF8) == 6
    assert positions.units("🚀é", positions.UTF32) == 2
    span = Span("f", 1, 10, 1, 11)  # the `"` after the emoji and é (code points 9..10)
    rng = positions.span_to_range(span, lines)
    assert (rng.start.line, rng.start.character, rng.end.character) == (0, 10, 11)
    assert positions.offset_of(lines, lsp.Position(0, 10)) == 9
    assert positions.to_code_points(lines[0], 7) == 7  # the emoji
    assert positions.to_code_points(lines[0], 9) == 8  # é, after the emoji's two units


# ------------------------------------------------------------------ protocol


def test_initialize_advertises_features(client):
    caps = client.capabilities
    assert caps["positionEncoding"] == "utf-16"
    for key in ("completionProvider", "hoverProvider", "documentFormattingProvider",
                "documentSymbolProvider", "definitionProvider", "textDocumentSync"):
        assert caps.get(key), key


def test_diagnostics_have_codes_and_utf16_ranges(client):
    # independent of how the quickstart aligns its '=' signs
    text = re.sub(r"\n  seed\s*=\s*7\n", '\n  description = "🚀🚀 fast"; sed = 7\n', QUICKSTART,
                  count=1)
    text = re.sub(r"\n  description\s*=\s*\"MLP[^\n]*\n", "\n", text, count=1)
    assert "sed = 7" in text and text.count("description") == 1
    uri = _uri("emoji.nas")
    diags = client.open(uri, text)
    bad = [d for d in diags if d["code"] == "NAS101"]
    assert bad, diags
    expected = _pos(text, "sed = 7")
    assert bad[0]["range"]["start"] == expected
    assert bad[0]["range"]["end"] == {"line": expected["line"],
                                      "character": expected["character"] + 3}
    # two emoji before it: UTF-16 counts them twice, code points once
    line = text.splitlines()[expected["line"]]
    assert expected["character"] == line.index("sed") + 2
    assert bad[0]["severity"] == 1 and bad[0]["source"] == "nasdsl"
    assert "seed" in bad[0]["message"]  # the did-you-mean hint travels with the message

    # fixing it on change clears the diagnostics
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"text": text.replace("sed = 7", "seed = 7")}]})
    assert _errors(client.diagnostics_for(uri)) == []


def test_unit_mistake_is_reported_with_its_code(client):
    text = QUICKSTART.replace("latency    <= 5 ms", "latency    <= 5 MB")
    diags = client.open(_uri("units.nas"), text)
    diags = _errors(diags)
    assert [d["code"] for d in diags] == ["NAS202"]
    assert diags[0]["range"]["start"] == _pos(text, "5 MB")


def test_syntax_error_is_a_diagnostic(client):
    diags = client.open(_uri("syntax.nas"), 'experiment "x" {\n  seed = = 7\n}\n')
    assert diags and diags[0]["code"].startswith("NAS0")
    assert diags[0]["range"]["start"]["line"] == 1


def test_completion_by_context(client):
    t = QUICKSTART
    assert {"random", "tpe", "evolution"} <= set(
        _complete(client, "c1.nas", t.replace("strategy random", "strategy "), "strategy "))
    assert "val.accuracy" in _complete(
        client, "c2.nas", t.replace("maximize val.accuracy", "maximize "), "maximize ")
    assert "sklearn.digits" in _complete(
        client, "c3.nas", t.replace("= sklearn.digits", "= "), "source   = ")
    assert {"min", "s", "h"} <= set(
        _complete(client, "c4.nas", t.replace("time   = 2 min", "time   = 2 "), "time   = 2 "))
    assert {"adam", "sgd"} <= set(
        _complete(client, "c5.nas", t.replace("= adam(lr = loguniform(1e-3, 1e-2))", "= "),
                  "optimizer  = "))
    keys = _complete(client, "c6.nas", t.replace("  backend = torch\n", "  \n"),
                     "strategy random\n  ")
    assert {"data", "objective", "constraints", "space", "train", "budget", "backend"} \
        <= set(keys)
    ops = _complete(client, "c7.nas", t.replace("optional batch_norm", "optional "),
                    "optional ")
    assert {"dense", "batch_norm", "dropout"} <= set(ops)
    assert {"units", "activation"} <= set(_complete(client, "c8.nas", t, "dense("))


def test_hover_shows_registry_docs(client):
    uri = _uri("hover.nas")
    client.open(uri, QUICKSTART)

    def hover(needle: str, occurrence: int = 0) -> str:
        result = client.request("textDocument/hover", {
            "textDocument": {"uri": uri}, "position": _pos(QUICKSTART, needle, 1, occurrence)})
        return result["contents"]["value"] if result else ""

    assert "Fully connected" in hover("dense")
    assert "Sample every decision" in hover("random")
    assert "thousand" in hover("20k", 1)  # occurrence 0 is inside the description string
    assert "kilobyte" in hover("KB")
    assert "Number of output units" in hover("units")
    space = hover("space layers")
    assert "space layers" in space and "architectures" in space and "params" in space


def test_hover_after_an_emoji_uses_utf16_columns(client):
    text = QUICKSTART.replace("  backend = torch\n", '  description = "🚀"; backend = torch\n')
    text = text.replace('  description = "MLP search on digits under a 20k-parameter limit"\n',
                        "")
    uri = _uri("hover-emoji.nas")
    assert _errors(client.open(uri, text)) == []
    result = client.request("textDocument/hover", {
        "textDocument": {"uri": uri}, "position": _pos(text, "= torch", 4)})
    assert "PyTorch" in result["contents"]["value"]
    start = _pos(text, "= torch", 2)
    assert start["character"] == text.splitlines()[start["line"]].index("torch") + 1
    assert result["range"]["start"] == start


def test_document_symbols_outline_blocks(client):
    uri = _uri("symbols.nas")
    client.open(uri, QUICKSTART)
    symbols = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert [s["name"] for s in symbols] == ['experiment "quickstart"']
    children = [c["name"] for c in symbols[0]["children"]]
    for name in ("data", "objective", "constraints", "space layers", "train", "budget"):
        assert name in children
    assert symbols[0]["range"]["start"] == _pos(QUICKSTART, "experiment")


CELLS = """experiment "cells" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space cells {
    stem      = conv(channels = 8, kernel = 3)
    normal    = cell(blocks = 2, ops = [sep_conv_3x3, identity])
    reduction = cell(blocks = 2, ops = [max_pool_3x3, conv_3x3])
    layout    = [normal x 2, reduction, normal]
  }
  baseline "tiny" {
    layers { dense(units = 16); dense }
  }
}
"""


def test_definition_of_a_cell_name(client):
    uri = _uri("cells.nas")
    client.open(uri, CELLS)
    result = client.request("textDocument/definition", {
        "textDocument": {"uri": uri}, "position": _pos(CELLS, "normal x", 2)})
    location = result[0] if isinstance(result, list) else result
    assert location["uri"] == uri
    assert location["range"]["start"] == _pos(CELLS, "normal    =")
    # a key being set is not a reference
    assert client.request("textDocument/definition", {
        "textDocument": {"uri": uri}, "position": _pos(CELLS, "stem")}) in (None, [])


def test_formatting(client):
    uri = _uri("format.nas")
    messy = QUICKSTART.replace("  seed = 7", "  seed    =     7")
    client.open(uri, messy)
    edits = client.request("textDocument/formatting", {
        "textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}})
    try:
        from nasdsl.lang.format import format_source
    except ImportError:
        assert not edits  # no formatter yet: nothing to do, and no error
        return
    expected = format_source(messy, str(ROOT / "tests" / "format.nas"))
    expected = expected if isinstance(expected, str) else expected.text
    if expected == messy:
        assert not edits
        return
    assert len(edits) == 1
    lines = messy.split("\n")
    assert edits[0]["range"]["start"] == {"line": 0, "character": 0}
    assert edits[0]["range"]["end"] == {"line": len(lines) - 1,
                                        "character": len(lines[-1])}
    assert edits[0]["newText"] == expected


def test_server_imports_no_framework():
    code = (
        "import sys\n"
        "from lsprotocol import types as lsp\n"
        "from nasdsl.lsp import completion, hover, server, symbols\n"
        "from nasdsl.lsp.document import Document\n"
        "d = Document(open('specs/quickstart.nas').read(), 'q.nas')\n"
        "d.result; symbols.document_symbols(d)\n"
        "line = next(i for i, t in enumerate(d.lines) if 'space layers' in t)\n"
        "hover.hover(d, lsp.Position(line, 3)); completion.complete(d, lsp.Position(line, 0))\n"
        "heavy = ('torch', 'tensorflow', 'keras', 'sklearn', 'optuna')\n"
        "print([m for m in sys.modules if m.split('.')[0] in heavy])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_formatting_leaves_a_broken_file_alone(client):
    uri = _uri("format-broken.nas")
    client.open(uri, 'experiment "x" {\n  seed = = 7\n')
    edits = client.request("textDocument/formatting", {
        "textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": True}})
    assert not edits


def test_stdout_holds_only_protocol_frames():
    c = _started()
    try:
        uri = _uri("last.nas")
        c.open(uri, QUICKSTART.replace("sklearn.digits", "sklearn.digit"))
        c.request("textDocument/hover", {"textDocument": {"uri": uri},
                                         "position": _pos(QUICKSTART, "dense", 1)})
        assert c.close() == 0
    finally:
        if c.proc.poll() is None:
            c.proc.kill()
    assert c.junk == []
    assert c.frames >= 3
    assert b"Traceback" not in c.stderr


NOISY_MODULE = """\
import os, pathlib, sys
pathlib.Path(os.environ["NOISY_MARKER"]).write_text("imported")
print("noisy_ops: hello from print")
os.write(1, b"noisy_ops: hello from fd 1\\n")
"""

CUSTOM = """experiment "custom" {
  use "noisy_ops"
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers {
    dense(units = choice(16, 32))
    my_block(width = choice(8, 16))
  }
  budget { trials = 500 }
  strategy random
}
"""


def _exercise(c: LspClient, uri: str, text: str) -> list[dict[str, Any]]:
    """Open, change, and ask for every feature: what an editor does in the first second."""
    diags = c.open(uri, text)
    c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                        "contentChanges": [{"text": text + "\n"}]})
    c.diagnostics_for(uri)
    doc = {"textDocument": {"uri": uri}}
    for needle in ("my_block", "dense", "space layers", "random"):
        c.request("textDocument/hover", {**doc, "position": _pos(text, needle, 1)})
    c.request("textDocument/completion", {**doc, "position": _pos(text, "units = ", 8)})
    c.request("textDocument/documentSymbol", doc)
    c.request("textDocument/formatting", {**doc, "options": {"tabSize": 2,
                                                             "insertSpaces": True}})
    c.request("textDocument/definition", {**doc, "position": _pos(text, "my_block")})
    return diags


def test_stdout_holds_only_frames_with_custom_ops_and_warnings(tmp_path):
    (tmp_path / "noisy_ops.py").write_text(NOISY_MODULE, encoding="utf-8")
    marker = tmp_path / "imported.txt"
    env = {**os.environ, "NOISY_MARKER": str(marker),
           "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    c = _started(env=env)
    try:
        diags = _exercise(c, _uri("custom.nas"), CUSTOM)
        assert c.close() == 0
    finally:
        if c.proc.poll() is None:
            c.proc.kill()
    assert _errors(diags) == [], diags
    assert [d for d in diags if d["severity"] == 2], diags  # warnings travel too
    assert c.junk == []
    assert not marker.exists()  # a spec is data: the editor never imports its modules
    assert b"Traceback" not in c.stderr


def test_output_from_inside_the_server_never_reaches_stdout():
    # a handler that prints and writes to file descriptor 1, as a careless plugin might
    wrapper = (
        "import os\n"
        "from nasdsl.lsp import diagnostics, server\n"
        "checked = diagnostics.diagnostics\n"
        "def noisy(doc):\n"
        "    print('print() while checking')\n"
        "    os.write(1, b'fd 1 while checking\\n')\n"
        "    return checked(doc)\n"
        "diagnostics.diagnostics = noisy\n"
        "server.serve_stdio()\n"
    )
    c = _started([sys.executable, "-c", wrapper])
    try:
        diags = c.open(_uri("noisy.nas"), QUICKSTART.replace("sklearn.digits", "sklearn.digit"))
        assert c.close() == 0
    finally:
        if c.proc.poll() is None:
            c.proc.kill()
    assert _errors(diags), diags  # the server still works: the unknown dataset is reported
    assert c.junk == []
    assert b"print() while checking" in c.stderr and b"fd 1 while checking" in c.stderr


def test_space_measures_are_reused_when_only_positions_change():
    from nasdsl.lang import analysis, parse_spec
    from nasdsl.lsp import memo

    calls = []

    def counted(spec, data=None):
        calls.append(spec)
        return analysis.chain_measures(spec)

    cached = memo.memoized(counted)
    first = parse_spec(QUICKSTART, "a.nas").spec
    shifted = parse_spec("# a new first line\n" + QUICKSTART.replace("seed        = 7",
                                                                        "seed = 8"), "a.nas").spec
    assert first is not None and shifted is not None
    assert first.space.span.line + 1 == shifted.space.span.line
    assert memo.fingerprint(first.space) == memo.fingerprint(shifted.space)
    assert cached(first) == cached(shifted) == analysis.chain_measures(first)
    assert len(calls) == 1  # the second spec only moved the space down a line

    wider = parse_spec(QUICKSTART.replace("choice(32, 64, 128)", "choice(32, 64, 256)"),
                       "a.nas").spec
    assert memo.fingerprint(wider.space) != memo.fingerprint(first.space)
    assert cached(wider) == analysis.chain_measures(wider)
    assert len(calls) == 2


def test_a_fingerprint_tells_true_from_1_and_1_0_from_1():
    from nasdsl.lang import ast
    from nasdsl.lang.diagnostics import Span
    from nasdsl.lsp import memo

    here, there = Span("a.nas", 1, 1, 1, 2), Span("b.nas", 9, 3, 9, 7)
    assert memo.fingerprint(ast.Literal(1, here)) == memo.fingerprint(ast.Literal(1, there))
    values = [memo.fingerprint(ast.Literal(v, here)) for v in (1, True, 1.0, "1", None)]
    assert len(set(values)) == len(values)
    assert memo.fingerprint([ast.Literal(2, here)]) == memo.fingerprint((ast.Literal(2, there),))


def test_the_server_collects_garbage_once_it_is_quiet():
    from nasdsl.lsp.collector import IDLE_DELAY

    c = _started(env={**os.environ, "NASDSL_LSP_LOG": "DEBUG"})
    try:
        assert _errors(c.open(_uri("idle.nas"), QUICKSTART)) == []
        time.sleep(IDLE_DELAY + 0.5)
        assert c.close() == 0
    finally:
        if c.proc.poll() is None:
            c.proc.kill()
    assert b"idle full collection" in c.stderr
    assert c.junk == []
