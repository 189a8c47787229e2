"""How often each NAS strategy proposes an architecture it has already tried.

A repeated proposal costs a trial slot: nasdsl settles it from the earlier result
(status `reused`) instead of training, so the search learns nothing from it. Each
strategy runs an ask/tell loop on a spec's real search space, the way the runner does,
with no training: the objective is a fixed score of the built architecture (a smooth
part that rewards wider layers and lr near 10^-2.5, plus a per-architecture offset from
its hash, `--noise` times 0..1), so the same architecture always scores the same, as it
would, roughly, when trained. Prints, per strategy, the architectures repeated within a
run, summed over the seeds, and the seconds the loop took.

`--without-completion` runs the samplers as they were before 2026-12-04: proposals
checked as new without first being completed on the space (`ProposalSampler.use_space`
not called), for the before/after comparison in benchmarks/README.md.

    .venv/bin/python benchmarks/repeat_proposals.py
    .venv/bin/python benchmarks/repeat_proposals.py --without-completion
    .venv/bin/python benchmarks/repeat_proposals.py --spec specs/quickstart.nas --trials 60
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = ROOT / "benchmarks" / "peers" / "specs" / "digits_cnn.nas"
STRATEGIES = ["bayesian", "evolution", "local", "rl", "cfo"]


def score(arch: dict[str, Any], noise: float) -> float:
    """A deterministic stand-in for validation accuracy, fixed per architecture."""
    value = 0.0
    for layer in arch.get("layers", []):
        for key in ("units", "channels"):
            if key in layer.get("params", {}):
                value += math.log2(layer["params"][key]) / 7
    lr = arch.get("training", {}).get("optimizer_params", {}).get("lr")
    if isinstance(lr, float) and lr > 0:
        value -= abs(math.log10(lr) + 2.5)
    digest = hashlib.sha256(json.dumps(arch, sort_keys=True).encode()).digest()
    return value + noise * digest[0] / 255


def one_run(config: dict[str, Any], strategy: str, seed: int, trials: int,
            noise: float) -> int:
    """The number of trials in one seeded search that built an already tried architecture."""
    import optuna
    from optuna.trial import TrialState

    from nasdsl.run.constraints import violated_limits
    from nasdsl.run.study import arch_key
    from nasdsl.search.strategies import make_sampler
    from nasdsl.space.search_space import OptunaSuggest, SearchSpace
    from nasdsl.space.shapes import measure

    space = SearchSpace(config)
    study = optuna.create_study(direction="maximize",
                                sampler=make_sampler({"name": strategy}, seed, config))
    seen: set[str] = set()
    repeated = 0
    for _ in range(trials):
        trial = study.ask()
        arch = space.sample(OptunaSuggest(trial))
        m = measure(arch)
        if violated_limits(config["constraints"], {"params": m.params,
                                                   "model_bytes": m.model_bytes,
                                                   "flops": m.flops}):
            study.tell(trial, state=TrialState.FAIL)
            continue
        as_dict = arch.to_dict()
        key = arch_key(as_dict)
        repeated += key in seen
        seen.add(key)
        study.tell(trial, score(as_dict, noise))
    return repeated


def main(argv: list[str] | None = None) -> int:
    """Print repeated architectures per strategy over the seeds."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    p.add_argument("--strategies", nargs="+", default=STRATEGIES)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--trials", type=int, default=150)
    p.add_argument("--noise", type=float, default=0.1,
                   help="size of the per-architecture offset next to the smooth part's range "
                   "of about 2 (larger: a rougher landscape, less pull to one region)")
    p.add_argument("--without-completion", action="store_true",
                   help="check proposals as new without completing them on the space")
    args = p.parse_args(argv)

    import optuna

    from nasdsl.cli.common import load
    from nasdsl.compile import spec_to_config
    from nasdsl.search.common import ProposalSampler

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    if args.without_completion:
        ProposalSampler.use_space = lambda self, config: None  # type: ignore[method-assign]
    result = load(str(args.spec))
    if result.spec is None or not result.ok:
        print(f"{args.spec} does not check: {result.diagnostics}", file=sys.stderr)
        return 1
    config = spec_to_config(result.spec)
    mode = "without completion" if args.without_completion else "completed on the space"
    print(f"{args.spec.name}, {args.seeds} seeds x {args.trials} trials, noise {args.noise}, "
          f"proposals {mode}")
    print(f"{'strategy':<10} {'repeated':>8} {'of trials':>9} {'seconds':>8}")
    for strategy in args.strategies:
        start = time.perf_counter()
        repeated = sum(one_run(config, strategy, seed, args.trials, args.noise)
                       for seed in range(args.seeds))
        seconds = time.perf_counter() - start
        print(f"{strategy:<10} {repeated:>8} {args.seeds * args.trials:>9} {seconds:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
