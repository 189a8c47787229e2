"""DARTS discretisation and its guard against the collapse to skip connections.

The softmax weights of every edge (NB201) or every (block, input state) pair (NASNet
cells) become decision values: an NB201 edge keeps its strongest op; a NASNet block
keeps its two strongest input states, each with its strongest op. As in DARTS, the zero
op (`none`, `zero`) is never kept when another op exists.

The guard (`max_skips`): DARTS is known to drift towards parameter-free skip
connections, which win early because they make the supernet train fastest. When more
than `max_skips` kept ops of one cell are skips (`skip_connect`, `identity`), the
weakest of them (lowest softmax weight) are replaced by the strongest op of their edge
that is neither a skip nor the zero op. `max_skips = 0` turns the guard off. With the
default of 2 and NB201's 6 edges, an all-skip cell cannot come out of the search.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nasdsl.space.ops import OPS


def _family(op: str) -> str:
    return OPS[op].family


@dataclass
class _Pick:
    key: tuple[int, int]  # (edge, 0) for NB201; (block, slot) for NASNet
    weights: np.ndarray  # the edge's softmax weights over the ops
    op: int

    def weight(self) -> float:
        return float(self.weights[self.op])


def _best(weights: np.ndarray, ops: list[str], exclude: tuple[str, ...]) -> int | None:
    allowed = [i for i, op in enumerate(ops) if _family(op) not in exclude]
    if not allowed:
        return None
    return max(allowed, key=lambda i: float(weights[i]))


def _strongest(weights: np.ndarray, ops: list[str]) -> int:
    best = _best(weights, ops, ("zero",))
    return int(np.argmax(weights)) if best is None else best


def guard_skips(picks: list[_Pick], ops: list[str], max_skips: int) -> int:
    """Replace the weakest skips beyond `max_skips` (0: no limit); return how many changed."""
    skips = sorted((p for p in picks if _family(ops[p.op]) == "skip"), key=_Pick.weight)
    if max_skips <= 0 or len(skips) <= max_skips:
        return 0
    changed = 0
    for pick in skips[:len(skips) - max_skips]:
        other = _best(pick.weights, ops, ("skip", "zero"))
        if other is not None:
            pick.op = other
            changed += 1
    return changed


def _flip(picks: list[_Pick], ops: list[str], rank: int) -> None:
    """Switch the pick with the `rank`-th smallest margin to its runner-up op."""
    margins = []
    for i, p in enumerate(picks):
        order = [j for j in np.argsort(-p.weights) if _family(ops[j]) != "zero" and j != p.op]
        if order:
            margins.append((p.weight() - float(p.weights[order[0]]), i, int(order[0])))
    if margins:
        _, i, other = sorted(margins)[rank % len(margins)]
        picks[i].op = other


def nb201_genotype(weights: np.ndarray, ops: list[str], nodes: int, max_skips: int,
                   variant: int = 0) -> dict[str, str]:
    """Decision values `space.cell.eI_J` from NB201 edge weights of shape (edges, ops).

    `variant` k > 0 switches the k-th least certain edge to its runner-up op (the guard
    still applies), giving the next candidates when more than one is retrained.
    """
    edges = [(i, j) for j in range(1, nodes) for i in range(j)]
    picks = [_Pick((e, 0), np.asarray(weights[e], dtype=float), _strongest(weights[e], ops))
             for e in range(len(edges))]
    if variant > 0:
        _flip(picks, ops, variant - 1)
    guard_skips(picks, ops, max_skips)
    return {f"space.cell.e{i}_{j}": ops[p.op] for (i, j), p in zip(edges, picks, strict=True)}


def nasnet_genotype(weights: np.ndarray, ops: list[str], prefix: str, max_skips: int,
                    variant: int = 0) -> dict[str, Any]:
    """Decision values `PREFIX.bK.in0|op0|in1|op1` from weights of shape (blocks, states, ops).

    Block k reads states 0 … k + 1; the two with the strongest non-zero op are kept,
    the stronger first.
    """
    picks: list[_Pick] = []
    states: dict[tuple[int, int], int] = {}
    for b in range(weights.shape[0]):
        scored = []
        for s in range(b + 2):
            w = np.asarray(weights[b, s], dtype=float)
            op = _strongest(w, ops)
            scored.append((float(w[op]), s, w, op))
        scored.sort(key=lambda t: -t[0])
        chosen = scored[:2] if len(scored) > 1 else scored * 2
        for slot, (_, s, w, op) in enumerate(chosen):
            picks.append(_Pick((b, slot), w, op))
            states[(b, slot)] = s
    if variant > 0:
        _flip(picks, ops, variant - 1)
    guard_skips(picks, ops, max_skips)
    out: dict[str, Any] = {}
    for p in picks:
        b, slot = p.key
        out[f"{prefix}.b{b}.in{slot}"] = states[(b, slot)]
        out[f"{prefix}.b{b}.op{slot}"] = ops[p.op]
    return out


def count_skips(values: dict[str, Any]) -> int:
    """Skip ops among decision values (for reports and tests)."""
    return sum(1 for v in values.values() if isinstance(v, str) and v in OPS
               and _family(v) == "skip")
