"""Errors of the search stage (no heavy imports, so the CLI can catch them cheaply)."""

from __future__ import annotations


class StrategyError(ValueError):
    """A strategy cannot run on this space or with these parameters (a user error)."""
