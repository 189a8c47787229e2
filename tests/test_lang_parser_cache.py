"""The parser's tables are cached between processes, and a cached parser parses the same."""

import os
import subprocess
import sys

from conftest import ROOT

# Every spec's statements and diagnostics, printed; and where the tables came from.
CHILD = """
import time
from pathlib import Path
start = time.perf_counter()
from nasdsl.lang import parse_spec
from nasdsl.lang.parser import parse_statements_recovering, parser_cache_path
for path in sorted(Path("specs").rglob("*.nas")):
    text = path.read_text(encoding="utf-8")
    print(path, parse_statements_recovering(text, str(path)))
    print(parse_spec(text, str(path)).diagnostics)
    broken = text.replace("{", "{ )", 1)
    print(parse_statements_recovering(broken, str(path)))
cache = parser_cache_path()
print("cache:", cache is not None and cache.exists())
"""


def _parse_all(cache_dir: str) -> tuple[str, bool]:
    proc = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ,
                                                       "NASDSL_CACHE_DIR": cache_dir})
    assert proc.returncode == 0, proc.stderr
    out, _, cached = proc.stdout.rpartition("cache: ")
    return out, cached.strip() == "True"


def test_a_parser_loaded_from_the_cache_parses_as_a_freshly_built_one(tmp_path):
    folder = tmp_path / "cache"
    uncached, kept = _parse_all("")
    assert not kept  # an empty NASDSL_CACHE_DIR turns the cache off
    building, kept = _parse_all(str(folder))
    assert kept and len(list(folder.iterdir())) == 1
    loading, _ = _parse_all(str(folder))
    assert uncached == building == loading
    assert "NAS003" in uncached  # the broken variants went through error recovery


def test_a_damaged_or_unwritable_cache_is_rebuilt_or_skipped(tmp_path):
    folder = tmp_path / "cache"
    expected, _ = _parse_all(str(folder))
    (cache,) = folder.iterdir()
    cache.write_bytes(cache.read_bytes()[:1000])  # cut short, as by a crash mid-write
    again, kept = _parse_all(str(folder))
    assert again == expected and kept and cache.stat().st_size > 1000
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    skipped, kept = _parse_all(str(blocker / "cache"))
    assert skipped == expected and not kept
