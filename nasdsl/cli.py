"""The `nasdsl` command line.

Exit codes: 0 success, 1 errors in a spec (or a run that could not complete a trial),
2 usage errors (bad arguments, bad overrides, missing files), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_SPEC, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """A mistake in how nasdsl was called (exit code 2)."""


def _stderr():  # noqa: ANN202 - rich is imported lazily to keep start-up fast
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _load(path: str):  # noqa: ANN202
    from nasdsl.lang import load_spec

    p = Path(path)
    if not p.is_file():
        raise UsageError(f"no such spec file: {path}")
    return load_spec(p)


def _print_diagnostics(result) -> None:  # noqa: ANN001
    if result.diagnostics:
        print(result.rendered(), file=sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    """Check specs; print diagnostics; exit 1 if any has errors."""
    results = [_load(f) for f in args.files]
    if args.format == "json":
        from nasdsl.lang.diagnostics import diagnostics_json

        print(diagnostics_json(results))
    else:
        for r in results:
            _print_diagnostics(r)
            if r.ok:
                n = len(r.diagnostics)
                extra = f" ({n} warning{'s' if n != 1 else ''})" if n else ""
                print(f"{r.file}: ok{extra}", file=sys.stderr)
    return EXIT_OK if all(r.ok for r in results) else EXIT_SPEC


def cmd_fmt(args: argparse.Namespace) -> int:
    """Format specs in place (or only check that they are formatted)."""
    try:
        from nasdsl.lang.format import format_source
    except ImportError as err:  # pragma: no cover - the formatter ships with the package
        raise UsageError("this build of nasdsl has no formatter") from err
    from nasdsl.lang.diagnostics import SpecError, render

    status = EXIT_OK
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise UsageError(f"no such spec file: {name}")
        text = path.read_text(encoding="utf-8")
        try:
            formatted = format_source(text, name)
        except SpecError as err:
            print("\n\n".join(render(d, text) for d in err.diagnostics), file=sys.stderr)
            status = EXIT_SPEC
            continue
        if formatted == text:
            continue
        if args.check:
            print(f"{name}: would be reformatted", file=sys.stderr)
            status = max(status, EXIT_SPEC)
        else:
            path.write_text(formatted, encoding="utf-8")
            print(f"{name}: formatted", file=sys.stderr)
    return status


def cmd_compile(args: argparse.Namespace) -> int:
    """Compile a spec into a Hydra config directory."""
    from nasdsl.compile import write_config_dir

    result = _load(args.file)
    _print_diagnostics(result)
    if not result.ok or result.spec is None:
        return EXIT_SPEC
    out = write_config_dir(result.spec, args.output, result.source)
    print(f"wrote {out / 'config.yaml'}", file=sys.stderr)
    return EXIT_OK


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

    result = _load(args.file)
    _print_diagnostics(result)
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


def cmd_report(args: argparse.Namespace) -> int:
    """Print the summary of an existing run directory."""
    from nasdsl.report.summary import print_summary

    try:
        print_summary(args.run_dir, limit=args.top)
    except FileNotFoundError as err:
        raise UsageError(str(err)) from err
    return EXIT_OK


def cmd_lsp(args: argparse.Namespace) -> int:
    """Serve the language server protocol on stdin/stdout."""
    try:
        from nasdsl.lsp.server import serve_stdio
    except ImportError as err:
        raise UsageError(f"the language server needs the 'lsp' extra: "
                         f"pip install 'nasdsl[lsp]' ({err})") from err
    serve_stdio()
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="nasdsl", description="Declarative neural architecture search: "
        "check, compile and run .nas experiment specs.")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("check", help="check specs for errors")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("fmt", help="format specs in the canonical layout")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--check", action="store_true", help="only report unformatted files")
    p.set_defaults(func=cmd_fmt)

    p = sub.add_parser("compile", help="compile a spec to a Hydra config directory")
    p.add_argument("file", metavar="FILE")
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.set_defaults(func=cmd_compile)

    p = sub.add_parser("run", help="run the search a spec describes",
                       description="Run a search. Trailing key=value arguments are Hydra "
                       "overrides of the compiled config, e.g. train.epochs=3 budget.trials=5.")
    p.add_argument("file", metavar="FILE")
    p.add_argument("overrides", nargs="*", metavar="KEY=VALUE")
    p.add_argument("--runs-dir", default="runs", metavar="DIR",
                   help="where run directories are created (default: runs)")
    p.add_argument("--quiet", action="store_true", help="no per-trial progress")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("report", help="print the summary of a run directory")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--top", type=int, default=10, help="rows in the trials table")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("lsp", help="serve the language server protocol on stdio")
    p.set_defaults(func=cmd_lsp)
    return parser


def _version() -> str:
    from nasdsl import __version__

    return f"nasdsl {__version__}"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `nasdsl` command."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except UsageError as err:
        print(f"nasdsl: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("nasdsl: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
