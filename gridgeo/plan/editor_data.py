"""What the in-browser plan editor draws, as JSON-friendly data (no UI library here).

- :func:`community_atoms_geojson`: the atoms of one community, simplified for the screen, with
  their id, households, legacy grid codes and a representative point (cached per atom set and
  community: it does not change while a plan is edited);
- :func:`grid_palette`: a fill colour per grid such that neighbouring grids differ, keeping the
  colours grids already have (a stroke never repaints the whole map in new colours);
- :func:`editor_state`: the assignment of the community's atoms, its grids (name, colour, lock,
  label point), the households per grid at the session's base, the size band, grid outlines and
  the integrity issues to mark.
"""

from __future__ import annotations

import json
import weakref

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgeo.geo.crs import WGS84
from gridgeo.plan.model import AtomSet, Plan

PALETTE = ("#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5",
           "#bc80bd", "#ccebc5", "#ffed6f", "#a6cee3", "#b2df8a", "#fdbf6f", "#cab2d6", "#e5c494")
SCREEN_TOLERANCE_M = 1.0  # simplification of atom outlines for the screen (shared borders kept)
_GEOJSON_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _simplified_wgs84(metric_geoms: np.ndarray, metric_crs: str,
                      tolerance_m: float = SCREEN_TOLERANCE_M) -> np.ndarray:
    try:  # a coverage keeps its shared borders shared (no slivers between atoms on screen)
        geoms = shapely.coverage_simplify(metric_geoms, tolerance_m, simplify_boundary=True)
    except shapely.errors.GEOSException:
        geoms = shapely.simplify(metric_geoms, tolerance_m, preserve_topology=True)
    out = gpd.GeoSeries(geoms, crs=metric_crs).to_crs(WGS84).values
    return shapely.set_precision(np.asarray(out), 1e-6)


def community_atoms_geojson(atoms: AtomSet, community: str) -> dict:
    """``{"key", "atoms": FeatureCollection, "bounds": [w, s, e, n]}`` of one community's atoms.

    Feature properties: ``id`` (atom id), ``h`` (households), ``lg`` ({legacy layer: code}) and
    ``c`` ([lon, lat] of a point on the atom).
    """
    per_set = _GEOJSON_CACHE.setdefault(atoms, {})
    if community in per_set:
        return per_set[community]
    mask = atoms.community == community
    pos = np.flatnonzero(mask)
    geoms = _simplified_wgs84(atoms.metric[pos], atoms.metric_crs) if len(pos) else np.array([], dtype=object)
    points = atoms.points[pos]
    layers = atoms.legacy_layers
    legacy = {lay: atoms.frame[f"legacy_{lay}"].to_numpy(dtype=object)[pos] for lay in layers}
    households = atoms.counts[pos, 0]
    features = []
    for k, p in enumerate(pos):
        lg = {lay: str(legacy[lay][k]) for lay in layers if pd.notna(legacy[lay][k]) and str(legacy[lay][k])}
        features.append({"type": "Feature", "geometry": json.loads(shapely.to_geojson(geoms[k])),
                         "properties": {"id": str(atoms.ids[p]), "h": round(float(households[k]), 2), "lg": lg,
                                        "c": [round(shapely.get_x(points[k]), 6), round(shapely.get_y(points[k]), 6)]}})
    bounds = [float(v) for v in shapely.total_bounds(geoms)] if len(pos) else None
    out = {"key": f"{atoms.key}:{community}", "atoms": {"type": "FeatureCollection", "features": features},
           "bounds": bounds}
    per_set[community] = out
    return out


def community_grids(plan: Plan, community: str) -> list[str]:
    """Codes of the grids of ``community``: those of its table rows and those its atoms are in."""
    in_table = plan.grids.index[plan.grids["community_code"].to_numpy() == community]
    labels = plan.labels()[plan.atoms.community == community]
    used = {str(g) for g in labels if g is not None and not (isinstance(g, float) and np.isnan(g))}
    return sorted(set(map(str, in_table)) | used)


