"""When the language server's Python garbage collector runs: between checks, not during.

The server keeps every open document analysed: its statements, its AST, its last
error-free parse (several hundred thousand objects for a few 1,000-line specs). Python's
automatic full collection walks all of them, and it fires in the middle of whatever
allocates next, which in this server is the check of a newly opened or edited document:
36–90 ms added to a check of ~40 ms once a few large documents are open (measured with
`gc.callbacks` in the server process, `benchmarks/lsp_speed.py`'s didOpen row).

`install()` leaves the cheap young-generation collections automatic and turns off the
automatic full ones; `IdleCollector` runs the full collection once the server has been
quiet for a moment (no check scheduled for IDLE_DELAY seconds), so cyclic garbage is
still freed and memory stays bounded, but no check pays for it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time

log = logging.getLogger("nasdsl.lsp")

# Seconds without a new check before the full collection runs.
IDLE_DELAY = 1.0

# A gen-2 threshold no run reaches: CPython counts gen-1 collections against it.
_NEVER = 1 << 30


def install() -> None:
    """Freeze what start-up built and stop automatic full collections (server process only).

    The frozen objects (modules, the parser's tables) live as long as the process; a
    collection never needs to walk them.
    """
    young, middle, _ = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(young, middle, _NEVER)


class IdleCollector:
    """Runs one full collection after IDLE_DELAY seconds in which no check was scheduled."""

    def __init__(self, delay: float = IDLE_DELAY) -> None:
        self.delay = delay
        self._pending: asyncio.TimerHandle | None = None
        self.collections = 0

    def busy(self) -> None:
        """A check is about to run: a pending collection waits for the next quiet moment."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def idle(self) -> None:
        """A check finished: collect after `delay` seconds unless another one starts."""
        self.busy()
        self._pending = asyncio.get_running_loop().call_later(self.delay, self._collect)

    def _collect(self) -> None:
        self._pending = None
        start = time.perf_counter()
        freed = gc.collect()
        self.collections += 1
        log.debug("idle full collection: %d objects freed in %.1f ms", freed,
                  (time.perf_counter() - start) * 1000)
