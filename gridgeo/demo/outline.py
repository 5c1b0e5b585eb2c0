"""Synthetic demo atlas inside ANY real outline: a district, or a whole city with its districts.

``gridgeo demo-data --outline FILE --code CODE --name NAME`` uses this. Only the outline is
real; everything inside is generated at realistic density (DOMAIN.md's published figures) and
labelled synthetic:

- a city code (``4403 00``: ends in 00) gets districts of about 1.8 million people (Shenzhen:
  17.8 M in 10 districts), a district code gets itself;
- streets of about 240,000 people (Shenzhen: 74 streets), communities of about 27,000 (Shenzhen:
  about 670), grids of 300–500 households (400 on average, 2.8 people per household);
- basic units and the five legacy department layers, scaled from Guangming's published counts.

The method is the Guangming generator's (gridgeo.demo.district): a hot-spot density surface as
weighted sample points; every level split into Voronoi cells of density-drawn seeds (Lloyd
relaxed) clipped to its parent, grids by density-balanced straight cuts. Each level only sees
the sample points of its parent, so a city costs about as much per grid as a district. Work is
done in the CGCS2000 3-degree Gauss–Krüger zone nearest the outline.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from gridgeo.atlas.model import Atlas
from gridgeo.demo.district import (
    HOUSEHOLDS_PER_GRID,
    LEGACY_COUNTS,
    TARGET_ENTERPRISES,
    TARGET_POPULATION,
    _density_samples,
    _frame,
    _hotspots,
    _legacy_layers,
    _person_name,
    _random_points_in,
    _scale_units,
    _serial_order,
    _units_for_grid,
)
from gridgeo.errors import InputError, UsageError
from gridgeo.geo.crs import WGS84, normalize_crs_name, transform_geometries
from gridgeo.geo.metric import metric_crs_at
from gridgeo.geo.tessellate import absorb_fragments, bisect, voronoi_cells

PEOPLE_PER_DISTRICT = 1_780_000
PEOPLE_PER_STREET = 240_000
PEOPLE_PER_COMMUNITY = 27_000
PEOPLE_PER_HOUSEHOLD = 2.8
SAMPLES_PER_GRID = 90
HOTSPOTS_PER_KM2 = 0.9  # Guangming: 140 hot spots on 156 km²
LEGACY_SAMPLES = 200_000  # sample points the legacy layers' cuts balance on
DENSITY_PER_KM2 = 9_000  # default population when none is given (Shenzhen ~8,900/km²)

Say = Callable[[str], None]


@dataclass(frozen=True)
class OutlineSpec:
    """What to generate: the outline's 6-digit code and name, its population and the seed."""

    code: str
    name: str
    population: int | None = None
    seed: int = 20241

    @property
    def is_city(self) -> bool:
        """A prefecture-level city code (e.g. 440300) gets districts; a district code does not."""
        return self.code.endswith("00")


