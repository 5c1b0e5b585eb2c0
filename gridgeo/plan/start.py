"""Starting plans: from the partition's atoms and proposal, or from the current grids.

- :func:`atoms_from_partition` turns the partition's atoms (``atom``, ``community``,
  ``legacy_<layer>``, counts) into an AtomSet;
- :func:`plan_from_proposal` is the partition's proposal as a plan (each atom in the grid the
  partition gave it);
- :func:`plan_from_grids` puts each atom in the grid it overlaps most (e.g. the current grids
  of the atlas or of the store's current grid set) and keeps the grids' names and staff.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridgeo.geo.metric import to_metric
from gridgeo.plan.model import AtomSet, Plan, SizeBand, make_plan


def atoms_from_partition(atoms: gpd.GeoDataFrame) -> AtomSet:
    """An AtomSet from ``PartitionResult.atoms`` (ids become text ``a<n>``)."""
    frame = atoms.copy()
    if "atom_id" not in frame.columns:
        frame["atom_id"] = [f"a{int(n)}" for n in frame["atom"]] if "atom" in frame.columns else \
            [f"a{n}" for n in range(len(frame))]
    if "community_code" not in frame.columns:
        frame = frame.rename(columns={"community": "community_code"})
    keep = ["atom_id", "community_code", "households", "population", "enterprises",
            *[c for c in frame.columns if c.startswith("legacy_")],
            *(["current_grid"] if "current_grid" in frame.columns else []), "geometry"]
    return AtomSet(frame[keep])


def plan_from_proposal(result, band: SizeBand | None = None, atoms: AtomSet | None = None) -> Plan:
    """The partition's proposal (a ``PartitionResult``) as a plan over its atoms (``atoms``: the
    AtomSet already made from them, to share its caches)."""
    atoms = atoms or atoms_from_partition(result.atoms)
    assignment = pd.Series(result.atoms["grid_code"].astype(str).to_numpy(), index=atoms.ids)
    grids = result.grids
    table = pd.DataFrame({"code": grids["code"].astype(str), "name": grids["code"].astype(str),
                          "community_code": grids["community"].astype(str)})
    bounds = result.metrics.get("bounds", {}) if isinstance(result.metrics, dict) else {}
    band = band or SizeBand(bounds.get("min_households", SizeBand().min_households),
                            bounds.get("max_households", SizeBand().max_households),
                            bounds.get("min_population"), bounds.get("max_population"))
    return make_plan(atoms, assignment, table, band=band)


def largest_overlap(atoms: AtomSet, grids: gpd.GeoDataFrame) -> np.ndarray:
    """For each atom the position in ``grids`` of the grid covering most of its area (-1: none).

    Atoms are first matched within their own community when ``grids`` has ``community_code``.
    """
    gm = to_metric(grids).geometry.values
    tree = shapely.STRtree(gm)
    a_idx, g_idx = tree.query(atoms.metric, predicate="intersects")
    best = np.full(len(atoms), -1)
    if not len(a_idx):
        return best
    area = shapely.area(shapely.intersection(atoms.metric[a_idx], gm[g_idx]))
    if "community_code" in grids.columns:
        same = grids["community_code"].astype(str).to_numpy()[g_idx] == atoms.community[a_idx]
        area = area + same * 1e12  # a grid of the atom's own community wins whenever one overlaps
    order = np.lexsort((-area, a_idx))
    a_s, g_s, ar = a_idx[order], g_idx[order], area[order]
    first = np.ones(len(a_s), dtype=bool)
    first[1:] = a_s[1:] != a_s[:-1]
    ok = first & (ar > 0)
    best[a_s[ok]] = g_s[ok]
    return best


def plan_from_grids(atoms: AtomSet, grids: gpd.GeoDataFrame, band: SizeBand | None = None) -> Plan:
    """Each atom in the grid (``code``) it overlaps most; names, community and staff kept, and
    the grids' stated ``households`` as ``stated_households`` (the plan's figures are the sums of
    the atoms' units; where the two differ the editor shows both).

    When the atoms were refined with these grids (``PartitionInputs(current=grids)``) every atom
    lies inside one grid, so the plan reproduces them exactly.

    Otherwise atoms covered by no grid stay unassigned (the integrity check shows them as gaps)
    and a grid that is no atom's largest overlap stays in the table without atoms (an
    ``empty_grid`` warning).
    """
    best = largest_overlap(atoms, grids)
    codes = grids["code"].astype(str).to_numpy()
    ok = best >= 0
    assignment = pd.Series(codes[best[ok]], index=atoms.ids[ok])
    cols = [c for c in ("code", "name", "community_code", "grid_worker", "party_branch") if c in grids.columns]
    table = pd.DataFrame(grids[cols]).copy()  # grids no atom falls in stay, as empty_grid warnings
    if "households" in grids.columns:  # the grid's own record, shown beside the sum of its units
        table["stated_households"] = pd.to_numeric(grids["households"], errors="coerce").to_numpy()
    return make_plan(atoms, assignment, table, band=band)


@functools.lru_cache(maxsize=4)
def _default_partition(grid_source: str = "atlas", grids_wkb: bytes | None = None):
    """The default atlas refined by communities, legacy layers and today's grids (the atlas grids,
    or the store's current grid set given as ``grids_wkb``: a parquet of code + geometry)."""
    import io

    from gridgeo.atlas.load import load_default_atlas
    from gridgeo.partition import PartitionInputs, run_partition

    atlas = load_default_atlas()
    grids = atlas.grids if grids_wkb is None else gpd.read_parquet(io.BytesIO(grids_wkb))
    result = run_partition(PartitionInputs(atlas.communities, atlas.legacy, atlas.units, current=grids))
    return atlas, result, atoms_from_partition(result.atoms)


