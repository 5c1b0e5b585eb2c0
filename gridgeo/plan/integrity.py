"""Integrity checks a plan must pass before it is accepted, each failure placed on the map.

Rules (``Issue.rule``), as districting tools run them:

- ``unknown_atom``: the assignment names an atom that is not in the atom set;
- ``duplicate``: an atom is assigned twice (an overlap);
- ``unassigned``: an atom belongs to no grid (a gap);
- ``unknown_grid``: an atom is assigned to a code missing from the grid table;
- ``empty_grid``: a grid in the table has no atoms (warning);
- ``outside_community``: a grid holds an atom of another community (or, when the community
  boundaries are given, reaches outside its community by more than the tolerance);
- ``non_contiguous``: a grid falls into several pieces (rook adjacency of its atoms); one
  issue per detached piece, placed on it;
- ``hole``: a grid's outline has a hole (it encloses another grid or a gap) above the tolerance;
- ``under_min`` / ``over_max`` (and ``population_under_min`` / ``population_over_max``):
  outside the size band. An error, except where the band cannot be met — the community holds
  fewer households than the minimum, or a single atom exceeds the maximum — which is a warning
  carrying that reason;
- ``totals``: the grids' households, population and enterprises do not add up to the atoms';
- ``atom_overlap`` / ``community_gap``: the atoms themselves overlap, or leave part of a
  community uncovered (only checked when the communities are given).

Every issue has a location (lon/lat of a point on the offending atom or grid, and its bounds)
so the editing page can draw it and zoom to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgeo.atlas.model import COUNT_COLUMNS, DEFAULT_TOLERANCE_M2
from gridgeo.geo.crs import WGS84
from gridgeo.geo.metric import transformer
from gridgeo.i18n import Msg, t
from gridgeo.plan.model import Plan

ERROR, WARNING = "error", "warning"

RULES: tuple[str, ...] = ("unknown_atom", "duplicate", "unassigned", "unknown_grid", "empty_grid",
                          "outside_community", "non_contiguous", "hole", "under_min", "over_max",
                          "population_under_min", "population_over_max", "totals", "atom_overlap",
                          "community_gap")


def rule_label(rule: str, lang: str = "zh") -> str:
    """The display name of a rule (catalogue key ``rule_<rule>`` in gridgeo.i18n; else the rule)."""
    text = t(f"rule_{rule}", lang)
    return rule if text == f"rule_{rule}" else text


RULE_LABELS: dict[str, str] = {r: rule_label(r) for r in RULES}  # Chinese names, from the catalogue



@dataclass(frozen=True)
class Issue:
    """One integrity failure with where to look on the map (WGS84).

    ``message`` is the English text (logs, API); ``msg`` the catalogue message, to show it in
    the planner's language (``issue.text(lang)``).
    """

    rule: str
    severity: str
    message: str
    grid: str | None = None
    atom: str | None = None
    lon: float | None = None
    lat: float | None = None
    bounds: tuple[float, float, float, float] | None = None
    msg: Msg | None = field(default=None, compare=False, hash=False, repr=False)

    def text(self, lang: str = "zh") -> str:
        """The message in ``lang``."""
        return self.msg.render(lang) if self.msg is not None else self.message

    def as_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "msg"}
        out["message_zh"] = self.text("zh")
        return out


def _issue(rule: str, severity: str, key: str, params: dict, **where) -> Issue:
    """An Issue whose message is the catalogue's ``key`` with ``params`` (English in ``message``)."""
    msg = Msg(key, params)
    return Issue(rule, severity, msg.render("en"), msg=msg, **where)


