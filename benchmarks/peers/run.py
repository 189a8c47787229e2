"""nasdsl against KerasTuner and Optuna: same task, space, splits, epochs and wall-clock budget.

Runs every configuration in turn, each in its own process, for every task and seed,
and prints one Markdown table per task: best validation accuracy, test accuracy of the
best-by-validation model, trials completed inside the budget, and time to reach the
target accuracy (see peer_table.py for the rule), with the ratio to the fastest peer.

    .venv/bin/python benchmarks/peers/run.py                        # full: 2 tasks, 3 seeds, 300 s
    .venv/bin/python benchmarks/peers/run.py --tasks breast_cancer --seeds 1 --budget-s 30
    .venv/bin/python benchmarks/peers/run.py --configs optuna-tpe nasdsl-tpe --budget-s 15

The peers need `pip install -c constraints.txt -r benchmarks/peers/requirements.txt`;
a configuration whose packages are missing is listed as "not run".
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from nasdsl_runs import CONFIGS as NASDSL_CONFIGS  # noqa: E402
from nasdsl_runs import run as run_nasdsl  # noqa: E402
from peer_table import RunFigures, markdown, summarize, targets  # noqa: E402
from peer_tasks import TASKS, read_log  # noqa: E402

# config → the peer's script and its extra arguments
PEER_SCRIPTS = {"kerastuner-bo": ("kerastuner_bo.py", []), "optuna-tpe": ("optuna_tpe.py", []),
                "optuna-tpe-j2": ("optuna_tpe.py", ["--jobs", "2"])}
REQUIRES = {"kerastuner-bo": ("keras_tuner", "keras", "tensorflow"),
            "optuna-tpe": ("optuna", "torch"), "optuna-tpe-j2": ("optuna", "torch")}
ALL_CONFIGS = [*PEER_SCRIPTS, *NASDSL_CONFIGS]
# The default run leaves out configurations with more workers than the machine has cores.
DEFAULT_CONFIGS = [c for c in ALL_CONFIGS if c not in NASDSL_CONFIGS
                   or NASDSL_CONFIGS[c].workers <= (os.cpu_count() or 1)]


def missing_packages(config: str) -> list[str]:
    """The importable packages a configuration needs that are not installed."""
    needs = REQUIRES.get(config, ("nasdsl", "torch", "optuna"))
    return [m for m in needs if importlib.util.find_spec(m) is None]


def run_one(task: str, config: str, seed: int, budget_s: float, out: Path) -> RunFigures:
    """Run one configuration once; its figures, or a 'not run: …' note."""
    fig = RunFigures(task, config, seed, budget_s=budget_s)
    missing = missing_packages(config)
    if missing:
        fig.note = (f"not run: {', '.join(missing)} not installed "
                    f"(pip install -r benchmarks/peers/requirements.txt)")
        return fig
    log = out / task / config / f"seed{seed}.jsonl"
    work = out / task / config / f"seed{seed}"
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    if config in NASDSL_CONFIGS:
        try:
            facts = run_nasdsl(TASKS[task], NASDSL_CONFIGS[config], seed, budget_s, log, work)
        except subprocess.TimeoutExpired:
            facts = {"error": "did not finish in budget + 300 s"}
        fig.wall_s = time.monotonic() - started
        fig.rows = read_log(log)
        if "error" in facts:
            fig.note = f"not run: nasdsl failed ({facts['error']})"
        elif NASDSL_CONFIGS[config].workers > 1 and not facts.get("overlapping_trials"):
            fig.note = ("not run: no two trials overlapped, so execution.workers=2 ran one "
                        "trial at a time in this nasdsl build")
        return fig
    script, extra = PEER_SCRIPTS[config]
    cmd = [sys.executable, str(HERE / script), "--task", task, "--seed", str(seed),
           "--budget-s", f"{budget_s:g}", "--log", str(log), "--workdir", str(work), *extra]
    with (work / "stderr.txt").open("w", encoding="utf-8") as err:
        try:
            proc = subprocess.run(cmd, stdout=err, stderr=err, check=False,
                                  timeout=budget_s + 300)
            rc: int | str = proc.returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
    fig.wall_s = time.monotonic() - started
    fig.rows = read_log(log)
    if rc != 0:
        lines = (work / "stderr.txt").read_text(encoding="utf-8").strip().splitlines()
        fig.note = f"not run: {config} failed ({(lines or [str(rc)])[-1][:200]})"
    return fig


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The driver's command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tasks", nargs="+", choices=sorted(TASKS),
                   default=["digits", "breast_cancer"])
    p.add_argument("--seeds", type=int, default=3, help="seeds 0 … N-1 (default 3)")
    p.add_argument("--budget-s", type=float, default=300.0,
                   help="wall-clock search budget of every run, seconds (default 300)")
    p.add_argument("--configs", nargs="+", choices=ALL_CONFIGS, default=DEFAULT_CONFIGS,
                   metavar="CONFIG", help=f"subset of: {' '.join(ALL_CONFIGS)} (default: "
                   "those with no more workers than this machine's cores)")
    p.add_argument("--target", type=float, default=None,
                   help="fixed target val accuracy (default: the weaker peer's best)")
    p.add_argument("--threads", type=int, default=None,
                   help="CPU threads of every tool (OMP/MKL/TF env vars); default: each "
                   "tool's own choice (all cores)")
    p.add_argument("--out", type=Path, default=None,
                   help="folder for logs and results.json (default runs/peers/<time>)")
    args = p.parse_args(argv)
    if args.seeds < 1 or args.budget_s <= 0 or (args.threads is not None and args.threads < 1):
        p.error("--seeds and --threads must be ≥ 1 and --budget-s > 0")
    return args


def limit_threads(threads: int) -> None:
    """Make every tool started from now on use `threads` CPU threads."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                "TF_NUM_INTRAOP_THREADS"):
        os.environ[var] = str(threads)
    os.environ["TF_NUM_INTEROP_THREADS"] = "1"


