"""The TextMate grammar: generated from the registry, copied into the VS Code extension,
and tokenizing real specs the way VS Code does (vscode-textmate + vscode-oniguruma)."""

from __future__ import annotations

import fcntl
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from nasdsl.grammars import gen_tmlanguage as gen

from nasdsl.lang import registry as reg
from nasdsl.lang.units import UNITS

ROOT = Path(__file__).resolve().parent.parent
GRAMMAR = ROOT / "grammars" / "nas.tmLanguage.json"
VSCODE = ROOT / "editors" / "vscode"


def _grammar() -> dict:
    return json.loads(GRAMMAR.read_text(encoding="utf-8"))


def _all_patterns(node: object):
    if isinstance(node, dict):
        if "match" in node or "begin" in node:
            yield node
        for value in node.values():
            yield from _all_patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _all_patterns(value)


def test_grammar_is_valid_json_with_standard_scopes():
    grammar = _grammar()
    assert grammar["scopeName"] == "source.nas"
    text = GRAMMAR.read_text(encoding="utf-8")
    for scope in ("keyword.control", "entity.name.function", "constant.numeric",
                  "keyword.other.unit", "string.quoted.double", "comment.line",
                  "support.function", "variable.other", "keyword.operator"):
        assert f'"{scope}' in text, scope
    for pattern in _all_patterns(grammar["repository"]):
        for key in ("match", "begin", "end"):
            if key in pattern:
                re.compile(pattern[key])


def test_committed_grammar_equals_the_generated_one():
    assert GRAMMAR.read_text(encoding="utf-8") == gen.render(), \
        "run: python -m nasdsl.grammars.gen_tmlanguage"
    assert gen.main(["--check"]) == 0


def test_vscode_copy_equals_the_grammar():
    copy = VSCODE / "syntaxes" / "nas.tmLanguage.json"
    assert copy.read_text(encoding="utf-8") == GRAMMAR.read_text(encoding="utf-8")


def test_word_lists_come_from_the_registry():
    words = gen.word_lists()
    assert set(reg.STRATEGIES) <= set(words["strategies"])
    assert set(reg.OPS) <= set(words["ops"])
    assert set(reg.METRICS) | set(reg.MEASURES) <= set(words["metrics"])
    assert set(reg.DATASETS) <= set(words["datasets"])
    assert set(reg.SEARCH_PRIMITIVES) <= set(words["primitives"])
    assert set(UNITS) == set(words["units"])
    for keyword in gen.CORE_KEYWORDS:
        assert keyword in words["keywords"]
    text = GRAMMAR.read_text(encoding="utf-8")
    for name in list(reg.STRATEGIES) + list(reg.OPS) + list(reg.METRICS):
        assert name in text, name


def test_vscode_manifest_points_at_the_grammar():
    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    language = manifest["contributes"]["languages"][0]
    assert language["id"] == "nas" and ".nas" in language["extensions"]
    grammar = manifest["contributes"]["grammars"][0]
    assert grammar["scopeName"] == "source.nas" and grammar["language"] == "nas"
    assert (VSCODE / grammar["path"]).is_file()
    assert (VSCODE / language["configuration"]).is_file()
    for snippet in manifest["contributes"]["snippets"]:
        json.loads((VSCODE / snippet["path"]).read_text(encoding="utf-8"))
    assert manifest["devDependencies"]["@vscode/vsce"].lstrip("^~").startswith("3.")
    assert (VSCODE / "package-lock.json").is_file()
    settings = manifest["contributes"]["configuration"]["properties"]
    assert "nasdsl.server.command" in settings and "nasdsl.server.pythonPath" in settings


# ------------------------------------------------------------------ real tokenization


def _node_modules_complete() -> bool:
    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    names = {**manifest.get("dependencies", {}), **manifest.get("devDependencies", {})}
    return all((VSCODE / "node_modules" / name / "package.json").is_file() for name in names)


def ensure_node_modules() -> tuple[str, str]:
    """Paths of node and npm, after `npm ci` in editors/vscode when a package is missing.

    A file lock keeps two pytest-xdist workers from running `npm ci` at the same time.
    """
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "the editor tests need Node.js 20 with npm on PATH"
    with open(VSCODE / "package-lock.json", "rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not _node_modules_complete():
                proc = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=VSCODE,
                                      capture_output=True, text=True, timeout=300)
                assert proc.returncode == 0, f"npm ci failed in editors/vscode:\n{proc.stderr}"
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return node, npm


