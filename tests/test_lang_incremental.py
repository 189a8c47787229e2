"""Re-parsing only the edited lines gives the statements of a full parse, or defers to it."""

from __future__ import annotations

import random
from collections import OrderedDict

import pytest
from conftest import SPECS

from nasdsl.lang import parse_spec
from nasdsl.lang.incremental import reparse
from nasdsl.lang.parser import parse_statements_recovering
from nasdsl.lang.syntax import Stmt
from nasdsl.lsp import memo

QUICKSTART = (SPECS / "quickstart.nas").read_text(encoding="utf-8")


def _full(text: str) -> list[Stmt]:
    stmts, errors = parse_statements_recovering(text, "q.nas")
    assert stmts is not None and not errors
    return stmts


@pytest.mark.parametrize("old, new", [
    ("seed        = 7", "seed        = 8"),               # a setting of the experiment
    ("units = choice(32, 64, 128)", "units = choice(32, 64)"),  # inside the space, two deep
    ("optional batch_norm", "optional batch_norm; dropout(rate = 0.1)"),  # a statement more
    ("strategy random", "strategy tpe"),                # the last statement
    ("optional batch_norm", "# optional batch_norm"),   # a statement commented out
])
def test_an_edit_reparses_to_the_full_parse(old, new):
    assert old in QUICKSTART
    edited = QUICKSTART.replace(old, new, 1)
    assert reparse(QUICKSTART, _full(QUICKSTART), edited, "q.nas") == _full(edited)


def test_what_it_cannot_show_equal_goes_to_a_full_parse():
    stmts = _full(QUICKSTART)
    assert reparse(QUICKSTART, stmts, QUICKSTART, "q.nas") is stmts
    # a syntax error, a changed line count, a continued line
    assert reparse(QUICKSTART, stmts, QUICKSTART.replace("= 7", "= (7"), "q.nas") is None
    assert reparse(QUICKSTART, stmts, QUICKSTART.replace("= 7", "= 7\n"), "q.nas") is None
    assert reparse(QUICKSTART, stmts, QUICKSTART.replace("= 7", "= \\\n"),
                   "q.nas") is None


def test_random_line_edits_match_the_full_parse():
    rng = random.Random(4)
    text, stmts = QUICKSTART, _full(QUICKSTART)
    reused = 0
    for _ in range(300):
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        lines[i] = rng.choice([rng.choice(lines), "", "# note", lines[i].replace("1", "2"),
                               lines[i][:-1], lines[i] + " x"])
        new = "\n".join(lines)
        got = reparse(text, stmts, new, "q.nas")
        full, errors = parse_statements_recovering(new, "q.nas")
        if got is not None:
            reused += 1
            assert not errors and got == full
        if full is not None and not errors:
            text, stmts = new, got if got is not None else full
    assert reused > 50


def test_the_servers_incremental_check_gives_the_full_checks_diagnostics(monkeypatch):
    monkeypatch.setattr(memo, "_last_parse", OrderedDict())
    text = QUICKSTART
    for new in (text, text.replace("seed        = 7", "seed        = 8"),
                text.replace("units = choice(32, 64, 128)", "units = choice(32, 0)"),
                text.replace("= 7", "= (7")):
        assert memo.parse_spec(new, "q.nas") == parse_spec(new, "q.nas")
