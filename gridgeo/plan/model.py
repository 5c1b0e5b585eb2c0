"""A grid plan: atoms, the assignment of atoms to grids, and the grids' attributes.

An ``AtomSet`` holds the indivisible pieces a plan is drawn from (the partition's common
refinement of communities and legacy layers): a WGS84 GeoDataFrame indexed by ``atom_id``
(text) with ``community_code``, ``households``, ``population``, ``enterprises``, optional
``legacy_<layer>`` codes, optionally ``current_grid`` (today's grid the atom lies in, when
today's grids were a layer of the refinement) and the geometry. It is shared, never mutated, by every plan drawn
from it, and caches what is costly: the metric geometries, the rook adjacency (libpysal) and
the dissolved shape of each set of atoms.

A ``Plan`` is immutable: ``assignment`` (a Series atom_id -> grid code; a raw assignment may
miss atoms or name one twice, which the integrity checks report) and ``grids`` (a frame indexed
by grid code with name, community_code, grid_worker, party_branch, locked, stated_households). The editing
operations in :mod:`gridgeo.plan.ops` return new plans, so undo is keeping the old one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from gridgeo.atlas.model import COUNT_COLUMNS, DEFAULT_MAX_HOUSEHOLDS, DEFAULT_MIN_HOUSEHOLDS
from gridgeo.geo.crs import WGS84
from gridgeo.geo.metric import metric_crs_of

GRID_COLUMNS: tuple[str, ...] = ("name", "community_code", "grid_worker", "party_branch", "locked",
                                 "stated_households")
# the households a grid's own record states (today's grids' attribute), kept beside the sum of its
# atoms' units so a difference can be shown; NaN for grids drawn in the plan
STATED_COLUMNS: tuple[str, ...] = ("stated_households",)
ATOM_COLUMNS: tuple[str, ...] = ("community_code", *COUNT_COLUMNS)


@dataclass(frozen=True)
class SizeBand:
    """Bounds a grid should respect (households always; population when given)."""

    min_households: float = DEFAULT_MIN_HOUSEHOLDS
    max_households: float = DEFAULT_MAX_HOUSEHOLDS
    min_population: float | None = None
    max_population: float | None = None

    def as_dict(self) -> dict:
        return {"min_households": self.min_households, "max_households": self.max_households,
                "min_population": self.min_population, "max_population": self.max_population}


class AtomSet:
    """The atoms of a plan with cached metric geometry, adjacency and dissolved shapes."""

    def __init__(self, atoms: gpd.GeoDataFrame):
        self.origin: str | None = None  # what they refine, when stored for reuse (gridgeo.plan.start)
        missing = [c for c in ATOM_COLUMNS if c not in atoms.columns]
        if missing:
            raise ValueError(f"atoms lack column(s) {', '.join(missing)}")
        frame = atoms.copy()
        if frame.crs is None:
            frame = frame.set_crs(WGS84)
        elif frame.crs != WGS84:
            frame = frame.to_crs(WGS84)
        if "atom_id" in frame.columns:
            frame = frame.set_index("atom_id")
        frame.index = pd.Index(np.asarray(frame.index.astype(str), dtype=object), dtype=object, name="atom_id")
        if frame.index.has_duplicates:
            dup = frame.index[frame.index.duplicated()][0]
            raise ValueError(f"atom_id {dup!r} occurs twice in the atoms")
        frame["community_code"] = frame["community_code"].astype(str)
        for col in COUNT_COLUMNS:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").fillna(0.0)
        self.frame: gpd.GeoDataFrame = frame
        self.ids: pd.Index = frame.index
        self.position: dict[str, int] = {a: i for i, a in enumerate(self.ids)}
        self.metric_crs: str = metric_crs_of(frame)  # areas and lengths of the plan (geo.metric)
        self.metric: np.ndarray = np.asarray(frame.geometry.to_crs(self.metric_crs).values)
        self.counts: np.ndarray = frame[list(COUNT_COLUMNS)].to_numpy(float)
        self.community: np.ndarray = frame["community_code"].to_numpy(dtype=object)
        self.legacy_layers: list[str] = [c[len("legacy_"):] for c in frame.columns if c.startswith("legacy_")]
        self._edges: tuple[np.ndarray, np.ndarray] | None = None
        self._shape_cache: dict[bytes, shapely.Geometry] = {}
        self._points: np.ndarray | None = None
        self._key: str | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def key(self) -> str:
        """A content hash (ids, communities, counts, geometry) naming this atom set in storage."""
        if self._key is None:
            h = hashlib.sha256()
            h.update("\x1f".join(self.ids).encode())
            h.update("\x1f".join(self.community).encode())
            h.update(np.ascontiguousarray(self.counts).tobytes())
            for col in sorted(c for c in self.frame.columns if c.startswith("legacy_") or c == "current_grid"):
                h.update("\x1f".join(self.frame[col].astype(str)).encode())
            h.update(b"".join(shapely.to_wkb(self.frame.geometry.values, output_dimension=2)))
            self._key = h.hexdigest()[:32]
        return self._key

    @property
    def totals(self) -> dict[str, float]:
        """Households, population and enterprises of all atoms together."""
        return {c: float(v) for c, v in zip(COUNT_COLUMNS, self.counts.sum(axis=0), strict=True)}

    @property
    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Rook adjacency (shared border, not just a corner) as position pairs ``i < j``."""
        if self._edges is None:
            if len(self) < 2:
                self._edges = (np.zeros(0, dtype=int), np.zeros(0, dtype=int))
            else:
                from libpysal.graph import Graph

                graph = Graph.build_contiguity(gpd.GeoSeries(self.metric, crs=self.metric_crs), rook=True)
                adj = graph.adjacency.reset_index()
                a = adj.iloc[:, 0].to_numpy(dtype=int)
                b = adj.iloc[:, 1].to_numpy(dtype=int)
                keep = (a < b) & (adj.iloc[:, 2].to_numpy() > 0)
                self._edges = (a[keep], b[keep])
        return self._edges

    def neighbours(self, positions: np.ndarray) -> np.ndarray:
        """Positions of atoms adjacent to any of ``positions`` (excluding them)."""
        a, b = self.edges
        sel = np.zeros(len(self), dtype=bool)
        sel[positions] = True
        out = np.zeros(len(self), dtype=bool)
        out[b[sel[a]]] = True
        out[a[sel[b]]] = True
        out[sel] = False
        return np.flatnonzero(out)

    @property
    def points(self) -> np.ndarray:
        """A representative point (WGS84) of each atom, for navigation and line sides."""
        if self._points is None:
            self._points = shapely.point_on_surface(np.asarray(self.frame.geometry.values))
        return self._points

    def shape(self, positions: np.ndarray) -> shapely.Geometry:
        """The dissolved metric shape of the atoms at ``positions`` (cached by membership)."""
        pos = np.sort(np.asarray(positions, dtype=np.int64))
        key = pos.tobytes()
        geom = self._shape_cache.get(key)
        if geom is None:
            geoms = self.metric[pos]
            geom = geoms[0] if len(geoms) == 1 else shapely.coverage_union_all(geoms)
            if not shapely.is_valid(geom):  # atoms that are not a clean coverage (overlaps)
                geom = shapely.union_all(shapely.make_valid(geoms))
            if len(self._shape_cache) > 50_000:
                self._shape_cache.clear()
            self._shape_cache[key] = geom
        return geom

    def components(self, labels: np.ndarray) -> np.ndarray:
        """Connected-component id of each atom in the graph keeping only edges within one label."""
        a, b = self.edges
        same = labels[a] == labels[b]
        n = len(self)
        graph = sparse.coo_matrix((np.ones(int(same.sum())), (a[same], b[same])), shape=(n, n))
        _, comp = sparse.csgraph.connected_components(graph, directed=False)
        return comp


