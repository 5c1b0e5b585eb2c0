"""``gridgeo atlas import|list|use|show|export``: a district's own atlas, kept in the store.

    gridgeo atlas import --name NAME --communities F [--streets F] [--grids F] [--legacy LAYER=F ...]
                         [--units F] [--service-points F] [--crs LAYER=CRS ...] [--fields MAP.toml] [--accept-warnings]
                         [--skip-invalid] [--rejects PATH] [--database URL]
                         (or --dir DIR: files placed by content and name)
    gridgeo atlas list
    gridgeo atlas use NAME
    gridgeo atlas show NAME
    gridgeo atlas export NAME --format gpkg|shp|geojson|xlsx --out DIR
    gridgeo atlas recode NAME --layer LAYER --from FILE   (provisional codes -> the office's codes)

Exit status: 0 done (an import may have skipped dirty unit rows, and with --skip-invalid rows with
errors: counted, and listed in the rejects files); 1 the input has problems (one line each) and
nothing was stored; 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gridgeo.errors import InputError, UsageError

ACTIONS = ("import", "list", "use", "show", "export", "recode")
DIR_LAYERS = ("district", "streets", "communities", "grids", "legacy", "units", "service_points")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the atlas actions and their options."""
    parser.epilog = __doc__.split("\n\n", 1)[1]
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    sub = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    imp = sub.add_parser("import", help="import an office's files as a stored atlas")
    imp.add_argument("--name", required=True, help="atlas name (letters, digits, Chinese, - _ .)")
    imp.add_argument("--dir", metavar="DIR", help="folder whose files are found by name (communities.shp, 社区.shp, 网格.shp, 党建网格.shp, 楼栋台账.xlsx, ...)")
    for layer in ("communities", "streets", "grids", "district"):
        imp.add_argument(f"--{layer}", metavar="F", help=f"{layer} file (.shp .gpkg .geojson .csv)")
    imp.add_argument("--legacy", metavar="LAYER=F", action="append", default=[],
                     help="a legacy department layer, e.g. party=党建网格.shp (repeat)")
    imp.add_argument("--units", metavar="F", action="append", default=[],
                     help="basic units: a register (.xlsx/.csv with 经度/纬度) or points/polygons (repeat)")
    imp.add_argument("--service-points", metavar="F", action="append", default=[],
                     help="halls, centres and stations: points (.shp .gpkg .geojson) or a register "
                          "(.xlsx/.csv with 经度/纬度), e.g. 服务网点.xlsx (repeat)")
    imp.add_argument("--crs", metavar="LAYER=CRS", action="append", default=[],
                     help="CRS of a layer's coordinates when the file does not say, e.g. units=GCJ02, "
                          "grids=EPSG:4544 (repeat)")
    imp.add_argument("--fields", metavar="MAP.toml", help="field map over the alias table ([layer] \"src\" = \"field\")")
    imp.add_argument("--accept-warnings", action="store_true", help="store despite gaps/overlaps (warnings)")
    imp.add_argument("--skip-invalid", action="store_true",
                     help="store the rows that pass; write each rejected row (file, row, reason) to the rejects")
    imp.add_argument("--rejects", metavar="PATH", help="rejects listing (CSV; default UNITS.rejected.csv, else "
                     "NAME.rejected.csv beside the communities file); rejected rows of an area file are "
                     "written beside it as <file>.rejected.<ext>")
    for name, help_text in (("list", "list the stored atlases"), ("use", "make an atlas active and publish its grids"),
                            ("show", "show a stored atlas"), ("export", "export a stored atlas")):
        p = sub.add_parser(name, help=help_text)
        if name != "list":
            p.add_argument("name", metavar="NAME")
            p.add_argument("--version", type=int, help="a stored version (default the latest)")
        if name == "export":
            p.add_argument("--format", required=True, choices=("gpkg", "shp", "geojson", "xlsx"))
            p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if missing)")
    rec = sub.add_parser("recode", help="replace provisional codes with the office's codes")
    rec.add_argument("name", metavar="NAME")
    rec.add_argument("--layer", required=True, choices=("district", "streets", "communities", "grids"))
    rec.add_argument("--from", dest="table", required=True, metavar="FILE",
                     help="two columns: name or provisional code, official code (.csv or .xlsx)")
    for p in sub.choices.values():
        p.add_argument("--database", metavar="URL", help="store URL (default GRIDGEO_DATABASE_URL or the data dir)")
        p.add_argument("--quiet", action="store_true", help="no progress bar")


