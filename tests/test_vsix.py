"""`vsce package` builds the VS Code extension, and the .vsix holds what VS Code needs."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

from test_tmlanguage import ensure_node_modules, run_npm_script

ROOT = Path(__file__).resolve().parent.parent
VSCODE = ROOT / "editors" / "vscode"


def _packaged(tmp_path: Path) -> zipfile.ZipFile:
    out = tmp_path / "nasdsl.vsix"
    proc = run_npm_script("package", "--out", str(out))
    assert proc.returncode == 0, f"vsce package failed:\n{proc.stdout}\n{proc.stderr}"
    assert zipfile.is_zipfile(out)
    return zipfile.ZipFile(out)


def _dependency_present(names: set[str], owner: str, dep: str) -> bool:
    nested = f"extension/node_modules/{owner}/node_modules/{dep}/package.json"
    return nested in names or f"extension/node_modules/{dep}/package.json" in names


def test_vsce_package_builds_a_complete_vsix(tmp_path):
    with _packaged(tmp_path) as vsix:
        names = set(vsix.namelist())
        manifest = json.loads(vsix.read("extension/package.json"))
        grammar = vsix.read("extension/syntaxes/nas.tmLanguage.json").decode("utf-8")
        readme = vsix.read("extension/readme.md").decode("utf-8")
        client_manifest = json.loads(
            vsix.read("extension/node_modules/vscode-languageclient/package.json"))

    for name in ("extension.vsixmanifest", "extension/package.json",
                 "extension/language-configuration.json", "extension/extension.js",
                 "extension/snippets/nas.json", "extension/syntaxes/nas.tmLanguage.json",
                 "extension/node_modules/vscode-languageclient/node.js",
                 "extension/node_modules/vscode-languageclient/lib/node/main.js"):
        assert name in names, name

    # the client's own runtime dependencies travel with it
    for dep in client_manifest.get("dependencies", {}):
        assert _dependency_present(names, "vscode-languageclient", dep), dep

    # the manifest inside points at files that are inside
    assert manifest["main"].removeprefix("./") == "extension.js"
    contributes = manifest["contributes"]
    assert f"extension/{contributes['grammars'][0]['path'].lstrip('./')}" in names
    assert f"extension/{contributes['languages'][0]['configuration'].lstrip('./')}" in names
    assert "repository" not in manifest or "example" not in json.dumps(manifest["repository"])

    # the packaged grammar is the generated one
    assert grammar == (ROOT / "grammars" / "nas.tmLanguage.json").read_text(encoding="utf-8")

    # nothing for development only
    assert not any(n.startswith("extension/test/") for n in names)
    assert not any(n.startswith("extension/scripts/") for n in names)
    for dev in json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))["devDependencies"]:
        assert not any(n.startswith(f"extension/node_modules/{dev}/") for n in names), dev

    for setting in ("nasdsl.server.command", "nasdsl.server.pythonPath"):
        assert setting in readme and setting in contributes["configuration"]["properties"]


def test_client_script_is_valid_javascript():
    node, _ = ensure_node_modules()
    proc = subprocess.run([node, "--check", str(VSCODE / "extension.js")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
