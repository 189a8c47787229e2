"""Every name a user can type is documented in docs/language.md, with a non-empty doc."""

from pathlib import Path

import pytest

from nasdsl.lang import registry as reg
from nasdsl.lang.diagnostics import CODES
from nasdsl.lang.units import RATE_PERIODS, UNITS

DOCS = (Path(__file__).parent.parent / "docs" / "language.md").read_text(encoding="utf-8")


def _registered() -> dict[str, list[tuple[str, str]]]:
    """(name, doc) of every registered name, grouped by kind."""
    params = []
    for table in (reg.OPS, reg.OPTIMIZERS, reg.STRATEGIES, reg.SCHEDULES, reg.EARLY_STOPPING,
                  reg.DATA_SOURCES, reg.BASELINE_MODELS, reg.MEASURES, reg.BACKEND_CALLS):
        for owner in table.values():
            params += [(p.name, p.doc) for p in getattr(owner, "params", ())]
            params += [(p.name, p.doc) for p in getattr(owner, "positional", ())]
    params += [(p.name, p.doc) for p in reg.STRATEGY_COMMON]
    return {
        "block": [(b.name, b.doc) for b in reg.BLOCKS.values()],
        "key": [(k.name, k.doc) for b in reg.BLOCKS.values() for k in b.keys],
        "op": [(o.name, o.doc) for o in reg.OPS.values()],
        "parameter": params,
        "activation": list(reg.ACTIVATIONS.items()),
        "cell op": list(reg.CELL_OPS.items()),
        "cell role": list({**reg.CELL_ROLES, **reg.NB201_LAYOUT_ITEMS}.items()),
        "combine": list(reg.COMBINES.items()),
        "metric": [(m.name, m.doc) for m in reg.METRICS.values()]
        + list(reg.METRIC_PATTERNS.items()),
        "measure": [(m.name, m.doc) for m in reg.MEASURES.values()],
        "constraint modifier": list(reg.CONSTRAINT_MODIFIERS.items()),
        "quantization": [(k, v[0]) for k, v in reg.QUANTIZATIONS.items()],
        "unit": [(u.symbol, u.doc) for u in UNITS.values()],
        "rate period": [(k, "per period") for k in RATE_PERIODS],
        "strategy": [(s.name, s.doc) for s in reg.STRATEGIES.values()],
        "early stopping": [(s.name, s.doc) for s in reg.EARLY_STOPPING.values()],
        "schedule": [(s.name, s.doc) for s in reg.SCHEDULES.values()],
        "optimizer": [(o.name, o.doc) for o in reg.OPTIMIZERS.values()],
        "data source": [(s.name, s.doc) for s in reg.DATA_SOURCES.values()],
        "dataset": [(d.name, d.doc) for d in reg.DATASETS.values()],
        "normalization": list(reg.NORMALIZATIONS.items()),
        "numeric scaling": list(reg.NUMERIC_SCALINGS.items()),
        "categorical encoding": list(reg.CATEGORICAL_ENCODINGS.items()),
        "imputation": list(reg.IMPUTATIONS.items()),
        "task": list(reg.TASKS.items()),
        "augmentation": [(a.name, a.doc) for a in reg.AUGMENTATIONS.values()],
        "precision": list(reg.PRECISIONS.items()),
        "backend": list(reg.BACKENDS.items()),
        "launcher": list(reg.LAUNCHERS.items()),
        "device": list(reg.DEVICES.items()),
        "storage": list(reg.STORAGE_SCHEMES.items()),
        "export format": [(k, v[0]) for k, v in reg.EXPORT_FORMATS.items()],
        "baseline model": [(s.name, s.doc) for s in reg.BASELINE_MODELS.values()],
        "space kind": list(reg.SPACE_KINDS.items()),
        "search primitive": list(reg.SEARCH_PRIMITIVES.items()),
        "layer keyword": list(reg.LAYER_KEYWORDS.items()),
        "diagnostic code": [(c.code, c.doc) for c in CODES.values()],
    }


KINDS = _registered()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_registered_name_has_a_doc(kind: str):
    empty = [name for name, doc in KINDS[kind] if not str(doc).strip()]
    assert not empty, f"{kind} without documentation: {empty}"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_registered_name_is_in_the_reference(kind: str):
    missing = [name for name, _ in KINDS[kind]
               if f"`{name}" not in DOCS and f"`/{name}`" not in DOCS
               and f"`space {name}`" not in DOCS]
    assert not missing, (f"{kind} missing from docs/language.md: {missing}; regenerate with "
                         "python -c 'from nasdsl.lang.reference import write_docs; write_docs()'")


def test_every_diagnostic_code_is_emitted_somewhere_or_documented_as_syntax():
    # Codes are stable: each one in CODES is named in the reference's code table.
    for code in CODES:
        assert f"| `{code}` |" in DOCS
