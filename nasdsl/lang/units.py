"""Units as literals: dimensions, conversion to base units, and their names."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Dimension(str, Enum):  # noqa: UP042 - str() of members is relied on
    """What a quantity measures; values are normalised to the base unit in brackets."""

    NUMBER = "number"  # plain number
    COUNT = "count"  # [1]      k, M, G
    SIZE = "size"  # [bytes]  B, KB, MB, GB, KiB, MiB, GiB
    DURATION = "duration"  # [seconds] us, ms, s, min, h
    FRACTION = "fraction"  # [1]      %
    MONEY = "money"  # [$]
    MONEY_RATE = "money rate"  # [$ per hour]

    def describe(self) -> str:
        """Human name with example units, for hints."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Dimension.NUMBER: "a plain number",
    Dimension.COUNT: "a count (e.g. 60k, 1.5M)",
    Dimension.SIZE: "a size in bytes (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)",
    Dimension.DURATION: "a duration (us, ms, s, min, h, d)",
    Dimension.FRACTION: "a fraction or percentage (0.95 or 95%)",
    Dimension.MONEY: "an amount of money ($5)",
    Dimension.MONEY_RATE: "a price per hour ($2.48/h)",
}


@dataclass(frozen=True)
class Unit:
    """A unit symbol: its dimension and its factor to the base unit."""

    symbol: str
    dimension: Dimension
    factor: float
    doc: str


UNITS: dict[str, Unit] = {
    u.symbol: u
    for u in [
        Unit("k", Dimension.COUNT, 1e3, "thousand"),
        Unit("M", Dimension.COUNT, 1e6, "million"),
        Unit("G", Dimension.COUNT, 1e9, "billion"),
        Unit("B", Dimension.SIZE, 1, "byte"),
        Unit("KB", Dimension.SIZE, 1e3, "kilobyte (1000 bytes)"),
        Unit("MB", Dimension.SIZE, 1e6, "megabyte (10^6 bytes)"),
        Unit("GB", Dimension.SIZE, 1e9, "gigabyte (10^9 bytes)"),
        Unit("TB", Dimension.SIZE, 1e12, "terabyte (10^12 bytes)"),
        Unit("KiB", Dimension.SIZE, 1024, "kibibyte (1024 bytes)"),
        Unit("MiB", Dimension.SIZE, 1024**2, "mebibyte (2^20 bytes)"),
        Unit("GiB", Dimension.SIZE, 1024**3, "gibibyte (2^30 bytes)"),
        Unit("TiB", Dimension.SIZE, 1024**4, "tebibyte (2^40 bytes)"),
        Unit("us", Dimension.DURATION, 1e-6, "microsecond"),
        Unit("ms", Dimension.DURATION, 1e-3, "millisecond"),
        Unit("s", Dimension.DURATION, 1, "second"),
        Unit("min", Dimension.DURATION, 60, "minute"),
        Unit("h", Dimension.DURATION, 3600, "hour"),
        Unit("d", Dimension.DURATION, 86400, "day"),
        Unit("%", Dimension.FRACTION, 0.01, "percent"),
    ]
}

# Period names accepted after a price: $2.48/h, $2.48/gpu_hour.
RATE_PERIODS: dict[str, float] = {
    "h": 1.0, "hour": 1.0, "gpu_hour": 1.0, "device_hour": 1.0, "min": 60.0, "s": 3600.0,
    "d": 1 / 24, "day": 1 / 24,
}


def units_of(dimension: Dimension) -> list[str]:
    """The unit symbols of one dimension."""
    return [u.symbol for u in UNITS.values() if u.dimension is dimension]


def format_quantity(value: float, dimension: Dimension) -> str:
    """Readable form of a normalised value (60000 count → '60k', 0.002 s → '2 ms')."""
    if dimension is Dimension.COUNT:
        for sym, f in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
            if abs(value) >= f:
                return f"{value / f:.3g}{sym}"
        return f"{value:g}"
    if dimension is Dimension.SIZE:
        for sym, f in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
            if abs(value) >= f:
                return f"{value / f:.3g} {sym}"
        return f"{value:g} B"
    if dimension is Dimension.DURATION:
        if value >= 3600:
            return f"{value / 3600:.3g} h"
        if value >= 60:
            return f"{value / 60:.3g} min"
        if value >= 1:
            return f"{value:.3g} s"
        return f"{value * 1e3:.3g} ms"
    if dimension is Dimension.FRACTION:
        return f"{value:.4g}"
    if dimension is Dimension.MONEY:
        return f"${value:,.2f}"
    if dimension is Dimension.MONEY_RATE:
        return f"${value:,.2f}/h"
    return f"{value:g}"
