"""nasdsl's LALR loop (nasdsl.lang.lalr) parses, fails and recovers exactly as Lark's."""

from __future__ import annotations

import pytest
from conftest import SPECS, spec_mutants
from lark import Lark, Transformer, Tree
from lark.exceptions import UnexpectedInput

from nasdsl.lang.lalr import FastLALRParser
from nasdsl.lang.lexer import NasLexer
from nasdsl.lang.parser import grammar_text
from nasdsl.lang.syntax import StatementBuilder

SPEC_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SPECS.rglob("*.nas"))]

_CALC = r"""
start: sum
?sum: product | sum "+" product -> add | sum "-" product -> sub
?product: atom | product "*" atom -> mul
?atom: NUMBER -> number | "(" sum ")" | NAME "(" [sum ("," sum)*] ")" -> call
%import common.NUMBER
%import common.CNAME -> NAME
%ignore " "
"""


def _nas_parser(fast: bool) -> tuple[Lark, StatementBuilder]:
    builder = StatementBuilder()
    lark = Lark(grammar_text(), parser="lalr", lexer=NasLexer, keep_all_tokens=True,
                maybe_placeholders=False, transformer=builder,
                _plugins={"LALR_Parser": FastLALRParser} if fast else {})
    builder.file = "t.nas"
    return lark, builder


FAST, _ = _nas_parser(fast=True)
LARK, _ = _nas_parser(fast=False)


def _parse_recovering(lark: Lark, text: str) -> tuple[object, list[tuple]]:
    """Statements (or the final error) and every error seen, skipping bad tokens."""
    seen: list[tuple] = []

    def on_error(err: UnexpectedInput) -> bool:
        token = getattr(err, "token", None)
        seen.append((type(err).__name__, err.line, err.column,
                     token and token.type, sorted(getattr(err, "expected", ()) or ())))
        return len(seen) < 30 and (token is None or token.type != "$END")

    try:
        return lark.parse(text, on_error=on_error), seen
    except UnexpectedInput as err:
        return ("failed", type(err).__name__, err.line, err.column), seen


def _mutants(count: int, seed: int) -> list[str]:
    pieces = ["\n", ";", "(", ")", "[", "]", "{", "}", ",", "=", "<=", "x", "5 ms", "@", '"']
    return spec_mutants(SPEC_TEXTS, pieces, count, seed, edits=4)


@pytest.mark.parametrize("text", SPEC_TEXTS + _mutants(200, seed=11))
def test_statements_errors_and_recovery_equal_larks(text):
    assert _parse_recovering(FAST, text) == _parse_recovering(LARK, text)


def test_the_nas_parser_uses_the_fast_loop():
    from nasdsl.lang.parser import _parser

    lark, _ = _parser()
    assert isinstance(lark.parser.parser, FastLALRParser)


@pytest.mark.parametrize("text", ["1 + 2 * (3 - x(4, 5))", "f()", "((1))", "1 + + 2",
                                  "1 +", "(1", "1 2", ""])
def test_a_tree_building_grammar_gives_larks_trees_and_errors(text):
    fast = Lark(_CALC, parser="lalr", _plugins={"LALR_Parser": FastLALRParser})
    plain = Lark(_CALC, parser="lalr")

    def outcome(lark: Lark) -> object:
        try:
            return lark.parse(text)
        except UnexpectedInput as err:
            return type(err).__name__, err.line, err.column, sorted(err.expected)

    result = outcome(fast)
    assert result == outcome(plain)
    if text == "1 + 2 * (3 - x(4, 5))":
        assert isinstance(result, Tree) and result.children[0].data == "add"


def test_a_cached_grammar_gets_the_fast_loop_too(tmp_path):
    cache = str(tmp_path / "calc.cache")
    Lark(_CALC, parser="lalr", cache=cache, _plugins={"LALR_Parser": FastLALRParser})
    loaded = Lark(_CALC, parser="lalr", cache=cache, _plugins={"LALR_Parser": FastLALRParser})
    assert type(loaded.parser.parser.parser).__name__ == "_FastParser"
    assert loaded.parse("2 * 3").children[0].data == "mul"


def test_a_transformers_terminal_methods_apply_to_tokens():
    class Calc(Transformer):
        def NUMBER(self, token):  # noqa: N802 - Lark calls it by the terminal's name
            return int(token)

        def add(self, children):
            return children[0] + children[1]

        def mul(self, children):
            return children[0] * children[1]

        def number(self, children):
            return children[0]

        def start(self, children):
            return children[0]

    fast = Lark(_CALC, parser="lalr", transformer=Calc(),
                _plugins={"LALR_Parser": FastLALRParser})
    assert fast.parse("2 + 3 * 4") == 14
