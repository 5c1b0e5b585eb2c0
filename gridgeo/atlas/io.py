"""Read and write single layers: GeoJSON, GeoPackage, Shapefile and CSV, always returned in WGS84.

CRS rules (the file's own declaration wins unless the user declares otherwise):

- A file that declares a CRS is converted from it with pyproj (EPSG:4326, EPSG:4490 = CGCS2000,
  any projected CRS such as EPSG:4547 or UTM 49N).
- GeoJSON without a ``crs`` member is WGS84 by RFC 7946, so it is read as WGS84. GDAL reports the
  same CRS for such a file, so it cannot be told apart from one that says EPSG:4326.
- GCJ-02 and BD-09 cannot be written in a .prj or a GeoJSON ``crs`` member: data in them comes
  labelled WGS84 or with no CRS at all. ``crs=`` (a name understood by
  ``gridgeo.geo.crs.normalize_crs_name``, or any pyproj CRS string such as "EPSG:4547") declares what
  the coordinates really are and overrides a geographic WGS84/CGCS2000 label. It is refused when
  the file declares a different real CRS (e.g. a projected one), since one of the two is wrong.
- Converting from GCJ-02/BD-09 densifies edges to <= 20 m first (gridgeo.geo.crs.to_wgs84_frame).
- A CSV, a shapefile without .prj and a GeoPackage layer without an SRS have no CRS: they are
  refused unless ``crs=`` is given. A CSV may instead carry a ``crs`` column naming each row's
  CRS, as event exports do (see ``_convert_per_row``).

Shapefile text: a .cpg file (or the .dbf language driver byte) names the encoding and GDAL uses
it. When neither is there GDAL would assume ISO-8859-1 and silently garble Chinese text, so the
.dbf is decoded as UTF-8 and, if that fails, as GB18030 (a superset of GBK and GB2312).
"""

from __future__ import annotations

import codecs
import os
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely

from gridgeo.atlas.model import COUNT_COLUMNS, REQUIRED_COLUMNS
from gridgeo.errors import InputError, UsageError
from gridgeo.geo.crs import WGS84, normalize_crs_name, to_wgs84_frame

READ_SUFFIXES: tuple[str, ...] = (".geojson", ".json", ".gpkg", ".shp", ".csv")
WRITE_DRIVERS: dict[str, str] = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG", ".csv": "CSV"}

WKT_COLUMNS: tuple[str, ...] = ("wkt", "geometry", "geom", "the_geom", "shape")
LON_COLUMNS: tuple[str, ...] = ("lon", "lng", "long", "longitude", "x", "经度")
LAT_COLUMNS: tuple[str, ...] = ("lat", "latitude", "y", "纬度")
# Columns holding codes: kept as text so leading zeros and 15-digit codes survive.
CODE_COLUMNS: tuple[str, ...] = ("code", "id", "district_code", "street_code", "community_code", "grid_code")

# Field names a .dbf cuts to 10 characters ("street_code" -> "street_cod") are given back.
KNOWN_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(
    [c for cols in REQUIRED_COLUMNS.values() for c in cols] + list(COUNT_COLUMNS)
    + ["district_code", "street_code", "community_code", "grid_code", "grid_worker", "party_branch"]))

# GCJ-02/BD-09 -> WGS84 moves each vertex by a different, non-linear offset, so a long straight
# edge would no longer pass through a neighbour's vertex that lay on it (a 500 m edge leaves a
# sliver ~3 cm wide). Edges are first cut into pieces of at most this many degrees (~20 m),
# over which the offset is linear to well under a millimetre.

CRS_HINT = "declare it with --crs WGS84|CGCS2000|GCJ02|BD09 (or an EPSG code such as EPSG:4547)"


