"""Viewing event history under either grid set.

Events keep the grid (and ``grid_set_version``) they were given when reported. To read past
events under another published grid set — e.g. last month's cases under the grids published
today — their positions are assigned again with that set's spatial index
(:func:`gridgeo.services.grid_index.grid_index`, the same exact point-in-polygon rule as intake). Nothing stored
changes.
"""

from __future__ import annotations

import pandas as pd

from gridgeo.services.grid_index import grid_index


def events_under_grid_set(store, events: pd.DataFrame, version: int) -> pd.DataFrame:
    """``events`` (with lon, lat) with grid_code, community_code, street_code and out_of_area as
    they would be under grid set ``version``; the codes they were stored with are kept in
    ``reported_grid_code`` / ``reported_grid_set_version``."""
    out = events.copy()
    if "grid_code" in out.columns:
        out["reported_grid_code"] = out["grid_code"]
    if "grid_set_version" in out.columns:
        out["reported_grid_set_version"] = out["grid_set_version"]
    if len(out):
        codes = grid_index(store, int(version)).assign(out["lon"].to_numpy(float), out["lat"].to_numpy(float))
        for col in ("grid_code", "community_code", "street_code", "out_of_area"):
            out[col] = codes[col].to_numpy()
    out["grid_set_version"] = int(version)
    return out
