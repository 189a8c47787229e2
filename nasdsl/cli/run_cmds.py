"""Commands that search: run."""

from __future__ import annotations

import argparse
from pathlib import Path

from nasdsl.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SPEC,
    UsageError,
    load,
    print_diagnostics,
)


def _apply_overrides(spec, source: str, overrides: list[str], where: Path) -> dict:  # noqa: ANN001
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from nasdsl.compile import compose, write_config_dir

    config_dir = write_config_dir(spec, where / "compiled", source)
    try:
        config = compose(config_dir, overrides)
    except (HydraException, OmegaConfBaseException) as err:
        raise UsageError(f"bad override: {err}".splitlines()[0]) from err
    config.pop("defaults", None)
    return config


def _validate_config(config: dict) -> None:
    """Catch overrides that produce a config the runner cannot use."""
    from nasdsl.lang import registry as reg
    from nasdsl.search.strategies import STRATEGY_FACTORIES

    budget = config.get("budget", {})
    for key in ("trials",):
        v = budget.get(key)
        if v is not None and (not isinstance(v, int) or v < 1):
            raise UsageError(f"budget.{key} must be a whole number ≥ 1, got {v!r}")
    if budget.get("time_s") is not None and not isinstance(budget["time_s"], int | float):
        raise UsageError(f"budget.time_s must be a number of seconds, got {budget['time_s']!r}")
    epochs = config["train"]["epochs"]
    if isinstance(epochs, int) and epochs < 1:
        raise UsageError("train.epochs must be at least 1")
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
    kind = config["data"].get("kind", "builtin")
    if kind != "builtin" or config["data"]["source"] not in reg.DATASETS:
        raise UsageError(f"this version of `nasdsl run` trains on the built-in datasets only "
                         f"({', '.join(reg.DATASETS)}); the {kind} source "
                         f"{config['data']['source']!r} is checked and compiled but not loaded")


def cmd_run(args: argparse.Namespace) -> int:
    """Compile, apply overrides, search, and print the summary."""
    from rich.console import Console

    from nasdsl.report.summary import print_summary
    from nasdsl.run.backend import BackendError
    from nasdsl.run.progress import Progress
    from nasdsl.run.rundir import finish_run, new_run_dir, write_run_files
    from nasdsl.run.runner import run_experiment

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
        raise
    write_run_files(run_dir, Path(args.file), result.source, config, args.overrides)
    console = Console(stderr=True)
    console.print(f"[bold]nasdsl[/] running [cyan]{result.spec.name}[/] → {run_dir}")
    goal = config["objective"][0]["metric"]
    try:
        outcome = run_experiment(config, run_dir, Progress(console, quiet=args.quiet,
                                                           objective_label=goal))
    except BackendError as err:
        raise UsageError(str(err)) from err
    finish_run(run_dir, outcome.stop_reason, outcome.seconds)
    print_summary(run_dir, Console())
    if outcome.stop_reason == "interrupted":
        return EXIT_INTERRUPTED
    return EXIT_OK if any(r.status == "ok" for r in outcome.results) else EXIT_SPEC


def register(sub: argparse._SubParsersAction) -> None:
    """Add run to the command parser."""
    p = sub.add_parser("run", help="run the search a spec describes",
                       description="Run a search. Trailing key=value arguments are Hydra "
                       "overrides of the compiled config, e.g. train.epochs=3 budget.trials=5.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("overrides", nargs="*", metavar="KEY=VALUE")
    p.add_argument("--runs-dir", default="runs", metavar="DIR",
                   help="where run directories are created (default: runs)")
    p.add_argument("--quiet", action="store_true", help="no per-trial progress")
    p.set_defaults(func=cmd_run)
