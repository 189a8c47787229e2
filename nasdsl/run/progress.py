"""Live progress of a search in the terminal (rich), one line per finished trial."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

_STYLE = {"ok": "green", "infeasible": "yellow", "invalid": "yellow", "failed": "red",
          "stopped": "cyan"}


class Progress:
    """Shows a progress bar and prints each trial as it ends; silent when quiet."""

    def __init__(self, console: Console | None = None, quiet: bool = False,
                 objective_label: str = "objective"):
        self.console = console or Console(stderr=True)
        self.quiet = quiet
        self.label = objective_label
        self._bar: RichProgress | None = None
        self._task: Any = None

    def start(self, total: int | None, time_limit: float | None) -> None:
        """Begin showing progress."""
        if self.quiet:
            return
        self._bar = RichProgress(TextColumn("[bold]search"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=self.console, transient=True)
        self._bar.start()
        self._task = self._bar.add_task("trials", total=total)

    def trial_done(self, result: Any) -> None:
        """Report one finished trial."""
        if self.quiet:
            return
        style = _STYLE.get(result.status, "white")
        value = (f"{self.label} {result.objectives[0]:.4f}" if result.objectives
                 else result.reason[:70])
        self.console.print(f"  trial {result.number:>3}  [{style}]{result.status:<10}[/]"
                           f" {value}  [dim]{result.description[:60]} · {result.seconds:.1f}s[/]")
        if self._bar is not None:
            self._bar.advance(self._task)

    def stop(self) -> None:
        """Stop showing progress."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
