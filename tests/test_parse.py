from conftest import SPECS

from nasdsl.lang import ast, load_spec, parse_spec
from nasdsl.lang.units import Dimension


def test_quickstart_parses_to_expected_ast():
    result = load_spec(SPECS / "quickstart.nas")
    assert result.ok, result.rendered()
    spec = result.spec
    assert spec.name == "quickstart" and spec.seed == 7
    assert spec.data.source == "sklearn.digits" and spec.data.stratify is True
    assert (spec.data.split.train, spec.data.split.val, spec.data.split.test) == (0.7, 0.15, 0.15)
    assert [(g.direction, g.metric) for g in spec.objective.goals] == [("maximize", "val.accuracy")]
    limits = {c.subject: (c.op, c.value, c.dimension) for c in spec.constraints}
    assert limits["params"] == ("<=", 20_000, Dimension.COUNT)
    assert limits["model_size"] == ("<=", 96_000, Dimension.SIZE)
    assert limits["latency"] == ("<=", 0.005, Dimension.DURATION)
    assert limits["val.accuracy"] == (">=", 0.95, Dimension.FRACTION)
    repeat = spec.space.items[0]
    assert isinstance(repeat, ast.Repeat)
    assert isinstance(repeat.count, ast.IntRange)
    assert (repeat.count.low, repeat.count.high) == (1, 2)
    dense, optional, dropout = repeat.body
    assert isinstance(dense, ast.LayerOp) and dense.op == "dense"
    units = dense.params[0]
    assert units.name == "units" and [o.value for o in units.value.options] == [32, 64, 128]
    assert isinstance(optional, ast.OptionalLayer) and optional.layer.op == "batch_norm"
    assert isinstance(dropout.params[0].value, ast.Uniform)
    assert isinstance(spec.train.optimizer.params[0].value, ast.LogUniform)
    assert spec.budget.trials == 20 and spec.budget.time_s == 120
    assert spec.strategy.name == "random" and spec.backend == "torch"


def test_every_node_has_a_span_on_the_right_line():
    text = (SPECS / "quickstart.nas").read_text()
    spec = load_spec(SPECS / "quickstart.nas").spec
    lines = text.splitlines()
    dense = spec.space.items[0].body[0]
    assert lines[dense.span.line - 1].strip().startswith("dense(")
    assert lines[spec.budget.span.line - 1].strip().startswith("budget")
    for c in spec.constraints:
        assert lines[c.span.line - 1].strip().startswith(c.subject.split(".")[-1])


def test_units_are_normalised():
    text = '''experiment "u" {
      data { source = sklearn.iris }
      objective { maximize val.accuracy }
      constraints {
        params <= 1.5M
        model_size <= 2 MiB
        latency <= 250us
      }
      space layers { dense(units = 8) }
      budget { time = 1.5 h }
    }'''
    result = parse_spec(text)
    assert result.ok, result.rendered()
    got = {c.subject: c.value for c in result.spec.constraints}
    assert got == {"params": 1_500_000, "model_size": 2 * 1024**2, "latency": 250e-6}
    assert result.spec.budget.time_s == 5400


def test_semicolons_and_multiline_lists():
    text = '''experiment "x" {
      data { source = sklearn.wine; split = train 60%, val 20%, test 20%; stratify = false }
      objective { maximize val.f1 }
      space layers {
        dense(units = choice(
          8,
          16,
        ), activation = relu)
      }
      train { epochs = 2; optimizer = sgd(lr = 0.05, momentum = 0.8) }
      budget { trials = 2 }
    }'''
    result = parse_spec(text)
    assert result.ok, result.rendered()
    assert result.spec.data.split.test == 0.2 and result.spec.data.stratify is False
    assert result.spec.train.optimizer.name == "sgd"


def test_several_mistakes_are_all_reported():
    text = '''experiment "x" {
      data { source = sklearn.digts }
      objective { maximize val.acuracy }
      space layers { dense(unit = 8) }
      budget { trials = 2 }
    }'''
    codes = [d.code for d in parse_spec(text).diagnostics]
    assert codes == ["NAS301", "NAS302", "NAS106"]
