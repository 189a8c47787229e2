"""Units, diagnostics (codes, spans, context, recovery), JSON output and static analysis."""

import json

import pytest

from nasdsl.lang import load_spec, parse_spec
from nasdsl.lang.analysis import chain_measures, space_size
from nasdsl.lang.diagnostics import CODES, Severity, diagnostics_json

BASE = '''experiment "t" {{
  data {{ source = sklearn.digits }}
  objective {{ maximize val.accuracy }}
  {constraints}
  space layers {{ {space} }}
  budget {{ {budget} }}
}}
'''


def check(constraints: str = "", space: str = "dense(units = 8)", budget: str = "trials = 5"):
    return parse_spec(BASE.format(constraints=constraints, space=space, budget=budget))


@pytest.mark.parametrize("line, expected", [
    ("latency <= 5 MB", "a duration"),
    ("model_size <= 2 ms", "a size in bytes"),
    ("params <= 5 KB", "a count"),
    ("peak_memory <= 10k", "a size in bytes"),
    ("flops <= 3 s", "a count"),
])
def test_wrong_dimension_names_the_expected_one(line: str, expected: str):
    result = check(f"constraints {{ {line} }}")
    d = next(d for d in result.diagnostics if d.is_error)
    assert d.code == "NAS202" and expected in d.message, d.message
    assert d.hint and "units:" in d.hint


@pytest.mark.parametrize("budget, expected", [
    ("money = 5 h; rate = $1/h", "an amount of money"),
    ("money = $5; rate = $2", "a price per hour"),
    ("time = 5 KB", "a duration"),
])
def test_budget_dimensions(budget: str, expected: str):
    d = next(d for d in check(budget=budget).diagnostics if d.is_error)
    assert d.code == "NAS202" and expected in d.message


def test_units_normalise():
    result = check("constraints { params <= 0.06M; model_size <= 1 GiB; latency <= 1.5 min;"
                   " peak_memory <= 512 KiB }",
                   budget="time = 2 h; device_hours = 90 min; money = $10; rate = $0.5/min")
    assert result.ok, result.rendered()
    spec = result.spec
    got = {c.subject: c.value for c in spec.constraints}
    assert got == {"params": 60_000, "model_size": 1024**3, "latency": 90,
                   "peak_memory": 512 * 1024}
    assert spec.budget.time_s == 7200 and spec.budget.device_hours_s == 5400
    assert spec.budget.money == 10 and spec.budget.rate_per_h == 30


def test_unknown_unit_and_did_you_mean():
    d = next(d for d in check("constraints { latency <= 2 msec }").diagnostics)
    assert d.code == "NAS203" and "units:" in d.notes[0]


def test_three_mistakes_mixed_syntax_and_semantics():
    text = '''experiment "x" {
  seed = = 7
  data { source = sklearn.digts }
  objective { maximize val.accuracy }
  space layers { dense(units = 8) }
  budget { trials = 2; time = 5 MB }
}'''
    result = parse_spec(text)
    assert [(d.code, d.span.line) for d in result.diagnostics] == \
        [("NAS003", 2), ("NAS301", 3), ("NAS202", 6)]
    assert not result.ok and result.spec is None


def test_three_semantic_mistakes():
    text = '''experiment "x" {
  data { source = sklearn.digits; normalize = zscore }
  objective { maximize val.acuracy }
  space cells { normal = cell(ops = [sep_conv_3x3, sep_conv_9x9]) }
}'''
    codes = [d.code for d in parse_spec(text).diagnostics]
    assert codes == ["NAS309", "NAS302", "NAS309"]


def test_diagnostic_has_context_summary_and_available_note():
    result = check("constraints { params <= 60k; lattency <= 2 ms }")
    d = result.diagnostics[0]
    assert d.code == "NAS302" and d.context is not None
    assert d.context.line == 4 and d.context.column > d.span.column - 20
    assert d.summary == CODES["NAS302"].title and d.detail
    assert any(n.startswith("available:") for n in d.notes)
    assert d.hint == "did you mean 'latency'?"


