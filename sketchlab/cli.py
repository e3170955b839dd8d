"""Command line: ``python -m sketchlab <command>``.

    python -m sketchlab demo [--data toy|DIR] [--out reports/demo] [--profile quick|full]
    python -m sketchlab data toy --out DIR [--seed N]
    python -m sketchlab data download --out DIR
    python -m sketchlab data inspect DIR [--json]

Bad input exits with status 2 and a message that names the file or setting.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .config import ProfileError
from .data import DataError


def _demo(args: argparse.Namespace) -> None:
    from .report import write_report
    from .session import start

    session = start(data=args.data, profile=args.profile)
    summary = write_report(session, args.out)
    print(f"report written to {summary.parent}/ (open {summary})")


def _data_toy(args: argparse.Namespace) -> None:
    from .toy import make_toy_data

    out = make_toy_data(Path(args.out), seed=args.seed)
    print(f"toy faces written to {out} (188 pairs: 88 train / 100 test)")


def _data_download(args: argparse.Namespace) -> None:
    from .data import download

    out = download(Path(args.out))
    print(f"CUFS photos and sketches in {out}")


def _data_inspect(args: argparse.Namespace) -> None:
    from .data import inspect

    report = inspect(Path(args.folder))
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"{report['kind']} data at {report['root']}")
    print(f"{report['pairs']} pairs: {report['train']} train / {report['test']} test")
    for item in report["items"]:
        print(f"  {item['split']:5}  {item['person_id']:10}  {item['photo']}  <->  {item['sketch']}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m sketchlab``."""
    parser = argparse.ArgumentParser(prog="python -m sketchlab", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="run the course's main job on the data in use and write a report")
    demo.add_argument("--data", default=None, help="'toy' or a CUFS folder (default: data/cufs if present, else toy)")
    demo.add_argument("--out", default="reports/demo", help="report folder (default: reports/demo)")
    demo.add_argument("--profile", choices=("quick", "full"), default=None, help="default: full on a GPU, else quick")
    demo.set_defaults(run=_demo)

    data = commands.add_parser("data", help="make, download or inspect the data")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    toy = data_commands.add_parser("toy", help="make the synthetic toy faces")
    toy.add_argument("--out", required=True, help="folder to create")
    toy.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    toy.set_defaults(run=_data_toy)
    download = data_commands.add_parser("download", help="download CUFS from Kaggle (public, no account needed)")
    download.add_argument("--out", required=True, help="folder to create, e.g. data/cufs")
    download.set_defaults(run=_data_download)
    inspect = data_commands.add_parser("inspect", help="report the pairs and the split of a CUFS folder")
    inspect.add_argument("folder", help="a folder holding photos/ and sketches/")
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    inspect.set_defaults(run=_data_inspect)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except (DataError, ProfileError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0
