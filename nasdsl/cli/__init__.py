"""The `nasdsl` command line.

Exit codes: 0 success, 1 errors in a spec (or a run that could not complete a trial),
2 usage errors (bad arguments, bad overrides, missing files), 130 interrupted.

Each module of this package registers its own subcommands; they import their heavy
dependencies inside the command function so `nasdsl check` starts fast.
"""

from __future__ import annotations

import argparse
import sys

from nasdsl.cli import data_cmds, lang_cmds, lsp_cmd, report_cmds, run_cmds
from nasdsl.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SPEC,
    EXIT_USAGE,
    UsageError,
)

__all__ = ["EXIT_INTERRUPTED", "EXIT_OK", "EXIT_SPEC", "EXIT_USAGE", "UsageError",
           "build_parser", "main"]

COMMAND_MODULES = (lang_cmds, run_cmds, report_cmds, data_cmds, lsp_cmd)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="nasdsl", description="Declarative neural architecture search: "
        "check, compile and run .nas experiment specs.")
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def _version() -> str:
    from nasdsl import __version__

    return f"nasdsl {__version__}"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `nasdsl` command."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    # argparse stops filling `overrides` at the first option, so `run F --quiet k=v` would
    # leave k=v behind; overrides may stand anywhere after the spec file.
    if extra and hasattr(args, "overrides") and all("=" in a and not a.startswith("-")
                                                    for a in extra):
        args.overrides = [*args.overrides, *extra]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return int(args.func(args))
    except UsageError as err:
        print(f"nasdsl: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("nasdsl: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
