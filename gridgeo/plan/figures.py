"""Live figures of a plan: per grid and per community, recomputed after every edit.

Per grid: atoms, households, population, enterprises (sums of the atoms' units: the one source of
figures), the grid's stated households where its record has them (``stated_households``, with
``stated_differs`` when they differ by more than half a household), area (km²), Polsby–Popper compactness
(4πA/P², 1 for a disc) and size status (``ok``, ``under_min``, ``over_max``, as in the
partition's scoring). Per community: number of grids, households, mean/min/max per grid, the
coefficient of variation and the share of grids within the band (the community's balance).
Grid outlines come from the atom set's cache, so an edit only re-dissolves the grids it touched.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from gridgeo.atlas.model import COUNT_COLUMNS
from gridgeo.plan.model import Plan

FIGURE_COLUMNS = ("name", "community_code", "atoms", *COUNT_COLUMNS, "stated_households", "stated_differs",
                  "area_km2", "polsby_popper", "size_status", "grid_worker", "party_branch", "locked")


def polsby_popper(geoms) -> np.ndarray:
    """4·π·area / perimeter² per metric geometry (0 for an empty one)."""
    area = shapely.area(geoms)
    perim = shapely.length(geoms)
    return np.divide(4 * np.pi * area, perim**2, out=np.zeros_like(area, dtype=float), where=perim > 0)


def size_status(households: np.ndarray, lo: float | None, hi: float | None) -> np.ndarray:
    """'ok', 'under_min' or 'over_max' per value (a missing bound is not checked)."""
    status = np.full(len(households), "ok", dtype=object)
    if lo is not None:
        status[households < lo - 1e-9] = "under_min"
    if hi is not None:
        status[households > hi + 1e-9] = "over_max"
    return status


def grid_figures(plan: Plan, codes=None) -> pd.DataFrame:
    """One row per grid of the table (or of ``codes``), indexed by code; see the module docstring."""
    index = list(plan.grids.index if codes is None else [str(c) for c in codes])
    labels = plan.labels()
    key = pd.Index(index).get_indexer(pd.Series(labels).fillna("").astype(str).to_numpy(dtype=object))
    ok = key >= 0
    counts = np.zeros((len(index), len(COUNT_COLUMNS)))
    np.add.at(counts, key[ok], plan.atoms.counts[ok])
    n_atoms = np.bincount(key[ok], minlength=len(index)).astype(int)
    outlines = plan.outlines()
    shapes = np.array([outlines[c] if c in outlines else shapely.Polygon() for c in index], dtype=object)
    out = pd.DataFrame(index=pd.Index(index, name="code"))
    attrs = plan.grids.reindex(index)
    out["name"] = attrs["name"].fillna("").to_numpy()
    out["community_code"] = attrs["community_code"].fillna("").to_numpy()
    out["atoms"] = n_atoms
    for k, col in enumerate(COUNT_COLUMNS):
        out[col] = counts[:, k]
    # the one source of figures is the units; a grid's own record is kept beside it, flagged
    stated = attrs["stated_households"].to_numpy(float) if "stated_households" in attrs else np.full(len(index), np.nan)
    out["stated_households"] = stated
    out["stated_differs"] = ~np.isnan(stated) & (np.abs(stated - counts[:, 0]) > 0.5)
    out["area_km2"] = shapely.area(shapes) / 1e6
    out["polsby_popper"] = polsby_popper(shapes)
    out["size_status"] = size_status(counts[:, 0], plan.band.min_households, plan.band.max_households)
    out.loc[out["atoms"] == 0, "size_status"] = "empty"
    for col in ("grid_worker", "party_branch"):
        out[col] = attrs[col].fillna("").to_numpy()
    out["locked"] = attrs["locked"].fillna(False).astype(bool).to_numpy()
    return out


def community_balance(plan: Plan, figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per community: grids, households, mean/min/max households per grid, CV, share within band."""
    figs = grid_figures(plan) if figures is None else figures
    figs = figs[figs["atoms"] > 0]
    if figs.empty:
        return pd.DataFrame(columns=["grids", "households", "population", "mean_households", "min_households",
                                     "max_households", "cv_households", "share_within_band"])
    g = figs.groupby("community_code")
    out = pd.DataFrame({
        "grids": g.size(),
        "households": g["households"].sum(),
        "population": g["population"].sum(),
        "mean_households": g["households"].mean(),
        "min_households": g["households"].min(),
        "max_households": g["households"].max(),
        "cv_households": g["households"].std(ddof=0) / g["households"].mean().replace(0, np.nan),
        "share_within_band": g["size_status"].apply(lambda s: float((s == "ok").mean())),
    })
    out.index.name = "community_code"
    return out


def summary(plan: Plan, figures: pd.DataFrame | None = None) -> dict:
    """Plan-wide figures: grids, households, population, share within band, median compactness."""
    figs = grid_figures(plan) if figures is None else figures
    figs = figs[figs["atoms"] > 0]
    return {"grids": int(len(figs)), "households": float(figs["households"].sum()),
            "population": float(figs["population"].sum()),
            "enterprises": float(figs["enterprises"].sum()),
            "share_within_band": float((figs["size_status"] == "ok").mean()) if len(figs) else 0.0,
            "median_polsby_popper": float(figs["polsby_popper"].median()) if len(figs) else 0.0}
