"""nasdsl's lexer gives the tokens Lark's own lexer gives, separators merged, newlines in
brackets dropped; its errors and recovery are those of the parser's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import SPECS, spec_mutants
from lark import Lark, Token

from nasdsl.lang import parse_spec
from nasdsl.lang.parser import grammar_text, parse_statements_recovering
from nasdsl.lang.syntax import StatementBuilder

_SEPARATORS = {"_NL", "SEMICOLON"}
SPEC_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SPECS.rglob("*.nas"))]


class _MergeSeparators:
    """The reference: Lark's contextual lexer plus the two rules, as a postlexer."""

    always_accept = ("_NL", "SEMICOLON")

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        depth, after_separator = 0, False
        for token in stream:
            if token.type in ("LPAR", "LSQB"):
                depth += 1
            elif token.type in ("RPAR", "RSQB") and depth:
                depth -= 1
            elif token.type == "_NL" and depth:
                continue
            if token.type in _SEPARATORS and not depth:
                if after_separator:
                    continue
                after_separator = True
            else:
                after_separator = False
            yield token


def _reference():
    builder = StatementBuilder()
    lark = Lark(grammar_text(), parser="lalr", lexer="contextual",
                postlex=_MergeSeparators(), keep_all_tokens=True,
                maybe_placeholders=False, transformer=builder)
    return lark, builder


REFERENCE, REFERENCE_BUILDER = _reference()


def _reference_statements(text: str):
    REFERENCE_BUILDER.file = "t.nas"
    try:
        return REFERENCE.parse(text)
    except Exception:  # noqa: BLE001 - any syntax error: the reference has no recovery
        return None


def _mutants(count: int, seed: int) -> list[str]:
    pieces = ["\n", "\n\n", ";", ";;", "\n# note\n", "  # é\n", "\\\n", "\r\n", "(", ")",
              "[", "]", ",", "=", "x", "5 ms"]
    return spec_mutants(SPEC_TEXTS, pieces, count, seed, edits=3)


@pytest.mark.parametrize("text", SPEC_TEXTS + _mutants(300, seed=3))
def test_statements_equal_those_built_from_larks_own_lexer(text):
    ours, errors = parse_statements_recovering(text, "t.nas")
    theirs = _reference_statements(text)
    if theirs is None:
        assert errors, "Lark's lexer rejects the text, ours accepted it"
    else:
        assert not errors, [d.message for d in errors]
        assert ours == theirs


def test_a_run_of_separators_is_one_separator():
    text = 'seed = 1\n\n# a comment\n  ;  \n;;\r\n// another\nname = "x"; budget { trials = 2 }\n'
    stmts, errors = parse_statements_recovering(text, "t.nas")
    assert not errors
    assert [s.head for s in stmts] == ["seed", "name", "budget"]
    assert (stmts[1].span.line, stmts[1].span.column) == (7, 1)
    assert (stmts[2].span.line, stmts[2].span.column) == (7, 13)


def test_lines_and_columns_after_continuations_crlf_and_comments():
    text = ("seed = 1 \\\n  # the line goes on, then ends\r\n"
            "\r\n# c\r\nbudget { trials = 2 }\r\n")
    stmts, errors = parse_statements_recovering(text, "t.nas")
    assert not errors
    assert (stmts[1].head, stmts[1].span.line, stmts[1].span.column) == ("budget", 5, 1)
    text = "dense(units = 3,\n      # inside brackets\n      activation = relu)\nseed = 1\n"
    stmts, errors = parse_statements_recovering(text, "t.nas")
    assert not errors
    assert stmts[0].span.end_line == 3 and stmts[1].span.line == 4
    text = "a = 1\r\nb = 2\r\n"
    stmts, _ = parse_statements_recovering(text, "t.nas")
    assert (stmts[1].span.line, stmts[1].span.column, stmts[1].span.end_column) == (2, 1, 6)


def test_a_semicolon_inside_brackets_is_an_error_at_its_place():
    stmts, errors = parse_statements_recovering("dense(units = 3; rate = 1)\n", "t.nas")
    assert errors[0].message == "unexpected ';'"
    assert (errors[0].span.line, errors[0].span.column) == (1, 16)


def test_an_error_after_a_run_of_separators_points_at_its_token():
    text = "seed = 1\n\n# c\n\n  = 2\nname = @\n"
    result = parse_spec(text, "t.nas")
    spans = [(d.span.line, d.span.column, d.message) for d in result.diagnostics]
    assert (5, 3, "unexpected '='") in spans
    assert (6, 8, "unexpected character '@'") in spans


def test_trailing_comment_and_spaces_without_a_newline_end_the_file():
    stmts, errors = parse_statements_recovering("seed = 1   # done", "t.nas")
    assert not errors and [s.head for s in stmts] == ["seed"]
    assert [t.text for t in stmts[0].values[0].terms] == ["1"]  # not `1 e`
    stmts, errors = parse_statements_recovering("seed = 1" + " " * 500, "t.nas")
    assert not errors and stmts[0].span.end_column == 9
    stmts, errors = parse_statements_recovering("seed = 1  \\\n", "t.nas")
    assert not errors


def test_spaces_before_a_bad_character_do_not_make_the_lexer_backtrack():
    # Matching the ignored text without backtracking: 60 spaces before '@' would take
    # 2^60 steps otherwise.
    stmts, errors = parse_statements_recovering("a = 1" + " " * 60 + "@\n", "t.nas")
    assert [(d.message, d.span.column) for d in errors] == [("unexpected character '@'", 66)]
