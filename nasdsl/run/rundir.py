"""Run directories: runs/<experiment>/<timestamp>/ with everything needed to reproduce."""

from __future__ import annotations

import json
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
    while path.exists():
        n += 1
        path = base.with_name(f"{stamp}-{n}")
    path.mkdir(parents=True)
    return path


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


def write_run_files(run_dir: Path, spec_path: Path, source: str, config: dict[str, Any],
                    overrides: list[str]) -> None:
    """The spec copy, the resolved config, the overrides and the environment."""
    (run_dir / "spec.nas").write_text(source, encoding="utf-8")
    (run_dir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False),
                                         encoding="utf-8")
    meta = {
        "spec": str(spec_path),
        "overrides": overrides,
        "seed": config["experiment"]["seed"],
        "argv": sys.argv,
        "versions": versions(),
        "git_commit": git_commit(spec_path.resolve().parent),
        "started": datetime.now().isoformat(timespec="seconds"),
    }
    (run_dir / "run.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")


def finish_run(run_dir: Path, stop_reason: str, seconds: float) -> None:
    """Record how and when the run ended."""
    path = run_dir / "run.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update({"finished": datetime.now().isoformat(timespec="seconds"),
                 "stop_reason": stop_reason, "seconds": round(seconds, 2)})
    path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
