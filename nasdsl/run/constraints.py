"""Constraint checks: deployment limits enforced before training, metric targets reported."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

from nasdsl.lang.units import Dimension, format_quantity

_OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt,
        "==": operator.eq}

# Which measurement a constraint subject reads.
MEASURE_KEYS = {"params": "params", "model_size": "model_bytes", "flops": "flops",
                "latency": "latency_s"}


@dataclass(frozen=True)
class Check:
    """One constraint applied to one candidate."""

    subject: str
    op: str
    limit: float
    actual: float | None
    passed: bool | None  # None: not measured
    target: bool
    text: str

    def describe(self) -> str:
        """e.g. 'params 12.3k <= 20k'."""
        dim = Dimension.COUNT if self.subject in ("params", "flops") else (
            Dimension.SIZE if self.subject == "model_size" else
            Dimension.DURATION if self.subject == "latency" else Dimension.NUMBER)
        shown = "—" if self.actual is None else (
            format_quantity(self.actual, dim) if dim is not Dimension.NUMBER
            else f"{self.actual:.4g}")
        return f"{self.subject} {shown} {self.op} {self.text}"


def check(constraint: dict[str, Any], measures: dict[str, Any],
          metrics: dict[str, float]) -> Check:
    """Apply one compiled constraint to a candidate's measures and metrics."""
    subject = constraint["subject"]
    if constraint.get("quantized"):  # the quantized model's figure (nasdsl.practice.quantize)
        from nasdsl.practice.quantize import quantized_actual

        actual = quantized_actual(constraint, measures)
    elif subject in MEASURE_KEYS:
        actual = measures.get(MEASURE_KEYS[subject])
    else:
        actual = metrics.get(subject)
    passed = None if actual is None else bool(_OPS[constraint["op"]](actual, constraint["value"]))
    text = str(constraint.get("text", ""))
    if constraint.get("quantized"):
        text += f" quantized {constraint['quantized']}"
    return Check(subject, constraint["op"], float(constraint["value"]), actual, passed,
                 bool(constraint.get("target", False)), text)


def violated_limits(constraints: list[dict[str, Any]], measures: dict[str, Any]) -> list[Check]:
    """The hard deployment limits (not targets, not soft limits) the measures already break.

    A soft limit never rejects a candidate: it becomes a penalty (see `soft_penalty`).
    """
    out = []
    for c in constraints:
        if c.get("target") or c.get("soft"):
            continue
        got = check(c, measures, {})
        if got.passed is False:
            out.append(got)
    return out


def soft_penalty(constraints: list[dict[str, Any]], checks: list[dict[str, Any]],
                 value: float, direction: str) -> float:
    """The objective after the penalties of the soft limits a candidate breaks.

    Each broken soft limit moves the objective towards "worse" by (1 + relative excess)
    × max(1, |objective|): an accuracy-like objective of a breaking candidate then ranks
    below every candidate that meets the limit, and a bigger excess costs more.
    """
    worse = -1.0 if direction == "maximize" else 1.0
    for c, got in zip(constraints, checks, strict=False):
        if not c.get("soft") or c.get("target") or got.get("passed") is not False:
            continue
        limit, actual = float(c["value"]), float(got["actual"])
        excess = abs(actual - limit) / max(abs(limit), 1e-12)
        value += worse * (1.0 + excess) * max(1.0, abs(value))
    return value
