"""Crosswalk: for every legacy grid, the new grids it went to, with area and household shares.

Built from the atoms (each atom lies in one new grid and, per layer, in at most one legacy
grid), so shares are exact up to the sliver tolerance. ``outcome`` per legacy grid:
kept (all of it in one new grid holding nothing of another legacy grid of that layer),
merged (all of it in one new grid together with others), split (spread over several grids).
"""

from __future__ import annotations

import pandas as pd

CROSSWALK_COLUMNS = ("layer", "legacy_code", "grid_code", "area_m2", "area_share", "households",
                     "household_share", "outcome")


def build_crosswalk(atoms: pd.DataFrame, layers: list[str], grid_col: str = "grid_code") -> pd.DataFrame:
    """One row per (layer, legacy grid, new grid) pair; see the module docstring."""
    frames = []
    for layer in layers:
        col = f"legacy_{layer}"
        sub = atoms.dropna(subset=[col])
        if sub.empty:
            continue
        pair = sub.groupby([col, grid_col]).agg(area_m2=("area_m2", "sum"),
                                                households=("households", "sum")).reset_index()
        tot = pair.groupby(col)[["area_m2", "households"]].transform("sum")
        pair["area_share"] = pair["area_m2"] / tot["area_m2"]
        hh = tot["households"]
        pair["household_share"] = (pair["households"] / hh).where(hh > 0)
        n_grids = pair.groupby(col)[grid_col].transform("nunique")
        n_legacy_in_grid = pair.groupby(grid_col)[col].transform("nunique")
        pair["outcome"] = "split"
        one = n_grids == 1
        pair.loc[one & (n_legacy_in_grid == 1), "outcome"] = "kept"
        pair.loc[one & (n_legacy_in_grid > 1), "outcome"] = "merged"
        pair.insert(0, "layer", layer)
        frames.append(pair.rename(columns={col: "legacy_code", grid_col: "grid_code"}))
    if not frames:
        return pd.DataFrame(columns=list(CROSSWALK_COLUMNS))
    out = pd.concat(frames, ignore_index=True)[list(CROSSWALK_COLUMNS)]
    out["area_m2"] = out["area_m2"].round(1)
    out["area_share"] = out["area_share"].round(4)
    out["household_share"] = out["household_share"].round(4)
    return out.sort_values(["layer", "legacy_code", "grid_code"]).reset_index(drop=True)


def outcome_summary(crosswalk: pd.DataFrame) -> dict:
    """Per layer: how many legacy grids were kept whole, merged, split."""
    if crosswalk.empty:
        return {}
    per = crosswalk.drop_duplicates(["layer", "legacy_code"])
    return {layer: sub["outcome"].value_counts().to_dict() for layer, sub in per.groupby("layer")}
