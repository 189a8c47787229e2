"""Progress of a search: a rich live view on a terminal, plain lines otherwise.

The live view shows the counts (done / running / failed / pruned / infeasible), the best
value so far, the elapsed time, what is left of the budget and an ETA; each finished
trial is printed above it. When stderr is not a terminal (a log file, CI) every trial
and every status change is one plain line instead.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.live import Live
from rich.text import Text

_STYLE = {"ok": "green", "infeasible": "yellow", "invalid": "yellow", "failed": "red",
          "stopped": "cyan"}


def clock(seconds: float | None) -> str:
    """h:mm:ss or m:ss."""
    if seconds is None:
        return "?"
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """Shows the search's progress; silent when quiet."""

    def __init__(self, console: Console | None = None, quiet: bool = False,
                 objective_label: str = "objective", live: bool | None = None):
        self.console = console or Console(stderr=True)
        self.quiet = quiet
        self.label = objective_label
        self.live_view = self.console.is_terminal if live is None else live
        self._live: Live | None = None
        self.status: dict[str, Any] = {}

    def start(self, budget: Any = None, explanation: str | None = None,
              requeued: list[int] | None = None) -> None:
        """Begin showing progress."""
        if self.quiet:
            return
        if explanation:
            self.console.print(f"[dim]strategy:[/] {explanation}")
        if requeued:
            self.console.print(f"[yellow]resume:[/] trial(s) {', '.join(map(str, requeued))} "
                               "were interrupted; their candidates run again")
        if self.live_view:
            self._live = Live(Text(""), console=self.console, refresh_per_second=4,
                              transient=True)
            self._live.start()

    def trial_started(self, number: int, description: str) -> None:
        """A trial was handed to the launcher."""
        if self.quiet:
            return
        running = self.status.get("running", 0) + 1
        self.status["running"] = running
        self._show()

    def trial_done(self, result: Any) -> None:
        """Report one finished trial."""
        if self.quiet:
            return
        style = _STYLE.get(result.status, "white")
        value = (f"{self.label} {result.objectives[0]:.4f}" if result.objectives
                 else result.reason[:70])
        if result.reused_from is not None:
            value += f" (reused from trial {result.reused_from})"
        self.console.print(f"  trial {result.number:>3}  [{style}]{result.status:<10}[/]"
                           f" {value}  [dim]{result.description[:60]} · "
                           f"{result.seconds:.1f}s[/]", highlight=False)

    def update(self, **status: Any) -> None:
        """New counts, best value, remaining budget and ETA."""
        if self.quiet:
            return
        self.status = status
        self._show()

    def line(self) -> str:
        """The status as one line of text."""
        s = self.status
        if not s:
            return "starting…"
        states = s.get("states", {})
        parts = [f"done {s.get('finished', 0)}", f"running {s.get('running', 0)}",
                 f"failed {states.get('failed', 0)}", f"pruned {states.get('stopped', 0)}",
                 f"infeasible {states.get('infeasible', 0) + states.get('invalid', 0)}"]
        best = s.get("best")
        best_text = (f"best {self.label} {best[0]:.4f} (trial {best[1]})"
                     if best else "best: none yet")
        return (" · ".join(parts) + f" | {best_text} | elapsed {clock(s.get('elapsed'))}"
                f" · left {s.get('remaining', '?')} · ETA {clock(s.get('eta'))}")

    def _show(self) -> None:
        if self._live is not None:
            self._live.update(Text(self.line(), style="bold"))

    def stop(self) -> None:
        """Stop showing progress; print the last status line."""
        if self._live is not None:
            self._live.stop()
            self._live = None
        if not self.quiet and self.status:
            self.console.print(self.line(), highlight=False)
