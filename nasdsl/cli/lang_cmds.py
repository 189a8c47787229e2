"""Commands on spec files: check, fmt, compile."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nasdsl.cli.common import EXIT_OK, EXIT_SPEC, UsageError, load, print_diagnostics


def cmd_check(args: argparse.Namespace) -> int:
    """Check specs; print diagnostics; exit 1 if any has errors."""
    results = [load(f) for f in args.files]
    if args.format == "json":
        from nasdsl.lang.diagnostics import diagnostics_json

        print(diagnostics_json(results))
    else:
        for r in results:
            print_diagnostics(r)
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

    result = load(args.file)
    print_diagnostics(result)
    if not result.ok or result.spec is None:
        return EXIT_SPEC
    out = write_config_dir(result.spec, args.output, result.source)
    print(f"wrote {out / 'config.yaml'}", file=sys.stderr)
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add check, fmt and compile to the command parser."""
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
