"""``gridgeo partition``: propose unified all-element grids from overlapping legacy grid layers.

Writes OUT/grids.gpkg, OUT/grids.geojson, OUT/crosswalk.csv, OUT/metrics.json and OUT/summary.md
(each atomically) and prints the summary. Inputs are read with gridgeo.atlas.io.read_layer (any CRS,
GeoJSON/GPKG/SHP/CSV) and checked with gridgeo.atlas.validation; invalid polygons are repaired with
make_valid (and counted in metrics.json), null/empty/wrong-type geometries and bad counts stop
the run with one line naming the file and feature.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from gridgeo.atlas.model import DEFAULT_MAX_HOUSEHOLDS, DEFAULT_MIN_HOUSEHOLDS
from gridgeo.errors import InputError, UsageError

if TYPE_CHECKING:
    from gridgeo.partition import PartitionOptions

OUTPUT_FILES = ("grids.gpkg", "grids.geojson", "crosswalk.csv", "metrics.json", "summary.md")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the partition options."""
    parser.epilog = ("Either --atlas NAME (a stored atlas, see `gridgeo atlas list`), --atlas DIR (a folder with "
                     "communities.geojson, legacy.geojson, units.geojson; data/boundaries is the default dataset) "
                     "or --communities, --legacy and --units. A legacy file may hold several layers in its "
                     "`layer` column.")
    parser.add_argument("--atlas", metavar="NAME|DIR", help="stored atlas name, or atlas folder, to take the three "
                        "inputs from (e.g. data/boundaries)")
    parser.add_argument("--database", metavar="URL", help="store holding --atlas NAME (default GRIDGEO_DATABASE_URL "
                        "or the data dir)")
    parser.add_argument("--communities", metavar="PATH", help="community boundaries (code, geometry)")
    parser.add_argument("--legacy", metavar="PATH", action="append",
                        help="legacy grid layer file(s) (code, layer, geometry); repeat for several files")
    parser.add_argument("--units", metavar="PATH", help="basic units with households, population, enterprises")
    parser.add_argument("--min-households", type=float, default=DEFAULT_MIN_HOUSEHOLDS, metavar="N")
    parser.add_argument("--max-households", type=float, default=DEFAULT_MAX_HOUSEHOLDS, metavar="N")
    parser.add_argument("--min-population", type=float, metavar="N", help="optional population band (reported)")
    parser.add_argument("--max-population", type=float, metavar="N")
    parser.add_argument("--primary-layer", metavar="NAME",
                        help="legacy layer to keep whole where it fits (default: the one that fits best)")
    parser.add_argument("--layers", metavar="A,B,...", help="use only these legacy layers")
    parser.add_argument("--previous", metavar="PATH", help="earlier proposal: unchanged grids keep its codes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sliver", type=float, default=100.0, metavar="M2",
                        help="merge refinement pieces below this area into a neighbour (default 100)")
    parser.add_argument("--repair", choices=("auto", "maup", "none"), default="auto",
                        help="maup.smart_repair of legacy layers: auto (when overlaps exceed the sliver "
                             "tolerance), maup (every unclean layer) or none")
    parser.add_argument("--jobs", type=int, default=2,
                        help="processes for the per-community solver (default 2; 1 = in this process)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:8786",
                        help="solve the communities on this Dask distributed cluster")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="start a Dask LocalCluster of N worker processes for the run")
    parser.add_argument("--out", metavar="DIR", required=True, help="output folder (created if missing)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _read(path: str, kind: str, source_label: str) -> gpd.GeoDataFrame:
    from gridgeo.atlas.io import read_layer
    from gridgeo.atlas.validation import check_counts, check_geometries, repair_geometries

    gdf = read_layer(path, kind=kind)
    blocking = [p for p in check_geometries(gdf, kind, source_label)
                if p.check in ("null_geometry", "empty_geometry", "geometry_type")]
    if kind == "units":
        blocking += check_counts(gdf, source_label, kind)
    if blocking:
        more = f" (and {len(blocking) - 1} more problems; run `gridgeo validate {path}`)" if len(blocking) > 1 else ""
        raise InputError(f"{blocking[0]}{more}")
    gdf, fixed = repair_geometries(gdf, kind)
    gdf.attrs["repaired_invalid"] = fixed
    return gdf


def load_inputs(args: argparse.Namespace) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame, dict]:
    """Read communities, legacy (all files concatenated) and units from the arguments."""
    paths = {"communities": args.communities, "legacy": args.legacy, "units": args.units}
    if args.atlas and not Path(args.atlas).exists() and not any((args.communities, args.legacy, args.units)):
        return load_stored_inputs(args.atlas, args.database)
    if args.atlas:
        folder = Path(args.atlas)
        if not folder.is_dir():
            raise UsageError(f"--atlas {folder}: not a folder; give the folder holding communities.geojson, "
                             "legacy.geojson and units.geojson")
        paths = {"communities": paths["communities"] or str(folder / "communities.geojson"),
                 "legacy": paths["legacy"] or [str(folder / "legacy.geojson")],
                 "units": paths["units"] or str(folder / "units.geojson")}
    missing = [f"--{k}" for k, v in paths.items() if not v]
    if missing:
        raise UsageError(f"missing {', '.join(missing)}: give them or --atlas DIR")
    repairs = {}
    communities = _read(paths["communities"], "communities", paths["communities"])
    repairs[paths["communities"]] = communities.attrs.get("repaired_invalid", 0)
    frames = []
    for path in paths["legacy"]:
        frame = _read(path, "legacy", path)
        repairs[path] = frame.attrs.get("repaired_invalid", 0)
        if "layer" not in frame.columns:
            raise InputError(f"{path}: missing field 'layer'; add a layer column naming the department "
                             "(party, comprehensive, urban, ...)")
        frames.append(frame)
    legacy = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    dup = legacy.duplicated(["layer", "code"]) if "code" in legacy.columns else None
    if dup is not None and dup.any():
        row = legacy[dup].iloc[0]
        raise InputError(f"legacy: layer {row['layer']} has code {row['code']} twice; give each legacy grid "
                         "of a layer its own code")
    units = _read(paths["units"], "units", paths["units"])
    repairs[paths["units"]] = units.attrs.get("repaired_invalid", 0)
    return communities, legacy, units, {"inputs": paths, "invalid_geometries_repaired": repairs}