def _store(args: argparse.Namespace):
    from gridgeo.commands._checks import open_store_checked
    from gridgeo.config import get_settings

    return open_store_checked(args.database or get_settings().store_url, seed_default=False)


_EXAMPLES = {"--legacy": "--legacy party=党建网格.shp", "--crs": "--crs units=GCJ02"}


def _pairs(values: list[str], flag: str) -> list[tuple[str, str]]:
    out = []
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip() or not rest.strip():
            raise UsageError(f"{flag} {value!r}: write LAYER={'FILE' if flag == '--legacy' else 'CRS'}, "
                             f"e.g. {_EXAMPLES[flag]}")
        out.append((key.strip(), rest.strip()))
    return out


def _dir_sources(folder: Path) -> dict:
    """Sources found in a folder (data/boundaries layout, Chinese file names, one GeoPackage)."""
    from gridgeo.atlas.importing.discover import find_sources

    if not folder.is_dir():
        raise UsageError(f"--dir {folder}: not a folder; give the folder holding communities.* and the other layers")
    notes: list = []
    found = find_sources(folder, notes)
    for note in notes:
        print(note.render("en"))
    if "communities" not in found:
        raise UsageError(f"--dir {folder}: no communities file (communities.shp|gpkg|geojson or a name with 社区)")
    return found


def _sources(args: argparse.Namespace) -> dict:
    sources = _dir_sources(Path(args.dir)) if args.dir else {}
    for layer in ("communities", "streets", "grids", "district"):
        if getattr(args, layer):
            sources[layer] = Path(getattr(args, layer))
    if args.legacy:
        sources["legacy"] = [(slug, Path(path)) for slug, path in _pairs(args.legacy, "--legacy")]
    if args.units:
        sources["units"] = [Path(u) for u in args.units]
    if args.service_points:
        sources["service_points"] = [Path(u) for u in args.service_points]
    if "communities" not in sources:
        raise UsageError("give --communities F (or --dir DIR): the community boundaries are required")
    for layer, value in sources.items():
        paths = [v[1] if isinstance(v, tuple) else v for v in (value if isinstance(value, list) else [value])]
        for path in paths:
            if not Path(path).exists():
                raise InputError(f"{path}: no such file (given for {layer}); check the path")
    return sources


def run(args: argparse.Namespace) -> int:
    """Dispatch to the action."""
    if not getattr(args, "action", None):
        raise UsageError(f"give an action: gridgeo atlas {{{','.join(ACTIONS)}}} (see gridgeo atlas --help)")
    return {"import": run_import, "list": run_list, "use": run_use, "show": run_show,
            "export": run_export, "recode": run_recode}[args.action](args)


def _progress(args: argparse.Namespace):
    if args.quiet:
        return None, None
    from tqdm import tqdm

    bar = tqdm(total=100, desc="import", unit="%", file=sys.stderr, leave=False)

    def progress(stage: str, frac: float) -> None:
        bar.set_description(stage[:32])
        bar.n = int(frac * 100)
        bar.refresh()

    return bar, progress


def _rejects_path(args: argparse.Namespace, sources: dict) -> Path | None:
    if args.rejects:
        return Path(args.rejects)
    units = sources.get("units") or []
    if units:
        return units[0].with_name(units[0].name + ".rejected.csv")
    if args.skip_invalid:
        first = sources["communities"]
        return Path(first[0] if isinstance(first, list) else first).with_name(f"{args.name}.rejected.csv")
    return None