@dataclass(frozen=True, eq=False)
class Plan:
    """An immutable grid plan over an atom set (see the module docstring)."""

    atoms: AtomSet
    assignment: pd.Series
    grids: pd.DataFrame
    band: SizeBand = field(default_factory=SizeBand)
    retired: frozenset = frozenset()  # codes gone from this plan's lineage: never given to a new grid

    def with_(self, **changes) -> Plan:
        """A copy with some fields replaced (the editing operations use this); a grid code that
        leaves the grid table is retired (``retired``), so no later grid of the lineage gets it."""
        new = replace(self, **changes)
        if "grids" in changes and "retired" not in changes:
            gone = set(self.grids.index) - set(new.grids.index)
            if gone:
                new = replace(new, retired=self.retired | frozenset(str(c) for c in gone))
        return new

    def labels(self) -> np.ndarray:
        """Grid code per atom position (first assignment wins; None when unassigned).

        Computed once per plan (plans are immutable; every check and figure of an edit reads
        it): the array is shared and read-only.
        """
        cached = self.__dict__.get("_labels")
        if cached is None:
            cached = self._labels()
            cached.flags.writeable = False
            self.__dict__["_labels"] = cached
        return cached

    def _labels(self) -> np.ndarray:
        index = self.assignment.index
        pos = self.atoms.ids.get_indexer(index[~index.duplicated()]) if index.has_duplicates else \
            self.atoms.ids.get_indexer(index)
        values = self.assignment.to_numpy(dtype=object)
        if index.has_duplicates:
            values = values[~index.duplicated()]
        out = np.full(len(self.atoms), None, dtype=object)
        ok = pos >= 0
        out[pos[ok]] = values[ok]
        return out

    def members(self) -> dict[str, np.ndarray]:
        """Atom positions of each grid that has atoms (computed once per plan; arrays read-only)."""
        cached = self.__dict__.get("_members")
        if cached is None:
            cached = self._members()
            for arr in cached.values():
                arr.flags.writeable = False
            self.__dict__["_members"] = cached
        return dict(cached)

    def _members(self) -> dict[str, np.ndarray]:
        labels = self.labels()
        ok = np.flatnonzero(pd.notna(labels))
        if not len(ok):
            return {}
        codes, inverse = np.unique(labels[ok].astype(str), return_inverse=True)
        order = np.argsort(inverse, kind="stable")
        bounds = np.cumsum(np.bincount(inverse, minlength=len(codes)))[:-1]
        return {str(c): part for c, part in zip(codes, np.split(ok[order], bounds), strict=True)}

    def outlines(self) -> dict[str, shapely.Geometry]:
        """The dissolved metric outline of each grid with atoms (computed once per plan; the atom
        set's cache makes an edit re-dissolve only the grids it touched)."""
        cached = self.__dict__.get("_outlines")
        if cached is None:
            cached = {code: self.atoms.shape(pos) for code, pos in self.members().items()}
            self.__dict__["_outlines"] = cached
        return cached

    def grid_of(self, atom_id: str) -> str:
        """The grid an atom is assigned to (KeyError when unassigned or unknown)."""
        value = self.assignment.get(str(atom_id))
        if value is None or (isinstance(value, float) and np.isnan(value)):
            raise KeyError(atom_id)
        return str(value.iloc[0]) if isinstance(value, pd.Series) else str(value)

    def atoms_of(self, grid: str) -> list[str]:
        """Atom ids assigned to ``grid``."""
        return [str(a) for a in self.assignment.index[self.assignment.to_numpy() == grid]]

    def grid_shapes(self, metric: bool = False) -> gpd.GeoDataFrame:
        """One dissolved polygon per grid with atoms, indexed by code (WGS84 unless ``metric``)."""
        outlines = self.outlines()
        codes = list(outlines)
        geoms = [outlines[c] for c in codes]
        out = gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs=self.atoms.metric_crs).set_index("code")
        return out if metric else out.to_crs(WGS84)

    @property
    def assignment_dict(self) -> dict[str, str]:
        """The assignment as a plain dict (duplicates collapse to the first)."""
        first = self.assignment[~self.assignment.index.duplicated()]
        return {str(k): str(v) for k, v in first.items()}


