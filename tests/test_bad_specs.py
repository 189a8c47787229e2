"""Each file in bad_specs/ is one mistake; its first line says the expected diagnostic."""

import re
from pathlib import Path

import pytest

from nasdsl.lang import load_spec
from nasdsl.lang.diagnostics import render

BAD = sorted((Path(__file__).parent / "bad_specs").glob("*.nas"))
_EXPECT = re.compile(r"#\s*expect:\s*(NAS\d{3})\s+(\d+):(\d+)(?:\s+hint:\s*(.*))?")


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_spec_reports_expected_diagnostic(path: Path):
    first = path.read_text().splitlines()[0]
    m = _EXPECT.match(first)
    assert m, f"{path.name}: first line must be '# expect: NASxxx line:col'"
    code, line, col, hint = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
    result = load_spec(path)
    assert not result.ok
    errors = [d for d in result.diagnostics if d.is_error]
    d = errors[0]
    assert (d.code, d.span.line, d.span.column) == (code, line, col), render(d, result.source)
    if hint:
        assert d.hint and hint.strip() in d.hint, d.hint
    shown = render(d, result.source)
    assert f"{path}:{line}:{col}" in shown and "^" in shown


def test_there_are_bad_specs_for_every_kind():
    assert len(BAD) >= 10
