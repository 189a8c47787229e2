"""Commands that search: run (with --pilot), resume, retrain."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nasdsl.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SPEC,
    UsageError,
    load,
    print_diagnostics,
)


def _apply_overrides(spec, source: str, overrides: list[str], where: Path) -> dict:  # noqa: ANN001
    from nasdsl.compile import write_config_dir

    config_dir = write_config_dir(spec, where / "compiled", source)
    _add_execution_defaults(config_dir)
    return _compose(config_dir, overrides)


def _compose(config_dir: Path, overrides: list[str]) -> dict:
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from nasdsl.compile import compose

    try:
        config = compose(config_dir, overrides)
    except (HydraException, OmegaConfBaseException) as err:
        raise UsageError(f"bad override: {err}".splitlines()[0]) from err
    config.pop("defaults", None)
    return config


def _add_execution_defaults(config_dir: Path) -> None:
    """Every execution key in the compiled config, so `execution.workers=2` overrides work."""
    import yaml

    from nasdsl.compile import CONFIG_NAME
    from nasdsl.run.settings import EXECUTION_DEFAULTS

    path = config_dir / f"{CONFIG_NAME}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    execution = data.get("execution") or {}
    data["execution"] = {**EXECUTION_DEFAULTS, **execution}
    path.write_text(yaml.safe_dump(data, sort_keys=False, default_flow_style=None),
                    encoding="utf-8")


def _validate_config(config: dict) -> None:
    """Catch overrides that produce a config the runner cannot use."""
    from nasdsl.lang import registry as reg
    from nasdsl.run.settings import check_execution
    from nasdsl.search.strategies import STRATEGY_FACTORIES

    budget = config.get("budget", {})
    for key in ("trials",):
        v = budget.get(key)
        if v is not None and (not isinstance(v, int) or v < 1):
            raise UsageError(f"budget.{key} must be a whole number ≥ 1, got {v!r}")
    for key in ("time_s", "device_hours_s", "trial_hours_s", "trial_time_s", "money",
                "rate_per_h"):
        v = budget.get(key)
        if v is not None and (not isinstance(v, int | float) or isinstance(v, bool) or v <= 0):
            raise UsageError(f"budget.{key} must be a positive number, got {v!r}")
    if budget.get("money") is not None and budget.get("rate_per_h") is None:
        raise UsageError("a money budget needs a price: set `rate = $2.48/h` in the budget "
                         "block (or budget.rate_per_h=2.48)")
    epochs = config["train"]["epochs"]
    if isinstance(epochs, int) and epochs < 1:
        raise UsageError("train.epochs must be at least 1")
    problem = check_execution(config)
    if problem:
        raise UsageError(problem)
    from nasdsl.search.errors import StrategyError
    from nasdsl.search.strategies import check_strategy

    try:
        check_strategy(config)
    except StrategyError as err:
        raise UsageError(str(err)) from err
    if config["strategy"]["name"] not in STRATEGY_FACTORIES:
        raise UsageError(f"unknown strategy {config['strategy']['name']!r} "
                         f"(available: {', '.join(STRATEGY_FACTORIES)})")
    if config["backend"] not in reg.BACKENDS:
        raise UsageError(f"unknown backend {config['backend']!r}")
    from nasdsl.practice.validate import problem as practice_problem

    found = practice_problem(config)  # the CSV table, the warm-start sources
    if found:
        raise UsageError(found)


def _progress(config: dict, console: Any, quiet: bool) -> Any:
    from nasdsl.run.progress import Progress

    return Progress(console, quiet=quiet, objective_label=config["objective"][0]["metric"])


def _search(config: dict, run_dir: Path, console: Any, quiet: bool, overrides: list[str],
            elapsed_before: float = 0.0, config_dir: Path | None = None) -> Any:
    from nasdsl.run.backend import BackendError
    from nasdsl.run.hydra_run import run_search

    try:
        return run_search(config, run_dir, _progress(config, console, quiet), overrides,
                          elapsed_before, config_dir)
    except BackendError as err:
        raise UsageError(str(err)) from err


def _pilot(config: dict, run_dir: Path, console: Any, quiet: bool,
           overrides: list[str]) -> Any:
    """Run the pilot in RUN_DIR/pilot; print and keep its projection."""
    from nasdsl.run.pilot import (
        pilot_overrides,
        pilot_settings,
        print_projection,
        project,
        write_projection,
    )

    extra = pilot_overrides(config)
    pilot_config = _compose(run_dir / "compiled", [*overrides, *extra])
    settings = pilot_settings(config)
    console.print(f"[bold]pilot[/]: {settings['trials']} trials × {settings['epochs']} "
                  f"epoch(s) on {float(settings['subset']):.0%} of the training data")
    pilot_dir = run_dir / "pilot"
    pilot_dir.mkdir(exist_ok=True)
    outcome = _search(pilot_config, pilot_dir, console, quiet, [*overrides, *extra],
                      config_dir=run_dir / "compiled")
    projection = project(config, outcome.results)
    write_projection(run_dir, projection)
    print_projection(projection, console)
    return projection, outcome


def _finish(config: dict, run_dir: Path, outcome: Any, console: Any,
            after: bool = True) -> int:
    from rich.console import Console

    from nasdsl.report.summary import print_summary
    from nasdsl.run.after import after_search
    from nasdsl.run.budget import STOP_REASONS
    from nasdsl.run.rundir import finish_run

    extra = {"strategy_explanation": outcome.explanation} if outcome.explanation else {}
    finish_run(run_dir, outcome.stop_reason, outcome.seconds, **extra)
    console.print(f"[bold]stopped:[/] {STOP_REASONS.get(outcome.stop_reason, outcome.stop_reason)}")
    if after and outcome.stop_reason != "interrupted":
        after_search(config, run_dir, console)
    print_summary(run_dir, Console())
    if outcome.stop_reason == "interrupted":
        return EXIT_INTERRUPTED
    return EXIT_OK if _any_ok(run_dir) else EXIT_SPEC


def _any_ok(run_dir: Path) -> bool:
    import json

    for path in (run_dir / "trials").glob("trial_*.json"):
        if json.loads(path.read_text(encoding="utf-8")).get("status") == "ok":
            return True
    return False


def cmd_run(args: argparse.Namespace) -> int:
    """Compile, apply overrides, (pilot,) search, and print the summary."""
    from rich.console import Console

    from nasdsl.run.interrupt import sigterm_as_ctrl_c
    from nasdsl.run.rundir import finish_run, new_run_dir, write_run_files
    from nasdsl.run.settings import storage_url

    sigterm_as_ctrl_c()
    result = load(args.file)
    print_diagnostics(result)
    if not result.ok or result.spec is None:
        return EXIT_SPEC
    bad = [o for o in args.overrides if "=" not in o]
    if bad:
        raise UsageError(f"overrides are key=value, got: {' '.join(bad)}")
    run_dir = new_run_dir(Path(args.runs_dir), result.spec.name)
    try:
        config = _apply_overrides(result.spec, result.source, args.overrides, run_dir)
        _validate_config(config)
    except UsageError:
        import shutil

        shutil.rmtree(run_dir, ignore_errors=True)
        try:
            run_dir.parent.rmdir()  # the experiment's folder, when this was its only run
        except OSError:
            pass
        raise
    from nasdsl.data import data_record, load_data

    # the data is loaded already (the checks before the run): this reads its scaling
    loaded = None if config.get("backend") == "table" else load_data(config, image=True)
    write_run_files(run_dir, Path(args.file), result.source, config, args.overrides,
                    {"storage": storage_url(config, run_dir),
                     "study": config["experiment"]["name"],
                     "data": data_record(config, loaded)})
    console = Console(stderr=True)
    console.print(f"[bold]nasdsl[/] running [cyan]{result.spec.name}[/] → {run_dir}")
    if args.pilot or config.get("pilot"):
        projection, pilot_outcome = _pilot(config, run_dir, console, args.quiet,
                                           args.overrides)
        if pilot_outcome.stop_reason == "interrupted":
            finish_run(run_dir, "interrupted", pilot_outcome.seconds)
            return EXIT_INTERRUPTED
        if args.pilot or not projection.ok:
            finish_run(run_dir, "pilot" if projection.ok else "pilot_failed",
                       pilot_outcome.seconds)
            return EXIT_OK if projection.ok else EXIT_SPEC
    outcome = _search(config, run_dir, console, args.quiet, args.overrides)
    return _finish(config, run_dir, outcome, console)


def _run_dir(path: str) -> Path:
    run_dir = Path(path)
    if not (run_dir / "run.json").is_file() or not (run_dir / "config.yaml").is_file():
        raise UsageError(f"not a nasdsl run directory: {path} (no run.json / config.yaml)")
    return run_dir


def cmd_resume(args: argparse.Namespace) -> int:
    """Continue an interrupted or killed run in its directory until its budget is spent."""
    import yaml
    from rich.console import Console

    from nasdsl.run.interrupt import sigterm_as_ctrl_c
    from nasdsl.run.rundir import read_meta, update_meta

    sigterm_as_ctrl_c()
    run_dir = _run_dir(args.run_dir)
    meta = read_meta(run_dir)
    config = yaml.safe_load((run_dir / "config.yaml").read_text(encoding="utf-8"))
    if not (run_dir / "compiled").is_dir():
        raise UsageError(f"{run_dir} has no compiled/ config directory to resume from")
    console = Console(stderr=True)
    resumes = int(meta.get("resumes", 0)) + 1
    update_meta(run_dir, resumes=resumes)
    console.print(f"[bold]nasdsl[/] resuming [cyan]{config['experiment']['name']}[/] "
                  f"in {run_dir} (session {resumes + 1})")
    _warn_if_data_changed(config, meta, console)
    outcome = _search(config, run_dir, console, args.quiet, list(meta.get("overrides", [])),
                      elapsed_before=float(meta.get("seconds", 0.0) or 0.0))
    # A run that had already finished and found nothing left to do keeps its final phase.
    done_before = meta.get("stop_reason") not in (None, "interrupted")
    return _finish(config, run_dir, outcome, console,
                   after=bool(outcome.results) or not done_before)


def _warn_if_data_changed(config: dict, meta: dict, console: Any) -> None:
    from nasdsl.data import changed_since

    warning = changed_since(config, meta.get("data"))
    if warning:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)


def cmd_retrain(args: argparse.Namespace) -> int:
    """Train one trial's candidate again from the run's files and print its metrics."""
    import json

    import yaml
    from rich.console import Console
    from rich.table import Table

    from nasdsl.run.backend import BackendError
    from nasdsl.run.runner import OK, Evaluator, TrialResult
    from nasdsl.space.ir import Architecture

    run_dir = _run_dir(args.run_dir)
    path = run_dir / "trials" / f"trial_{args.trial:04d}.json"
    if not path.is_file():
        raise UsageError(f"{run_dir} has no trial {args.trial}")
    earlier = json.loads(path.read_text(encoding="utf-8"))
    if not earlier.get("architecture"):
        raise UsageError(f"trial {args.trial} has no architecture to retrain "
                         f"(status {earlier.get('status')})")
    config = yaml.safe_load((run_dir / "config.yaml").read_text(encoding="utf-8"))
    arch = Architecture.from_dict(earlier["architecture"])
    seed = int(earlier.get("seed", 0)) if args.seed is None else args.seed
    out_dir = run_dir / "retrain" / f"trial_{args.trial:04d}"
    result = TrialResult(args.trial, "failed", earlier["architecture"],
                         earlier.get("description", ""), earlier.get("params", {}), seed=seed)
    console = Console()
    from nasdsl.run.rundir import read_meta

    _warn_if_data_changed(config, read_meta(run_dir), Console(stderr=True))
    console.print(f"retraining trial {args.trial}: {result.description} (seed {seed})")
    try:
        Evaluator(config, out_dir).evaluate(arch, result, None)
    except BackendError as err:
        raise UsageError(str(err)) from err
    table = Table("metric", "now", "recorded")
    for split, values in result.metrics.items():
        for name, value in values.items():
            before = earlier.get("metrics", {}).get(split, {}).get(name)
            table.add_row(f"{split}.{name}", f"{value:.4f}",
                          "" if before is None else f"{before:.4f}")
    console.print(table)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "result.json").write_text(json.dumps(result.__dict__, indent=2, default=str),
                                         encoding="utf-8")
    return EXIT_OK if result.status == OK else EXIT_SPEC


def register(sub: argparse._SubParsersAction) -> None:
    """Add run, resume and retrain to the command parser."""
    p = sub.add_parser("run", help="run the search a spec describes",
                       description="Run a search. Trailing key=value arguments are Hydra "
                       "overrides of the compiled config, e.g. train.epochs=3 budget.trials=5 "
                       "execution.workers=2 execution.launcher=joblib.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("overrides", nargs="*", metavar="KEY=VALUE")
    p.add_argument("--runs-dir", default="runs", metavar="DIR",
                   help="where run directories are created (default: runs)")
    p.add_argument("--quiet", action="store_true", help="no per-trial progress")
    p.add_argument("--pilot", action="store_true",
                   help="run only the pilot (a few short trials) and project the full budget")
    p.set_defaults(func=cmd_run)

    r = sub.add_parser("resume", help="continue an interrupted run until its budget is spent",
                       description="Resume a run after Ctrl-C, kill -9 or a reboot: finished "
                       "trials are kept, interrupted ones run again, numbering continues.")
    r.add_argument("run_dir", metavar="RUN_DIR")
    r.add_argument("--quiet", action="store_true", help="no per-trial progress")
    r.set_defaults(func=cmd_resume)

    t = sub.add_parser("retrain", help="train one trial of a run again and print its metrics")
    t.add_argument("run_dir", metavar="RUN_DIR")
    t.add_argument("--trial", type=int, required=True, metavar="N")
    t.add_argument("--seed", type=int, default=None, help="default: the trial's own seed")
    t.set_defaults(func=cmd_retrain)
