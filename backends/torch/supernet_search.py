"""The three weight-sharing searches on a torch Supernet: ENAS, DARTS and once-for-all.

`run_search(settings, config, data, log)` trains one supernet on the train split,
scores sub-networks on the validation split with the shared weights, and returns the
final candidates as full decision assignments (plus the search cost), ready to be
replayed as ordinary trials. Scores are accuracy for classification and −MSE (on
standardised targets) for regression.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812
from nasdsl.backends.torch.backend import _seed_everything
from nasdsl.backends.torch.optim import make_optimizer
from nasdsl.backends.torch.supernet import Supernet
from optuna.distributions import CategoricalDistribution

from nasdsl.data import Dataset
from nasdsl.run.constraints import violated_limits
from nasdsl.search.common import key
from nasdsl.space.ir import Architecture
from nasdsl.space.shapes import ShapeError, measure
from nasdsl.weightsharing.decisions import Pick, draw_subnet, largest
from nasdsl.weightsharing.discretize import count_skips, nasnet_genotype, nb201_genotype
from nasdsl.weightsharing.settings import Settings

Log = Callable[[str], None]
Values = dict[str, Any]


class _Search:
    """What the three searches share: the supernet, its optimizer, data and scoring."""

    def __init__(self, settings: Settings, config: dict[str, Any], data: Dataset, log: Log):
        self.started = time.monotonic()
        _seed_everything(settings.seed)
        self.settings, self.config, self.log = settings, config, log
        self.net = Supernet(config)
        self.space = self.net.space
        self.rng = np.random.RandomState(settings.seed)
        self.generator = torch.Generator().manual_seed(settings.seed)
        tr = self.net.reference.training
        self.batch_size = tr.batch_size
        self.optimizer = make_optimizer(tr.optimizer, self.net.parameters(),
                                        tr.optimizer_params)
        self.classification = data.task == "classification"
        # a supernet samples any rows at any step: splits are held whole (a lazily read
        # split is materialised here)
        self.x_train, self.y_train = (torch.from_numpy(np.asarray(a)) for a in data.split("train"))
        self.x_val, self.y_val = (torch.from_numpy(np.asarray(a)) for a in data.split("val"))
        if not self.classification:
            self.y_train, self.y_val = self.y_train.reshape(-1, 1), self.y_val.reshape(-1, 1)
        self.limits = [c for c in config.get("constraints", []) or [] if not c.get("target")]
        self.scored: set[Any] = set()  # distinct sub-networks scored with shared weights

    # --- helpers

    def loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Cross-entropy or MSE."""
        return F.cross_entropy(out, y) if self.classification else F.mse_loss(out, y)

    def batches(self) -> Iterator[torch.Tensor]:
        """Shuffled index batches of the train split (a last batch of one is dropped)."""
        n = len(self.x_train)
        order = torch.randperm(n, generator=self.generator)
        for start in range(0, n, self.batch_size):
            idx = order[start:start + self.batch_size]
            if len(idx) > 1:
                yield idx

    def val_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """A random validation batch."""
        n = len(self.x_val)
        idx = torch.randint(n, (min(n, max(self.batch_size, 64)),), generator=self.generator)
        return self.x_val[idx], self.y_val[idx]

    def step(self, idx: torch.Tensor, values: Values | None = None,
             alphas: dict[str, torch.Tensor] | None = None) -> float:
        """One weight update of the shared weights on a train batch."""
        self.net.train()
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.loss(self.net(self.x_train[idx], values=values, alphas=alphas),
                         self.y_train[idx])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.net.parameters(), 5.0)
        self.optimizer.step()
        return float(loss.detach())

    def score(self, values: Values, x: torch.Tensor | None = None,
              y: torch.Tensor | None = None) -> float:
        """Validation score of one sub-network with the shared weights."""
        x = self.x_val if x is None else x
        y = self.y_val if y is None else y
        self.net.eval()
        self.scored.add(key(values))
        with torch.no_grad():
            out = self.net(x, values=values)
        if self.classification:
            return float((out.argmax(dim=1) == y).float().mean())
        return -float(F.mse_loss(out, y))

    def draw(self, pick: Pick) -> tuple[Architecture, Values, dict[str, list[Any]]]:
        """A sub-network drawn with `pick` for the free decisions."""
        return draw_subnet(self.space, pick)

    def feasible(self, arch: Architecture, limits: list[dict[str, Any]] | None = None,
                 latency: Callable[[], float] | None = None) -> bool:
        """Buildable and within the static (and, given a timer, latency) limits."""
        try:
            m = measure(arch)
        except ShapeError:
            return False
        measures: dict[str, Any] = {"params": m.params, "model_bytes": m.model_bytes,
                                    "flops": m.flops}
        limits = _quantized(self.limits if limits is None else limits, m.params)
        if violated_limits(limits, measures):
            return False
        if latency is not None and any(c["subject"] == "latency" for c in limits):
            measures["latency_s"] = latency()
            return not violated_limits(limits, measures)
        return True

    def candidate(self, values: Values, arch: Architecture, score: float,
                  **extra: Any) -> dict[str, Any]:
        """A final candidate as plain data."""
        m = measure(arch)
        return {"values": values, "description": arch.describe(), "supernet_score": score,
                "params": m.params, "model_bytes": m.model_bytes, "flops": m.flops, **extra}

    def uniform(self, name: str, options: list[Any]) -> Any:
        """A uniform pick."""
        return options[int(self.rng.randint(len(options)))]

    def finish(self, candidates: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        """The search outcome as plain data."""
        return {"strategy": self.settings.strategy, "supernet_epochs": self.settings.epochs,
                "requested_epochs": self.settings.requested_epochs,
                "search_seconds": round(time.monotonic() - self.started, 3),
                "subnetworks_scored": len(self.scored),
                "supernet_params": sum(p.numel() for p in self.net.parameters()),
                "candidates": candidates, **extra}


def _quantized(limits: list[dict[str, Any]], params: int) -> list[dict[str, Any]]:
    """Limits on the quantized model size, restated on the float32 size.

    `model_size <= 64 KB quantized int8` stores one byte a weight: it is the float32 limit
    × 4 / 1 (approximately: batch-norm statistics count as weights too).
    """
    from nasdsl.lang.registry import QUANTIZATIONS

    out = []
    for c in limits:
        scheme = c.get("quantized")
        if c.get("subject") == "model_size" and scheme in QUANTIZATIONS:
            c = {**c, "value": float(c["value"]) * 4.0 / QUANTIZATIONS[scheme][1]}
        out.append(c)
    return out


# ----------------------------------------------------------------- ENAS


def _enas(s: _Search) -> dict[str, Any]:
    from nasdsl.search.rl import ReinforceSampler

    st = s.settings
    controller = ReinforceSampler(lr=float(st.get("controller_lr")),
                                  entropy=float(st.get("entropy")), seed=st.seed)
    episode = {"n": 0}

    def sample() -> tuple[Architecture, Values, list[Any]]:
        episode["n"] += 1
        trial = SimpleNamespace(number=episode["n"])  # the policy keys its episodes by number

        def pick(name: str, options: list[Any]) -> Any:
            return controller.sample_independent(None, trial, name,  # type: ignore[arg-type]
                                                 CategoricalDistribution(options))

        arch, values, _ = s.draw(pick)
        return arch, values, controller._episodes.pop(episode["n"], [])

    history = []
    for epoch in range(st.epochs):
        losses = [s.step(idx, values=sample()[1]) for idx in s.batches()]
        rewards = []
        for _ in range(int(st.get("controller_steps"))):
            arch, values, steps = sample()
            reward = s.score(values, *s.val_batch()) if s.feasible(arch) else 0.0
            controller._update(steps, reward)  # one REINFORCE step of the rl policy
            rewards.append(reward)
        history.append({"epoch": epoch + 1, "loss": float(np.mean(losses)),
                        "reward": float(np.mean(rewards))})
        s.log(f"enas: supernet epoch {epoch + 1}/{st.epochs}  loss {history[-1]['loss']:.3f}  "
              f"controller reward {history[-1]['reward']:.3f}")
    pool: dict[Any, tuple[float, Values, Architecture]] = {}
    for _ in range(int(st.get("samples"))):
        arch, values, _ = sample()
        k = key(values)
        if k not in pool and s.feasible(arch):
            pool[k] = (s.score(values), values, arch)
    best = sorted(pool.values(), key=lambda t: -t[0])[:st.retrain_top]
    return s.finish([s.candidate(v, a, sc) for sc, v, a in best], history=history)


# ----------------------------------------------------------------- DARTS


def _darts(s: _Search) -> dict[str, Any]:
    st = s.settings
    alphas = {k: torch.nn.Parameter(1e-3 * torch.randn(shape, generator=s.generator))
              for k, (shape, _) in s.net.alpha_shapes.items()}
    arch_opt = torch.optim.Adam(alphas.values(), lr=float(st.get("arch_lr")), betas=(0.5, 0.999),
                                weight_decay=float(st.get("arch_weight_decay")))
    max_skips = int(st.get("max_skips"))
    history, seen = [], set()
    for epoch in range(st.epochs):
        losses = []
        for idx in s.batches():
            # first-order bilevel step: architecture weights on a val batch, then weights
            s.net.train()
            arch_opt.zero_grad(set_to_none=True)
            xv, yv = s.val_batch()
            s.loss(s.net(xv, alphas=alphas), yv).backward()
            arch_opt.step()
            losses.append(s.step(idx, alphas=alphas))
        values = _genotype(s, alphas, max_skips)
        seen.add(key(values))
        history.append({"epoch": epoch + 1, "loss": float(np.mean(losses)),
                        "skips": count_skips(values)})
        s.log(f"darts: supernet epoch {epoch + 1}/{st.epochs}  loss {history[-1]['loss']:.3f}  "
              f"skips kept {history[-1]['skips']}")
    candidates, keys = [], set()
    for variant in range(4 * st.retrain_top):
        values = _genotype(s, alphas, max_skips, variant)
        arch, full, _ = s.draw(lambda name, options, v=values: v.get(name, options[0]))
        if key(full) in keys or not s.feasible(arch):
            continue
        keys.add(key(full))
        candidates.append(s.candidate(full, arch, s.score(full), skips=count_skips(values)))
        if len(candidates) == st.retrain_top:
            break
    unguarded = _genotype(s, alphas, 0)
    s.scored |= seen
    weights = {k: F.softmax(a.detach(), dim=-1).numpy().round(4).tolist()
               for k, a in alphas.items()}
    return s.finish(candidates, history=history, alphas=weights,
                    ops={k: ops for k, (_, ops) in s.net.alpha_shapes.items()},
                    unguarded_skips=count_skips(unguarded))


def _genotype(s: _Search, alphas: dict[str, torch.Tensor], max_skips: int,
              variant: int = 0) -> Values:
    out: Values = {}
    for prefix, a in alphas.items():
        w = F.softmax(a.detach(), dim=-1).numpy()
        ops = s.net.alpha_shapes[prefix][1]
        if prefix == "space.cell":
            nodes = next(m.nodes for m in s.net.stages if hasattr(m, "nodes"))
            out.update(nb201_genotype(w, ops, nodes, max_skips, variant))
        else:
            out.update(nasnet_genotype(w, ops, prefix, max_skips, variant))
    return out


# ----------------------------------------------------------------- once-for-all


def _targets(config: dict[str, Any]) -> list[dict[str, Any]]:
    base = [c for c in config.get("constraints", []) or [] if not c.get("target")]
    targets = config.get("targets") or []
    if not targets:
        return [{"name": "default", "limits": base}]
    return [{"name": str(t["name"]),
             "limits": base + [c for c in t.get("constraints", []) if not c.get("target")]}
            for t in targets]


def _allowed(options: list[Any], fraction: float) -> list[Any]:
    """Progressive shrinking: the largest `fraction` of the numeric options."""
    if not all(isinstance(o, int | float) and not isinstance(o, bool) for o in options):
        return options
    ordered = sorted(options, reverse=True)
    return ordered[:max(1, math.ceil(fraction * len(ordered)))]


def _ofa(s: _Search) -> dict[str, Any]:
    from nasdsl.backends.torch.backend import TorchBackend
    from nasdsl.backends.torch.layers import build_model

    st = s.settings
    progressive = bool(st.get("progressive"))
    shrink_epochs = max(1, st.epochs // 2)
    history = []
    for epoch in range(st.epochs):
        fraction = min(1.0, (epoch + 1) / shrink_epochs) if progressive else 1.0

        def pick(name: str, options: list[Any], f: float = fraction) -> Any:
            return s.uniform(name, _allowed(options, f))

        losses = []
        for i, idx in enumerate(s.batches()):
            values = s.draw(largest if i % 4 == 0 else pick)[1]  # the largest now and then
            losses.append(s.step(idx, values=values))
        history.append({"epoch": epoch + 1, "loss": float(np.mean(losses)),
                        "sampled_fraction": round(fraction, 3)})
        s.log(f"ofa: supernet epoch {epoch + 1}/{st.epochs}  loss {history[-1]['loss']:.3f}")
    backend = TorchBackend()
    latencies: dict[Any, float] = {}

    def timer(arch: Architecture, values: Values) -> Callable[[], float]:
        def measure_latency() -> float:
            k = key(values)
            if k not in latencies:
                latencies[k] = backend.latency(build_model(arch), arch, repeats=10)
            return latencies[k]
        return measure_latency

    candidates = []
    for target in _targets(s.config):
        found = _evolve(s, target["limits"], timer)
        for score, values, arch in found[:st.retrain_top]:
            extra = {"target": target["name"]}
            if values and key(values) in latencies:
                extra["latency_s"] = latencies[key(values)]
            candidates.append(s.candidate(values, arch, score, **extra))
        if not found:
            s.log(f"ofa: no sub-network meets the limits of target {target['name']}")
        else:
            s.log(f"ofa: target {target['name']}: {found[0][2].describe()} "
                  f"(supernet score {found[0][0]:.3f})")
    return s.finish(candidates, history=history,
                    targets=[t["name"] for t in _targets(s.config)])


def _evolve(s: _Search, limits: list[dict[str, Any]],
            timer: Callable[[Architecture, Values], Callable[[], float]]
            ) -> list[tuple[float, Values, Architecture]]:
    """Evolutionary search of the trained supernet under one target's limits, best first."""
    st = s.settings
    size, generations = int(st.get("population")), int(st.get("generations"))
    scored: dict[Any, tuple[float, Values, Architecture]] = {}

    def consider(pick: Pick) -> None:
        arch, values, _ = s.draw(pick)
        k = key(values)
        if k not in scored and s.feasible(arch, limits, timer(arch, values)):
            scored[k] = (s.score(values), values, arch)

    for _ in range(4 * size):  # random initial population of feasible sub-networks
        if len(scored) >= size:
            break
        consider(s.uniform)
    for _ in range(generations):
        ranked = sorted(scored.values(), key=lambda t: -t[0])
        parents = ranked[:max(2, size // 4)]
        if not parents:
            break
        for _ in range(size):
            parent = parents[int(s.rng.randint(len(parents)))][1]

            def mutate(name: str, options: list[Any], p: Values = parent) -> Any:
                if name in p and p[name] in options and s.rng.uniform() > 0.25:
                    return p[name]
                return s.uniform(name, options)

            consider(mutate)
    return sorted(scored.values(), key=lambda t: -t[0])


SEARCHES = {"enas": _enas, "darts": _darts, "ofa": _ofa}


def run_search(settings: Settings, config: dict[str, Any], data: Dataset,
               log: Log = lambda _: None) -> dict[str, Any]:
    """Run one weight-sharing search; return its candidates and cost as plain data.

    The search runs on one intra-op thread: a supernet is many tiny ops, and on a busy
    machine several threads spin-waiting on each of them cost far more than they save.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return SEARCHES[settings.strategy](_Search(settings, config, data, log))
    finally:
        torch.set_num_threads(threads)