@functools.lru_cache(maxsize=4)
def _default_atoms(grid_source: str = "atlas", grids_wkb: bytes | None = None):
    """(atlas, atoms) of the default atlas refined by communities, legacy layers and today's grids,
    without solving the partition (a plan from today's grids: seconds instead of the proposal's
    quarter of a minute)."""
    import io

    from gridgeo.atlas.load import load_default_atlas
    from gridgeo.partition import PartitionInputs, partition_atoms

    atlas = load_default_atlas()
    grids = atlas.grids if grids_wkb is None else gpd.read_parquet(io.BytesIO(grids_wkb))
    atoms = partition_atoms(PartitionInputs(atlas.communities, atlas.legacy, atlas.units, current=grids))
    return atlas, atoms_from_partition(atoms)


def _current_grids(store) -> tuple[str, gpd.GeoDataFrame | None]:
    """Today's grids: the store's current grid set when it has one, else the atlas grids (None)."""
    if store is not None and store.current_version() is not None:
        version, grids = store.current_grid_set()[:2]
        return f"store:{version}", grids
    return "atlas", None


def default_start_plan(start: str, store=None) -> Plan:
    """A starting plan over the default atlas's atoms: the common refinement of communities,
    legacy layers and today's grids (built once per process and grid set): ``proposal`` (the
    partition's proposal) or ``current`` (today's grids: the store's current grid set, or the
    atlas grids without one; the atoms follow their borders, so the plan reproduces them)."""
    if start not in ("current", "proposal"):
        raise ValueError(f"start {start!r}: use current or proposal")
    import io

    source, grids = _current_grids(store)
    data = None
    if grids is not None:
        buf = io.BytesIO()
        grids[["code", "geometry"]].to_parquet(buf, index=False)
        data = buf.getvalue()
    if start == "proposal":
        _, result, atoms = _default_partition(source, data)
        return plan_from_proposal(result, atoms=atoms)
    atoms = _stored_atoms(store, source)  # an earlier plan's, kept in the store: no refinement
    if atoms is None:
        atlas, atoms = _default_atoms(source, data)  # today's grids need only the atoms, not a proposal
        atoms.origin = f"{ATOMS_ORIGIN}{source}"
    else:
        atlas = _default_atlas()
    return plan_from_grids(atoms, atlas.grids if grids is None else grids)


ATOMS_ORIGIN = "today:"  # plan_atom_sets.source of the atoms of today's grids ("today:atlas", "today:store:<v>")


def _default_atlas():
    from gridgeo.atlas.load import load_default_atlas

    return load_default_atlas()


def _stored_atoms(store, grid_source: str) -> AtomSet | None:
    """The atoms of today's grids (``grid_source``) that a plan started from them stored (the
    repository keeps every plan's atom set), or None."""
    if store is None:
        return None
    import io

    import sqlalchemy as sa

    from gridgeo.plan import schema as P

    origin = f"{ATOMS_ORIGIN}{grid_source}"
    t = P.plan_atom_sets
    try:
        with store.engine.connect() as conn:
            data = conn.execute(sa.select(t.c.data).where(t.c.source == origin)
                                .order_by(t.c.created_at.desc()).limit(1)).scalar()
    except sa.exc.SQLAlchemyError:  # no plan tables yet
        return None
    if data is None:
        return None
    atoms = AtomSet(gpd.read_parquet(io.BytesIO(bytes(data))))
    atoms.origin = origin
    return atoms
