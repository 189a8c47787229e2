"""`nasdsl fmt`: canonical, idempotent, comment-keeping, refuses broken files."""

from pathlib import Path

import pytest

from nasdsl.lang import parse_spec
from nasdsl.lang.diagnostics import SpecError
from nasdsl.lang.format import format_path, format_source, scan_comments

HERE = Path(__file__).parent
FILES = sorted((HERE / "good_specs").glob("*.nas")) + sorted((HERE.parent / "specs").glob("*.nas"))


def _ast_shape(text: str):
    result = parse_spec(text)
    assert result.spec is not None, result.rendered()
    # Compare the ASTs without spans: strip them through repr of values only.
    return [d.code for d in result.diagnostics], _strip(result.spec)


def _strip(node):
    from dataclasses import fields, is_dataclass

    if is_dataclass(node):
        return (type(node).__name__,) + tuple(
            _strip(getattr(node, f.name)) for f in fields(node) if f.name != "span"
            and not f.name.endswith("span") and f.name != "context")
    if isinstance(node, tuple | list):
        return tuple(_strip(x) for x in node)
    return node


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_format_is_idempotent_keeps_comments_and_meaning(path: Path):
    text = path.read_text()
    once = format_source(text)
    assert format_source(once) == once
    assert [c.text for c in scan_comments(text)] == [c.text for c in scan_comments(once)]
    assert _ast_shape(text)[1] == _ast_shape(once)[1]


def test_one_liners_are_expanded_and_aligned():
    text = ('experiment "x" {  # the name\n'
            '  data { source = sklearn.iris; split = train 60%, val 20%, test 20% }  # tail\n'
            '  objective { maximize val.accuracy }\n'
            '  space layers { dense(units=choice(4,8)); optional batch_norm }\n'
            '}\n')
    assert format_source(text) == '''experiment "x" {  # the name
  data {
    source = sklearn.iris
    split  = train 60%, val 20%, test 20%
  }  # tail
  objective {
    maximize val.accuracy
  }
  space layers {
    dense(units = choice(4, 8))
    optional batch_norm
  }
}
'''


def test_full_line_comments_and_blank_lines_are_kept():
    text = '''// header

experiment "x" {
  # about data


  data { source = sklearn.iris }
  objective { maximize val.accuracy }   # why
  space layers {
    dense(units = 8)
    # a trailing note inside the block
  }
}
# the end
'''
    out = format_source(text)
    assert out == '''// header

experiment "x" {
  # about data

  data {
    source = sklearn.iris
  }
  objective {
    maximize val.accuracy
  }  # why
  space layers {
    dense(units = 8)
    # a trailing note inside the block
  }
}
# the end
'''


def test_comment_inside_a_multiline_value_survives():
    text = '''experiment "x" {
  data { source = sklearn.iris }
  objective { maximize val.accuracy }
  space layers {
    dense(units = choice(4,   # small
                         8))
  }
}
'''
    out = format_source(text)
    assert "# small" in out and format_source(out) == out


def test_strings_and_units_round_trip():
    text = ('experiment "a \\"quoted\\" name" {\n  description = "tab\\there"\n'
            '  constraints { latency <= 2 ms (batch = 1); params <= 60k soft }\n}\n')
    out = format_source(text)
    assert 'experiment "a \\"quoted\\" name" {' in out
    assert 'description = "tab\\there"' in out
    assert "latency <= 2 ms (batch = 1)" in out and "params  <= 60k soft" in out


def test_syntax_errors_are_raised_not_mangled(tmp_path: Path):
    with pytest.raises(SpecError) as err:
        format_source('experiment "x" {\n  seed = = 3\n}\n')
    assert err.value.diagnostics[0].code == "NAS003"
    f = tmp_path / "a.nas"
    f.write_text('experiment "x" { seed=3 }\n')
    assert format_path(f) is True and f.read_text() == 'experiment "x" {\n  seed = 3\n}\n'
    assert format_path(f) is False