def _locate(metric_crs: str, geom_metric) -> dict:
    """Where an issue is: a point on it and its bounds, in WGS84."""
    if geom_metric is None or geom_metric.is_empty:
        return {}
    point = shapely.point_on_surface(geom_metric)
    to_wgs84 = transformer(metric_crs, WGS84)
    lon, lat = to_wgs84.transform(point.x, point.y)
    x0, y0, x1, y1 = geom_metric.bounds
    (a, c), (b, d) = to_wgs84.transform([x0, x1], [y0, y1])
    return {"lon": float(lon), "lat": float(lat), "bounds": (float(a), float(b), float(c), float(d))}


def validate(plan: Plan, communities: gpd.GeoDataFrame | None = None,
             tolerance_m2: float = DEFAULT_TOLERANCE_M2) -> list[Issue]:
    """Run every integrity rule on ``plan``; an empty list (or only warnings) means it passes.

    ``communities`` (code, geometry), when given, adds the geometric checks against the
    community boundaries (a grid reaching outside, a gap in a community, overlapping atoms).
    """
    issues: list[Issue] = []
    atoms = plan.atoms
    assignment = plan.assignment
    metric = atoms.metric

    known = atoms.ids.get_indexer(assignment.index) >= 0 if not assignment.index.has_duplicates else \
        np.isin(assignment.index.to_numpy(dtype=object), atoms.ids.to_numpy(dtype=object))
    stray = assignment[~known]
    for atom, grid in stray[~stray.index.duplicated()].items():
        issues.append(_issue("unknown_atom", ERROR, "issue_unknown_atom", {"atom": atom, "grid": grid},
                             atom=str(atom), grid=str(grid)))
    counted = assignment[known]
    dup = counted.index[counted.index.duplicated()]
    for atom in pd.unique(dup):
        grids = sorted(set(counted.loc[[atom]].astype(str)))
        issues.append(_issue("duplicate", ERROR, "issue_duplicate",
                             {"atom": atom, "n": int((counted.index == atom).sum()), "grids": ", ".join(grids)},
                             atom=str(atom), grid=grids[0], **_locate(plan.atoms.metric_crs, metric[atoms.position[atom]])))
    labels = plan.labels()
    unassigned = np.flatnonzero(pd.isna(labels))
    for pos in unassigned:
        issues.append(_issue("unassigned", ERROR, "issue_unassigned", {"atom": atoms.ids[pos]},
                             atom=str(atoms.ids[pos]), **_locate(plan.atoms.metric_crs, metric[pos])))

    members = plan.members()
    for code in sorted(set(members) - set(plan.grids.index)):
        issues.append(_issue("unknown_grid", ERROR, "issue_unknown_grid", {"n": len(members[code]), "grid": code},
                             grid=code, **_locate(plan.atoms.metric_crs, atoms.shape(members[code]))))
    for code in sorted(set(plan.grids.index) - set(members)):
        issues.append(_issue("empty_grid", WARNING, "issue_empty_grid", {"grid": code}, grid=code))

    issues += _community_rule(plan, members)
    issues += _contiguity_rule(plan, members, labels)
    issues += _hole_rule(plan, members, tolerance_m2)
    issues += _size_rule(plan, members)
    issues += _totals_rule(plan)
    if communities is not None:
        issues += _geometric_rules(plan, members, communities, tolerance_m2)
    return issues


def _community_rule(plan: Plan, members: dict[str, np.ndarray]) -> list[Issue]:
    out = []
    atoms = plan.atoms
    labels = plan.labels()
    grid_comm = plan.grids["community_code"].to_dict()
    want = np.array([grid_comm.get(g) for g in labels], dtype=object)
    wrong = np.flatnonzero(pd.notna(labels) & pd.notna(want) & (want != atoms.community))
    for p in wrong:
        code = labels[p]
        out.append(_issue("outside_community", ERROR, "issue_outside_community",
                          {"grid": code, "community": want[p], "atom": atoms.ids[p],
                           "atom_community": atoms.community[p]},
                          grid=code, atom=str(atoms.ids[p]), **_locate(plan.atoms.metric_crs, atoms.metric[p])))
    return out


