"""A faster main loop for Lark's LALR parser, plugged in through Lark's `_plugins` option.

Lark's `ParserState.feed_token` looks each reduction's callback up by its `Rule`, whose
`__hash__` and `__eq__` are Python functions, and reads the rule's length and origin
through attributes on every reduction; on a 1,000-line spec that loop was the largest
part of the parse. `FastLALRParser` is Lark's own `LALR_Parser` (same analysis, same
tables, same callbacks, same error recovery through `InteractiveParser`) with the tables
flattened once into `(shift?, target)` pairs, where a reduction's target already holds
its length, its callback and the name of its rule.

The loop behaves exactly as Lark's: a token with no action in the current state raises
`UnexpectedToken` in that state (possibly after some reductions, as LALR tables allow),
and the end of input is fed through Lark's own `feed_token`. The same lexer is used;
`nasdsl.lang.lexer` already rejects a token the current state cannot take before any
reduction, as Lark's contextual lexer would.
"""

from __future__ import annotations

from typing import Any

from lark import Token
from lark.exceptions import UnexpectedInput, UnexpectedToken
from lark.parsers.lalr_analysis import Shift
from lark.parsers.lalr_interactive_parser import InteractiveParser
from lark.parsers.lalr_parser import LALR_Parser, _Parser
from lark.parsers.lalr_parser_state import ParserState

Table = dict[int, dict[str, tuple[bool, Any]]]


def flatten(states: dict[int, dict[str, tuple[Any, Any]]], callbacks: dict[Any, Any]) -> Table:
    """Lark's action table with each reduction's rule resolved to (length, callback, name)."""
    table: Table = {}
    for state, actions in states.items():
        row: dict[str, tuple[bool, Any]] = {}
        for symbol, (action, arg) in actions.items():
            if action is Shift:
                row[symbol] = (True, arg)
            else:
                # The rule's name is a lark Token, whose Python-level __eq__ would run on
                # every lookup of it among the table's plain-string keys.
                name = str.__str__(arg.origin.name)
                row[symbol] = (False, (len(arg.expansion), callbacks[arg], name))
        table[state] = row
    return table


class _FastParser(_Parser):
    """Lark's `_Parser` whose main loop reads the flattened table."""

    def __init__(self, parse_table: Any, callbacks: dict[Any, Any], debug: bool = False):
        super().__init__(parse_table, callbacks, debug)
        self._table = flatten(parse_table.states, callbacks)
        # A transformer's methods named after terminals: applied to each shifted token.
        self._on_token = {k: f for k, f in callbacks.items() if isinstance(k, str)}

    def parse_from_state(self, state: ParserState, last_token: Token | None = None) -> Any:
        """Run the LALR loop from `state` (changed in place), as Lark's does."""
        table, on_token = self._table, self._on_token
        stack, values = state.state_stack, state.value_stack
        token = last_token
        try:
            for token in state.lexer.lex(state):
                kind = token.type
                while True:
                    row = table[stack[-1]]
                    if kind not in row:
                        expected = {s for s in row if s.isupper()}
                        raise UnexpectedToken(token, expected, state=state,
                                              interactive_parser=None)
                    shift, target = row[kind]
                    if shift:
                        stack.append(target)
                        values.append(on_token[kind](token) if kind in on_token else token)
                        break
                    size, callback, origin = target
                    if size:
                        children = values[-size:]
                        del stack[-size:]
                        del values[-size:]
                    else:
                        children = []
                    values.append(callback(children))
                    stack.append(table[stack[-1]][origin][1])
            end = Token.new_borrow_pos("$END", "", token) if token else Token("$END", "", 0, 1, 1)
            return state.feed_token(end, True)
        except UnexpectedInput as err:
            err.interactive_parser = InteractiveParser(self, state, state.lexer)
            raise


class FastLALRParser(LALR_Parser):
    """Lark's `LALR_Parser` with the faster main loop; use as `_plugins={"LALR_Parser": …}`."""

    def __init__(self, parser_conf: Any, debug: bool = False, strict: bool = False):
        super().__init__(parser_conf, debug=debug, strict=strict)
        self.parser = _FastParser(self._parse_table, parser_conf.callbacks, debug)

    @classmethod
    def deserialize(cls, data: Any, memo: Any, callbacks: Any, debug: bool = False) -> Any:
        """As Lark's, for a parser loaded from Lark's cache."""
        inst = super().deserialize(data, memo, callbacks, debug)
        inst.parser = _FastParser(inst._parse_table, callbacks, debug)
        return inst
