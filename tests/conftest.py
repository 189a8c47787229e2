"""Shared helpers: the repository root, running the CLI as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
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
