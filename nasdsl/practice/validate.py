"""Checks `nasdsl run` makes before it starts: the CSV table and the warm-start sources."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def problem(config: dict[str, Any]) -> str | None:
    """A one-line reason the run cannot start, or None."""
    data = config.get("data") or {}
    if data.get("kind") == "csv":
        from nasdsl.practice.preprocess import PreprocessError
        from nasdsl.practice.tabular import TableError, dataset_spec

        try:
            dataset_spec(config)
        except (TableError, PreprocessError) as err:
            return str(err)
    from nasdsl.practice.warm_start import _is_url, run_dirs

    for source in config.get("warm_start") or []:
        if not _is_url(str(source)) and not run_dirs(Path(str(source))):
            return (f"warm_start: {source} is not a run directory (no config.yaml in it or "
                    "in its sub-folders)")
    return None