def read_outline(path: Path, crs: str | None = None) -> Polygon | MultiPolygon:
    """The outline in ``path`` (a bare GeoJSON geometry as cnmaps ships it, a FeatureCollection,
    or any file pyogrio reads) as one WGS84 (multi)polygon. ``crs`` is the file's CRS: WGS84,
    CGCS2000, GCJ02, BD09 or EPSG:n; a bare geometry has none and needs it."""
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError):
        doc = None
    if isinstance(doc, dict) and doc.get("type") in ("Polygon", "MultiPolygon"):
        if not crs:
            raise UsageError(f"{path}: a bare geometry declares no CRS; give --crs (cnmaps files are GCJ02)")
        return _to_wgs84(shape(doc), crs, path)
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # noqa: BLE001 - any reader error is a bad input file
        raise InputError(f"{path}: not a readable outline ({type(exc).__name__}); give a GeoJSON or GeoPackage "
                         "polygon") from None
    polys = gdf[gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polys.empty:
        raise InputError(f"{path}: holds no polygon; give the outline as a Polygon or MultiPolygon")
    if crs:
        return _to_wgs84(polys.union_all(), crs, path)
    if gdf.crs is None:
        raise UsageError(f"{path}: no CRS declared; give --crs (e.g. GCJ02 for AMap-derived outlines)")
    return polys.to_crs(WGS84).union_all()


def _to_wgs84(geom, crs: str, path: Path):
    try:
        name = normalize_crs_name(crs)
    except ValueError:
        name = None
    if name in ("GCJ02", "BD09"):
        return transform_geometries(np.array([geom]), name, "WGS84")[0]
    try:
        return gpd.GeoSeries([geom], crs=crs).to_crs(WGS84).iloc[0]
    except Exception:  # noqa: BLE001 - pyproj's CRSError and friends
        raise UsageError(f"--crs {crs}: unknown CRS for {path}; use WGS84, CGCS2000, GCJ02, BD09 or EPSG:n") from None


def generate_for_outline(outline: Polygon | MultiPolygon, spec: OutlineSpec, outline_source: str = "",
                         progress: Say | None = None) -> Atlas:
    """A synthetic atlas inside ``outline`` (WGS84); deterministic for ``spec.seed``."""
    say = progress or (lambda _msg: None)
    _check_spec(spec)
    rng = np.random.default_rng(spec.seed)
    metric = metric_crs_at(outline.centroid.x)
    outline_m = gpd.GeoSeries([outline], crs=WGS84).to_crs(metric).iloc[0]
    area_km2 = outline_m.area / 1e6
    population = spec.population or int(area_km2 * DENSITY_PER_KM2)
    n_grids = max(1, round(population / PEOPLE_PER_HOUSEHOLD / HOUSEHOLDS_PER_GRID))
    spots = _hotspots_scaled(outline_m, area_km2, rng)
    samples = _density_samples(outline_m, spots, max(50_000, n_grids * SAMPLES_PER_GRID), rng)
    people_per_sample = population / len(samples)

    say("districts")
    districts = _districts(outline_m, samples, spec, people_per_sample, rng)
    say("streets")
    streets = _children(districts, "street", 3, PEOPLE_PER_STREET, people_per_sample, rng, lloyd=1)
    say("communities")
    communities = _children(streets, "community", 3, PEOPLE_PER_COMMUNITY, people_per_sample, rng, lloyd=3)
    say("grids and basic units")
    grids, units = _grids_and_units(communities, spots, people_per_sample, rng)
    units = _scale_units(units, population, TARGET_ENTERPRISES * population / TARGET_POPULATION)
    units = gpd.GeoDataFrame(units.drop(columns=["x", "y"]), geometry=shapely.points(units[["x", "y"]].to_numpy()),
                             crs=metric)
    sums = units.groupby("grid_code")[["households", "population", "enterprises"]].sum()
    grids = grids.join(sums, on="code")
    units = units.drop(columns=["grid_code"])

    say("legacy layers")
    scale = population / TARGET_POPULATION
    counts = {k: max(1, round(v * scale)) for k, v in LEGACY_COUNTS.items()}
    street_frame = _frame(streets.records, streets.geoms, metric)
    community_frame = _frame(communities.records, communities.geoms, metric)
    legacy_samples = samples if len(samples) <= LEGACY_SAMPLES else samples[
        np.sort(rng.choice(len(samples), LEGACY_SAMPLES, replace=False))]  # density needs no more
    legacy = _legacy_layers(outline_m, street_frame, community_frame, legacy_samples, rng, counts=counts,
                            area_code=spec.code, crs=metric)
    layers = {"district": _frame(districts.records, districts.geoms, metric), "streets": street_frame,
              "communities": community_frame, "grids": _frame_like(grids, metric), "legacy": legacy,
              "units": units}
    meta = _meta(spec, population, outline_source, layers)
    return Atlas(meta=meta, **{k: _valid(v.to_crs(WGS84)) for k, v in layers.items()})


def _valid(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Mend the rare polygon that reprojection leaves self-touching (keeps polygonal parts)."""
    bad = ~gdf.geometry.is_valid & gdf.geom_type.isin(["Polygon", "MultiPolygon"])
    if bad.any():
        fixed = shapely.make_valid(gdf.geometry[bad].values, method="structure", keep_collapsed=False)
        gdf.loc[bad, gdf.geometry.name] = fixed
    return gdf


def _check_spec(spec: OutlineSpec) -> None:
    if not (len(spec.code) == 6 and spec.code.isdigit()):
        raise UsageError(f"--code {spec.code}: give the 6-digit GB/T 2260 code of the outline (e.g. 440300)")
    if spec.code.endswith("0000"):
        raise UsageError(f"--code {spec.code}: a province is too large; give a city (4403 00) or district code")
    if spec.population is not None and spec.population < 1000:
        raise UsageError(f"--population {spec.population}: give the number of people (at least 1,000)")


def _hotspots_scaled(outline_m, area_km2: float, rng: np.random.Generator):
    """Hot spots at Guangming's density per km² (its generator's kinds and sizes)."""
    factor = max(area_km2 * HOTSPOTS_PER_KM2 / 140.0, 0.05)
    spots = []
    while len(spots) < max(3, round(140 * factor)):
        spots.extend(_hotspots(outline_m, rng))
    return spots[: max(3, round(140 * factor))]


@dataclass
class _Level:
    """One level of the hierarchy: records, geometries and each piece's sample points."""

    records: list[dict]
    geoms: list
    samples: list[np.ndarray]


def _districts(outline_m, samples, spec: OutlineSpec, people_per_sample: float, rng) -> _Level:
    if not spec.is_city:
        return _Level([{"code": spec.code, "name": spec.name}], [outline_m], [samples])
    n = max(2, round(len(samples) * people_per_sample / PEOPLE_PER_DISTRICT))
    pieces, parts = _split(outline_m, samples, n, rng, lloyd=2, band_m=8000.0)
    records = [{"code": f"{spec.code[:4]}{i:02d}", "name": f"{spec.name}第{i}区（合成）"}
               for i in range(1, len(pieces) + 1)]
    return _Level(records, pieces, parts)


def _children(parents: _Level, kind: str, digits: int, people_each: float, people_per_sample: float,
              rng, lloyd: int) -> _Level:
    """Split every parent into pieces of about ``people_each`` people, coded parent + serial."""
    level = _Level([], [], [])
    parent_key = "district_code" if kind == "street" else "street_code"
    word = "街道" if kind == "street" else "社区"
    for rec, geom, pts in zip(parents.records, parents.geoms, parents.samples, strict=True):
        n = max(1, round(len(pts) * people_per_sample / people_each))
        pieces, parts = _split(geom, pts, n, rng, lloyd=lloyd, band_m=1500.0)
        base = rec["name"].removesuffix("（合成）")
        for serial, (piece, part) in enumerate(zip(pieces, parts, strict=True), start=1):
            level.records.append({"code": f"{rec['code']}{serial:0{digits}d}", "name": f"{base}{serial}{word}",
                                  parent_key: rec["code"]})
            level.geoms.append(piece)
            level.samples.append(part)
    return level


def _split(poly, pts: np.ndarray, n: int, rng, lloyd: int, band_m: float) -> tuple[list, list[np.ndarray]]:
    """``poly`` as ``n`` Voronoi cells of density-drawn seeds, in serial order, with their points."""
    if n <= 1:
        return [poly], [pts]
    seeds = pts[rng.choice(len(pts), n, replace=False)] if len(pts) >= n else _random_points_in(poly, n, rng)
    cells = absorb_fragments(voronoi_cells(poly, seeds, lloyd_iterations=lloyd))
    cells = [cells[i] for i in _serial_order(cells, band_m=band_m)]
    tree = shapely.STRtree(cells)
    point_idx, cell_idx = tree.query(shapely.points(pts), predicate="intersects")
    first = pd.Series(cell_idx).groupby(point_idx).min()  # a point on a border goes to one cell
    owner = np.full(len(pts), -1)
    owner[first.index.to_numpy()] = first.to_numpy()
    return cells, [pts[owner == i] for i in range(len(cells))]


def _grids_and_units(communities: _Level, spots, people_per_sample: float, rng):
    spot_xy = np.array([[s.x, s.y] for s in spots])
    spot_sigma = np.array([s.sigma for s in spots])
    grid_records, grid_geoms, unit_records, unit_xy = [], [], [], []
    for crec, cgeom, pts in zip(communities.records, communities.geoms, communities.samples, strict=True):
        households = len(pts) * people_per_sample / PEOPLE_PER_HOUSEHOLD
        n_grids = max(1, round(households / HOUSEHOLDS_PER_GRID))
        weights = pts if len(pts) >= 2 * n_grids else _random_points_in(cgeom, 4 * n_grids, rng)
        pieces = absorb_fragments(bisect(cgeom, n_grids, weights, rng.uniform(-0.5, 0.5), rng))
        for serial, idx in enumerate(_serial_order(pieces, band_m=400.0), start=1):
            code = f"{crec['code']}{serial:03d}"
            grid_records.append({"code": code, "name": f"{crec['name']}{serial:03d}网格",
                                 "community_code": crec["code"], "street_code": crec["street_code"],
                                 "grid_worker": _person_name(rng), "party_branch": f"{crec['name']}第{serial}网格党支部"})
            grid_geoms.append(pieces[idx])
            _units_for_grid(pieces[idx], code, crec, rng, spot_xy, spot_sigma, spots, unit_records, unit_xy)
    units = pd.DataFrame.from_records(unit_records)
    units[["x", "y"]] = np.array(unit_xy)
    grids = pd.DataFrame.from_records(grid_records).assign(geometry=grid_geoms)
    return grids, units


def _frame_like(grids: pd.DataFrame, crs: str) -> gpd.GeoDataFrame:
    cols = ["code", "name", "community_code", "street_code", "households", "population", "enterprises",
            "grid_worker", "party_branch", "geometry"]
    return gpd.GeoDataFrame(grids[cols], geometry="geometry", crs=crs)


def _meta(spec: OutlineSpec, population: int, outline_source: str, layers: dict) -> dict:
    units = layers["units"]
    return {
        "name": f"{spec.name} synthetic demo atlas",
        "code": spec.code,
        "synthetic": True,
        "note": (f"Synthetic demo data: only the outline of {spec.name} ({spec.code}) is real"
                 f"{f' ({outline_source})' if outline_source else ''}; every boundary, name, unit, grid "
                 "and figure inside is generated."),
        "seed": spec.seed,
        "outline_source": outline_source,
        "crs": WGS84,
        "target_population": population,
        "counts": {name: len(gdf) for name, gdf in layers.items() if name != "legacy"}
        | {f"legacy_{k}": int((layers["legacy"]["layer"] == k).sum()) for k in LEGACY_COUNTS},
        "totals": {c: int(units[c].sum()) for c in ("households", "population", "enterprises")},
    }