def grid_adjacency(plan: Plan, codes: list[str]) -> dict[str, set[str]]:
    """Which of ``codes`` share a border (rook adjacency of their atoms)."""
    labels = plan.labels()
    a, b = plan.atoms.edges
    la, lb = labels[a], labels[b]
    wanted = set(codes)
    out: dict[str, set[str]] = {c: set() for c in codes}
    diff = np.flatnonzero(pd.notna(la) & pd.notna(lb) & (la != lb))
    for x, y in zip(la[diff], lb[diff], strict=True):
        if x in wanted and y in wanted:
            out[x].add(y)
            out[y].add(x)
    return out


def grid_palette(plan: Plan, codes: list[str], previous: dict[str, str] | None = None) -> dict[str, str]:
    """A colour per grid code, different from every neighbour's where the palette allows;
    colours in ``previous`` are kept (greedy colouring of the rest, most neighbours first)."""
    adjacency = grid_adjacency(plan, codes)
    colors = {c: v for c, v in (previous or {}).items() if c in adjacency}
    usage = {p: 0 for p in PALETTE}
    for v in colors.values():
        usage[v] = usage.get(v, 0) + 1
    for code in sorted((c for c in codes if c not in colors), key=lambda c: (-len(adjacency[c]), c)):
        taken = {colors.get(n) for n in adjacency[code]}
        free = [p for p in PALETTE if p not in taken] or list(PALETTE)
        pick = min(free, key=lambda p: (usage[p], PALETTE.index(p)))
        colors[code] = pick
        usage[pick] += 1
    return colors


def _households_by_grid(plan: Plan, community: str) -> dict[str, float]:
    mask = plan.atoms.community == community
    labels = pd.Series(plan.labels()[mask], dtype=object)
    counts = pd.Series(plan.atoms.counts[mask, 0])
    ok = labels.notna().to_numpy()
    return {str(k): round(float(v), 2) for k, v in counts[ok].groupby(labels[ok].to_numpy()).sum().items()}


def _outlines(plan: Plan, codes: list[str]) -> tuple[dict, dict[str, tuple[float, float]]]:
    members = plan.members()
    have = [c for c in codes if c in members]
    if not have:
        return {"type": "FeatureCollection", "features": []}, {}
    metric = np.array([plan.atoms.shape(members[c]) for c in have], dtype=object)
    points = gpd.GeoSeries(shapely.point_on_surface(metric), crs=plan.atoms.metric_crs).to_crs(WGS84)
    geoms = _simplified_wgs84(metric, plan.atoms.metric_crs)
    features = [{"type": "Feature", "geometry": json.loads(shapely.to_geojson(g)), "properties": {"code": c}}
                for c, g in zip(have, geoms, strict=True)]
    return ({"type": "FeatureCollection", "features": features},
            {c: (round(p.y, 6), round(p.x, 6)) for c, p in zip(have, points, strict=True)})


def editor_state(plan: Plan, community: str, colors: dict[str, str], base: Plan | None = None,
                 issues: list | None = None) -> dict:
    """The changing part of the editor's data for ``community`` (see the module docstring)."""
    codes = community_grids(plan, community)
    mask = plan.atoms.community == community
    ids = plan.atoms.ids[mask]
    labels = plan.labels()[mask]
    assign = {str(a): str(g) for a, g in zip(ids, labels, strict=True) if g is not None}
    outlines, label_at = _outlines(plan, codes)
    grids = []
    for code in codes:
        row = plan.grids.loc[code] if code in plan.grids.index else None
        lat, lon = label_at.get(code, (None, None))
        grids.append({"code": code, "short": code[-3:], "name": str(row["name"]) if row is not None else code,
                      "color": colors.get(code, PALETTE[-1]),
                      "locked": bool(row["locked"]) if row is not None else False, "lat": lat, "lon": lon})
    marks = [{"lat": i.lat, "lon": i.lon, "severity": i.severity} for i in (issues or [])
             if getattr(i, "lat", None) is not None]
    return {"assign": assign, "grids": grids, "base": _households_by_grid(base if base is not None else plan, community),
            "band": {"min": float(plan.band.min_households), "max": float(plan.band.max_households)},
            "outlines": outlines, "issues": marks}
