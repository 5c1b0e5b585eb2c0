"""The last stage of a partition run: the solved atoms -> grids (codes, size status, change),
the crosswalk to the legacy grids and how much of each legacy layer the grids preserve."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgeo.atlas.model import COUNT_COLUMNS
from gridgeo.geo.crs import WGS84
from gridgeo.geo.metric import to_metric
from gridgeo.partition.codes import assign_codes
from gridgeo.partition.crosswalk import build_crosswalk, outcome_summary
from gridgeo.partition.options import PartitionOptions
from gridgeo.partition.overlay import dissolve_valid
from gridgeo.partition.scoring import (
    change_class,
    largest_legacy_share,
    polsby_popper,
    size_status,
    weighted_ari,
)


@dataclass
class Assembled:
    """The grids (metric, in code order), the crosswalk, the per-layer preservation figures and
    the grids that enclose others."""

    grids: gpd.GeoDataFrame
    crosswalk: pd.DataFrame
    preservation: dict
    enclaves: list[dict]


def assemble(atoms: gpd.GeoDataFrame, results: list, communities_m: gpd.GeoDataFrame,
             previous: gpd.GeoDataFrame | None, options: PartitionOptions, primary_layer: str,
             all_layers: list[str]) -> Assembled:
    """Dissolve the solved ``atoms`` (metric; ``results`` from the community solvers) into grids.

    Sets ``atoms["grid_key"]`` and ``atoms["grid_code"]``; ``previous`` grids (WGS84) lend their
    codes (:func:`gridgeo.partition.codes.assign_codes`)."""
    grids, reasons = grid_frame(atoms, results)
    grids["code"] = assign_codes(grids, to_metric(previous, atoms.crs) if previous is not None else None)
    atoms["grid_code"] = atoms["grid_key"].map(dict(zip(grids.index, grids["code"], strict=True)))
    size_columns(grids, reasons, options)
    grids["change"] = change_class(atoms, "grid_key", f"legacy_{primary_layer}").reindex(grids.index).to_numpy()
    preservation = {layer: layer_shares(atoms, grids, layer) for layer in all_layers}
    crosswalk = build_crosswalk(atoms, all_layers)
    add_outcomes(preservation, crosswalk)
    preservation[primary_layer]["already_in_band"] = already_in_band(atoms, crosswalk, primary_layer,
                                                                    options.band)
    enclaves = enclosing_grids(grids, communities_m)
    grids["parts"] = shapely.get_num_geometries(grids.geometry.values)
    grids = grids.reset_index(drop=True)
    column_order = ["code", "community", *COUNT_COLUMNS, "area_m2", "polsby_popper", "size_status",
                    *(["population_status"] if "population_status" in grids else []), "within_bounds", "reason_code",
                    "reason", "change", "atoms", "parts", *[f"share_{x}" for x in all_layers], "geometry"]
    grids = grids[column_order].sort_values("code").reset_index(drop=True)
    return Assembled(grids, crosswalk, preservation, enclaves)


def grid_frame(atoms: gpd.GeoDataFrame, results: list) -> tuple[gpd.GeoDataFrame, dict[str, tuple[str, str]]]:
    """One row per solved grid (index "<community>#<nnnn>"): summed counts, community, number of
    atoms and the dissolved shape; and the solvers' (reason_code, reason) per grid key."""
    grid_key = np.empty(len(atoms), dtype=object)
    reasons: dict[str, tuple[str, str]] = {}
    for res in results:
        for local, gid in enumerate(res.labels):
            grid_key[res.atom_ids[local]] = f"{res.community}#{gid:04d}"
        for gid, why in res.reasons.items():
            reasons[f"{res.community}#{gid:04d}"] = why
    atoms["grid_key"] = grid_key
    geoms = dissolve_valid(atoms, "grid_key")
    sums = atoms.groupby("grid_key")[list(COUNT_COLUMNS)].sum()
    grids = gpd.GeoDataFrame(sums, geometry=geoms.reindex(sums.index).values, crs=atoms.crs)
    grids["community"] = [k.split("#")[0] for k in grids.index]
    grids["atoms"] = atoms.groupby("grid_key").size().reindex(grids.index).to_numpy()
    return grids, reasons


def size_columns(grids: gpd.GeoDataFrame, reasons: dict[str, tuple[str, str]], options: PartitionOptions) -> None:
    """Area, compactness, size status against the band(s), within_bounds and, for a grid outside
    the band, the reason (never a silent violation)."""
    lo, hi = options.band
    grids["area_m2"] = grids.geometry.area
    grids["polsby_popper"] = polsby_popper(grids.geometry.values)
    status = size_status(grids["households"].to_numpy(), lo, hi)
    grids["size_status"] = status
    ok = status == "ok"
    if options.min_population is not None or options.max_population is not None:
        pst = size_status(grids["population"].to_numpy(), options.min_population, options.max_population,
                          "population")
        grids["population_status"] = pst
        ok = ok & (pst == "ok")
    grids["within_bounds"] = ok
    for k, good in zip(grids.index, ok, strict=True):
        if not good and not reasons[k][0]:
            reasons[k] = ("out_of_band", "outside the band after the local search; no contiguous fix found")
    grids["reason_code"] = [reasons[k][0] if not good else "" for k, good in zip(grids.index, ok, strict=True)]
    grids["reason"] = [reasons[k][1] if not good else "" for k, good in zip(grids.index, ok, strict=True)]