def main(argv: list[str] | None = None) -> int:
    """Run every configuration × task × seed, then print the tables."""
    args = parse_args(argv)
    out = args.out or Path("runs") / "peers" / datetime.now().strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    if args.threads is not None:
        limit_threads(args.threads)
    plan = [(t, s, c) for t in args.tasks for s in range(args.seeds) for c in args.configs]
    print(f"{len(plan)} runs of {args.budget_s:g} s on {os.cpu_count()} cores → about "
          f"{len(plan) * (args.budget_s + 10) / 60:.0f} min; logs in {out}", file=sys.stderr)
    runs: list[RunFigures] = []
    for i, (task, seed, config) in enumerate(plan, 1):
        fig = run_one(task, config, seed, args.budget_s, out)
        runs.append(fig)
        best = fig.best
        status = fig.note or (f"{len(fig.counted)} trials, best val "
                              f"{best['val']:.4f}" if best else "no trial finished")
        print(f"[{i}/{len(plan)}] {task} seed {seed} {config}: {status} "
              f"({fig.wall_s:.0f} s)", file=sys.stderr, flush=True)
    target_of = targets(runs, args.target)
    rule = ("fixed with --target" if args.target is not None
            else "the weaker peer's best, per seed")
    summaries = summarize(runs, target_of)
    (out / "results.json").write_text(json.dumps(
        {"args": {k: str(v) for k, v in vars(args).items()},
         "targets": {f"{t}/seed{s}": v for (t, s), v in target_of.items()},
         "summaries": summaries,
         "runs": [{**r.__dict__, "rows": len(r.rows)} for r in runs]}, indent=2),
        encoding="utf-8")
    threads = f", {args.threads} thread(s) per tool" if args.threads else ""
    print(f"Budget {args.budget_s:g} s per run, seeds 0–{args.seeds - 1}, "
          f"{os.cpu_count()} cores{threads}.\n")
    print(markdown(summaries, target_of, rule))
    return 0


if __name__ == "__main__":
    sys.exit(main())
