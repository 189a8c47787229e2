"""Keep TensorFlow's start-up chatter off the terminal without hiding real errors.

TensorFlow writes some notices from C++ before its logging is configured (so
TF_CPP_MIN_LOG_LEVEL cannot silence them): the oneDNN notice, the CPU-feature notice,
"All log messages before absl::InitializeLog()…". `quiet_stderr` catches what the
process writes to file descriptor 2 while TensorFlow loads and writes back every line
that is not one of those known notices.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator

NOISE = re.compile(
    r"All log messages before absl::InitializeLog|oneDNN custom operations are on"
    r"|cpu_feature_guard\.cc|This TensorFlow binary is optimized|rebuild TensorFlow with"
    r"|Unable to register cu(DNN|FFT|BLAS) factory|TF-TRT Warning|computation placer already"
    r"|Could not find cuda drivers|cuda_(dnn|fft|blas|executor)\.cc"
)


def environment() -> None:
    """Log-level settings TensorFlow reads when it loads (set before importing it)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    os.environ.setdefault("ABSL_MIN_LOG_LEVEL", "2")


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Filter the known TensorFlow notices out of what is written to stderr inside."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # no real stderr (captured by a harness)
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile(mode="w+b") as caught:
        os.dup2(caught.fileno(), fd)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            caught.seek(0)
            text = caught.read().decode("utf-8", "replace")
            kept = [line for line in text.splitlines(keepends=True) if not NOISE.search(line)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()