def load_stored_inputs(name: str, database: str | None
                       ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame, dict]:
    """Communities, legacy layers and units of the stored atlas ``name`` (see `gridgeo atlas`)."""
    from gridgeo.atlas.validation import repair_geometries
    from gridgeo.commands._checks import open_store_checked
    from gridgeo.config import get_settings
    from gridgeo.store.atlases import AtlasNotFound, load_stored_atlas

    with open_store_checked(database or get_settings().store_url, seed_default=False) as store:
        try:
            atlas = load_stored_atlas(store, name)
        except AtlasNotFound as exc:
            raise UsageError(f"--atlas {name}: no such folder, and {exc}") from None
    for layer in ("communities", "legacy", "units"):
        if not len(getattr(atlas, layer)):
            raise InputError(f"--atlas {name}: the stored atlas has no {layer}; import them with "
                             f"`gridgeo atlas import --name {name} ... --{layer} F`")
    frames = [repair_geometries(getattr(atlas, layer), layer) for layer in ("communities", "legacy", "units")]
    report = {"inputs": {"atlas": name, "version": atlas.meta.get("atlas_version")},
              "invalid_geometries_repaired": {layer: n for layer, (_, n) in
                                              zip(("communities", "legacy", "units"), frames, strict=True)}}
    return frames[0][0], frames[1][0], frames[2][0], report


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_outputs(out: Path, grids: gpd.GeoDataFrame, crosswalk: pd.DataFrame, metrics: dict) -> list[Path]:
    """Write the five output files atomically into ``out`` (created if missing)."""
    from gridgeo.atlas.io import write_layer
    from gridgeo.partition.summary import summary_markdown

    out.mkdir(parents=True, exist_ok=True)
    write_layer(grids, out / "grids.gpkg")
    write_layer(grids, out / "grids.geojson")
    _atomic_write_text(out / "crosswalk.csv", crosswalk.to_csv(index=False))
    _atomic_write_text(out / "metrics.json", json.dumps(metrics, ensure_ascii=False, indent=2, default=str))
    _atomic_write_text(out / "summary.md", summary_markdown(metrics))
    return [out / name for name in OUTPUT_FILES]


