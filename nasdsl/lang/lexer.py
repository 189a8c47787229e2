"""A one-pass lexer for grammars/nas.lark, plugged into Lark as a custom lexer.

Lark's contextual lexer matches every ignored run (spaces, comments) as a token of its
own, counts lines with a general-purpose counter and passes the tokens through a
postlexer; on a 1,000-line spec that was a third of the parse. This lexer takes the
grammar's own terminals from Lark's lexer configuration (the grammar stays the one
source), matches each token with one regular expression that also swallows the ignored
text in front of it, and tracks lines itself. It also

- drops newlines inside ( ) and [ ], so that lists and calls may span lines;
- gives a run of separators outside brackets (newlines, ';', blank and comment-only
  lines) as one token, so the grammar needs no repetition rule for them (one LALR
  reduction fewer per separator). The token's text and span are those of the run's
  first separator, which is where an "unexpected" diagnostic points.

Errors are those of Lark's contextual lexer: a token the parser's current state has no
action for is reported as `UnexpectedToken` before the parser reduces anything (so its
"expected" list is what fits at that point), an unknown character as
`UnexpectedCharacters`; Lark's error recovery resumes from the position kept in the
lexer state.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedToken
from lark.lexer import Lexer, LexerState

_OPEN = frozenset({"LPAR", "LSQB"})
_CLOSE = frozenset({"RPAR", "RSQB"})
_NEWLINE = "_NL"
_SEPARATORS = frozenset({_NEWLINE, "SEMICOLON"})


def _regexp(term: Any) -> str:
    return term.pattern.to_regexp()


def _past(text: str, start: int, end: int, line: int, line_start: int) -> tuple[int, int]:
    """Line number and line start offset after text[start:end] (it may hold newlines)."""
    newlines = text.count("\n", start, end)
    if newlines:
        return line + newlines, text.rindex("\n", start, end) + 1
    return line, line_start


class NasLexer(Lexer):
    """Lark custom lexer (interface 2) for the .nas grammar; see the module docstring."""

    __future_interface__ = 2

    def __init__(self, lexer_conf: Any) -> None:
        terminals = list(lexer_conf.terminals)
        ignore = set(lexer_conf.ignore)
        self.terminals_by_name = lexer_conf.terminals_by_name
        # Lark's own order: priority, then the longest possible match first.
        ordered = sorted((t for t in terminals if t.name not in ignore),
                         key=lambda t: (-t.priority, -t.pattern.max_width,
                                        -len(t.pattern.value), t.name))
        skipped = "|".join(_regexp(t) for t in terminals if t.name in ignore)
        for t in terminals:
            if (t.name in ignore or t.name in _SEPARATORS) and re.compile(_regexp(t)).groups:
                # Python 3.11's re mishandles capturing groups inside a possessive repeat.
                raise ValueError(f"terminal {t.name} of grammars/nas.lark must use (?:…) "
                                 "groups: it is matched inside a possessive repeat")
        tokens = "|".join(f"(?P<{t.name}>{_regexp(t)})" for t in ordered)
        # The ignored text is matched possessively (`*+`): no token starts with what an
        # ignored terminal matches, and backtracking into it would split a trailing
        # comment into a comment and a name, and take exponential time on a run of
        # spaces before a character no token matches.
        self._skip = re.compile(f"(?:{skipped})*+", lexer_conf.g_regex_flags)
        self._next = re.compile(f"(?:{skipped})*+(?:{tokens})", lexer_conf.g_regex_flags)
        # What may follow a separator and still belong to it: more separators, and blank
        # or comment-only lines.
        runs = "|".join([skipped, *(_regexp(t) for t in terminals if t.name in _SEPARATORS)])
        self._separator_run = re.compile(f"(?:{runs})*+", lexer_conf.g_regex_flags)
        self._types = frozenset(t.name for t in ordered)
        self._accepts: dict[int, frozenset[str]] = {}

    def _learn_states(self, states: dict[int, dict[str, Any]]) -> dict[int, frozenset[str]]:
        # Per LALR state, the terminals it has an action for: what the contextual lexer
        # would match there, and what an error at that point says was expected.
        self._accepts = {s: frozenset(n for n in acts if n in self._types)
                         for s, acts in states.items()}
        return self._accepts

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        """Yield the tokens from the lexer state's position on, keeping that position."""
        text = lexer_state.text.text
        end_of_text = lexer_state.text.end
        counter = lexer_state.line_ctr
        pos, line, line_start = counter.char_pos, counter.line, counter.line_start_pos
        accepts = self._accepts or self._learn_states(parser_state.parse_conf.states)
        match, stack = self._next.match, parser_state.state_stack
        separators = self._separator_run.match
        continued = "\\" in text  # a backslash-newline in ignored text moves the line
        make = str.__new__
        depth = 0
        last = lexer_state.last_token
        while pos < end_of_text:
            m = match(text, pos)
            if m is None:
                lexer_state.last_token = last
                self._unexpected_characters(lexer_state, parser_state, pos, line, line_start)
                return
            kind = m.lastgroup
            end = m.end()
            value = m.group(kind)
            start = end - len(value)
            if continued and start != pos:
                line, line_start = _past(text, pos, start, line, line_start)
                counter.line, counter.line_start_pos = line, line_start
            # Token's own constructor checks its keywords; the slots are set directly.
            token = make(Token, value)
            token.type, token.value, token.start_pos = kind, value, start
            token.line, token.column = line, start - line_start + 1
            if kind in _SEPARATORS:
                if kind == _NEWLINE:
                    line += value.count("\n")
                    line_start = end
                    token.end_line, token.end_column = line, 1
                else:
                    token.end_line, token.end_column = line, end - line_start + 1
                token.end_pos = end
                if depth:
                    if kind == _NEWLINE:  # inside brackets a newline separates nothing
                        counter.char_pos, counter.line, counter.line_start_pos = end, line, end
                        pos = end
                        continue
                else:  # the rest of the run goes with it: one separator
                    more = separators(text, end).end()
                    if more != end:
                        line, line_start = _past(text, end, more, line, line_start)
                    end = more
                counter.line, counter.line_start_pos = line, line_start
            else:
                token.end_line, token.end_column, token.end_pos = line, end - line_start + 1, end
                if kind in _OPEN:
                    depth += 1
                elif depth and kind in _CLOSE:
                    depth -= 1
            # Where Lark's error recovery resumes if the parser rejects this token.
            counter.char_pos = pos = end
            if kind not in accepts[stack[-1]]:
                # As Lark's contextual lexer does: reported in the state that saw the token,
                # before the parser reduces anything, so "expected" lists what fits here.
                lexer_state.last_token = token
                raise UnexpectedToken(token, set(accepts[stack[-1]]), state=parser_state,
                                      token_history=[last],
                                      terminals_by_name=self.terminals_by_name)
            last = token
            yield token
        lexer_state.last_token = last

    def _unexpected_characters(self, lexer_state: LexerState, parser_state: Any,
                               pos: int, line: int, line_start: int) -> None:
        """Skip trailing ignored text; raise UnexpectedCharacters if anything is left."""
        text = lexer_state.text.text
        skipped = self._skip.match(text, pos).end()
        line, line_start = _past(text, pos, skipped, line, line_start)
        counter = lexer_state.line_ctr
        counter.char_pos, counter.line = skipped, line
        counter.line_start_pos, counter.column = line_start, skipped - line_start + 1
        if skipped >= lexer_state.text.end:
            return
        raise UnexpectedCharacters(text, skipped, line, skipped - line_start + 1,
                                   allowed=set(self._types),
                                   token_history=lexer_state.last_token
                                   and [lexer_state.last_token],
                                   state=parser_state,
                                   terminals_by_name=self.terminals_by_name)
