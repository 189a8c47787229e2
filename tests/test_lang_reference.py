"""docs/language.md is generated from the registry and never drifts."""

from pathlib import Path

from nasdsl.lang import registry as reg
from nasdsl.lang.diagnostics import CODES
from nasdsl.lang.reference import render_markdown

DOCS = Path(__file__).parent.parent / "docs" / "language.md"


def test_docs_match_the_registry():
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "regenerate: python -c 'from nasdsl.lang.reference import write_docs; write_docs()'")


def test_reference_names_everything():
    text = render_markdown()
    names = [*reg.OPS, *reg.METRICS, *reg.MEASURES, *reg.STRATEGIES, *reg.EARLY_STOPPING,
             *reg.SCHEDULES, *reg.OPTIMIZERS, *reg.DATASETS, *reg.DATA_SOURCES, *reg.CELL_OPS,
             *reg.LAUNCHERS, *reg.EXPORT_FORMATS, *reg.BASELINE_MODELS, *CODES]
    for block in reg.BLOCKS.values():
        names += [k.name for k in block.keys]
    missing = [n for n in names if f"`{n}" not in text]
    assert not missing, missing