def test_every_code_used_is_documented():
    import pathlib
    import re

    src = pathlib.Path(__file__).parent.parent / "nasdsl" / "lang"
    used = set()
    for f in src.glob("*.py"):
        used |= set(re.findall(r'"(NAS\d{3})"', f.read_text()))
    assert used <= set(CODES), used - set(CODES)


def test_json_output():
    good = load_spec("specs/quickstart.nas")
    bad = check("constraints { latency <= 5 MB }")
    data = json.loads(diagnostics_json([good, bad]))
    assert data["version"] == 1 and len(data["files"]) == 2
    assert data["files"][0]["ok"] is True and data["files"][1]["ok"] is False
    assert data["errors"] == 1
    d = data["files"][1]["diagnostics"][0]
    assert d["code"] == "NAS202" and d["severity"] == "error" and d["line"] == 4
    assert {"summary", "detail", "hint", "notes", "context", "end_column"} <= set(d)
    assert d["context"]["line"] == 4


def test_space_size_of_quickstart():
    spec = load_spec("specs/quickstart.nas").spec
    size = space_size(spec)
    # repeat range(1, 2) of dense (3 units × 3 activations) × optional batch_norm (2)
    assert size.architectures == 18 + 18**2
    assert "dropout.rate" in size.continuous and not size.finite
    assert "infinite" in size.describe()


def test_static_analysis_of_params_limits():
    space = "dense(units = choice(8, 16, 32))"
    # digits: 64 features → dense(u) → dense(10): 64u + u + 10u + 10
    params = {u: 75 * u + 10 for u in (8, 16, 32)}
    result = check("constraints { params <= 1000 }", space=space)
    d = next(d for d in result.diagnostics if d.code == "NAS409")
    assert d.severity is Severity.INFO and "only 1 of 3" in d.message
    # a hard limit that even the smallest architecture breaks is an error at its span
    result = check("constraints { params <= 500 }", space=space)
    d = next(d for d in result.diagnostics if d.code == "NAS420")
    assert d.is_error and "even the smallest architecture" in d.message
    assert not result.ok and "610 to 2.41k params" in d.notes[0]
    # the same limit made soft only warns
    result = check("constraints { params <= 500 soft }", space=space)
    d = next(d for d in result.diagnostics if d.code == "NAS408")
    assert d.severity is Severity.WARNING and "excludes the whole space" in d.message
    assert result.ok
    # more than 90% excluded is a warning
    wide = "dense(units = choice(8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88))"
    d = next(d for d in check("constraints { params <= 1000 }", space=wide).diagnostics
             if d.code == "NAS409")
    assert d.severity is Severity.WARNING and "more than 90%" in d.message
    m = chain_measures(result.spec)
    assert m is not None and sorted(k[0] for k in m.counts) == sorted(params.values())


def test_static_analysis_of_images_and_budget():
    result = check(space="conv(channels = 4); max_pool(size = choice(2, 16)); dense(units = 4)")
    assert any(d.code == "NAS411" for d in result.diagnostics), result.rendered()
    result = check(space="dense(units = choice(4, 8))", budget="trials = 10")
    assert any(d.code == "NAS412" for d in result.diagnostics)


def test_cell_space_counts():
    text = BASE.format(constraints="", budget="trials = 5",
                       space="dense(units = 8)").replace(
        "space layers { dense(units = 8) }",
        "space nb201 { nodes = 3; ops = [none, skip_connect] }")
    spec = parse_spec(text).spec
    assert space_size(spec).architectures == 2**3
    text = text.replace("space nb201 { nodes = 3; ops = [none, skip_connect] }",
                        "space cells { normal = cell(blocks = 2, ops = [identity, conv_3x3]);"
                        " layout = [normal x choice(1, 2)] }")
    spec = parse_spec(text).spec
    # block 0: (2 inputs × 2 ops)^2, block 1: (3 × 2)^2; the layout doubles it
    assert space_size(spec).architectures == (4**2) * (6**2) * 2


def test_language_import_is_light():
    import subprocess
    import sys

    code = ("import sys, nasdsl.lang, nasdsl.lang.format, nasdsl.lang.reference; "
            "from nasdsl.lang import load_spec; load_spec('specs/quickstart.nas'); "
            "bad = [m for m in ('sklearn', 'optuna', 'hydra', 'torch', 'keras', 'tensorflow')"
            " if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
