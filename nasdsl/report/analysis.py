"""Which choices mattered: decision importance on conditional spaces, per-option effects,
and the strongest interaction, each with an honest word about noise.

Optuna's fANOVA refuses define-by-run spaces (a decision inside `repeat` or `optional`
exists only in some trials). Here every decision becomes one column over all trials and
an *inactive* decision is an explicit value of its own: a categorical decision gets the
extra level "inactive", a numeric one a value below its whole range (one split of a tree
separates it). A random forest is fitted to the score, and the importance of a decision
is its out-of-fold permutation importance: the rise of the held-out squared error when
that one column is shuffled, averaged over folds and repeats, normalised to sum to 1.
The forest's out-of-fold R² says how much of the score the decisions explain at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

INACTIVE = "inactive"
# Metrics on a 0-1 scale whose differences read best as points (×100).
_POINT_METRICS = ("accuracy", "f1", "roc_auc", "r2", "precision", "recall")


@dataclass
class Decision:
    """One decision column: its values over the scored trials (None where inactive)."""

    name: str
    values: list[Any]
    numeric: bool
    log: bool = False
    levels: list[Any] = field(default_factory=list)

    @property
    def active(self) -> int:
        """Trials in which the decision exists."""
        return sum(v is not None for v in self.values)


@dataclass
class Scale:
    """How a score difference is written: points of accuracy, or units of a loss."""

    metric: str
    maximize: bool

    @property
    def points(self) -> bool:
        """True when differences read as points (metric on a 0-1 scale)."""
        return self.metric.rsplit(".", 1)[-1] in _POINT_METRICS

    def diff(self, d: float) -> str:
        """A (better-is-positive) difference as text."""
        if self.points:
            return f"{d * 100:+.1f} points"
        return f"{d:+.3g}" if self.maximize else f"{d:.3g} lower {self.metric}"

    def size(self, d: float) -> str:
        """An unsigned spread as text."""
        return f"{abs(d) * 100:.1f} points" if self.points else f"{abs(d):.3g}"


# ------------------------------------------------------------------ decision columns


def decisions_of(trials: list[dict[str, Any]]) -> list[Decision]:
    """Every decision seen in the trials' params, with None where it is inactive."""
    names: list[str] = []
    for t in trials:
        for k in t.get("params", {}):
            if k not in names:
                names.append(k)
    out = []
    for name in names:
        values = [t.get("params", {}).get(name) for t in trials]
        seen = [v for v in values if v is not None]
        numeric = bool(seen) and all(isinstance(v, int | float) and not isinstance(v, bool)
                                     for v in seen)
        levels = sorted({_key(v) for v in seen}, key=_sort_key)
        if numeric and len(levels) <= 4 and all(float(v).is_integer() for v in seen):
            numeric = False  # a few integer levels (repeat counts, units) read as options
        log = numeric and min(float(v) for v in seen) > 0 and (
            max(float(v) for v in seen) / min(float(v) for v in seen) > 20)
        out.append(Decision(name, values, numeric, log, [] if numeric else levels))
    return [d for d in out if len({_key(v) for v in d.values}) > 1]


def _key(v: Any) -> Any:
    return INACTIVE if v is None else v


def _sort_key(v: Any) -> tuple[int, Any]:
    if isinstance(v, bool):
        return (1, int(v))
    if isinstance(v, int | float):
        return (0, float(v))
    return (2, str(v))


def encode(decisions: list[Decision]) -> np.ndarray:
    """The design matrix: ordinal codes (inactive its own code) or numbers (inactive below
    the range); log-scaled decisions in log10."""
    cols = []
    for d in decisions:
        if d.numeric:
            xs = [None if v is None else (math.log10(v) if d.log else float(v))
                  for v in d.values]
            seen = [x for x in xs if x is not None]
            lo, hi = min(seen), max(seen)
            cols.append([lo - (hi - lo) - 1.0 if x is None else x for x in xs])
        else:
            codes = {lv: i for i, lv in enumerate(d.levels)}
            cols.append([len(codes) if v is None else codes[_key(v)] for v in d.values])
    return np.asarray(cols, dtype=np.float64).T


# ------------------------------------------------------------------ importance


