"""What a hover on a `space` header says: the kind, and how many decisions it holds."""

from __future__ import annotations

import dataclasses
import logging

from nasdsl.data import describe_spec
from nasdsl.lang import ast
from nasdsl.lang import registry as reg
from nasdsl.lang.units import Dimension, format_quantity
from nasdsl.lsp.catalog import doc_of

log = logging.getLogger(__name__)

_DISTRIBUTIONS = (ast.Choice, ast.IntRange, ast.Uniform, ast.LogUniform)


def count_decisions(node: object) -> tuple[int, int]:
    """(decisions, continuous decisions) written in an AST subtree.

    A decision is a search primitive (choice, range, uniform, loguniform) or an
    `optional` layer. Repeated bodies are counted once, as written.
    """
    total = continuous = 0
    if isinstance(node, _DISTRIBUTIONS):
        total += 1
        continuous += isinstance(node, ast.Uniform | ast.LogUniform)
    if type(node).__name__ == "OptionalLayer":
        total += 1
    children: list[object] = []
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        children = [getattr(node, f.name) for f in dataclasses.fields(node)]
    elif isinstance(node, tuple | list):
        children = list(node)
    for child in children:
        if dataclasses.is_dataclass(child) or isinstance(child, tuple | list):
            t, c = count_decisions(child)
            total, continuous = total + t, continuous + c
    return total, continuous


def space_markdown(kind: str | None, spec: ast.Spec | None, header_line: int) -> str:
    """Markdown for a hover on `space KIND {`."""
    lines = [f"**space {kind or ''}**".rstrip()]
    if kind in reg.SPACE_KINDS:
        lines.append(doc_of(reg.SPACE_KINDS[kind]))
    space = getattr(spec, "space", None) if spec is not None else None
    if space is not None and getattr(space, "span", None) is not None \
            and space.span.line == header_line:
        lines.extend(_analysis(spec) or _decisions(spec))
    elif spec is None:
        lines.append("_Fix the spec's errors to see the size of the space._")
    return "\n\n".join(lines)


def _analysis(spec: ast.Spec) -> list[str]:
    """Size and static-measure ranges from nasdsl.lang.analysis, when it is available."""
    try:
        from nasdsl.lang import analysis
    except ImportError:
        return []
    out: list[str] = []
    try:
        size = analysis.space_size(spec)
        out.append(size.describe() + ".")
        measures = analysis.chain_measures(spec, _description(spec))
    except Exception:  # noqa: BLE001 - a hover must not fail on an analysis bug
        log.exception("space analysis failed")
        return out
    if measures is not None and measures.counts:
        for name, dim in (("params", Dimension.COUNT), ("model_size", Dimension.SIZE),
                          ("flops", Dimension.COUNT)):
            low, high = measures.extent(name)
            out.append(f"{name}: {format_quantity(low, dim)} – {format_quantity(high, dim)}")
    return out


def _description(spec: ast.Spec) -> reg.DatasetSpec | None:
    """A file source's description (shapes for the measures); None when unreadable."""
    if spec.data.kind == "builtin":
        return None
    try:
        return describe_spec(spec)
    except (ValueError, OSError):
        return None  # the check's NAS421 says why


def _decisions(spec: ast.Spec) -> list[str]:
    """Fallback: the number of decisions written in the space and in training."""
    total, continuous = count_decisions(spec.space)
    text = f"{total} decision{'s' if total != 1 else ''} in the space"
    if continuous:
        text += f" ({continuous} continuous)"
    out = [text + "; a repeated body adds its decisions once per copy."]
    t, _ = count_decisions(getattr(spec, "train", None))
    if t:
        out.append(f"{t} training hyperparameter decision{'s' if t != 1 else ''}.")
    return out