def check_args(args: argparse.Namespace) -> None:
    """The option values no run can use, as one-line UsageError (before any file is read)."""
    if args.min_households < 0 or args.max_households <= args.min_households:
        raise UsageError(f"--min-households {args.min_households:g} / --max-households {args.max_households:g}: "
                         "need 0 <= min < max")
    lo, hi = args.min_population, args.max_population
    if (lo is not None and not lo >= 0) or (hi is not None and not hi > (lo or 0)):
        raise UsageError(f"--min-population {lo} / --max-population {hi}: need 0 <= min < max")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers {args.workers}: use 1 or more worker processes")
    if args.scheduler and args.workers:
        raise UsageError("give --scheduler (an existing Dask cluster) or --workers N (a local one), not both")
    if args.scheduler and not args.scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        raise UsageError(f"--scheduler {args.scheduler}: give the scheduler address, e.g. tcp://10.0.0.5:8786")
    if not args.sliver >= 0:
        raise UsageError(f"--sliver {args.sliver}: use an area in m² of 0 or more")


def read_previous(path: str | None) -> gpd.GeoDataFrame | None:
    """The earlier grids whose codes to keep (``--previous``), or None; InputError naming the file."""
    if not path:
        return None
    from gridgeo.atlas.io import read_layer

    previous = read_layer(path)
    if "code" not in previous.columns:
        raise InputError(f"{path}: missing field 'code'; give an earlier grids file")
    if not previous.geom_type.isin(["Polygon", "MultiPolygon"]).all():
        raise InputError(f"{path}: holds {', '.join(sorted(set(previous.geom_type.dropna())))} "
                         "features; give an earlier grids file (polygons with a code)")
    return previous


def partition_options(args: argparse.Namespace) -> PartitionOptions:
    """The run's :class:`~gridgeo.partition.PartitionOptions` from the command line."""
    from gridgeo.partition import PartitionOptions

    layers = tuple(x.strip() for x in args.layers.split(",") if x.strip()) if args.layers else None
    return PartitionOptions(args.min_households, args.max_households, args.min_population, args.max_population,
                            primary_layer=args.primary_layer, layers=layers, seed=args.seed,
                            sliver_m2=args.sliver, repair=args.repair, n_jobs=args.jobs)


def run(args: argparse.Namespace) -> int:
    """Read, partition, write, print the summary; 0 on success."""
    from gridgeo.commands._checks import check_dir_creatable
    from gridgeo.partition import PartitionInputs, run_partition
    from gridgeo.partition.engine import Engine
    from gridgeo.partition.summary import summary_markdown

    check_args(args)
    out = check_dir_creatable(args.out, "--out")
    communities, legacy, units, input_report = load_inputs(args)
    previous = read_previous(args.previous)
    options = partition_options(args)

    bar = None
    if not args.quiet:
        from tqdm import tqdm
        bar = tqdm(total=100, desc="partition", unit="%", file=sys.stderr, leave=False)

    def progress(stage: str, frac: float) -> None:
        if bar is not None:
            bar.set_description(stage[:32])
            bar.n = int(frac * 100)
            bar.refresh()

    try:
        res = run_partition(PartitionInputs(communities, legacy, units, previous=previous), options,
                            progress=progress,
                            engine=Engine(jobs=args.jobs, scheduler=args.scheduler, workers=args.workers))
    finally:
        if bar is not None:
            bar.close()
    res.metrics["input"] = input_report
    write_outputs(out, res.grids, res.crosswalk, res.metrics)
    print(summary_markdown(res.metrics))
    print(f"wrote {', '.join(str(out / n) for n in OUTPUT_FILES)}")
    return 0