def _contiguity_rule(plan: Plan, members: dict[str, np.ndarray], labels: np.ndarray) -> list[Issue]:
    codes, inverse = np.unique(np.where(pd.isna(labels), "", labels).astype(str), return_inverse=True)
    key = inverse.astype(np.int64)
    key[pd.isna(labels)] = -1 - np.flatnonzero(pd.isna(labels))
    comp = plan.atoms.components(key)
    assigned = ~pd.isna(labels)
    pairs = pd.DataFrame({"grid": key[assigned], "comp": comp[assigned]}).drop_duplicates()
    split_keys = pairs["grid"].value_counts()
    split_keys = set(split_keys.index[split_keys > 1])
    out = []
    hh = plan.atoms.counts[:, 0]
    for code, pos in members.items():
        if int(key[pos[0]]) not in split_keys:
            continue
        pieces = pd.Series(pos).groupby(comp[pos]).agg(list)
        order = sorted(pieces.index, key=lambda k: (-len(pieces[k]), -hh[pieces[k]].sum(), min(pieces[k])))
        for k in order[1:]:
            piece = np.array(pieces[k])
            out.append(_issue("non_contiguous", ERROR, "issue_non_contiguous",
                              {"grid": code, "pieces": len(pieces), "n": len(piece),
                               "households": float(hh[piece].sum())},
                              grid=code, atom=str(plan.atoms.ids[piece[0]]), **_locate(plan.atoms.metric_crs, plan.atoms.shape(piece))))
    return out


def _hole_rule(plan: Plan, members: dict[str, np.ndarray], tolerance_m2: float) -> list[Issue]:
    out = []
    outlines = plan.outlines()
    codes = [c for c in members if c in outlines]
    parts, part_of = shapely.get_parts(np.array([outlines[c] for c in codes], dtype=object), return_index=True)
    holed = sorted(set(part_of[shapely.get_num_interior_rings(parts) > 0].tolist()))
    for k in holed:  # only the grids whose outline has a ring inside
        code, shape = codes[k], outlines[codes[k]]
        polys = shape.geoms if hasattr(shape, "geoms") else [shape]
        for poly in polys:
            for ring in getattr(poly, "interiors", []):
                hole = shapely.Polygon(ring)
                if hole.area > tolerance_m2:
                    out.append(_issue("hole", ERROR, "issue_hole", {"grid": code, "area": hole.area},
                                      grid=code, **_locate(plan.atoms.metric_crs, hole)))
    return out


def _size_rule(plan: Plan, members: dict[str, np.ndarray]) -> list[Issue]:
    band = plan.band
    atoms = plan.atoms
    comm_total = pd.Series(atoms.counts[:, 0]).groupby(atoms.community).sum()
    out = []
    checks = [("households", 0, band.min_households, band.max_households, "")]
    if band.min_population is not None or band.max_population is not None:
        checks.append(("population", 1, band.min_population, band.max_population, "population_"))
    for code, pos in members.items():
        loc = None
        for what, col, lo, hi, prefix in checks:
            value = float(atoms.counts[pos, col].sum())
            rule, reason, severity, limit = None, "", ERROR, None
            if lo is not None and value < lo - 1e-9:
                rule, limit = f"{prefix}under_min", lo
                comm = plan.grids.at[code, "community_code"] if code in plan.grids.index else ""
                if what == "households" and comm in comm_total.index and comm_total[comm] < lo:
                    severity = WARNING
                    reason = Msg("issue_reason_small_community", {"community": comm, "total": comm_total[comm]})
            elif hi is not None and value > hi + 1e-9:
                rule, limit = f"{prefix}over_max", hi
                biggest = float(atoms.counts[pos, col].max())
                if biggest > hi:
                    severity, reason = WARNING, Msg("issue_reason_big_atom", {"value": biggest})
            if rule:
                loc = loc or _locate(plan.atoms.metric_crs, atoms.shape(pos))
                out.append(_issue(rule, severity, f"issue_{rule.removeprefix(prefix)}",
                                  {"grid": code, "value": value, "what": Msg(f"what_{what}"), "limit": limit,
                                   "reason": reason}, grid=code, **loc))
    return out


