"""What every command shares: exit codes, usage errors, loading a spec."""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_OK, EXIT_SPEC, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """A mistake in how nasdsl was called (exit code 2)."""


def load(path: str):  # noqa: ANN201 - the LoadResult type lives in nasdsl.lang (lazy import)
    """Load and check a spec file; a missing file is a usage error."""
    from nasdsl.lang import load_spec

    p = Path(path)
    if not p.is_file():
        raise UsageError(f"no such spec file: {path}")
    from nasdsl.data import describe_spec

    return load_spec(p, describe_spec)


def print_diagnostics(result) -> None:  # noqa: ANN001
    """Print a load result's diagnostics (if any) to stderr."""
    if result.diagnostics:
        print(result.rendered(), file=sys.stderr)
