"""Budgets: the search stops cleanly at the first limit reached and says which.

Limits (compiled `budget:` keys): `trials` (evaluated candidates in the study), `time_s`
(wall clock of this run, resumes included), `device_hours_s` and `trial_hours_s` (trial
seconds summed over the study — each trial holds one device), and `money` (the trial
hours × `rate_per_h`). A tabular benchmark charges its recorded training time instead of
the look-up's own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

# The stop reasons a run can record besides budgets: "exhausted", "interrupted", "pilot".
STOP_REASONS = {
    "trials": "the trial budget was used up",
    "time": "the time budget ran out",
    "device_hours": "the device-hours budget was used up",
    "trial_hours": "the trial-hours budget was used up",
    "money": "the money budget was spent",
    "exhausted": "every candidate of the space was tried",
    "interrupted": "the run was interrupted (resume it with `nasdsl resume`)",
    "pilot": "the pilot finished",
    "pilot_failed": "the pilot failed, so the full run did not start",
}


@dataclass
class Budget:
    """The limits of one run and what has been spent against them."""

    trials: int | None
    time_s: float | None
    device_s: float | None
    trial_s: float | None
    money: float | None
    rate_per_h: float | None
    started: float  # time.monotonic() of this session's start
    elapsed_before: float = 0.0  # wall seconds spent by earlier sessions (resume)

    @staticmethod
    def from_config(config: dict[str, Any], elapsed_before: float = 0.0) -> Budget:
        """The budget of a compiled config."""
        b = config.get("budget") or {}

        def num(key: str) -> float | None:
            v = b.get(key)
            return None if v is None else float(v)

        trials = b.get("trials")
        return Budget(None if trials is None else int(trials), num("time_s"),
                      num("device_hours_s"), num("trial_hours_s"), num("money"),
                      num("rate_per_h"), time.monotonic(), elapsed_before)

    def elapsed(self) -> float:
        """Wall seconds of the run so far."""
        return self.elapsed_before + time.monotonic() - self.started

    def deadline(self) -> float | None:
        """Wall-clock time (time.time()) at which the time budget ends."""
        if self.time_s is None:
            return None
        return time.time() + self.time_s - self.elapsed()

    def cost(self, charged_s: float) -> float | None:
        """Money spent for `charged_s` trial seconds, if a rate is known."""
        return None if self.rate_per_h is None else charged_s / 3600.0 * self.rate_per_h

    def reached(self, finished: int, running: int, charged_s: float) -> str | None:
        """The first limit reached, or None while trials may still start."""
        if self.trials is not None and finished + running >= self.trials:
            return "trials"
        if self.time_s is not None and self.elapsed() >= self.time_s:
            return "time"
        if self.device_s is not None and charged_s >= self.device_s:
            return "device_hours"
        if self.trial_s is not None and charged_s >= self.trial_s:
            return "trial_hours"
        spent = self.cost(charged_s)
        if self.money is not None and spent is not None and spent >= self.money:
            return "money"
        return None

    def remaining(self, finished: int, charged_s: float) -> str:
        """What is left of each limit, for the progress view."""
        parts = []
        if self.trials is not None:
            parts.append(f"{max(0, self.trials - finished)} trials")
        if self.time_s is not None:
            parts.append(_clock(max(0.0, self.time_s - self.elapsed())))
        for limit, unit in ((self.device_s, "device-h"), (self.trial_s, "trial-h")):
            if limit is not None:
                parts.append(f"{max(0.0, limit - charged_s) / 3600:.2f} {unit}")
        spent = self.cost(charged_s)
        if self.money is not None and spent is not None:
            parts.append(f"${max(0.0, self.money - spent):.2f}")
        return ", ".join(parts) or "no limit"


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
