"""Lark front end: text → statements, syntax errors → diagnostics (with recovery)."""

from __future__ import annotations

import os
import sys
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path

import lark as _lark_package
from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from nasdsl.lang.diagnostics import Diagnostic, Span
from nasdsl.lang.lalr import FastLALRParser
from nasdsl.lang.lexer import NasLexer
from nasdsl.lang.syntax import StatementBuilder, Stmt

# How the parser's terminal names read in a message.
_TERMINAL_NAMES = {
    "NAME": "a name",
    "NUMBER": "a number",
    "MONEY": "an amount of money",
    "STRING": "a string",
    "CMP": "a comparison (<=, >=, <, >, ==)",
    "_NL": "a new line",
    "SEMICOLON": "';'",
    "EQUAL": "'='",
    "COMMA": "','",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "$END": "the end of the file",
}


def grammar_text() -> str:
    """The grammar source shipped with the package (grammars/nas.lark)."""
    return resources.files("nasdsl.grammars").joinpath("nas.lark").read_text(encoding="utf-8")


def parser_cache_path() -> Path | None:
    """Where the parser's tables are kept between processes; None: not kept.

    `NASDSL_CACHE_DIR` names the folder (empty: no cache); otherwise
    `$XDG_CACHE_HOME/nasdsl` or `~/.cache/nasdsl`. The file holds a hash of the grammar,
    the parser options and the Lark and Python versions, and Lark builds the tables
    again (and rewrites the file) whenever it does not match or cannot be read.
    """
    folder = os.environ.get("NASDSL_CACHE_DIR")
    if folder is None:
        xdg = os.environ.get("XDG_CACHE_HOME")
        folder = str(Path(xdg) / "nasdsl") if xdg else str(Path.home() / ".cache" / "nasdsl")
    if not folder:
        return None
    version = f"lark{_lark_package.__version__}-py{sys.version_info[0]}{sys.version_info[1]}"
    return Path(folder) / f"parser-{version}.cache"


def _writable(path: Path | None) -> str | bool:
    """The cache file's name for Lark, or False where its folder cannot be made."""
    if path is None:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return str(path)


@lru_cache(maxsize=1)
def _parser() -> tuple[Lark, StatementBuilder]:
    # The statements are built during the parse (an inline transformer), with spans taken
    # from the tokens: no parse tree, no position propagation. Every token is kept so that
    # a call's span reaches its ')' and a body's its '}'. The lexer is nasdsl's own
    # (nasdsl.lang.lexer): one regular expression per token, separators merged. The LALR
    # loop is Lark's with its tables flattened (nasdsl.lang.lalr). Building the LALR
    # tables takes ~60 ms, loading them from Lark's cache ~4 ms: every `nasdsl check`,
    # every run and the language server's first check start that much sooner.
    builder = StatementBuilder()
    lark = Lark(
        grammar_text(),
        parser="lalr",
        lexer=NasLexer,
        keep_all_tokens=True,
        maybe_placeholders=False,
        transformer=builder,
        _plugins={"LALR_Parser": FastLALRParser},
        cache=_writable(parser_cache_path()),
    )
    return lark, builder


# The one builder carries the file name of the parse under way.
_PARSING = threading.Lock()


def token_span(token: Token, file: str) -> Span:
    """Span of one token."""
    end_line = token.end_line if token.end_line is not None else token.line
    end_col = token.end_column if token.end_column is not None else token.column + len(token)
    return Span(file, token.line or 1, token.column or 1, end_line or 1, end_col or 1)


def _describe_expected(expected: set[str]) -> str:
    names = sorted({_TERMINAL_NAMES.get(t, f"'{t}'") for t in expected if not t.startswith("__")})
    return ", ".join(names)


def _syntax_diagnostic(err: UnexpectedInput, file: str, text: str) -> Diagnostic:
    line, column = err.line or 1, err.column or 1
    if isinstance(err, UnexpectedCharacters):
        char = text[err.pos_in_stream] if err.pos_in_stream < len(text) else "?"
        span = Span(file, line, column, line, column + 1)
        return Diagnostic("NAS001", f"unexpected character {char!r}", span,
                          hint="names start with a letter; strings use double quotes")
    if isinstance(err, UnexpectedEOF) or (
        isinstance(err, UnexpectedToken) and err.token.type == "$END"
    ):
        last = text.rstrip().split("\n")  # Lark counts "\n" only, not every line break
        lineno = max(1, len(last))
        col = len(last[-1]) + 1
        return Diagnostic("NAS002", "unexpected end of file",
                          Span(file, lineno, col, lineno, col + 1),
                          hint="a block is not closed: add the missing '}' or ')'")
    assert isinstance(err, UnexpectedToken)
    token = err.token
    span = token_span(token, file)
    shown = "a new line" if token.type == "_NL" else repr(str(token))
    expected = _describe_expected(set(err.expected))
    hint = None
    if token.type == "NAME" and "_NL" in err.expected:
        hint = "put each statement on its own line or separate them with ';'"
    elif token.type == "RBRACE":
        hint = "a '}' closes a block that was never opened, or a value is missing before it"
    return Diagnostic("NAS003", f"unexpected {shown}", span, hint=hint,
                      notes=(f"expected {expected}",) if expected else ())


def parse_statements(text: str,
                     file: str = "<spec>") -> tuple[list[Stmt] | None, list[Diagnostic]]:
    """Parse text into statements, reporting every syntax error it can recover from.

    The statements are None when there is any syntax error; `parse_statements_recovering`
    returns the statements the parser recovered instead.
    """
    stmts, errors = parse_statements_recovering(text, file)
    return (None if errors else stmts), errors


_MAX_SYNTAX_ERRORS = 50


def parse_statements_recovering(text: str, file: str = "<spec>"
                                ) -> tuple[list[Stmt] | None, list[Diagnostic]]:
    """Parse text, skipping unexpected tokens; return the recovered statements and errors.

    The statements are None only when the parser could not recover (e.g. at the end of
    the file).
    """
    errors: list[Diagnostic] = []
    seen_lines: set[int] = set()
    count = 0

    def on_error(err: UnexpectedInput) -> bool:
        nonlocal count
        count += 1
        diag = _syntax_diagnostic(err, file, text)
        if diag.span.line not in seen_lines:
            errors.append(diag)
            seen_lines.add(diag.span.line)
        # Skip the offending token and carry on, so one file reports several mistakes.
        if count > _MAX_SYNTAX_ERRORS:
            return False
        if isinstance(err, UnexpectedCharacters):
            return True
        return isinstance(err, UnexpectedToken) and err.token.type != "$END"

    lark, builder = _parser()
    with _PARSING:
        builder.file = file
        try:
            stmts = lark.parse(text, on_error=on_error)
        except UnexpectedInput as err:
            diag = _syntax_diagnostic(err, file, text)
            if diag.span.line not in seen_lines:
                errors.append(diag)
            return None, errors
    return stmts, errors
