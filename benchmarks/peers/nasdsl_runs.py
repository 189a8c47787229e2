"""nasdsl on the same tasks: `nasdsl run` on the task's spec, then its trial files as a log.

A configuration is a strategy (tpe, bayesian, evolution), early stopping on or off
(hyperband over epochs) and 1 or 2 workers, all given as Hydra overrides of the one spec:

    .venv/bin/python benchmarks/peers/nasdsl_runs.py --task digits --seed 0 --budget-s 30 \
        --config nasdsl-tpe-hb --log /tmp/nasdsl.jsonl

The search clock starts where the first trial starts (the earliest trial file's
modification time less its `seconds`), which is after nasdsl's imports, data loading
and framework warm-up (`Runner.prepare`), like the peers' clocks; nasdsl's own
`budget.time` starts a little earlier (before the backend is imported), so nasdsl never
gets more search time than the peers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peer_tasks import TASKS, Task, peer_arguments  # noqa: E402

HYPERBAND = "+strategy.early_stop={name:hyperband,min_epochs:1,eta:3}"


@dataclass(frozen=True)
class NasdslConfig:
    """One nasdsl configuration of the benchmark."""

    strategy: str
    early_stop: bool
    workers: int
    asynchronous: bool = False  # execution.dispatch=async (several workers only)

    @property
    def name(self) -> str:
        """nasdsl-STRATEGY[-hb][-wN[a]] (a: dispatch = async)."""
        return (f"nasdsl-{self.strategy}{'-hb' if self.early_stop else ''}"
                f"{f'-w{self.workers}' if self.workers > 1 else ''}"
                f"{'a' if self.asynchronous else ''}")

    def overrides(self, seed: int, budget_s: float) -> list[str]:
        """The Hydra overrides that turn the task's spec into this configuration."""
        out = [f"experiment.seed={seed}", f"budget.time_s={budget_s:g}",
               f"strategy.name={self.strategy}"]
        if self.early_stop:
            out.append(HYPERBAND)
        if self.workers > 1:
            out += [f"execution.workers={self.workers}", "execution.launcher=joblib"]
        if self.asynchronous:
            out.append("execution.dispatch=async")
        return out


CONFIGS: dict[str, NasdslConfig] = {
    c.name: c for c in (NasdslConfig(s, es, w, a) for s in ("tpe", "bayesian", "evolution")
                        for es in (False, True) for w, a in ((1, False), (2, False), (2, True)))
}
# For a machine with the cores: what more workers buy (anytime.py's ideal-ratio table).
CONFIGS.update({c.name: c for c in (NasdslConfig("tpe", False, w, True) for w in (4, 8))})


def command(task: Task, config: NasdslConfig, seed: int, budget_s: float,
            runs_dir: Path) -> list[str]:
    """The `nasdsl run` command line of one benchmark run."""
    return [sys.executable, "-m", "nasdsl.cli", "run", str(task.spec),
            *config.overrides(seed, budget_s), "--quiet", "--runs-dir", str(runs_dir)]


def trial_rows(runs_dir: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The run's trials as log rows (clock from the first trial's start), and run facts.

    A trial the pruner stopped keeps its partly trained model's accuracy (status
    'pruned'); one the time budget stopped is 'cut', like a peer's. A trial settled from
    an earlier identical candidate's result without training is 'reused': it is no new
    evaluation, so it counts as no trial.
    """
    files = sorted(runs_dir.rglob("trials/trial_*.json"))
    trials = [(json.loads(f.read_text(encoding="utf-8")), f.stat().st_mtime) for f in files]
    facts: dict[str, Any] = {"run_dirs": sorted({str(f.parent.parent) for f in files})}
    if not trials:
        return [], facts
    spans = sorted((end - float(t.get("seconds") or 0.0), end) for t, end in trials)
    t0 = spans[0][0]
    facts["overlapping_trials"] = sum(
        1 for (_, end_a), (start_b, _) in zip(spans, spans[1:], strict=False)
        if start_b < end_a - 0.05)
    rows = []
    for t, end in sorted(trials, key=lambda item: item[1]):
        status = t.get("status")
        if status == "stopped":
            status = "pruned" if "pruner" in (t.get("reason") or "") else "cut"
        elif t.get("reused_from") is not None:
            status = "reused"
        elif status != "ok":
            status = str(status)
        metrics = t.get("metrics") or {}
        rows.append({"number": t["number"], "status": status,
                     "finished_s": round(end - t0, 3),
                     "val": metrics.get("val", {}).get("accuracy"),
                     "test": metrics.get("test", {}).get("accuracy"),
                     "params": t.get("params", {})})
    return rows, facts


def run(task: Task, config: NasdslConfig, seed: int, budget_s: float, log: Path,
        runs_dir: Path) -> dict[str, Any]:
    """Run nasdsl once, write the trial log; return run facts (exit code, overlap)."""
    proc = subprocess.run(command(task, config, seed, budget_s, runs_dir),
                          capture_output=True, text=True, check=False,
                          timeout=budget_s + 300)
    rows, facts = trial_rows(runs_dir)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    facts["returncode"] = proc.returncode
    # Exit code 1 also means "no trial succeeded"; a traceback or no trial at all is a failure.
    if proc.returncode not in (0, 1) or "Traceback" in proc.stderr or not rows:
        facts["error"] = (proc.stderr.strip().splitlines() or ["no output"])[-1][:200]
    return facts


def main(argv: list[str] | None = None) -> int:
    """Run one configuration and print its run facts as JSON."""
    p = peer_arguments(__doc__.splitlines()[0])
    p.add_argument("--config", choices=sorted(CONFIGS), default="nasdsl-tpe")
    args = p.parse_args(argv)
    runs_dir = args.workdir or Path(tempfile.mkdtemp(prefix="nasdsl-peers-"))
    facts = run(TASKS[args.task], CONFIGS[args.config], args.seed, args.budget_s, args.log,
                runs_dir)
    print(json.dumps(facts))
    return 0 if "error" not in facts else 1


if __name__ == "__main__":
    sys.exit(main())