def parse_crs(name: str) -> str | pyproj.CRS:
    """A canonical gridgeo CRS name ("WGS84", "CGCS2000", "GCJ02", "BD09") or a pyproj CRS.

    Raises UsageError naming the accepted spellings when the name is neither.
    """
    try:
        return normalize_crs_name(name)
    except ValueError:
        pass
    try:
        return pyproj.CRS.from_user_input(name)
    except pyproj.exceptions.CRSError:
        raise UsageError(
            f"unknown CRS {name!r}: use WGS84, CGCS2000, GCJ02, BD09 or an EPSG code like EPSG:4547"
        ) from None


def _is_wgs84_like(crs: pyproj.CRS) -> bool:
    """True for WGS84 and CGCS2000 geographic lon/lat (treated as equal, see gridgeo.geo.crs)."""
    epsg = crs.to_epsg(min_confidence=70)
    return epsg in (4326, 4490, 4979, 4480) or (
        crs.is_geographic and crs.datum is not None and crs.datum.name in (
            "World Geodetic System 1984", "China 2000", "World Geodetic System 1984 ensemble")
    )


def _crs_label(crs: pyproj.CRS) -> str:
    epsg = crs.to_epsg(min_confidence=70)
    return f"EPSG:{epsg}" if epsg else crs.name


def _declare_and_convert(gdf: gpd.GeoDataFrame, path: Path, crs: str | None) -> gpd.GeoDataFrame:
    """Apply the file's CRS and/or the user's declaration, then convert to WGS84."""
    declared = parse_crs(crs) if crs else None
    own = gdf.crs
    if own is None and declared is None:
        raise InputError(f"{path}: no CRS declared in the file; {CRS_HINT}")
    if declared is None:  # the file's own CRS
        if _is_wgs84_like(own):
            return gdf.set_crs(WGS84, allow_override=True)
        return gdf.to_crs(WGS84)
    if own is not None and not _is_wgs84_like(own):
        target_same = isinstance(declared, pyproj.CRS) and declared.equals(own, ignore_axis_order=True)
        if not target_same:
            raise UsageError(
                f"{path}: the file declares {_crs_label(own)} but --crs {crs} was given; "
                "drop --crs or fix the file's CRS"
            )
    if isinstance(declared, pyproj.CRS):
        if _is_wgs84_like(declared):
            return gdf.set_crs(WGS84, allow_override=True)
        return gdf.set_crs(declared, allow_override=True).to_crs(WGS84)
    return to_wgs84_frame(gdf, declared)  # densifies GCJ-02/BD-09 edges first


