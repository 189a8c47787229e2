"""Shared helpers: the repository root, running the CLI as a user would."""

from __future__ import annotations

import atexit
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The parser's table cache (nasdsl.lang.parser) goes to a folder of this test process,
# which the CLI and servers it starts inherit, not to the user's ~/.cache.
if "NASDSL_CACHE_DIR" not in os.environ:
    os.environ["NASDSL_CACHE_DIR"] = tempfile.mkdtemp(prefix="nasdsl-test-cache-")
    atexit.register(shutil.rmtree, os.environ["NASDSL_CACHE_DIR"], ignore_errors=True)
SPECS = ROOT / "specs"
SHARED = ROOT.parent / "shared"


def run_cli(*args: str, cwd: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run `nasdsl ARGS…` in a subprocess and capture its output."""
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def cli():
    """The run_cli helper as a fixture."""
    return run_cli


def spec_mutants(texts: list[str], pieces: list[str], count: int, seed: int,
                 edits: int = 3) -> list[str]:
    """`count` texts, each one of `texts` with 1..`edits` pieces inserted at random places
    and, three times in ten, cut off anywhere (in a comment, in spaces, …)."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, edits)):
            i = rng.randrange(len(text) + 1)
            text = text[:i] + rng.choice(pieces) + text[i:]
        if rng.random() < 0.3:
            text = text[:rng.randrange(len(text) + 1)]
        out.append(text)
    return out
