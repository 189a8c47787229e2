"""Run directories: runs/<experiment>/<timestamp>/ with everything needed to reproduce."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

_PACKAGES = ("nasdsl", "lark", "hydra-core", "omegaconf", "optuna", "rich", "numpy",
             "scikit-learn", "torch", "keras", "tensorflow-cpu")


def new_run_dir(root: Path, experiment: str) -> Path:
    """Create a fresh, uniquely named run directory."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = root / experiment / stamp
    path, n = base, 1
    while True:
        try:
            path.mkdir(parents=True)
            return path
        except FileExistsError:  # another run started in the same second
            n += 1
            path = base.with_name(f"{stamp}-{n}")


def versions() -> dict[str, str]:
    """Installed versions of the packages that shape a result."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def git_commit(cwd: Path) -> str | None:
    """The git commit of the directory holding the spec, if it is in a repository."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True,
                             text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def git_dirty(cwd: Path) -> bool | None:
    """Whether the repository holding the spec has uncommitted changes (None: no git)."""
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=cwd,
                             capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return bool(out.stdout.strip()) if out.returncode == 0 else None


def spec_hash(source: str) -> str:
    """SHA-256 of the spec's text."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def write_run_files(run_dir: Path, spec_path: Path, source: str, config: dict[str, Any],
                    overrides: list[str], extra: dict[str, Any] | None = None) -> None:
    """The spec copy, the resolved config, the overrides and the environment."""
    (run_dir / "spec.nas").write_text(source, encoding="utf-8")
    (run_dir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False),
                                         encoding="utf-8")
    where = spec_path.resolve().parent
    meta = {
        "spec": str(spec_path),
        "spec_sha256": spec_hash(source),
        "overrides": overrides,
        "seed": config["experiment"]["seed"],
        "argv": sys.argv,
        "versions": versions(),
        "git_commit": git_commit(where),
        "git_dirty": git_dirty(where),
        "started": datetime.now().isoformat(timespec="seconds"),
        **(extra or {}),
    }
    write_meta(run_dir, meta)


def read_meta(run_dir: Path) -> dict[str, Any]:
    """run.json as a dictionary."""
    return json.loads((run_dir / "run.json").read_text(encoding="utf-8"))


def write_meta(run_dir: Path, meta: dict[str, Any]) -> None:
    """Replace run.json atomically."""
    tmp = run_dir / "run.json.tmp"
    tmp.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    os.replace(tmp, run_dir / "run.json")


def update_meta(run_dir: Path, **values: Any) -> None:
    """Add or change keys of run.json."""
    meta = read_meta(run_dir)
    meta.update(values)
    write_meta(run_dir, meta)


def finish_run(run_dir: Path, stop_reason: str, seconds: float, **extra: Any) -> None:
    """Record how and when the run (or this session of it) ended."""
    update_meta(run_dir, finished=datetime.now().isoformat(timespec="seconds"),
                stop_reason=stop_reason, seconds=round(seconds, 2), **extra)