def grid_table(rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """A grid attribute table with every column of ``GRID_COLUMNS`` and text codes as index."""
    if rows is None:
        rows = pd.DataFrame(columns=list(GRID_COLUMNS))
    out = rows.copy()
    if "code" in out.columns:
        out = out.set_index("code")
    out.index = out.index.astype(str)
    out.index.name = "code"
    for col in GRID_COLUMNS:
        if col not in out.columns:
            out[col] = False if col == "locked" else np.nan if col in STATED_COLUMNS else ""
    out["locked"] = out["locked"].fillna(False).astype(bool)
    for col in STATED_COLUMNS:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    for col in ("name", "community_code", "grid_worker", "party_branch"):
        out[col] = out[col].fillna("").astype(str)
    return out[list(GRID_COLUMNS)]


def make_plan(atoms: AtomSet | gpd.GeoDataFrame, assignment: pd.Series | dict | list[tuple[str, str]],
              grids: pd.DataFrame | None = None, band: SizeBand | None = None) -> Plan:
    """Build a plan from atoms, an assignment and (optionally) the grids' attributes.

    ``assignment`` may be a Series or dict atom_id -> grid code, or a list of (atom_id, grid)
    pairs (which may name an atom twice; the integrity checks report it). Grids named by the
    assignment but missing from ``grids`` get a row with the community of their atoms.
    """
    atom_set = atoms if isinstance(atoms, AtomSet) else AtomSet(atoms)
    if isinstance(assignment, pd.Series):
        series = assignment.copy()
    elif isinstance(assignment, dict):
        series = pd.Series(assignment, dtype=object)
    else:
        pairs = list(assignment)
        series = pd.Series([g for _, g in pairs], index=[a for a, _ in pairs], dtype=object)
    series.index = pd.Index(np.asarray(series.index.astype(str), dtype=object), dtype=object, name="atom_id")
    series = pd.Series(np.asarray(series.astype(str), dtype=object), index=series.index, dtype=object)
    series.name = "grid"
    table = grid_table(grids)
    known = set(table.index)
    extra = [g for g in pd.unique(series.to_numpy()) if g not in known]
    if extra:
        pos = series.index.map(atom_set.position)
        comm = pd.Series(atom_set.community[pos.fillna(-1).astype(int)], index=series.index)
        comm[pos.isna()] = ""
        first_comm = comm.groupby(series.to_numpy()).first()
        rows = pd.DataFrame({"code": extra, "name": extra,
                             "community_code": [first_comm.get(g, "") for g in extra]})
        table = pd.concat([table, grid_table(rows)])
    return Plan(atoms=atom_set, assignment=series, grids=table.sort_index(), band=band or SizeBand())