def _codes_as_text(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Turn code-like columns into strings ("440311001", never "440311001.0"), nulls kept."""
    for col in CODE_COLUMNS:
        if col not in gdf.columns:
            continue
        values = gdf[col]
        if pd.api.types.is_float_dtype(values):
            finite = values.dropna()
            if len(finite) and np.all(np.mod(finite, 1) == 0):
                values = values.astype("Int64")
        gdf[col] = [None if pd.isna(v) else str(v) for v in values.astype(object)]
    return gdf


def _read_vector(path: Path, layer: str | None, kind: str | None) -> gpd.GeoDataFrame:
    """Read a GDAL-readable file, choosing the layer and the text encoding."""
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:
        raise InputError(f"{path}: cannot read the file ({_short(exc)}); check that it is a valid "
                         f"{path.suffix.lstrip('.')} file") from None
    names = [str(n) for n in layers[:, 0]] if len(layers) else []
    if layer is None and len(names) > 1:
        if kind and kind in names:
            layer = kind
        else:
            raise UsageError(f"{path}: holds {len(names)} layers ({', '.join(names)}); "
                             "choose one with --layer NAME")
    if layer is not None and layer not in names:
        raise UsageError(f"{path}: no layer {layer!r}; it holds: {', '.join(names) or 'none'}")
    kwargs: dict = {"layer": layer} if layer is not None else {}
    encodings: list[str | None] = [None]
    if path.suffix.lower() == ".shp" and _shapefile_encoding_unknown(path):
        encodings = ["UTF-8", "GB18030"]
    last_exc: Exception | None = None
    for encoding in encodings:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                opts = dict(kwargs, encoding=encoding) if encoding else kwargs
                gdf = gpd.read_file(path, engine="pyogrio", **opts)
                gdf.attrs["encoding"] = encoding or _declared_encoding(path)
                return gdf
        except UnicodeDecodeError as exc:
            last_exc = exc
        except Exception as exc:
            raise InputError(f"{path}: cannot read the file ({_short(exc)}); check that it is a valid "
                             f"{path.suffix.lstrip('.')} file") from None
    raise InputError(f"{path.with_suffix('.dbf')}: text is neither UTF-8 nor GBK/GB18030 ({_short(last_exc)}); "
                     "add a .cpg file naming its encoding")


def _shapefile_encoding_unknown(path: Path) -> bool:
    """True when a shapefile has no .cpg and its .dbf does not name a code page either."""
    if any(path.with_suffix(s).exists() for s in (".cpg", ".CPG")):
        return False
    dbf = next((p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF")) if p.exists()), None)
    if dbf is None:
        return False
    with open(dbf, "rb") as fh:
        header = fh.read(32)
    return len(header) < 32 or header[29] == 0  # language driver id 0 = not stated


def _declared_encoding(path: Path) -> str | None:
    """The encoding a shapefile's .cpg names (None for other formats: GDAL knows theirs)."""
    cpg = next((path.with_suffix(s) for s in (".cpg", ".CPG") if path.with_suffix(s).exists()), None)
    if path.suffix.lower() != ".shp" or cpg is None:
        return None
    return cpg.read_text(encoding="ascii", errors="replace").strip() or None


def _short(exc: BaseException | None) -> str:
    text = str(exc).splitlines()[0] if exc is not None and str(exc) else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _pick(columns: list[str], candidates: tuple[str, ...]) -> str | None:
    lower = {c.strip().lower(): c for c in columns}
    return next((lower[c] for c in candidates if c in lower), None)


def _read_csv_table(path: Path) -> pd.DataFrame:
    """Read a CSV as text columns, as UTF-8 (with or without BOM) or else GB18030."""
    last: Exception | None = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with path.open("rb") as raw:
                if raw.read(3) != codecs.BOM_UTF8:
                    raw.seek(0)  # a UTF-8 BOM may also precede GBK text (some exporters write one)
                return pd.read_csv(raw, dtype=str, keep_default_na=False, na_values=[""], encoding=encoding)
        except UnicodeDecodeError as exc:
            last = exc
        except pd.errors.EmptyDataError:
            raise InputError(f"{path}: the file is empty; export the layer again") from None
        except (pd.errors.ParserError, ValueError) as exc:
            raise InputError(f"{path}: cannot parse as CSV ({_short(exc)}); save it as comma-separated "
                             "text with one header row") from None
    raise InputError(f"{path}: text is neither UTF-8 nor GBK/GB18030 ({_short(last)}); save it as UTF-8")


def _numeric_or_raise(df: pd.DataFrame, col: str, path: Path) -> pd.Series:
    values = pd.to_numeric(df[col].str.strip(), errors="coerce")
    bad = values.isna()
    if bad.any():
        lines = (np.flatnonzero(bad.to_numpy()) + 2)[:5]  # +2: header is line 1
        raise InputError(f"{path}: column {col!r} is empty or not a number on line(s) "
                         f"{', '.join(map(str, lines))}{' ...' if bad.sum() > 5 else ''} "
                         f"({int(bad.sum())} rows); fill in decimal degrees or drop those rows")
    return values.astype(float)


def _read_csv(path: Path) -> gpd.GeoDataFrame:
    """A CSV with a WKT column or lon/lat columns, as a GeoDataFrame without CRS."""
    df = _read_csv_table(path)
    columns = list(df.columns)
    wkt_col = _pick(columns, WKT_COLUMNS)
    if wkt_col is not None:
        texts = df[wkt_col].to_numpy(dtype=object)
        geoms = shapely.from_wkt(texts, on_invalid="ignore")
        bad = shapely.is_missing(geoms) & pd.notna(texts) & (df[wkt_col].str.strip() != "").to_numpy()
        if bad.any():
            lines = (np.flatnonzero(bad) + 2)[:5]
            raise InputError(f"{path}: column {wkt_col!r} is not valid WKT on line(s) "
                             f"{', '.join(map(str, lines))}{' ...' if bad.sum() > 5 else ''}; "
                             "write geometries as WKT, e.g. POLYGON ((113.9 22.7, ...))")
        return gpd.GeoDataFrame(_numbers(df.drop(columns=[wkt_col])), geometry=geoms)
    lon_col, lat_col = _pick(columns, LON_COLUMNS), _pick(columns, LAT_COLUMNS)
    if lon_col is None or lat_col is None:
        raise InputError(f"{path}: no geometry column; add a WKT column ({'/'.join(WKT_COLUMNS[:3])}) "
                         "or lon/lat columns (lon/lng/longitude/x/经度 and lat/latitude/y/纬度)")
    lon = _numeric_or_raise(df, lon_col, path)
    lat = _numeric_or_raise(df, lat_col, path)
    return gpd.GeoDataFrame(_numbers(df), geometry=gpd.points_from_xy(lon, lat))


def _numbers(df: pd.DataFrame) -> pd.DataFrame:
    """Turn text columns whose every non-empty value is a number into numbers (codes stay text)."""
    for col in df.columns:
        if col in CODE_COLUMNS or col.endswith("_code"):
            continue
        values = df[col]
        numeric = pd.to_numeric(values, errors="coerce")
        if values.notna().any() and numeric.notna().sum() == values.notna().sum():
            df[col] = numeric
    return df


def read_layer(path: str | Path, kind: str | None = None, crs: str | None = None,
               layer: str | None = None) -> gpd.GeoDataFrame:
    """Read one layer from a GeoJSON, GeoPackage, Shapefile or CSV file, in WGS84.

    ``crs`` declares the CRS of the coordinates in the file (see the module docstring);
    ``layer`` picks a layer of a multi-layer GeoPackage (by default the only layer, or the one
    named like ``kind``). Code columns are returned as text. Raises InputError (bad file, no CRS)
    or UsageError (bad arguments) with a one-line message naming the file and what to do.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path")
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a layer file (or validate the folder as an atlas)")
    if suffix not in READ_SUFFIXES:
        raise UsageError(f"{path}: unsupported file type {suffix or '(none)'}; use one of "
                         f"{', '.join(READ_SUFFIXES)}")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (0 bytes); export the layer again")
    if suffix == ".shp":
        for part, what in ((".shx", "index"), (".dbf", "attribute")):
            if not any(path.with_suffix(s).exists() for s in (part, part.upper())):
                raise InputError(f"{path}: the {part} {what} file is missing; copy every part of the shapefile "
                                 "(.shp .shx .dbf .prj .cpg) together")
    gdf = _read_csv(path) if suffix == ".csv" else _read_vector(path, layer, kind)
    encoding = gdf.attrs.get("encoding")
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise InputError(f"{path}: the layer has no geometry (an attribute table); export it with its shapes")
    if len(gdf) == 0:
        raise InputError(f"{path}: the layer has no features; export it again with its features")
    if "geometry" not in gdf.columns or gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    if suffix == ".shp":
        gdf = _untruncate_field_names(gdf)
    if suffix == ".csv" and "crs" in gdf.columns:
        gdf = _convert_per_row(gdf, path, crs, kind)
    else:
        gdf = _declare_and_convert(gdf, path, crs)
    gdf = _codes_as_text(gdf)
    gdf.attrs["encoding"] = encoding  # a shapefile's text encoding: from its .cpg, else as detected
    return gdf


def read_table(path: str | Path, sheet: str | int = 0) -> pd.DataFrame:
    """Read a plain table (.csv as UTF-8 or GB18030, .xlsx/.xls sheet) with every cell as text.

    Blank cells are NaN; nothing is converted, so the caller can report each dirty cell.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path")
    if path.suffix.lower() == ".csv":
        return _read_csv_table(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls"):
        raise UsageError(f"{path}: unsupported table type {path.suffix or '(none)'}; use .csv or .xlsx")
    try:
        table = pd.read_excel(path, sheet_name=sheet, dtype=str)
    except Exception as exc:
        raise InputError(f"{path}: cannot read the workbook ({_short(exc)}); save it as .xlsx with one "
                         "header row") from None
    table.columns = [str(c).strip() for c in table.columns]
    return table.apply(lambda col: col.str.strip().replace("", np.nan) if col.dtype != float else col)


def _convert_per_row(gdf: gpd.GeoDataFrame, path: Path, crs: str | None, kind: str | None) -> gpd.GeoDataFrame:
    """Convert a CSV whose ``crs`` column names each row's CRS (as event exports do).

    Blank cells take ``crs``, or WGS84 for events (the event schema's default); otherwise they
    are refused. Afterwards ``crs`` says WGS84 and ``crs_in`` keeps what the file said.
    """
    raw = gdf["crs"].astype(object)
    blank = (raw.isna() | (raw.astype(str).str.strip() == "")).to_numpy()
    default = crs or ("WGS84" if kind == "events" else None)
    if blank.any() and default is None:
        lines = (np.flatnonzero(blank) + 2)[:5]
        raise InputError(f"{path}: column 'crs' is empty on line(s) {', '.join(map(str, lines))}"
                         f"{' ...' if blank.sum() > 5 else ''}; fill it in or {CRS_HINT}")
    names = np.where(blank, default, raw.astype(str).str.strip().to_numpy())
    geoms = np.asarray(gdf.geometry.values, dtype=object).copy()
    plain = gdf.set_crs(None, allow_override=True)
    for name in pd.unique(names):
        rows = np.flatnonzero(names == name)
        try:
            parse_crs(str(name))
        except UsageError:
            lines = (rows + 2)[:5]
            raise InputError(f"{path}: column 'crs' names an unknown CRS {str(name)!r} on line(s) "
                             f"{', '.join(map(str, lines))}{' ...' if len(rows) > 5 else ''}; use WGS84, "
                             "CGCS2000, GCJ02, BD09 or an EPSG code") from None
        part = _declare_and_convert(plain.iloc[rows], path, str(name))
        geoms[rows] = np.asarray(part.geometry.values, dtype=object)
    out = gdf.copy()
    out["crs_in"] = raw.where(~blank, default)
    out["crs"] = "WGS84"
    return out.set_geometry(gpd.GeoSeries(geoms, index=gdf.index), crs=WGS84)


def _untruncate_field_names(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rename .dbf field names cut to 10 characters back to the known full names."""
    renames = {}
    for name in KNOWN_FIELDS:
        short = name[:10]
        if len(name) > 10 and short in gdf.columns and name not in gdf.columns:
            renames[short] = name
    return gdf.rename(columns=renames) if renames else gdf


def write_layer(gdf: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write a layer atomically (temp file in the same folder, then os.replace), by extension.

    .geojson/.json and .gpkg are written with pyogrio in the frame's CRS (WGS84 expected);
    .csv gets the attributes plus a ``wkt`` column. Never leaves a half-written file behind.
    """
    path = Path(path)
    driver = WRITE_DRIVERS.get(path.suffix.lower())
    if driver is None:
        raise UsageError(f"{path}: cannot write {path.suffix or 'files without extension'}; use "
                         f"{', '.join(WRITE_DRIVERS)}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{path}: folder {folder} does not exist; create it first")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()  # GDAL wants to create the file itself
        if driver == "CSV":
            table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
            table["wkt"] = shapely.to_wkt(gdf.geometry.values, rounding_precision=-1)
            table.to_csv(tmp, index=False, encoding="utf-8")
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                gdf.to_file(tmp, driver=driver, engine="pyogrio",
                            **({"layer": path.stem} if driver == "GPKG" else {}))
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write ({exc.strerror or exc}); check the folder is writable") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
