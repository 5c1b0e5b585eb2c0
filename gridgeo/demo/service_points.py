"""The demo's service network: 1 district centre, a centre per street, a hall per community and
stations at sites where people gather, generated (seeded) from an atlas's basic units.

Guangming's published network (DOMAIN.md, issue 23) is 1 + 6 + 31 + 191 = 229 points. The
stations are shared out over the communities by population (at least :data:`MIN_STATIONS` each)
and placed at the community's largest basic units (compounds, urban villages, industrial parks,
markets), at least :data:`MIN_SPACING_M` apart where the community allows; each hall and centre
sits at the basic unit nearest the population-weighted centre of its territory. All distances
are in the atlas's metric CRS (:mod:`gridgeo.geo.metric`). Written apart from the other layers
(``service_points.geojson``) so that the rest of the embedded demo stays byte-identical.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from gridgeo.atlas.model import SERVICE_POINT_COLUMNS, Atlas, atlas_metric_crs
from gridgeo.demo.district import _allocate
from gridgeo.geo.crs import WGS84

STATIONS_TOTAL = 191  # Guangming's stations (党群服务站)
MIN_STATIONS = 2
MIN_SPACING_M = 300.0
SERVICE_POINTS_FILE = "service_points.geojson"
_HOURS = {"station": "周一至周日 09:00-21:00", "community": "周一至周六 08:30-18:00",
          "street": "全天值班", "district": "全天值班"}
_STAFF = {"station": (2, 6), "community": (8, 17), "street": (20, 41), "district": (40, 81)}
_NAMES = {"community": "{}党群服务中心", "street": "{}综治中心", "district": "{}综治中心"}


def _central_unit(units: pd.DataFrame, xy: np.ndarray) -> int:
    """Index (into ``units``) of the unit nearest the population-weighted centre of ``units``."""
    w = units["population"].to_numpy(float) + 1.0
    centre = (xy * w[:, None]).sum(axis=0) / w.sum()
    return int(np.argmin(np.hypot(*(xy - centre).T)))


def _pick_sites(units: pd.DataFrame, xy: np.ndarray, n: int, taken: np.ndarray,
                rng: np.random.Generator) -> list[int]:
    """``n`` unit indices, the largest first (population jittered ±30 %), at least
    MIN_SPACING_M from each other and from ``taken`` points while the community allows."""
    order = np.argsort(-(units["population"].to_numpy(float) * rng.uniform(0.7, 1.3, len(units))), kind="stable")
    chosen: list[int] = []
    for spacing in (MIN_SPACING_M, 0.0):
        for i in order:
            if len(chosen) == n:
                return chosen
            near = np.vstack([taken, xy[chosen]]) if chosen else taken
            if i not in chosen and (not len(near) or np.hypot(*(near - xy[i]).T).min() >= spacing):
                chosen.append(int(i))
    return chosen


def _record(code: str, name: str, tier: str, territory: str, address: str, rng: np.random.Generator,
            site_kind: str) -> dict:
    return {"code": code, "name": name, "tier": tier, "territory_code": territory, "address": address,
            "staff": int(rng.integers(*_STAFF[tier])), "opening_hours": _HOURS[tier], "site_kind": site_kind}


def generate_service_points(atlas: Atlas, seed: int = 20241, stations: int = STATIONS_TOTAL) -> gpd.GeoDataFrame:
    """The service points of ``atlas`` (WGS84, :data:`SERVICE_POINT_COLUMNS` plus ``site_kind``, the
    kind of basic unit each stands at). Deterministic for a given atlas and seed."""
    rng = np.random.default_rng(seed)
    crs = atlas_metric_crs(atlas)
    units = atlas.units.to_crs(crs).reset_index(drop=True)
    xy = np.column_stack([units.geometry.representative_point().x, units.geometry.representative_point().y])
    street_of = dict(zip(atlas.communities["code"], atlas.communities["street_code"], strict=True))
    units["street_code"] = units["community_code"].map(street_of)
    names = {**dict(zip(atlas.streets["code"], atlas.streets["name"], strict=True)),
             **dict(zip(atlas.communities["code"], atlas.communities["name"], strict=True))}
    district, dname = atlas.district_code, str(atlas.district["name"].iloc[0])
    records, sites = [], []

    def add(code: str, tier: str, territory: str, unit: int, name: str) -> None:
        street = units.at[unit, "street_code"]
        address = f"{dname}{names.get(street, '')}{names.get(units.at[unit, 'community_code'], '')}" \
                  f"{units.at[unit, 'name']}"
        records.append(_record(code, name, tier, territory, address, rng, str(units.at[unit, "kind"])))
        sites.append(xy[unit])

    add(f"FW{district}", "district", district, _central_unit(units, xy), _NAMES["district"].format(dname))
    for street in atlas.streets["code"]:
        mask = (units["street_code"] == street).to_numpy()
        unit = int(np.flatnonzero(mask)[_central_unit(units[mask], xy[mask])])
        add(f"FW{street}", "street", street, unit, _NAMES["street"].format(names[street]))
    population = units.groupby("community_code")["population"].sum()
    shares = np.array([population.get(c, 0) for c in atlas.communities["code"]], dtype=float)
    n_stations = np.maximum(_allocate(stations - MIN_STATIONS * len(shares), shares), 0) + MIN_STATIONS
    n_stations = _exact_total(n_stations, stations)
    for community, n in zip(atlas.communities["code"], n_stations, strict=True):
        where = np.flatnonzero((units["community_code"] == community).to_numpy())
        local = units.iloc[where]
        hall = int(where[_central_unit(local, xy[where])])
        add(f"FW{community}", "community", community, hall, _NAMES["community"].format(names[community]))
        free = where[where != hall]
        for k, i in enumerate(_pick_sites(units.iloc[free], xy[free], int(n), xy[[hall]], rng), start=1):
            unit = int(free[i])
            add(f"FW{community}S{k:02d}", "station", community, unit, f"{units.at[unit, 'name']}党群服务站")
    frame = pd.DataFrame.from_records(records, columns=[*SERVICE_POINT_COLUMNS, "site_kind"])
    points = gpd.points_from_xy(np.array(sites)[:, 0], np.array(sites)[:, 1], crs=crs)
    return gpd.GeoDataFrame(frame, geometry=points, crs=crs).to_crs(WGS84)


def _exact_total(counts: np.ndarray, total: int) -> np.ndarray:
    """``counts`` adjusted (largest first, never below MIN_STATIONS) to sum exactly to ``total``."""
    counts = np.asarray(counts, dtype=int).copy()
    while counts.sum() != total:
        step = 1 if counts.sum() < total else -1
        candidates = np.argsort(-counts, kind="stable")
        i = next(i for i in candidates if counts[i] + step >= MIN_STATIONS)
        counts[i] += step
    return counts


def write_service_points(points: gpd.GeoDataFrame, out_dir: Path) -> Path:
    """Write the service points as ``<out_dir>/service_points.geojson`` (WGS84); return the path."""
    path = Path(out_dir) / SERVICE_POINTS_FILE
    tmp = path.with_name(f".{path.name}.tmp")
    points.to_crs(WGS84).to_file(tmp, driver="GeoJSON", engine="pyogrio",
                                 layer_options={"COORDINATE_PRECISION": 9, "RFC7946": "NO", "WRITE_NAME": "NO"})
    tmp.replace(path)
    return path


def service_points_counts(points: gpd.GeoDataFrame) -> str:
    """The tiers' counts as JSON text (for a command's closing line)."""
    return json.dumps(points["tier"].value_counts().to_dict(), ensure_ascii=False)