def _crs_args(args: argparse.Namespace) -> dict[str, str]:
    """--crs LAYER=CRS pairs, each layer known and each CRS understood (else UsageError)."""
    from gridgeo.atlas.io import parse_crs

    crs = dict(_pairs(args.crs, "--crs"))
    known = {*DIR_LAYERS, *(slug for slug, _ in _pairs(args.legacy, "--legacy"))}
    for layer, name in crs.items():
        if layer not in known:
            raise UsageError(f"--crs {layer}={name}: no such layer; use one of {', '.join(sorted(known))}")
        try:
            parse_crs(name)
        except UsageError as exc:
            raise UsageError(f"--crs {layer}={name}: {exc}") from None
    return crs


def run_import(args: argparse.Namespace) -> int:
    """Import, report, and store the atlas only when it passes validation."""
    from gridgeo.atlas.importing import import_atlas, load_field_map
    from gridgeo.commands._checks import ensure_parent_dir
    from gridgeo.config import DEMO_ATLAS
    from gridgeo.store.atlases import check_atlas_name

    check_atlas_name(args.name)
    if args.name == DEMO_ATLAS:
        raise UsageError(f"--name {DEMO_ATLAS}: reserved for the embedded synthetic demo; choose another name")
    crs = _crs_args(args)
    sources = _sources(args)
    field_map = load_field_map(args.fields) if args.fields else None
    rejects_path = _rejects_path(args, sources)
    if rejects_path is not None:
        ensure_parent_dir(rejects_path, "--rejects")
    with _store(args) as store:  # opened first: a bad URL fails before the long import
        bar, progress = _progress(args)
        try:
            result = import_atlas(sources, name=args.name, crs=crs, field_map=field_map, progress=progress,
                                  skip_invalid=args.skip_invalid)
        finally:
            if bar is not None:
                bar.close()
        return _finish_import(args, store, result, sources, rejects_path)


