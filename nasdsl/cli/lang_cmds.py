"""Commands on spec files: check, fmt, compile, space."""

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
                n = sum(d.severity.value == "warning" for d in r.diagnostics)
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
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            print(f"{name}: error[NAS004]: the file is not UTF-8 text", file=sys.stderr)
            status = EXIT_SPEC
            continue
        try:
            formatted = format_source(text, name)
        except SpecError as err:
            print("\n\n".join(render(d, text) for d in err.diagnostics), file=sys.stderr)
            status = EXIT_SPEC
            continue
        if formatted == text:
            continue
        if args.diff:
            import difflib

            sys.stdout.writelines(difflib.unified_diff(
                text.splitlines(keepends=True), formatted.splitlines(keepends=True),
                f"{name}", f"{name} (formatted)"))
            status = max(status, EXIT_SPEC)
        elif args.check:
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


def cmd_space(args: argparse.Namespace) -> int:
    """Print the size of a spec's space, its static measures and constraint shares."""
    from nasdsl.data import describe_spec
    from nasdsl.lang.analysis import space_report
    from nasdsl.lang.units import Dimension, format_quantity

    result = load(args.file)
    if not result.ok or result.spec is None:
        print_diagnostics(result)
        return EXIT_SPEC
    if args.samples < 1:
        raise UsageError("--samples must be at least 1")
    report = space_report(result.spec, samples=args.samples, seed=args.seed,
                          describe=describe_spec)
    size = report.size
    print(f"space {result.spec.space.kind} of {result.spec.name}")
    print(f"  architectures      {report.size_text()}")
    if size.training > 1 or size.training_continuous:
        extra = f" (times continuous: {', '.join(size.training_continuous)})" \
            if size.training_continuous else ""
        print(f"  training configs   {size.training:,}{extra}")
    if not report.measures:
        print(f"  measures           unavailable: {report.note}")
        return EXIT_OK
    how = "every architecture" if report.exact else \
        f"a random sample of {report.examined:,} (seed {args.seed})"
    print(f"  measured over      {how}"
          + (f"; {report.invalid:,} cannot be built" if report.invalid else ""))
    dims = {"params": Dimension.COUNT, "model_size": Dimension.SIZE, "flops": Dimension.COUNT}
    print(f"  {'':18} {'min':>10} {'median':>10} {'max':>10}")
    for m in report.measures:
        cells = [format_quantity(v, dims[m.name]) for v in (m.low, m.median, m.high)]
        print(f"  {m.name:18} {cells[0]:>10} {cells[1]:>10} {cells[2]:>10}")
    for share in report.shares:
        print(f"  {share.share:7.1%} satisfy {share.text}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add check, fmt, compile and space to the command parser."""
    p = sub.add_parser("check", help="check specs for errors")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("fmt", help="format specs in the canonical layout")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--check", action="store_true", help="only report unformatted files")
    p.add_argument("--diff", action="store_true",
                   help="print what formatting would change (a unified diff); change nothing")
    p.set_defaults(func=cmd_fmt)

    p = sub.add_parser("compile", help="compile a spec to a Hydra config directory")
    p.add_argument("file", metavar="FILE")
    p.add_argument("-o", "--output", required=True, metavar="DIR")
    p.set_defaults(func=cmd_compile)

    p = sub.add_parser("space", help="size and static measures of a spec's search space")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--samples", type=int, default=500, metavar="N",
                   help="architectures sampled when the space is too large to enumerate")
    p.add_argument("--seed", type=int, default=0, help="seed of the sample")
    p.set_defaults(func=cmd_space)
