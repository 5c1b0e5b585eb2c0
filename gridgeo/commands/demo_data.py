"""`gridgeo demo-data`: regenerate the synthetic default dataset inside the real outline, or
generate one inside any outline:

    gridgeo demo-data --outline FILE [--crs CRS] --code CODE --name NAME [--population N] --out DIR

A city code (ending in 00, e.g. 440300 with ../shared/data/boundaries/440300.geojson) gets
districts, streets, communities, grids, legacy layers and units; a district code gets the levels
below it. The result imports with ``gridgeo atlas import --dir DIR --name NAME``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tqdm import tqdm

from gridgeo.atlas.load import DEFAULT_DATA_DIR
from gridgeo.commands._checks import check_dir_creatable
from gridgeo.demo.district import OUTLINE_FILE, generate_atlas, write_atlas
from gridgeo.errors import InputError, UsageError

STEPS = ("streets", "communities", "grids and basic units", "legacy layers")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=DEFAULT_DATA_DIR,
                        help="folder to write the atlas into (default: data/boundaries)")
    parser.add_argument("--outline-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help=f"folder holding {OUTLINE_FILE} (the real GCJ-02 outline)")
    parser.add_argument("--seed", type=int, default=20241, help="random seed (default 20241)")
    parser.add_argument("--outline", type=Path, metavar="FILE",
                        help="generate inside this outline instead (any district or city; needs --code, --name, --out)")
    parser.add_argument("--crs", metavar="CRS", help="CRS of --outline: WGS84, CGCS2000, GCJ02, BD09 or EPSG:n "
                        "(cnmaps files are bare GCJ02 geometries)")
    parser.add_argument("--code", metavar="CODE", help="6-digit GB/T 2260 code of the outline (e.g. 440300)")
    parser.add_argument("--name", metavar="NAME", help="name of the outline's area (e.g. 深圳市)")
    parser.add_argument("--population", type=int, metavar="N",
                        help="people to place (default: 9,000 per km², a Shenzhen-like density)")


def run(args: argparse.Namespace) -> int:
    if args.seed < 0:
        raise UsageError(f"--seed {args.seed}: use a number of 0 or more")
    if args.outline is not None:
        return _run_outline(args)
    check_dir_creatable(args.out, "--out")
    outline = args.outline_dir / OUTLINE_FILE
    if not outline.exists():
        raise InputError(f"{outline}: outline not found; copy ../shared/data/boundaries/440311.geojson there")
    started = time.perf_counter()
    with tqdm(total=len(STEPS) + 1, desc="demo-data", unit="step") as bar:
        def progress(step: str) -> None:
            bar.set_postfix_str(step)
            bar.update(1)

        atlas = generate_atlas(args.outline_dir, seed=args.seed, progress=progress)
        bar.set_postfix_str("writing")
        write_atlas(atlas, args.out)
        _write_service_points(args.out, args.seed)
        bar.update(1)
    counts = ", ".join(f"{k} {v}" for k, v in atlas.meta["counts"].items())
    totals = ", ".join(f"{k} {v:,}" for k, v in atlas.meta["totals"].items())
    print(f"wrote {args.out} in {time.perf_counter() - started:.1f} s: {counts}; {totals}")
    return 0


def _write_service_points(out: Path, seed: int) -> None:
    """The service network of the atlas just written (read back, so the points follow the stored
    coordinates), as ``service_points.geojson`` beside it."""
    from gridgeo.atlas.load import load_atlas
    from gridgeo.demo.service_points import generate_service_points, write_service_points

    write_service_points(generate_service_points(load_atlas(out), seed=seed), out)


def _run_outline(args: argparse.Namespace) -> int:
    """demo-data --outline: a synthetic atlas inside any outline."""
    from gridgeo.demo.outline import OutlineSpec, generate_for_outline, read_outline

    missing = [flag for flag, value in (("--code", args.code), ("--name", args.name)) if not value]
    if args.out == DEFAULT_DATA_DIR:
        missing.append("--out (the embedded demo in data/boundaries is not overwritten)")
    if missing:
        raise UsageError(f"--outline needs {', '.join(missing)}")
    if not args.outline.is_file():
        raise InputError(f"{args.outline}: no such outline file")
    check_dir_creatable(args.out, "--out")
    spec = OutlineSpec(code=args.code, name=args.name, population=args.population, seed=args.seed)
    started = time.perf_counter()
    steps = ("districts", "streets", "communities", "grids and basic units", "legacy layers")
    with tqdm(total=len(steps) + 1, desc="demo-data", unit="step") as bar:
        def progress(step: str) -> None:
            bar.set_postfix_str(step)
            bar.update(1)

        outline = read_outline(args.outline, args.crs)
        atlas = generate_for_outline(outline, spec, outline_source=args.outline.name, progress=progress)
        bar.set_postfix_str("writing")
        write_atlas(atlas, args.out)
        _write_service_points(args.out, args.seed)
        bar.update(1)
    counts = ", ".join(f"{k} {v:,}" for k, v in atlas.meta["counts"].items())
    print(f"wrote {args.out} in {time.perf_counter() - started:.1f} s: {counts}; "
          f"population {atlas.meta['totals']['population']:,} (synthetic inside the real outline)")
    return 0