def _finish_import(args, store, result, sources: dict, rejects_path: Path | None) -> int:
    from gridgeo.store.atlases import save_atlas

    for line in result.summary:
        print(line)
    if len(result.rejects) and rejects_path is not None:
        from gridgeo.atlas.importing.rejecting import write_rejects

        files = write_rejects(result, rejects_path, _crs_args(args))
        what = "row(s)" if result.rejected else "unit row(s)"
        print(f"{result.rejects[['file', 'row']].drop_duplicates().shape[0]:,} {what} rejected: "
              f"file, row and reason in {', '.join(map(str, files))}")
    warned = {id(p) for p in result.warnings}  # a set: one look-up per problem (1,000,000 of them)
    for problem in result.problems:
        print(("warning: " if id(problem) in warned else "") + str(problem))
    if not result.ok:
        print(f"atlas {args.name}: {len(result.errors):,} problem(s); nothing stored — fix the files and "
              "import again", file=sys.stderr)
        return 1
    if not result.storable(args.accept_warnings):
        print(f"atlas {args.name}: {len(result.warnings):,} warning(s) (gaps, overlaps, parts outside the "
              "parent); nothing stored — fix them, or store anyway with --accept-warnings", file=sys.stderr)
        return 1
    files = {k: [str(p[1] if isinstance(p, tuple) else p) for p in (v if isinstance(v, list) else [v])]
             for k, v in sources.items()}
    version = save_atlas(store, result.atlas, args.name, source={
        "files": files, "summary": result.summary, "mappings": result.mappings,
        "rejected_rows": int(result.rejects[["file", "row"]].drop_duplicates().shape[0]) if len(result.rejects) else 0,
        "warnings_accepted": [str(p) for p in result.warnings]})
    print(f"stored atlas {args.name} version {version}; make it active with `gridgeo atlas use {args.name}`")
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print the stored atlases, the active one marked with *."""
    from gridgeo.store.atlases import list_atlases

    with _store(args) as store:
        table = list_atlases(store)
    if table.empty:
        print("no atlases stored yet; import one with `gridgeo atlas import --name NAME --communities F ...`")
        return 0
    print(f"  {'name':<24} {'ver':>3} {'saved (UTC)':<16} {'streets':>7} {'communities':>11} {'grids':>6} {'units':>6}")
    for r in table.itertuples():
        mark = "*" if r.active else " "
        demo = " (synthetic demo)" if r.is_demo else ""
        print(f"{mark} {r.name:<24} {r.version:>3} {r.saved_at:%Y-%m-%d %H:%M} {r.n_streets:>7,} "
              f"{r.n_communities:>11,} {r.n_grids:>6,} {r.n_units:>6,}{demo}")
    return 0


def run_use(args: argparse.Namespace) -> int:
    """Make the atlas active and publish its grids as the current grid set."""
    from gridgeo.store.atlases import use_atlas

    with _store(args) as store:
        grid_version = use_atlas(store, args.name, args.version)
        n = len(store.grid_set(grid_version))
    print(f"atlas {args.name} is active; its {n:,} grids are grid set version {grid_version}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print what the stored atlas holds and how it was imported."""
    from gridgeo.store.atlases import active_atlas_name, load_stored_atlas

    with _store(args) as store:
        atlas = load_stored_atlas(store, args.name, args.version)
        active = active_atlas_name(store) == args.name
    meta = atlas.meta
    print(f"atlas {args.name} version {meta['atlas_version']}{' (active)' if active else ''}: district "
          f"{atlas.district_code if len(atlas.district) else '?'} {atlas.district['name'].iloc[0] if len(atlas.district) else ''}")
    counts = ", ".join(f"{layer} {len(frame):,}" for layer, frame in atlas.layers().items())
    print(f"layers: {counts}")
    if meta.get("metric_crs"):
        print(f"metric CRS: {meta['metric_crs']}")
    if meta.get("synthetic"):
        print("synthetic demo data")
    for line in meta.get("summary", []):
        print(f"  {line}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Export the stored atlas into a folder."""
    from gridgeo.atlas.importing.export import export_atlas
    from gridgeo.commands._checks import check_dir_creatable
    from gridgeo.store.atlases import load_stored_atlas

    out = check_dir_creatable(args.out, "--out")
    with _store(args) as store:
        atlas = load_stored_atlas(store, args.name, args.version)
    files = export_atlas(atlas, args.format, out, args.name)
    print(f"exported atlas {args.name} version {atlas.meta['atlas_version']} as {args.format}: "
          f"{', '.join(str(f) for f in files)}")
    return 0


def run_recode(args: argparse.Namespace) -> int:
    """Give a stored atlas's provisional codes the office's codes; store a new version if it validates."""
    from gridgeo.atlas.importing.recode import read_recode_table, recode, recoded_counts
    from gridgeo.atlas.validation import validate_atlas
    from gridgeo.store.atlases import save_atlas

    table = read_recode_table(args.table)
    with _store(args) as store:
        from gridgeo.store.atlases import load_stored_atlas

        atlas = load_stored_atlas(store, args.name)
        atlas, n, unknown = recode(atlas, args.layer, table)
        for key in unknown:
            print(f"{args.table}: {key!r} names no {args.layer} feature of atlas {args.name}; left out")
        errors = [p for p in validate_atlas(atlas, optional=("grids", "legacy", "units"))
                  if p.check not in ("gap", "overlap", "outside_parent")]
        for problem in errors:
            print(problem)
        if errors:
            print(f"atlas {args.name}: {len(errors):,} problem(s) after recoding; nothing stored", file=sys.stderr)
            return 1
        version = save_atlas(store, atlas, args.name, source={"recoded": {"layer": args.layer, "file": str(args.table),
                                                                           "features": n}})
    left = recoded_counts(atlas)
    print(f"recoded {n:,} {args.layer}; stored atlas {args.name} version {version}; provisional left: "
          + ", ".join(f"{k} {v:,}" for k, v in left.items()))
    return 0
