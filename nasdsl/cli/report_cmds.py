"""Commands on finished runs: report."""

from __future__ import annotations

import argparse

from nasdsl.cli.common import EXIT_OK, UsageError


def cmd_report(args: argparse.Namespace) -> int:
    """Print the summary of an existing run directory."""
    from nasdsl.report.summary import print_summary

    try:
        print_summary(args.run_dir, limit=args.top)
    except FileNotFoundError as err:
        raise UsageError(str(err)) from err
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add report to the command parser."""
    p = sub.add_parser("report", help="print the summary of a run directory")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--top", type=int, default=10, help="rows in the trials table")
    p.set_defaults(func=cmd_report)
