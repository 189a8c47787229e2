"""The one error type of the data stage."""

from __future__ import annotations


class DataError(ValueError):
    """The data cannot serve as the spec says; the message names the file and the problem.

    Messages are one line: which file (and row, column or array), what is wrong, and how
    to fix it where that is known. They quote at most a short, truncated value.
    """


def short(value: object, limit: int = 40) -> str:
    """`value` as a quoted string of at most `limit` characters (for error messages)."""
    text = str(value)
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return repr(text)
