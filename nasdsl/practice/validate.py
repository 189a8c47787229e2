"""Checks `nasdsl run` makes before it starts: the data and the warm-start sources."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def problem(config: dict[str, Any]) -> str | None:
    """A one-line reason the run cannot start, or None."""
    from nasdsl.data import DataError, describe, load_data

    try:
        # loaded here, once, so that a data error stops the run before any trial; the
        # trials of this process reuse it (nasdsl.data.load_data keeps it)
        describe(config)
        if config.get("backend") != "table":
            load_data(config, image=True)
    except DataError as err:
        return str(err)
    from nasdsl.practice.warm_start import _is_url, run_dirs

    for source in config.get("warm_start") or []:
        if not _is_url(str(source)) and not run_dirs(Path(str(source))):
            return (f"warm_start: {source} is not a run directory (no config.yaml in it or "
                    "in its sub-folders)")
    return None
