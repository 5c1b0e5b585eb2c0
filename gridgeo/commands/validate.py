"""``gridgeo validate PATH``: check a layer file (or a whole atlas folder) and report each problem.

Exit 0 and one OK line when clean; exit 1 with one line per problem on stdout (and a summary on
stderr); exit 2 for usage errors. ``--repair OUT`` writes a copy with invalid geometries fixed by
shapely.make_valid (atomically), then reports what is still wrong in that copy.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from gridgeo.atlas.io import WRITE_DRIVERS, parse_crs, write_layer
from gridgeo.atlas.model import DEFAULT_TOLERANCE_M2, REQUIRED_COLUMNS
from gridgeo.atlas.validation import (
    Problem,
    repair_geometries,
    validate_folder,
    validate_frame,
    validate_path,
)
from gridgeo.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the validate options."""
    parser.epilog = (
        "Exit status: 0 clean (one OK line), 1 problems (one line each: file, feature, what, what to do), "
        "2 usage error. GeoJSON without a crs member is WGS84 (RFC 7946); GCJ-02/BD-09 data cannot say so "
        "in the file: declare it with --crs. A folder is validated as an atlas (district, streets, "
        "communities, grids, legacy, units .geojson): nesting and tiling per parent.")
    parser.add_argument("path", metavar="PATH",
                        help="a layer file (.geojson .json .gpkg .shp .csv) or an atlas folder")
    parser.add_argument("--crs", metavar="NAME",
                        help="CRS of the coordinates in the file: WGS84, CGCS2000, GCJ02, BD09 or EPSG:xxxx "
                             "(required for CSV and files without a CRS)")
    parser.add_argument("--kind", choices=list(REQUIRED_COLUMNS),
                        help="what the file holds (guessed from its name or columns when omitted)")
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE_M2, metavar="M2",
                        help=f"overlap/gap/outside-parent tolerance in m² (default {DEFAULT_TOLERANCE_M2:g})")
    parser.add_argument("--parent", metavar="PATH",
                        help="the parent layer (e.g. communities for grids): check nesting and gaps per parent")
    parser.add_argument("--parent-crs", metavar="NAME", help="CRS of the parent file (default: --crs)")
    parser.add_argument("--layer", metavar="NAME", help="layer of a multi-layer GeoPackage")
    parser.add_argument("--repair", metavar="OUT",
                        help="write a copy with invalid geometries fixed (make_valid) to OUT "
                             f"({', '.join(WRITE_DRIVERS)})")


def _check_args(args: argparse.Namespace, path: Path) -> None:
    if not (args.tolerance >= 0):
        raise UsageError(f"--tolerance must be a number of m² >= 0, not {args.tolerance:g}")
    for name in (args.crs, args.parent_crs):
        if name:
            parse_crs(name)
    if args.repair:
        out = Path(args.repair)
        if out.suffix.lower() not in WRITE_DRIVERS:
            raise UsageError(f"--repair {out}: use one of {', '.join(WRITE_DRIVERS)}")
        if path.exists() and out.exists() and out.resolve() == path.resolve():
            raise UsageError(f"--repair {out}: give a new file, not the input itself")
        if not (out.parent if str(out.parent) else Path(".")).is_dir():
            raise UsageError(f"--repair {out}: folder {out.parent} does not exist")
    if path.is_dir():
        extra = [f"--{n.replace('_', '-')}" for n in ("crs", "kind", "parent", "parent_crs", "layer", "repair")
                 if getattr(args, n)]
        if extra:
            raise UsageError(f"{path}: is an atlas folder; {', '.join(extra)} can only be used with a single "
                             "layer file")


def _report(problems: list[Problem], ok_line: str, what: str) -> int:
    try:
        if not problems:
            print(ok_line)
            return 0
        for problem in problems:
            print(problem)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `gridgeo validate ... | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1 if problems else 0
    print(f"gridgeo validate: {len(problems)} problem{'s' if len(problems) != 1 else ''} in {what}",
          file=sys.stderr)
    return 1


def _run_import(folder: Path) -> int:
    """A folder of an office's files: what `gridgeo atlas import --dir` would do, and its problems."""
    from gridgeo.atlas.importing.check import import_folder

    result, notes = import_folder(folder)
    for line in [n.render("en") for n in notes] + result.summary:
        print(f"import: {line}")
    warned = {id(p) for p in result.warnings}
    for problem in result.problems:
        print(("warning: " if id(problem) in warned else "") + str(problem))
    counts = ", ".join(f"{len(getattr(result.atlas, k)):,} {k}" for k in ("streets", "communities", "grids"))
    if not result.problems:
        print(f"OK {folder}: the import would store {counts}; no problems")
        return 0
    print(f"gridgeo validate: the import of {folder} finds {len(result.errors):,} error(s) and "
          f"{len(result.warnings):,} warning(s); it would store nothing (see --skip-invalid, --accept-warnings)",
          file=sys.stderr)
    return 1


def _run_atlas(folder: Path, tolerance: float) -> int:
    from gridgeo.atlas.importing.check import is_atlas_folder

    if not is_atlas_folder(folder):
        return _run_import(folder)
    problems, counts = validate_folder(folder, tolerance)
    listing = ", ".join(f"{n:,} {name}" for name, n in counts.items())
    return _report(problems, f"OK {folder}: atlas with {listing}; no problems (tolerance {tolerance:g} m²)",
                   f"atlas {folder}")


def run(args: argparse.Namespace) -> int:
    """Validate a file or an atlas folder; see the module docstring for exit codes."""
    path = Path(args.path)
    _check_args(args, path)
    if path.is_dir():
        return _run_atlas(path, args.tolerance)
    from gridgeo.atlas.importing.check import as_import, kind_by_content

    report = validate_path(path, args.kind, args.crs, args.tolerance, args.parent, args.parent_crs, args.layer,
                           prepare=as_import, guess=kind_by_content)
    kind_note = f"kind {report.kind}, {report.kind_reason}" if report.kind else "kind unknown"
    parent_ok = args.parent is None or report.parent_frame is not None
    if args.repair and report.frame is not None and parent_ok:
        fixed, n_fixed = repair_geometries(report.frame, report.kind)
        write_layer(fixed, args.repair)
        print(f"wrote {args.repair}: {n_fixed} invalid geometr{'y' if n_fixed == 1 else 'ies'} repaired "
              "with make_valid (WGS84)", file=sys.stderr)
        problems = validate_frame(fixed, report.kind, str(args.repair), args.tolerance, report.parent_frame,
                                  tiling=report.kind != "legacy")
        return _report(problems, f"OK {args.repair}: {len(fixed):,} features after repair ({kind_note}); "
                       f"no problems (tolerance {args.tolerance:g} m²)", f"{args.repair} ({kind_note})")
    n = len(report.frame) if report.frame is not None else 0
    return _report(report.problems, f"OK {path}: {n:,} features ({kind_note}); no problems "
                   f"(tolerance {args.tolerance:g} m²)", f"{path} ({kind_note})")
