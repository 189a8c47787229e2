"""Semantic checker: statements → typed AST, every mistake → a diagnostic.

Diagnostic codes:
  NAS0xx syntax · NAS1xx structure (blocks, keys) · NAS2xx values and units ·
  NAS3xx unknown names · NAS4xx consistency between blocks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from nasdsl.lang import ast
from nasdsl.lang import registry as reg
from nasdsl.lang.diagnostics import Diagnostic, Severity, Span, did_you_mean, unknown_name_hint
from nasdsl.lang.syntax import Phrase, Stmt, Term
from nasdsl.lang.units import RATE_PERIODS, UNITS, Dimension, units_of

_NUMBER_RE = re.compile(r"^(-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(%|[A-Za-z_]+)?$")
_MONEY_RE = re.compile(r"^\$((?:\d+(?:\.\d*)?|\.\d+))(?:/([A-Za-z_]+))?$")
_INT_RE = re.compile(r"-?\d+")


@lru_cache(maxsize=4096)
def _split_number(text: str) -> tuple[float, str | None] | None:
    """A NUMBER token's value and unit suffix; None if it is not one. A spec repeats the
    same few numbers (choice(16, 32, 64) on every layer), hence the cache."""
    m = _NUMBER_RE.match(text)
    if not m:
        return None
    digits, unit = m.group(1), m.group(2)
    return (int(digits) if _INT_RE.fullmatch(digits) else float(digits)), unit


DEFAULT_SPLIT = (0.70, 0.15, 0.15)
DEFAULT_EPOCHS = 10
DEFAULT_BATCH = 32


class Invalid(Exception):
    """Raised inside the checker after a diagnostic has been recorded."""


class _Within:
    """`with checker.within(span):` (a class: cheaper than a generator per statement)."""

    __slots__ = ("contexts", "span")

    def __init__(self, contexts: list[Span], span: Span):
        self.contexts = contexts
        self.span = span

    def __enter__(self) -> None:
        self.contexts.append(self.span)

    def __exit__(self, *exc: object) -> None:
        self.contexts.pop()


class Checker:
    """Builds a `Spec` from statements, collecting diagnostics instead of stopping."""

    def __init__(self, file: str):
        self.file = file
        self.diagnostics: list[Diagnostic] = []
        self._contexts: list[Span] = []
        self.custom_ops = False  # set when the spec `use`s a module of custom ops

    # ------------------------------------------------------------ reporting

    def within(self, span: Span) -> _Within:
        """Diagnostics recorded inside get this span (a statement or block) as context."""
        return _Within(self._contexts, span)

    @property
    def context(self) -> Span | None:
        """The innermost enclosing statement or block, if any."""
        return self._contexts[-1] if self._contexts else None

    def error(self, code: str, message: str, span: Span, hint: str | None = None,
              notes: Iterable[str] = (), context: Span | None = None) -> Invalid:
        """Record an error and return an exception the caller may raise to abandon a value."""
        self.diagnostics.append(Diagnostic(code, message, span, Severity.ERROR, hint, tuple(notes),
                                           context or self.context))
        return Invalid()

    def warning(self, code: str, message: str, span: Span, hint: str | None = None,
                notes: Iterable[str] = (), context: Span | None = None) -> None:
        """Record a warning."""
        self.diagnostics.append(Diagnostic(code, message, span, Severity.WARNING, hint,
                                           tuple(notes), context or self.context))

    def info(self, code: str, message: str, span: Span, hint: str | None = None,
             notes: Iterable[str] = (), context: Span | None = None) -> None:
        """Record an informational note."""
        self.diagnostics.append(Diagnostic(code, message, span, Severity.INFO, hint,
                                           tuple(notes), context or self.context))

    def unknown(self, code: str, what: str, name: str, span: Span,
                candidates: Iterable[str], where: str | None = None) -> Invalid:
        """Record an unknown-name error with did-you-mean and the accepted names."""
        hint, notes = unknown_name_hint(name, candidates)
        place = f" in '{where}'" if where else ""
        return self.error(code, f"unknown {what} '{name}'{place}", span, hint, notes)

    # ------------------------------------------------------------ values

    def number(self, term: Term) -> tuple[float, str | None]:
        """Parse a NUMBER token into its value and its attached unit suffix (if any)."""
        split = _split_number(term.text)
        if split is None:  # pragma: no cover - the lexer only produces matching tokens
            raise self.error("NAS201", f"'{term.text}' is not a number", term.span)
        return split

    def quantity(self, phrase: Phrase, expected: Dimension, what: str) -> ast.Quantity:
        """A number with (or without) a unit, checked against the expected dimension."""
        terms = phrase.terms
        first = terms[0]
        if first.kind == "money" and len(terms) == 1:
            m = _MONEY_RE.match(first.text)
            assert m
            amount = float(m.group(1))
            if m.group(2):
                period = m.group(2)
                if period not in RATE_PERIODS:
                    raise self.unknown("NAS203", "price period", period, first.span, RATE_PERIODS)
                dim, value = Dimension.MONEY_RATE, amount * RATE_PERIODS[period]
            else:
                dim, value = Dimension.MONEY, amount
            self._expect_dimension(dim, expected, what, phrase)
            return ast.Quantity(value, dim, first.text, phrase.span)
        if first.kind != "number" or len(terms) > 2:
            raise self.error("NAS201", f"{what} must be {expected.describe()}", phrase.span,
                             hint=_unit_hint(expected))
        value, unit = self.number(first)
        unit_span = first.span
        if len(terms) == 2:
            if unit is not None or terms[1].kind != "name":
                raise self.error("NAS201", f"{what} must be {expected.describe()}", phrase.span,
                                 hint=_unit_hint(expected))
            unit, unit_span = terms[1].text, terms[1].span
        if unit is None:
            dim, factor = Dimension.NUMBER, 1.0
        elif unit in UNITS:
            dim, factor = UNITS[unit].dimension, UNITS[unit].factor
        else:
            raise self.error("NAS203", f"unknown unit '{unit}'", unit_span,
                             hint=_unit_case_hint(unit) or did_you_mean(unit, UNITS)
                             or _unit_hint(expected),
                             notes=(f"units: {', '.join(UNITS)}",))
        if dim is Dimension.NUMBER and expected in (Dimension.COUNT, Dimension.FRACTION):
            dim = expected
        if dim is Dimension.NUMBER and expected is Dimension.SIZE:
            raise self.error("NAS202", f"{what} needs a unit", phrase.span,
                             hint=f"write it as {expected.describe()}, e.g. {value} KB")
        if dim is Dimension.NUMBER and expected is Dimension.DURATION:
            raise self.error("NAS202", f"{what} needs a unit", phrase.span,
                             hint=f"write it as {expected.describe()}, e.g. {value} s")
        self._expect_dimension(dim, expected, what, phrase)
        normalised = value / 100 if unit == "%" else value * factor  # exact for percentages
        return ast.Quantity(normalised, dim, _phrase_text(phrase), phrase.span)

    def _expect_dimension(self, got: Dimension, expected: Dimension, what: str,
                          phrase: Phrase) -> None:
        if got is not expected:
            raise self.error(
                "NAS202",
                f"{what} must be {expected.describe()}, but '{_phrase_text(phrase)}' is "
                f"{got.describe()}",
                phrase.span,
                hint=_unit_hint(expected),
            )

    def literal(self, phrase: Phrase, what: str) -> ast.Literal:
        """A single fixed value: number, string, true/false or a name."""
        term = phrase.single
        if term is None:
            raise self.error("NAS201", f"{what} must be a single value", phrase.span)
        if term.kind == "number":
            value, unit = self.number(term)
            if unit == "%":
                return ast.Literal(value / 100, term.span)
            if unit is not None:
                raise self.error("NAS202", f"{what} takes a plain number, not '{term.text}'",
                                 term.span)
            return ast.Literal(value, term.span)
        if term.kind == "string":
            return ast.Literal(term.text, term.span)
        if term.kind == "name":
            if term.text in ("true", "false"):
                return ast.Literal(term.text == "true", term.span)
            return ast.Literal(term.text, term.span)
        raise self.error("NAS201", f"{what} must be a plain value here, not a {term.kind}",
                         term.span)

    def int_value(self, phrase: Phrase, what: str, minimum: int = 1) -> int:
        """A fixed integer ≥ minimum."""
        lit = self.literal(phrase, what)
        if isinstance(lit.value, bool) or not isinstance(lit.value, int):
            raise self.error("NAS201", f"{what} must be a whole number", phrase.span)
        if lit.value < minimum:
            raise self.error("NAS204", f"{what} must be at least {minimum}", phrase.span)
        return lit.value

    def param_value(self, phrase: Phrase, what: str, kind: str = "any",
                    searchable: bool = True, choices: Iterable[str] = ()) -> ast.ParamValue:
        """A fixed value or a search primitive: choice, range, uniform, loguniform."""
        term = phrase.single
        if term is not None and term.kind == "call" and term.text in reg.SEARCH_PRIMITIVES:
            if not searchable:
                raise self.error("NAS206", f"{what} is a fixed setting, not a search decision",
                                 term.span, hint=f"write one value instead of {term.text}(…)")
            dist = self.distribution(term, what, kind)
            if isinstance(dist, ast.Choice) and choices:
                for o in dist.options:
                    self._check_name(o, what, choices)
            return dist
        lit = self.literal(phrase, what)
        self._check_kind(lit, what, kind)
        if choices:
            self._check_name(lit, what, choices)
        return lit

    def _check_name(self, lit: ast.Literal, what: str, choices: Iterable[str]) -> None:
        names = list(choices)
        if not isinstance(lit.value, str) or lit.value not in names:
            raise self.unknown("NAS309", f"value of {what}", str(lit.value).lower()
                               if isinstance(lit.value, bool) else str(lit.value), lit.span,
                               names)

    def name_value(self, phrase: Phrase, what: str, choices: Iterable[str],
                   code: str = "NAS309") -> ast.Literal:
        """A fixed name out of a known set: launcher = joblib, normalize = standard."""
        names = list(choices)
        term = phrase.single
        if term is None or term.kind not in ("name", "string"):
            raise self.error("NAS201", f"{what} is one of: {', '.join(names)}", phrase.span)
        if term.text not in names:
            raise self.unknown(code, what, term.text, term.span, names)
        return ast.Literal(term.text, term.span)

    def string_value(self, phrase: Phrase, what: str) -> str:
        """A string in double quotes."""
        term = phrase.single
        if term is None or term.kind != "string":
            raise self.error("NAS201", f"{what} is a string in double quotes", phrase.span,
                             hint=f'{what} = "…"')
        return term.text

    def call_params(self, term: Term, specs: Iterable[reg.ParamSpec], what: str,
                    positional: int = 0) -> tuple[list[Phrase], tuple[ast.Param, ...]]:
        """Check the arguments of a call against parameter specs.

        Returns the first `positional` positional phrases (unchecked) and the named params.
        """
        specs = list(specs)
        names = [p.name for p in specs]
        by_name: dict[str, reg.ParamSpec] = {}
        for p in specs:
            by_name.setdefault(p.name, p)
        pos: list[Phrase] = []
        params: list[ast.Param] = []
        seen: set[str] = set()
        for key, phrase in term.args:
            if key is None:
                if len(pos) < positional and not params:
                    pos.append(phrase)
                    continue
                raise self.error("NAS201", f"{what}(…) takes named parameters", phrase.span,
                                 hint=f"{what}({names[0]} = …)" if names else None)
            spec = by_name.get(key)
            if spec is None:
                if names:
                    raise self.unknown("NAS106", f"parameter of {what}", key, phrase.span, names)
                raise self.error("NAS106", f"{what} takes no parameters", phrase.span)
            if key in seen:
                raise self.error("NAS102", f"'{key}' is given twice", phrase.span)
            seen.add(key)
            if spec.kind == "string":
                params.append(ast.Param(key, ast.Literal(self.string_value(phrase, key),
                                                         phrase.span), phrase.span))
                continue
            value = self.param_value(phrase, f"{what}.{key}", spec.kind, spec.searchable,
                                     spec.choices)
            params.append(ast.Param(key, value, phrase.span))
        if len(pos) < positional:
            raise self.error("NAS105", f"{what}(…) needs {positional} positional value(s)",
                             term.span)
        for p in specs:
            if p.required and p.name not in seen:
                raise self.error("NAS105", f"{what} needs '{p.name}'", term.name_span or term.span,
                                 hint=f"{what}({p.name} = …)")
        return pos, tuple(params)

    def _check_kind(self, lit: ast.Literal, what: str, kind: str) -> None:
        v = lit.value
        if kind == "int" and (isinstance(v, bool) or not isinstance(v, int)):
            raise self.error("NAS201", f"{what} must be a whole number, got '{v}'", lit.span)
        if kind == "float" and (isinstance(v, bool) or not isinstance(v, int | float)):
            raise self.error("NAS201", f"{what} must be a number, got '{v}'", lit.span)
        if kind == "bool" and not isinstance(v, bool):
            raise self.error("NAS201", f"{what} must be true or false, got '{v}'", lit.span)
        if kind == "int" and isinstance(v, int) and not isinstance(v, bool) and v < 0:
            raise self.error("NAS204", f"{what} cannot be negative", lit.span)
        if kind == "float" and isinstance(v, int | float) and not isinstance(v, bool) and v < 0:
            raise self.error("NAS204", f"{what} cannot be negative", lit.span)
        if kind == "activation":
            if not isinstance(v, str) or v not in reg.ACTIVATIONS:
                raise self.unknown("NAS303", "activation", str(v), lit.span, reg.ACTIVATIONS)

    def distribution(self, call: Term, what: str, kind: str) -> ast.Distribution:
        """choice(...), range(...), uniform(...), loguniform(...)."""
        positional = [p for k, p in call.args if k is None]
        named = {k: p for k, p in call.args if k is not None}
        if named:
            key = next(iter(named))
            raise self.error("NAS201", f"{call.text}(…) takes positional values only",
                             named[key].span, hint=f"write {call.text}(a, b, …)")
        if call.text == "choice":
            if not positional:
                raise self.error("NAS204", "choice() needs at least one option", call.span)
            options = []
            for p in positional:
                lit = self.literal(p, f"an option of {what}")
                self._check_kind(lit, what, kind)
                options.append(lit)
            values = [o.value for o in options]
            if len(set(map(repr, values))) != len(values):
                raise self.error("NAS204", "choice() lists the same option twice", call.span)
            return ast.Choice(tuple(options), call.span)
        nums = [self.literal(p, f"a bound of {call.text}()") for p in positional]
        for n in nums:
            if isinstance(n.value, bool) or not isinstance(n.value, int | float):
                raise self.error("NAS201", f"{call.text}() takes numbers", n.span)
        if call.text == "range":
            if len(nums) not in (2, 3) or not all(isinstance(n.value, int) for n in nums):
                raise self.error("NAS201", "range() takes two or three whole numbers",
                                 call.span, hint="range(low, high) or range(low, high, step); "
                                 "both ends are included")
            low, high = nums[0].value, nums[1].value
            step = nums[2].value if len(nums) == 3 else 1
            if low > high or step < 1:
                raise self.error("NAS204", f"range({low}, {high}) is empty", call.span,
                                 hint="the low end must not exceed the high end; step ≥ 1")
            if kind == "float":
                return ast.Uniform(float(low), float(high), call.span)
            return ast.IntRange(int(low), int(high), int(step), call.span)
        if len(nums) != 2:
            raise self.error("NAS201", f"{call.text}() takes two numbers: low and high",
                             call.span)
        if kind in ("int", "bool", "activation"):
            raise self.error("NAS201", f"{what} takes whole values; {call.text}() draws floats",
                             call.span, hint="use range(low, high) or choice(…)")
        low, high = float(nums[0].value), float(nums[1].value)
        if low >= high:
            raise self.error("NAS204", f"{call.text}({low:g}, {high:g}) is empty", call.span,
                             hint="the low end must be smaller than the high end")
        if call.text == "loguniform":
            if low <= 0:
                raise self.error("NAS204", "loguniform() needs positive bounds", call.span)
            return ast.LogUniform(low, high, call.span)
        return ast.Uniform(low, high, call.span)

    # ------------------------------------------------------------ structure

    def guarded(self, fn: Callable[[], object]) -> object | None:
        """Run fn, turning an abandoned value into None (the diagnostic is already recorded)."""
        try:
            return fn()
        except Invalid:
            return None

    def keyed(self, stmts: list[Stmt], block: str, allowed: Iterable[str],
              repeatable: Iterable[str] = ()) -> dict[str, Stmt]:
        """Index a block's statements by key; report unknown and repeated keys.

        A repeatable key (use, baseline) maps to its first statement; callers collect the
        others themselves.
        """
        allowed = list(allowed)
        again = set(repeatable)
        seen: dict[str, Stmt] = {}
        for s in stmts:
            if s.head not in allowed:
                self.unknown("NAS101", "key", s.head, s.head_span, allowed, where=block)
                continue
            if s.head in seen and s.head in again:
                continue
            if s.head in seen:
                self.error("NAS102", f"'{s.head}' is given twice in '{block}'", s.head_span,
                           hint=f"the first is at line {seen[s.head].span.line}")
                continue
            seen[s.head] = s
        return seen

    def expect_assign(self, s: Stmt, block: str) -> list[Phrase]:
        """The values of `key = value`; report other statement shapes."""
        if s.kind != "assign" or s.body is not None:
            raise self.error("NAS103", f"'{s.head}' in '{block}' is set with '='", s.span,
                             hint=f"write {s.head} = …")
        return s.values

    def one_value(self, s: Stmt, block: str) -> Phrase:
        """The single value of `key = value`."""
        values = self.expect_assign(s, block)
        if len(values) != 1:
            raise self.error("NAS201", f"'{s.head}' takes one value", s.span)
        return values[0]

    def expect_block(self, s: Stmt, what: str) -> list[Stmt]:
        """The body of `name { … }`."""
        if s.kind != "command" or s.body is None:
            raise self.error("NAS103", f"'{s.head}' is a block", s.span,
                             hint=f"write {what} {{ … }}")
        return s.body


def _unit_case_hint(unit: str) -> str | None:
    same = [u for u in UNITS if u.lower() == unit.lower()]
    return f"units are case-sensitive: did you mean '{same[0]}'?" if same else None


def _unit_hint(expected: Dimension) -> str:
    units = units_of(expected)
    if units:
        return f"expected {expected.describe()}; units: {', '.join(units)}"
    return f"expected {expected.describe()}"


def _phrase_text(phrase: Phrase) -> str:
    return " ".join(t.text for t in phrase.terms)
