"""Quality of a proposal: compactness, size status, legacy preservation.

- Polsby-Popper compactness 4*pi*A/P^2 (1 for a disc).
- Size status per grid: ok, under_min or over_max (households; population when bounds given).
- Per legacy layer: the share of each grid's area covered by its largest legacy grid, and an
  adjusted Rand index between the proposal and the layer with households as the elements
  (atoms carry households; the contingency table is built from household sums, which equals
  sklearn.metrics.adjusted_rand_score on one label per household; hand-written because
  adjusted_rand_score takes no sample weights). Atoms outside the layer are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely


def polsby_popper(geoms) -> np.ndarray:
    """4*pi*area/perimeter^2 for each geometry (metric)."""
    area = shapely.area(geoms)
    perim = shapely.length(geoms)
    return np.divide(4 * np.pi * area, perim**2, out=np.zeros_like(area), where=perim > 0)


def size_status(values: np.ndarray, lo: float | None, hi: float | None, what: str = "households") -> np.ndarray:
    """'ok', 'under_min' or 'over_max' per value (a missing bound is not checked)."""
    status = np.full(len(values), "ok", dtype=object)
    if lo is not None:
        status[values < lo - 1e-9] = "under_min" if what == "households" else f"{what}_under_min"
    if hi is not None:
        status[values > hi + 1e-9] = "over_max" if what == "households" else f"{what}_over_max"
    return status


def _comb2(x: np.ndarray) -> float:
    return float((x * (x - 1) / 2.0).sum())


def weighted_ari(labels_a, labels_b, weights) -> float:
    """Adjusted Rand index of two labelings where element i stands for ``weights[i]`` elements."""
    df = pd.DataFrame({"a": labels_a, "b": labels_b, "w": np.asarray(weights, dtype=float)})
    df = df[df["w"] > 0].dropna(subset=["a", "b"])
    n = df["w"].sum()
    if n < 2:
        return float("nan")
    nij = df.groupby(["a", "b"])["w"].sum().to_numpy()
    ai = df.groupby("a")["w"].sum().to_numpy()
    bj = df.groupby("b")["w"].sum().to_numpy()
    sum_ij, sum_a, sum_b = _comb2(nij), _comb2(ai), _comb2(bj)
    expected = sum_a * sum_b / (n * (n - 1) / 2.0)
    max_index = (sum_a + sum_b) / 2.0
    if max_index == expected:
        return 1.0
    return float((sum_ij - expected) / (max_index - expected))


def largest_legacy_share(atoms: pd.DataFrame, grid_col: str, legacy_col: str) -> pd.Series:
    """Per grid: share of its area covered by the one legacy grid covering most of it."""
    area = atoms.groupby(grid_col)["area_m2"].sum()
    by = atoms.dropna(subset=[legacy_col]).groupby([grid_col, legacy_col])["area_m2"].sum()
    best = by.groupby(level=0).max() if len(by) else pd.Series(dtype=float)
    return (best.reindex(area.index).fillna(0.0) / area).clip(upper=1.0)


def change_class(atoms: pd.DataFrame, grid_col: str, legacy_col: str) -> pd.Series:
    """How each grid relates to the primary layer: kept, merged, split or reshaped.

    kept: exactly one legacy grid's piece in this community, whole and alone; merged: several
    whole legacy grids; split: part of one legacy grid; reshaped: anything else.
    """
    labelled = atoms[legacy_col].notna().to_numpy()
    df = pd.DataFrame({"g": atoms[grid_col].to_numpy(), "lab": labelled,
                       "k": (atoms["community"].astype(str) + "|" + atoms[legacy_col].astype(str)).to_numpy()})
    grids = pd.Index(sorted(df["g"].unique()))
    pieces = df[df["lab"]].drop_duplicates(["g", "k"])
    whole = pieces["k"].map(df.groupby("k")["g"].nunique()) == 1  # the piece lies in this grid only
    per = pd.DataFrame({"g": pieces["g"], "whole": whole}).groupby("g")["whole"].agg(["size", "all"])
    n = per["size"].reindex(grids).fillna(0).to_numpy()
    all_whole = per["all"].reindex(grids).fillna(True).astype(bool).to_numpy()
    unlabelled = (~df["lab"]).groupby(df["g"]).any().reindex(grids).to_numpy(dtype=bool)
    out = np.select([(n == 1) & all_whole & ~unlabelled, (n >= 1) & all_whole, (n == 1) & ~unlabelled],
                    ["kept", "merged", "split"], default="reshaped")
    return pd.Series(out.astype(object), index=grids)


def distribution(values: np.ndarray) -> dict:
    """min, p25, median, mean, p75, max of ``values`` (rounded)."""
    v = np.asarray(values, dtype=float)
    if len(v) == 0:
        return {}
    q = np.percentile(v, [0, 25, 50, 75, 100])
    q = [float(x) for x in q]
    return {"min": round(q[0], 3), "p25": round(q[1], 3), "median": round(q[2], 3),
            "mean": round(float(v.mean()), 3), "p75": round(q[3], 3), "max": round(q[4], 3)}