def _totals_rule(plan: Plan) -> list[Issue]:
    atoms = plan.atoms
    pos = atoms.ids.get_indexer(plan.assignment.index) if not plan.assignment.index.has_duplicates else \
        np.array([atoms.position.get(a, -1) for a in plan.assignment.index], dtype=int)
    pos = pos[pos >= 0]
    in_grids = atoms.counts[pos].sum(axis=0) if len(pos) else np.zeros(len(COUNT_COLUMNS))
    expected = atoms.counts.sum(axis=0)
    out = []
    for name, got, want in zip(COUNT_COLUMNS, in_grids, expected, strict=True):
        if abs(got - want) > 1e-6 * max(1.0, abs(want)):
            out.append(_issue("totals", ERROR, "issue_totals", {"got": got, "want": want, "what": Msg(f"what_{name}")}))
    return out


def _geometric_rules(plan: Plan, members: dict[str, np.ndarray], communities: gpd.GeoDataFrame,
                     tolerance_m2: float) -> list[Issue]:
    out = []
    metric_crs = plan.atoms.metric_crs
    comms = (communities if communities.crs is not None else communities.set_crs(WGS84)).to_crs(metric_crs)
    comm_geom = dict(zip(comms["code"].astype(str), comms.geometry.values, strict=True))
    for code, pos in members.items():
        want = plan.grids.at[code, "community_code"] if code in plan.grids.index else None
        if want not in comm_geom:
            continue
        outside = shapely.difference(plan.atoms.shape(pos), comm_geom[want])
        if outside.area > tolerance_m2:
            out.append(_issue("outside_community", ERROR, "issue_reaches_outside",
                              {"grid": code, "area": outside.area, "community": want}, grid=code, **_locate(plan.atoms.metric_crs, outside)))
    metric = plan.atoms.metric
    tree = shapely.STRtree(metric)
    a, b = tree.query(metric, predicate="overlaps")
    keep = a < b
    for i, j in zip(a[keep], b[keep], strict=True):
        inter = shapely.intersection(metric[i], metric[j])
        if inter.area > tolerance_m2:
            out.append(_issue("atom_overlap", ERROR, "issue_atom_overlap",
                              {"atom": plan.atoms.ids[i], "other": plan.atoms.ids[j], "area": inter.area},
                              atom=str(plan.atoms.ids[i]), **_locate(plan.atoms.metric_crs, inter)))
    for code, geom in comm_geom.items():
        pos = np.flatnonzero(plan.atoms.community == code)
        covered = plan.atoms.shape(pos) if len(pos) else shapely.Polygon()
        gap = shapely.difference(geom, covered)
        if gap.area > tolerance_m2:
            out.append(_issue("community_gap", ERROR, "issue_community_gap", {"area": gap.area, "community": code},
                              **_locate(plan.atoms.metric_crs, gap)))
    return out


def errors(issues: list[Issue]) -> list[Issue]:
    """The issues that block accepting a plan (severity ``error``)."""
    return [i for i in issues if i.severity == ERROR]


def issues_frame(issues: list[Issue]) -> gpd.GeoDataFrame:
    """Issues as a WGS84 point frame (rows without a location get an empty geometry)."""
    rows = [i.as_dict() for i in issues]
    frame = pd.DataFrame(rows, columns=[f.name for f in fields(Issue) if f.name != "msg"] + ["message_zh"])
    frame["label"] = frame["rule"].map(RULE_LABELS).fillna(frame["rule"])
    geom = gpd.points_from_xy(frame["lon"].astype(float), frame["lat"].astype(float)) if len(frame) else []
    return gpd.GeoDataFrame(frame, geometry=geom, crs=WGS84)