def run_npm_script(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`npm run SCRIPT -- ARGS` in editors/vscode, output captured."""
    _, npm = ensure_node_modules()
    command = [npm, "run", "--silent", script] + (["--", *args] if args else [])
    return subprocess.run(command, cwd=VSCODE, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def tokenize():
    node, _ = ensure_node_modules()

    def run(path: Path) -> list[tuple[str, list[str]]]:
        proc = subprocess.run([node, str(VSCODE / "scripts" / "tokenize.js"), str(GRAMMAR),
                               str(path)], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return [(t["text"], t["scopes"]) for t in json.loads(proc.stdout)]

    return run


def _scopes_of(tokens: list[tuple[str, list[str]]], text: str, nth: int = 0) -> list[str]:
    found = [scopes for t, scopes in tokens if t == text]
    assert len(found) > nth, f"no token {text!r}"
    return found[nth]


def _has(scopes: list[str], prefix: str) -> bool:
    return any(s.startswith(prefix) for s in scopes)


def test_quickstart_tokens(tokenize):
    tokens = tokenize(ROOT / "specs" / "quickstart.nas")
    expect = {
        "experiment": "keyword.control",
        "data": "keyword.control",
        "maximize": "keyword.control",
        "repeat": "keyword.control",
        "optional": "keyword.control",
        "sklearn.digits": "support.constant.dataset",
        "accuracy": "variable.other.metric",
        "range": "support.function",
        "choice": "support.function",
        "dense": "entity.name.function",
        "random": "entity.name.type.strategy",
        "seed": "variable.other",
        "KB": "keyword.other.unit",
        "<=": "keyword.operator",
        "=": "keyword.operator",
        "#": "comment.line.number-sign",
        "quickstart": "string.quoted.double",
    }
    for text, scope in expect.items():
        assert _has(_scopes_of(tokens, text), scope), (text, _scopes_of(tokens, text))


def test_units_money_and_comments(tokenize, tmp_path):
    sample = tmp_path / "sample.nas"
    sample.write_text(
        'experiment "x" {  // a comment\n'
        "  constraints { params <= 60k; model_size <= 256 KB; latency <= 2 ms }\n"
        "  data { split = train 70%, val 15%, test 15% }\n"
        "  budget { time = 10 min; money = $20; rate = $2.48/h }\n"
        "  train { optimizer = adam(lr = loguniform(1e-4, 1e-2)) }\n"
        "}\n", encoding="utf-8")
    tokens = tokenize(sample)
    assert _has(_scopes_of(tokens, "//"), "comment.line.double-slash")
    assert _has(_scopes_of(tokens, "60"), "constant.numeric")
    assert _has(_scopes_of(tokens, "k"), "keyword.other.unit")
    assert _has(_scopes_of(tokens, "256"), "constant.numeric")
    assert _has(_scopes_of(tokens, "ms"), "keyword.other.unit")
    assert _has(_scopes_of(tokens, "%"), "keyword.other.unit")
    assert _has(_scopes_of(tokens, "min"), "keyword.other.unit")
    assert _has(_scopes_of(tokens, "$2.48"), "constant.numeric")
    assert _has(_scopes_of(tokens, "h"), "keyword.other.unit")
    assert _has(_scopes_of(tokens, "loguniform"), "support.function")
    assert _has(_scopes_of(tokens, "1e-4"), "constant.numeric")
    assert _has(_scopes_of(tokens, "adam"), "entity.name.function")
    assert _has(_scopes_of(tokens, "lr"), "variable.parameter")
    assert _has(_scopes_of(tokens, "constraints"), "keyword.control")


# ------------------------------------------------------------------ vscode-tmgrammar-test

SYNTAX_TESTS = VSCODE / "test" / "syntax"
UPDATE_SNAPSHOTS = "cd editors/vscode && npm run snap:update"


def test_grammar_unit_tests_pass():
    files = sorted(SYNTAX_TESTS.glob("*.nas"))
    assert {f.stem for f in files} >= {"keywords", "names", "numbers", "strings_comments",
                                       "primitives_operators"}
    for f in files:
        assert f.read_text(encoding="utf-8").startswith('# SYNTAX TEST "source.nas"'), f
    proc = run_npm_script("test:grammar")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for f in files:
        assert f"test/syntax/{f.name} run" in proc.stdout, proc.stdout


def test_a_wrong_scope_assertion_fails(tmp_path):
    node, _ = ensure_node_modules()
    case = tmp_path / "wrong.nas"
    case.write_text('# SYNTAX TEST "source.nas"\n'
                    "  strategy random\n"
                    "#          ^^^^^^ keyword.control.nas\n", encoding="utf-8")
    tool = VSCODE / "node_modules" / "vscode-tmgrammar-test" / "dist" / "unit.js"
    proc = subprocess.run([node, str(tool), "--config", "package.json", str(case)], cwd=VSCODE,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "missing required scopes: keyword.control.nas" in proc.stdout
    assert "entity.name.type.strategy.nas" in proc.stdout


def test_every_spec_has_a_current_grammar_snapshot():
    specs = sorted((ROOT / "specs").glob("*.nas"))
    proc = run_npm_script("test:snap")
    assert proc.returncode == 0, \
        f"{proc.stdout}\n{proc.stderr}\nafter checking the diff, refresh with: {UPDATE_SNAPSHOTS}"
    assert f"{len(specs)} grammar snapshots match specs/" in proc.stdout


def test_stale_and_missing_snapshots_fail(tmp_path):
    specs, snaps = tmp_path / "specs", tmp_path / "snaps"
    specs.mkdir()
    spec = specs / "a.nas"
    spec.write_text('experiment "a" {\n  strategy random  # searched\n}\n', encoding="utf-8")
    dirs = ("--specs", str(specs), "--snapshots", str(snaps))

    assert run_npm_script("snap:update", *dirs).returncode == 0
    assert (snaps / "a.nas.snap").is_file()
    ok = run_npm_script("test:snap", *dirs)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    spec.write_text('experiment "a" {\n  strategy = random  # searched\n}\n', encoding="utf-8")
    stale = run_npm_script("test:snap", *dirs)
    assert stale.returncode != 0 and "snap:update" in stale.stderr

    assert run_npm_script("snap:update", *dirs).returncode == 0
    (specs / "b.nas").write_text(spec.read_text(encoding="utf-8"), encoding="utf-8")
    missing = run_npm_script("test:snap", *dirs)
    assert missing.returncode != 0 and "no snapshot for specs/b.nas" in missing.stderr
    assert not (snaps / "b.nas.snap").exists()  # checking never writes a snapshot