def layer_shares(atoms: gpd.GeoDataFrame, grids: gpd.GeoDataFrame, layer: str) -> dict:
    """Sets ``grids["share_<layer>"]`` (largest share of one legacy grid); returns the layer's
    households-weighted ARI and mean largest share."""
    share = largest_legacy_share(atoms, "grid_key", f"legacy_{layer}")
    grids[f"share_{layer}"] = share.reindex(grids.index).round(4).to_numpy()
    return {"ari_households": round(weighted_ari(atoms["grid_key"], atoms[f"legacy_{layer}"], atoms["households"]), 4),
            "mean_largest_share": round(float(share.mean()), 4)}


def add_outcomes(preservation: dict, crosswalk: pd.DataFrame) -> None:
    """Add what became of each layer's legacy grids (kept whole, merged, split) to ``preservation``."""
    outcomes = outcome_summary(crosswalk)
    for layer, figures in preservation.items():
        counts = outcomes.get(layer, {})
        total = sum(counts.values()) or 1
        figures.update({"legacy_grids": sum(counts.values()),
                        "kept_whole": counts.get("kept", 0), "merged": counts.get("merged", 0),
                        "split": counts.get("split", 0),
                        "kept_or_merged_share": round((counts.get("kept", 0) + counts.get("merged", 0)) / total, 4)})


def already_in_band(atoms: gpd.GeoDataFrame, crosswalk: pd.DataFrame, primary_layer: str,
                    band: tuple[float, float]) -> dict:
    """Primary legacy grids that already fit the band (inside one community): how many, and what
    became of them."""
    lo, hi = band
    col = f"legacy_{primary_layer}"
    per = atoms.dropna(subset=[col]).groupby(col).agg(h=("households", "sum"), nc=("community", "nunique"))
    fitting = per.index[(per["h"] >= lo) & (per["h"] <= hi) & (per["nc"] == 1)]
    prim = crosswalk[crosswalk["layer"] == primary_layer].drop_duplicates("legacy_code").set_index("legacy_code")
    fit_out = prim.loc[prim.index.intersection(fitting), "outcome"].value_counts().to_dict()
    return {"legacy_grids": int(len(fitting)), **{k: int(v) for k, v in fit_out.items()}}


def to_wgs84_valid(gdf: gpd.GeoDataFrame, densify_m: float = 5.0) -> gpd.GeoDataFrame:
    """Reproject metric polygons to WGS84 without folding rings.

    A long straight edge in EPSG:4547 is slightly curved in lon/lat, but reprojection keeps only
    its end points: where a sub-millimetre sliver merged into a grid runs along such an edge, the
    other side (with many vertices) can then cross it. Geometries that come out invalid are
    densified (``shapely.segmentize``, ``densify_m``) before reprojecting; any still invalid are
    made valid, keeping the largest polygon when the rest totals under 1 m².
    """
    out = gdf.to_crs(WGS84)
    geoms = out.geometry.values
    bad = np.flatnonzero(~shapely.is_valid(geoms))
    if len(bad) == 0:
        return out
    fixed = np.asarray(geoms, dtype=object).copy()
    dense = gpd.GeoSeries(shapely.segmentize(gdf.geometry.values[bad], densify_m), crs=gdf.crs).to_crs(WGS84)
    fixed[bad] = dense.values
    metric_area = shapely.area(gdf.geometry.values)
    for i in bad[~shapely.is_valid(fixed[bad])]:
        geom = shapely.make_valid(fixed[i], method="structure", keep_collapsed=False)
        parts = shapely.get_parts(geom)
        parts = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
        if len(parts) == 0:
            continue
        areas = shapely.area(parts)
        scale = metric_area[i] / max(float(areas.sum()), 1e-30)  # m² per square degree, locally
        fixed[i] = parts[int(np.argmax(areas))] if (areas.sum() - areas.max()) * scale < 1.0 \
            else shapely.union_all(parts)
    return out.set_geometry(gpd.GeoSeries(fixed, index=out.index, crs=WGS84))


def enclosing_grids(grids: gpd.GeoDataFrame, communities: gpd.GeoDataFrame,
                    min_m2: float = 1.0) -> list[dict]:
    """Grids (metric, with code and community) whose holes are filled by other grids.

    A hole counts when more than ``min_m2`` of it lies inside the grid's community (a hole of the
    community itself is fine). Returns one dict per such grid: code, households, population,
    hole_m2 and the codes of the grids inside its holes.
    """
    geoms = grids.geometry.values
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    has = np.unique(part_of[shapely.get_num_interior_rings(parts) > 0])
    if len(has) == 0:
        return []
    by_code = dict(zip(communities["code"].astype(str), communities.geometry.values, strict=True))
    points = shapely.point_on_surface(geoms)
    out = []
    for i in has:
        row = grids.iloc[i]
        comm = by_code.get(str(row["community"]))
        polys = shapely.get_parts(geoms[i])
        holes = [shapely.Polygon(r) for p in polys for r in p.interiors]
        filled = [h for h in holes if comm is None or shapely.area(shapely.intersection(h, comm)) > min_m2]
        if not filled:
            continue
        hole = shapely.union_all(filled)
        same = np.flatnonzero((grids["community"] == row["community"]).to_numpy())
        inner = [str(grids["code"].iloc[j]) for j in same if j != i and shapely.contains(hole, points[j])]
        out.append({"code": str(row["code"]), "households": round(float(row["households"]), 1),
                    "population": round(float(row["population"]), 1),
                    "hole_m2": round(float(sum(shapely.area(h) for h in filled)), 1), "encloses": sorted(inner)})
    return sorted(out, key=lambda e: e["code"])
