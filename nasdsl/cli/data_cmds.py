"""Commands on data: `nasdsl data download NAME…` and `nasdsl data list`."""

from __future__ import annotations

import argparse
from pathlib import Path

from nasdsl.cli.common import EXIT_OK, UsageError


def cmd_download(args: argparse.Namespace) -> int:
    """Fetch standard datasets' official files into the data folder (checksums verified)."""
    from nasdsl.data import DataError
    from nasdsl.data.standard import download

    root = Path(args.dir) if args.dir else None
    for name in args.names:
        try:
            download(name, root, mirror=args.mirror)
        except DataError as err:
            raise UsageError(str(err)) from err
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    """Say where each standard dataset's files are expected and whether they are there."""
    from nasdsl.data.standard import DOWNLOADS, data_root, expected_files

    root = Path(args.dir) if args.dir else data_root()
    print(f"data folder: {root} (set NASDSL_DATA to change it)")
    for name in DOWNLOADS:
        files = expected_files(name, root)
        here = sum(p.is_file() or p.with_suffix("").is_file() for p in files)
        state = "ready" if here == len(files) else \
            f"missing {len(files) - here} of {len(files)} files: nasdsl data download {name}"
        print(f"  {name:<14} {root / name}  {state}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add `data download` and `data list`."""
    from nasdsl.lang import registry as reg

    names = [d.name for d in reg.DATASETS.values() if d.kind == "standard"]
    p = sub.add_parser("data", help="standard datasets: download their official files, list "
                       "where they are")
    data_sub = p.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    d = data_sub.add_parser("download", help="fetch official files (MD5-verified) into the "
                            "data folder")
    d.add_argument("names", nargs="+", choices=names, metavar="NAME",
                   help=f"one of: {', '.join(names)}")
    d.add_argument("--dir", help="data folder (default: $NASDSL_DATA or "
                   "~/.local/share/nasdsl)")
    d.add_argument("--mirror", help="fetch the same file names from this address instead "
                   "(default: $NASDSL_DATA_MIRROR)")
    d.set_defaults(func=cmd_download)
    ls = data_sub.add_parser("list", help="where each dataset's files are expected")
    ls.add_argument("--dir", help="data folder (default: $NASDSL_DATA)")
    ls.set_defaults(func=cmd_list)
