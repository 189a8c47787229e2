"""The block structure of a .nas file, from the tolerant token stream.

Every statement becomes a `Node`; a statement followed by `{ … }` has children.
Used for the outline (document symbols) and for go-to-definition, and works on
files that do not parse yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nasdsl.lsp.scanner import Token

_COMPARISONS = {"<=", ">=", "==", "<", ">"}


@dataclass(eq=False)
class Node:
    """One statement, with its body's statements when it is a block."""

    tokens: list[Token]
    start: int
    end: int
    children: list[Node] | None = None
    parent: Node | None = field(default=None, repr=False)

    @property
    def head(self) -> Token | None:
        """The first token (the key, block name or op)."""
        return self.tokens[0] if self.tokens else None

    @property
    def kind(self) -> str:
        """assign, compare or command."""
        if len(self.tokens) >= 2 and self.tokens[1].kind == "op":
            return "assign" if self.tokens[1].text == "=" else "compare"
        return "command"

    @property
    def label(self) -> Token | None:
        """The word or string after the head of a command: `layers` in `space layers`."""
        if self.kind == "command" and len(self.tokens) >= 2 \
                and self.tokens[1].kind in ("name", "string"):
            return self.tokens[1]
        return None

    def walk(self):
        """This node and every node below it."""
        yield self
        for child in self.children or ():
            yield from child.walk()

    def scope_chain(self):
        """The blocks enclosing this node, innermost first."""
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


def build(tokens: list[Token], text_length: int) -> Node:
    """The root node (no tokens) whose children are the file's top-level statements."""
    root = Node([], 0, text_length, [])
    stack = [root]
    current: list[Token] = []
    depth = 0

    def flush() -> None:
        nonlocal current
        if current:
            node = Node(current, current[0].start, current[-1].end, None, stack[-1])
            stack[-1].children.append(node)  # type: ignore[union-attr]
        current = []

    for tok in tokens:
        if tok.kind == "comment":
            continue
        if tok.text == "{" and tok.kind == "punct":
            start = current[0].start if current else tok.start
            node = Node(current, start, text_length, [], stack[-1])
            stack[-1].children.append(node)  # type: ignore[union-attr]
            stack.append(node)
            current, depth = [], 0
        elif tok.text == "}" and tok.kind == "punct":
            flush()
            if len(stack) > 1:
                stack.pop().end = tok.end
            depth = 0
        elif (tok.kind == "nl" or tok.text == ";") and depth == 0:
            flush()
        elif tok.kind != "nl":
            if tok.text in ("(", "["):
                depth += 1
            elif tok.text in (")", "]"):
                depth = max(0, depth - 1)
            current.append(tok)
    flush()
    return root


def node_at(root: Node, offset: int) -> Node | None:
    """The innermost statement containing `offset`."""
    found = None
    for node in root.walk():
        if node is not root and node.start <= offset <= node.end:
            found = node
    return found


def definitions(root: Node) -> list[tuple[str, Token, Node]]:
    """Named things a reference can point at: assignments and labelled blocks.

    Returns (name, defining token, node). `normal = cell(…)` defines `normal`;
    `baseline "hand-designed" { … }` defines `hand-designed`.
    """
    out: list[tuple[str, Token, Node]] = []
    for node in root.walk():
        head = node.head
        if head is None:
            continue
        if node.kind == "assign":
            out.append((head.text, head, node))
        label = node.label
        if node.children is not None and label is not None and label.kind == "string":
            out.append((label.text.strip('"'), label, node))
    return out
