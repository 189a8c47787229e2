"""The data cache: decoded images and one-time checks, shared by every trial and worker.

Where: `$NASDSL_CACHE_DIR` when set and not empty (the folder the parser's tables use
too), else `$XDG_CACHE_HOME/nasdsl`, else `~/.cache/nasdsl`; data entries sit in its
`images/` and `checks/` sub-folders.
Each entry is named by a fingerprint of what it was made from (paths, sizes and
modification times of the files, and the settings that shaped it), so a changed file
makes a new entry and a stale one is never read. Entries are written to a temporary
file and renamed into place: parallel workers may both make one, and neither ever reads
half of one. Deleting the folder is always safe; it is rebuilt on the next run.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

CACHE_ENV = "NASDSL_CACHE_DIR"


def cache_dir(kind: str) -> Path:
    """The cache folder for one kind of entry (created on demand).

    Unlike the parser's tables, data entries cannot be turned off (decoding every image
    in every trial is not an option): an empty `NASDSL_CACHE_DIR` means the default.
    """
    root = os.environ.get(CACHE_ENV)
    if root:
        base = Path(root).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg) if xdg else Path.home() / ".cache") / "nasdsl"
    folder = base / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def file_stamp(path: Path) -> list[Any]:
    """What identifies a file's content cheaply: its path, size and modification time."""
    st = path.stat()
    return [str(path), st.st_size, st.st_mtime_ns]


def fingerprint(parts: Iterable[Any]) -> str:
    """A stable hex digest of JSON-able parts."""
    text = json.dumps(list(parts), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def save_arrays(path: Path, **arrays: np.ndarray) -> None:
    """Write an .npz atomically (a reader sees the whole file or none)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as f:
        np.savez(f, **arrays)
    os.replace(tmp, path)


def load_arrays(path: Path) -> dict[str, np.ndarray] | None:
    """The arrays of a cache entry, or None when there is none (or it is unreadable)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError):
        return None  # damaged: rebuilt by the caller


def remembered(kind: str, key: str) -> dict[str, Any] | None:
    """A small JSON record stored under `key`, or None."""
    path = cache_dir(kind) / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def remember(kind: str, key: str, record: dict[str, Any]) -> None:
    """Store a small JSON record under `key` (atomically)."""
    path = cache_dir(kind) / f"{key}.json"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, path)