def importance(decisions: list[Decision], y: np.ndarray, seed: int = 0,
               repeats: int = 5) -> dict[str, Any]:
    """Out-of-fold permutation importance of every decision under a random forest."""
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.model_selection import KFold

    n = len(y)
    if n < 8 or not decisions:
        return {"n": n, "r2": None, "shares": {}, "note": (
            f"only {n} scored trials: too few to estimate which decisions matter"
            if n < 8 else "no decision varied between the scored trials")}
    x = encode(decisions)
    rng = np.random.default_rng(seed)
    folds = KFold(n_splits=min(5, n // 4), shuffle=True, random_state=seed)
    raw = np.zeros(len(decisions))
    oof = np.zeros(n)
    for train, test in folds.split(x):
        forest = RandomForestRegressor(n_estimators=100, min_samples_leaf=2,
                                       random_state=seed, n_jobs=1)
        forest.fit(x[train], y[train])
        base_pred = forest.predict(x[test])
        oof[test] = base_pred
        base = float(((base_pred - y[test]) ** 2).mean())
        for j in range(len(decisions)):
            for _ in range(repeats):
                shuffled = x[test].copy()
                shuffled[:, j] = rng.permutation(shuffled[:, j])
                err = float(((forest.predict(shuffled) - y[test]) ** 2).mean())
                raw[j] += (err - base) * len(test) / n / repeats
    total_var = float(((y - y.mean()) ** 2).mean())
    r2 = 1.0 - float(((oof - y) ** 2).mean()) / total_var if total_var > 0 else 0.0
    clipped = np.clip(raw, 0.0, None)
    shares = clipped / clipped.sum() if clipped.sum() > 0 else clipped
    note = ""
    if r2 < 0.1:
        note = (f"the decisions explain little of the score (out-of-fold R² = {r2:.2f}): "
                "the ranking below is mostly noise")
    elif n < 30:
        note = f"only {n} scored trials: treat the ranking as a hint"
    return {"n": n, "r2": r2,
            "shares": {d.name: float(s) for d, s in zip(decisions, shares, strict=True)},
            "note": note}


# ------------------------------------------------------------------ per-option effects


def _stats(values: list[float]) -> tuple[float, float, int]:
    arr = np.asarray(values, dtype=np.float64)
    std = float(arr.std(ddof=1)) if len(arr) > 1 else float("nan")
    return float(arr.mean()), std, len(arr)


def _verdict(diff: float, se: float, n1: int, n2: int) -> str:
    if min(n1, n2) < 3 or not math.isfinite(se):
        return "too few"
    if abs(diff) < 2 * se:
        return "within noise"
    return "clear"


def _groups(d: Decision, y: np.ndarray) -> tuple[list[dict[str, Any]], str]:
    """Levels of a decision with the scores of the trials that took them."""
    if not d.numeric:
        out = []
        for lv in d.levels:
            ys = [float(s) for v, s in zip(d.values, y, strict=True)
                  if v is not None and _key(v) == lv]
            if ys:
                out.append({"level": lv, "scores": ys})
        return out, "option"
    pairs = [(float(v), float(s)) for v, s in zip(d.values, y, strict=True) if v is not None]
    if len(pairs) < 4:
        return [], "range"
    cut = float(np.median([v for v, _ in pairs]))
    low = [s for v, s in pairs if v < cut]
    high = [s for v, s in pairs if v >= cut]
    if not low or not high:
        return [], "range"
    return [{"level": f"< {cut:.3g}", "scores": low},
            {"level": f"≥ {cut:.3g}", "scores": high}], "range"


def effect(d: Decision, y: np.ndarray, scale: Scale) -> dict[str, Any] | None:
    """The best option (or half of a range) against the runner-up, as numbers and a sentence."""
    groups, kind = _groups(d, y)
    if len(groups) < 2:
        return None
    levels = []
    for g in groups:
        mean, std, n = _stats(g["scores"])
        levels.append({"level": g["level"], "mean": mean, "std": std, "n": n})
    ranked = sorted(levels, key=lambda lv: -lv["mean"])
    best, second = ranked[0], ranked[1]
    diff = best["mean"] - second["mean"]
    se = math.sqrt(sum((lv["std"] ** 2) / lv["n"] for lv in (best, second))) \
        if min(best["n"], second["n"]) > 1 else float("nan")
    verdict = _verdict(diff, se, best["n"], second["n"])
    where = label(d.name)
    if kind == "option":
        head = f"{where}: {_show(best['level'])} beat {_show(second['level'])}"
    else:
        head = f"{where}: values {best['level']} beat values {second['level']}"
    text = (f"{head} by {scale.diff(diff)} on average, n = {best['n']} vs {second['n']}")
    if verdict == "too few":
        text += " — too few trials to tell"
    elif verdict == "within noise":
        text += f" — within noise (± {scale.size(2 * se)})"
    else:
        text += f" (± {scale.size(2 * se)})"
    return {"decision": d.name, "label": where, "kind": kind,
            "levels": [{**lv, "level": _show(lv["level"])} for lv in levels],
            "best": _show(best["level"]), "runner_up": _show(second["level"]), "diff": diff,
            "se": se if math.isfinite(se) else None, "verdict": verdict, "sentence": text}


def _show(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


# ------------------------------------------------------------------ interaction


def _factor(d: Decision) -> list[Any]:
    if not d.numeric:
        return [_key(v) for v in d.values]
    seen = [float(v) for v in d.values if v is not None]
    cut = float(np.median(seen))
    return [INACTIVE if v is None else ("high" if float(v) >= cut else "low")
            for v in d.values]


def _one_hot(levels: list[Any]) -> np.ndarray:
    names = sorted(set(map(str, levels)))
    return np.asarray([[1.0 if str(v) == nm else 0.0 for nm in names[1:]] for v in levels])


def interaction(decisions: list[Decision], y: np.ndarray, shares: dict[str, float],
                scale: Scale, limit: int = 6) -> dict[str, Any] | None:
    """The pair of (the most important) decisions whose joint effect departs most from the
    sum of their separate effects: a two-way ANOVA interaction term with its F-test."""
    from scipy import stats

    n = len(y)
    if n < 12:
        return None
    top = sorted(decisions, key=lambda d: -shares.get(d.name, 0.0))[:limit]
    ss_total = float(((y - y.mean()) ** 2).sum())
    if ss_total <= 0:
        return None
    found: dict[str, Any] | None = None
    for i, a in enumerate(top):
        for b in top[i + 1:]:
            fa, fb = _factor(a), _factor(b)
            cells: dict[tuple[str, str], list[float]] = {}
            for u, v, s in zip(fa, fb, y, strict=True):
                cells.setdefault((str(u), str(v)), []).append(float(s))
            la, lb = len(set(map(str, fa))), len(set(map(str, fb)))
            if la < 2 or lb < 2:
                continue
            design = np.hstack([np.ones((n, 1)), _one_hot(fa), _one_hot(fb)])
            coef, *_ = np.linalg.lstsq(design, y, rcond=None)
            ss_add = float(((design @ coef - y) ** 2).sum())
            ss_full = sum(float(((np.asarray(c) - np.mean(c)) ** 2).sum())
                          for c in cells.values())
            rank = int(np.linalg.matrix_rank(design))
            df_int = len(cells) - rank
            df_err = n - len(cells)
            if df_int < 1 or df_err < 1:
                continue
            share = max(0.0, (ss_add - ss_full) / ss_total)
            f_stat = ((ss_add - ss_full) / df_int) / max(ss_full / df_err, 1e-12)
            p = float(stats.f.sf(f_stat, df_int, df_err))
            if found is None or share > found["share"]:
                best_cell = max(cells.items(), key=lambda kv: np.mean(kv[1]))
                found = {"a": a.name, "b": b.name, "share": share, "p": p, "n": n,
                         "best": {"a": best_cell[0][0], "b": best_cell[0][1],
                                  "mean": float(np.mean(best_cell[1])),
                                  "n": len(best_cell[1])}}
    if found is None:
        return None
    word = ("not statistically distinguishable from noise" if found["p"] > 0.05
            else "unlikely to be noise")
    best = found["best"]
    found["sentence"] = (
        f"The strongest interaction is between {label(found['a'])} and {label(found['b'])}: "
        f"their joint effect explains {found['share'] * 100:.0f}% of the score variance beyond "
        f"their separate effects (F-test p = {found['p']:.2g}, n = {n}; {word}). "
        f"Best combination seen: {best['a']} with {best['b']} "
        f"(mean {_score(best['mean'], scale)}, n = {best['n']}).")
    return found


def _score(v: float, scale: Scale) -> str:
    value = v if scale.maximize else -v
    return f"{value:.4f}"


# ------------------------------------------------------------------ labels


def label(name: str) -> str:
    """A readable name for a decision path ('space.normal.b1.op0' → 'normal-cell block 1,
    first op')."""
    parts = name.split(".")
    if parts[0] == "space" and len(parts) >= 3 and parts[1] in ("normal", "reduction"):
        cell = f"{parts[1]}-cell"
        if parts[2].startswith("b") and parts[2][1:].isdigit() and len(parts) == 4:
            what = {"op0": "first op", "op1": "second op", "in0": "first input",
                    "in1": "second input"}.get(parts[3], parts[3])
            return f"{cell} block {parts[2][1:]}, {what}"
        return f"{cell} {' '.join(parts[2:])}"
    if parts[0] == "space" and len(parts) == 3 and parts[1] == "cell":
        return f"cell edge {parts[2][1:].replace('_', '→')}"
    if parts[0] == "space" and parts[1] == "layout" and len(parts) == 4:
        return f"layout item {parts[2]} count"
    if parts[0] == "train":
        return "training " + " ".join(parts[1:]).replace("optimizer ", "")
    if parts[0] == "layers":
        return _layer_label(parts[1:])
    return name


def _layer_label(parts: list[str]) -> str:
    path = ".".join(["layers", *[p for p in parts if _is_index(p)]])
    if parts[-1] in ("repeat", "choose"):
        return f"{'repeat count' if parts[-1] == 'repeat' else 'choice'} ({path})"
    k = next((i for i, p in enumerate(parts) if not _is_index(p)), len(parts))
    op, rest = (parts[k], parts[k + 1:]) if k < len(parts) else ("layer", [])
    what = f"optional {op} present" if rest == ["present"] else " ".join([op, *rest])
    copies = [p for p in parts[:k] if p.startswith("r") and p[1:].isdigit()]
    copy = f" in copy {int(copies[-1][1:]) + 1}" if copies else ""
    return f"{what}{copy} ({path})"


def _is_index(p: str) -> bool:
    return p.isdigit() or (p[:1] in ("r", "c") and p[1:].isdigit())
