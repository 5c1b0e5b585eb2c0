"""The ``gridgeo`` command line: subcommands are modules in gridgeo.commands, loaded lazily.

Exit codes: 0 success, 1 the input has problems (each reported on one line), 2 usage errors.
Errors never surface as tracebacks; set GRIDGEO_DEBUG=1 to see one.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from gridgeo import __version__
from gridgeo.config import SettingsError
from gridgeo.errors import GridgeoError

# name -> (module in gridgeo.commands, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("validate", "check a boundary, grid, unit or event file and report each problem"),
    "demo-data": ("demo_data", "generate the synthetic default dataset inside the real outline"),
    "serve": ("serve", "run the petition/event HTTP service (FastAPI)"),
    "ingest": ("ingest", "load events from a CSV or GeoJSON file into the store"),
    "simulate": ("simulate", "generate a realistic stream of synthetic events"),
    "partition": ("partition", "propose merged all-element grids from legacy layers"),
    "users": ("users", "add and list the users who log in (roles scoped to territory)"),
    "keys": ("keys", "create, revoke and list API keys for machines"),
    "poster": ("poster", "print a community's grids as an A3 PDF poster (一格一图)"),
    "atlas": ("atlas", "import a district's own files as an atlas; list, use, show, export atlases"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 with one line
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _debug() -> bool:
    from gridgeo.config import get_settings

    try:
        return get_settings().debug
    except SettingsError:
        return False


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand registered."""
    parser = _Parser(prog="gridgeo", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"gridgeo {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        try:
            module = importlib.import_module(f"gridgeo.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"gridgeo.commands.{module_name}":
                raise
            continue  # subcommand not built yet
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(sub_parser)
        sub_parser.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args._run(args) or 0)
    except SettingsError as exc:
        print(f"gridgeo {args.command}: {exc}", file=sys.stderr)
        return 2
    except GridgeoError as exc:
        print(f"gridgeo {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"gridgeo {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # last resort: one line, never a traceback
        if _debug():
            raise
        print(f"gridgeo {args.command}: unexpected error: {type(exc).__name__}: {exc} "
              "(set GRIDGEO_DEBUG=1 for details)", file=sys.stderr)
        return 1
