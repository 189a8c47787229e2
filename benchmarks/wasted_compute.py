"""Compute spent on infeasible architectures in a digits search under a tight params limit.

Runs `nasdsl run` (in this process, PyTorch backend) on a layer-chain space of which most
candidates break `params <= LIMIT`, then prints: the training seconds spent on
infeasible architectures (target 0: they are rejected from the IR before any model is
built), and the share of the candidates the strategy proposed that were infeasible in
the first and the last third of the run (it should fall as the strategy learns).
Proposals turned away by the constraint filter are counted from the study
(`nasdsl:rejected` on each trial) as well as trials the runner recorded as infeasible.

    .venv/bin/python benchmarks/wasted_compute.py                   # tpe, 30 trials
    .venv/bin/python benchmarks/wasted_compute.py --strategy evolution --trials 45
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

SPEC = """
experiment "wasted-compute" {
  seed = SEED
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  constraints { params <= LIMIT }
  space layers {
    repeat range(1, 3) {
      dense(units = choice(8, 16, 32, 64, 128, 256), activation = relu)
DROPOUT    }
  }
  train { epochs = 2; batch_size = 64; optimizer = adam(lr = 0.01) }
  budget { trials = TRIALS }
  strategy STRATEGY
  backend = torch
}
"""


def main(argv: list[str] | None = None) -> int:
    """Run the search and print the figures."""
    import optuna

    from nasdsl.cli import main as nasdsl

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategy", default="tpe")
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dropout", action="store_true",
                        help="add dropout(rate = uniform(0, 0.3)) to each layer, so the "
                        "feasible region is not used up by the budget")
    parser.add_argument("--no-memory", action="store_true",
                        help="hide rejected candidates from samplers without a reject hook "
                        "(TPE, NSGA-II): the filter as it was before the rejection memory")
    args = parser.parse_args(argv)
    if args.no_memory:
        from nasdsl.search.rejections import RejectionMemory

        RejectionMemory.view = lambda self, study: study  # type: ignore[method-assign]
        RejectionMemory.sync = lambda self, study: None  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as work:
        spec = Path(work) / "wasted.nas"
        spec.write_text(SPEC.replace("SEED", str(args.seed)).replace("LIMIT", str(args.limit))
                        .replace("TRIALS", str(args.trials))
                        .replace("STRATEGY", args.strategy)
                        .replace("DROPOUT", "      dropout(rate = uniform(0.0, 0.3))\n"
                                 if args.dropout else ""), encoding="utf-8")
        code = nasdsl(["run", str(spec), "--quiet", "--runs-dir", str(Path(work) / "runs")])
        (run_dir,) = (Path(work) / "runs" / "wasted-compute").iterdir()
        results = {r["number"]: r for r in (json.loads(p.read_text()) for p in
                                            (run_dir / "trials").glob("trial_*.json"))}
        storage = json.loads((run_dir / "run.json").read_text()).get("storage") or \
            f"sqlite:///{run_dir / 'study.db'}"
        study = optuna.load_study(study_name="wasted-compute", storage=storage)
        proposals: list[tuple[int, int]] = []  # (infeasible proposals, all proposals) a trial
        for t in sorted(study.trials, key=lambda t: t.number):
            rejected = int(t.system_attrs.get("nasdsl:rejected", 0))
            bad = results.get(t.number, {}).get("status") == "infeasible"
            proposals.append((rejected + bad, rejected + 1))
    wasted = sum(r["seconds"] for r in results.values()
                 if r["status"] == "infeasible" and r["history"])
    trained = sum(r["seconds"] for r in results.values() if r["history"])
    third = max(1, len(proposals) // 3)

    def share(part: list[tuple[int, int]]) -> str:
        bad, total = sum(b for b, _ in part), sum(n for _, n in part)
        return f"{bad}/{total} = {bad / max(total, 1):.0%}"

    print(f"strategy {args.strategy}, {len(results)} trials, params <= {args.limit} "
          f"(exit code {code})")
    print(f"training seconds on infeasible architectures: {wasted:.2f} "
          f"(of {trained:.1f} s of training in all)")
    print(f"infeasible share of proposals, first third: {share(proposals[:third])}")
    print(f"infeasible share of proposals, last third:  {share(proposals[-third:])}")
    print("infeasible proposals per trial:", " ".join(str(b) for b, _ in proposals))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
