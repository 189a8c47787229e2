"""Fuzzing the checker: whatever the text, `check` returns diagnostics with valid locations.

Two sources of input: random specs built from the grammar's statement shapes and the
registry's names (mostly well-formed, often meaningless), and byte-level mutations of
every example spec. For each, parsing and checking must not raise, and every diagnostic
(and its context span) must point inside the text with its end at or after its start.

The default run does a few thousand cases; `benchmarks/fuzz_check.py` runs 100,000.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nasdsl.lang import load_spec, parse_spec
from nasdsl.lang import registry as reg
from nasdsl.lang.diagnostics import Span
from nasdsl.lang.units import UNITS

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "specs").glob("*.nas")) + sorted((ROOT / "tests" / "good_specs").glob(
    "*.nas"))
SEED_BYTES = [p.read_bytes() for p in SEEDS]

# ------------------------------------------------------------------ the invariant


def _inside(span: Span, lines: list[str]) -> bool:
    if not 1 <= span.line <= span.end_line <= len(lines):
        return False
    if (span.end_line, span.end_column) < (span.line, span.column):
        return False
    if span.column < 1 or span.end_column < 1:
        return False
    # +2: an end-of-file diagnostic points just past the last character
    return span.column <= len(lines[span.line - 1]) + 2 \
        and span.end_column <= len(lines[span.end_line - 1]) + 2


def check_text(text: str) -> None:
    """Parse and check text; assert every diagnostic has a valid location."""
    result = parse_spec(text, "fuzz.nas")
    _check_result(result, text)


def _check_result(result, text: str) -> None:  # noqa: ANN001
    lines = text.split("\n") or [""]
    for d in result.diagnostics:
        assert d.code and d.message, d
        assert _inside(d.span, lines), (d, text)
        if d.context is not None:
            assert _inside(d.context, lines), (d, text)
        d.to_dict()  # the JSON form never fails either
    if result.ok:
        assert result.spec is not None


def check_bytes(data: bytes, tmp: Path) -> None:
    """Write bytes to a file and load it as `nasdsl check` does."""
    tmp.write_bytes(data)
    result = load_spec(tmp)
    _check_result(result, result.source)


# ------------------------------------------------------------------ random specs

_NAMES = sorted({*reg.OPS, *reg.ACTIVATIONS, *reg.CELL_OPS, *reg.METRICS, *reg.MEASURES,
                 *reg.STRATEGIES, *reg.EARLY_STOPPING, *reg.SCHEDULES, *reg.OPTIMIZERS,
                 *reg.DATASETS, *reg.BACKENDS, *reg.LAUNCHERS, *reg.DEVICES,
                 *reg.NORMALIZATIONS, *reg.IMPUTATIONS, *reg.QUANTIZATIONS, "true", "false",
                 "train", "val", "test", "val.accuracy", "val.roc_auc", "x", "top", "soft",
                 "quantized", "auto", "none", "normal", "reduction", "cell", "reduce"})
_KEYS = sorted({k.name for b in reg.BLOCKS.values() for k in b.keys} | {"seed", "bogus"})
_CALLS = sorted({*reg.OPS, *reg.OPTIMIZERS, *reg.SCHEDULES, *reg.EARLY_STOPPING,
                 *reg.DATA_SOURCES, *reg.SEARCH_PRIMITIVES, *reg.BACKEND_CALLS, "cell",
                 "constant", "latency", "peak_memory", "accuracy"})
_PARAMS = sorted({p.name for o in reg.OPS.values() for p in o.params}
                 | {p.name for s in reg.STRATEGIES.values() for p in s.params}
                 | {"lr", "blocks", "ops", "combine", "batch", "device", "k", "value",
                    "target", "labels", "eta", "min_epochs"})
_UNITS = sorted(UNITS)

numbers = st.one_of(
    st.integers(-5, 10**6).map(str),
    st.floats(-1e3, 1e6, allow_nan=False, allow_infinity=False).map(lambda f: f"{f:g}"),
    st.tuples(st.integers(0, 500), st.sampled_from(_UNITS)).map(lambda t: f"{t[0]}{t[1]}"),
    st.tuples(st.integers(0, 500), st.sampled_from(_UNITS)).map(lambda t: f"{t[0]} {t[1]}"),
    st.sampled_from(["$5", "$2.48/h", "$1/gpu_hour", "$3/week", "70%", "1e-4", "2x"]),
)
strings = st.sampled_from(['"a"', '""', '"runs/x"', '"sqlite:///x.db"', '"journal:x.log"',
                           '"data/x.csv"', '"x.npz"', '"y.npy"', '"dir/"', '"mypkg.ops"',
                           '"with \\"quote\\""'])
names = st.sampled_from(_NAMES)


def _values(depth: int) -> st.SearchStrategy[str]:
    atoms = st.one_of(numbers, strings, names)
    if depth <= 0:
        return atoms
    inner = _values(depth - 1)
    call = st.tuples(st.sampled_from(_CALLS), st.lists(st.one_of(
        inner, st.tuples(st.sampled_from(_PARAMS), inner).map(lambda t: f"{t[0]} = {t[1]}")),
        max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})")
    lst = st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
    phrase = st.lists(atoms, min_size=2, max_size=3).map(" ".join)
    return st.one_of(atoms, call, lst, phrase)


values = _values(2)


def _statements(depth: int) -> st.SearchStrategy[str]:
    assign = st.tuples(st.sampled_from(_KEYS), st.lists(values, min_size=1, max_size=3)).map(
        lambda t: f"{t[0]} = {', '.join(t[1])}")
    compare = st.tuples(st.sampled_from(sorted(reg.MEASURES) + ["accuracy", "val.f1"]),
                        st.sampled_from(["<=", "<", ">=", ">", "=="]), values).map(
        lambda t: f"{t[0]} {t[1]} {t[2]}")
    command = st.tuples(st.sampled_from(_KEYS + ["maximize", "minimize", "repeat", "optional",
                                                 "space layers", "space cells", "space nb201",
                                                 "strategy tpe", 'baseline "b"', 'target "t"',
                                                 "use"]),
                        st.one_of(st.just(""), values)).map(lambda t: f"{t[0]} {t[1]}".strip())
    simple = st.one_of(assign, compare, command)
    if depth <= 0:
        return simple
    block = st.tuples(st.sampled_from(_KEYS + ["space layers", "space cells", "strategy evolution",
                                               'baseline "b"', 'target "t"', "repeat 2"]),
                      st.lists(_statements(depth - 1), max_size=4),
                      st.sampled_from(["\n", "; "])).map(
        lambda t: f"{t[0]} {{{t[2]}{t[2].join(t[1])}{t[2]}}}")
    return st.one_of(simple, block)


statements = _statements(2)

# A skeleton that checks, with random statements inserted: reaches deep into the checker.
_SKELETON = ('experiment "fuzz" {{\n  data {{ source = sklearn.{ds} }}\n'
             "  objective {{ maximize val.accuracy }}\n  space layers {{ dense(units = 8) }}\n"
             "{extra}\n}}\n")

random_specs = st.one_of(
    st.tuples(st.sampled_from(["iris", "digits", "wine", "diabetes"]),
              st.lists(statements, max_size=5)).map(
        lambda t: _SKELETON.format(ds=t[0], extra="\n".join("  " + s for s in t[1]))),
    st.lists(statements, max_size=5).map(
        lambda xs: 'experiment "fuzz" {\n' + "\n".join(xs) + "\n}\n"),
    st.lists(statements, max_size=4).map("\n".join),
)


@st.composite
def mutations(draw: st.DrawFn) -> bytes:
    """An example spec with a few bytes inserted, deleted, replaced or lines swapped."""
    data = bytearray(draw(st.sampled_from(SEED_BYTES)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "truncate", "dup"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=3) | st.sampled_from(
                [b"{", b"}", b"(", b")", b"[", b"]", b"\n", b";", b'"', b"=", b"#", b"\xff",
                 b"\xc3", b"\t", b"\r", b"\\\n", b"\xe2\x82\xac"]))
        elif kind == "delete":
            del data[pos:pos + draw(st.integers(1, 8))]
        elif kind == "replace" and data:
            data[pos] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[pos:]
        else:
            end = min(len(data), pos + draw(st.integers(1, 40)))
            data[pos:pos] = data[pos:end]
    return bytes(data)


_FAST = settings(max_examples=1000, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_FAST
@given(random_specs)
def test_random_specs_give_located_diagnostics(text: str):
    check_text(text)


@_FAST
@given(mutations())
def test_mutated_examples_give_located_diagnostics(data: bytes):
    check_text(data.decode("utf-8", errors="replace"))


def test_every_example_spec_survives_every_single_byte_deletion_of_its_first_lines(tmp_path):
    # Deterministic companion of the random mutations: a byte removed anywhere in the
    # first 400 bytes of each example, loaded from a file as `nasdsl check` does.
    path = tmp_path / "cut.nas"
    for data in SEED_BYTES[:4]:
        for i in range(0, min(400, len(data)), 7):
            check_bytes(data[:i] + data[i + 1:], path)
    check_bytes(b'experiment "x" {\xff\xfe}\n', path)
