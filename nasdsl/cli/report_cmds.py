"""Commands on finished runs: report and export."""

from __future__ import annotations

import argparse
from pathlib import Path

from nasdsl.cli.common import EXIT_OK, UsageError


def cmd_report(args: argparse.Namespace) -> int:
    """Print the report of an existing run directory; optionally write HTML and JSON."""
    from rich.console import Console

    from nasdsl.report.summary import print_summary, read_run

    try:
        record = read_run(args.run_dir)
    except FileNotFoundError as err:
        raise UsageError(str(err)) from err
    print_summary(args.run_dir, limit=args.top)
    if args.html or args.json:
        from nasdsl.report.content import build_report

        content = build_report(record, top=args.top)
        err = Console(stderr=True)
        if args.json:
            from nasdsl.report.html import write_json

            write_json(content, Path(args.json))
            err.print(f"wrote {args.json}")
        if args.html:
            from nasdsl.report.html import write_html

            write_html(content, Path(args.html))
            err.print(f"wrote {args.html}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Export a trained candidate of a run directory."""
    from rich.console import Console

    from nasdsl.export import ExportError, export_trial

    if not (Path(args.run_dir) / "config.yaml").exists():
        raise UsageError(f"{args.run_dir} is not a nasdsl run directory (no config.yaml)")
    try:
        files = export_trial(args.run_dir, args.format, args.output, args.trial)
    except ExportError as err:
        raise UsageError(str(err)) from err
    console = Console()
    for f in files:
        console.print(f"wrote {f}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add report and export to the command parser."""
    p = sub.add_parser("report", help="print the report of a run directory",
                       description="Summary, top candidates, which choices mattered, "
                       "baselines, targets and the final phase of a run.")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--top", type=int, default=10, help="candidates shown side by side")
    p.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report")
    p.add_argument("--json", metavar="FILE", help="also write the report's content as JSON")
    p.set_defaults(func=cmd_report)

    e = sub.add_parser("export", help="export a trained candidate (onnx, torchscript, keras, "
                       "source)", description="Export the best candidate (or --trial N) of a "
                       "run. Files carry the spec's sha256 and the architecture JSON.")
    e.add_argument("run_dir", metavar="RUN_DIR")
    e.add_argument("--trial", type=int, default=None, metavar="N",
                   help="trial number (default: the best)")
    e.add_argument("--format", required=True, choices=("onnx", "torchscript", "keras", "source"))
    e.add_argument("-o", "--output", default=None, metavar="DIR",
                   help="output folder (default: RUN_DIR/export)")
    e.set_defaults(func=cmd_export)
