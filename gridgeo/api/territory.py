"""What a caller may see and do in its territory: the one place the API applies territory and
personal data, on top of the role checks of :mod:`gridgeo.api.auth` (``check_place``).

- event filters for the territory (:func:`territory_filters`), areas no coarser than it
  (:func:`check_by`), posted events located inside it (:func:`check_posts`);
- plan grids, exports and tiles inside it (:func:`area_mask`, ``Identity.sees_area``);
- personal data (reporter name, phone, free text) masked unless the role may see it there;
  every unmasked read is written to the audit log (:func:`shown`, :func:`shown_rows`: the rule
  of :mod:`gridgeo.services.personal_data`, the app's too).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from gridgeo.access import Identity
from gridgeo.api.errors import ApiError
from gridgeo.services.grid_index import grid_index
from gridgeo.services.personal_data import place_code, shown, shown_rows

__all__ = ["area_mask", "check_by", "check_posts", "place_code", "shown", "shown_rows", "territory_filters"]

COLUMN_BY_LENGTH = {15: "grid_code", 12: "community_code", 9: "street_code", 6: "street_code"}
LEVEL_BY_LENGTH = {15: "grid", 12: "community", 9: "street", 6: "district"}
BY_RANK = {"grid": 15, "community": 12, "street": 9}


def territory_filters(store: Any, who: Identity, asked: dict[str, list[str] | None]) -> dict | None:
    """``asked`` area filters narrowed to ``who``'s territory; None when nothing asked is inside it."""
    if not who.scopes:
        return asked
    length = len(who.scopes[0])
    column = COLUMN_BY_LENGTH[length]
    codes = list(who.scopes)
    if length == 6:  # a district: its streets in the current grid set
        grids = store.current_grid_set()[1]
        codes = sorted({str(c) for c in grids["street_code"] if any(str(c).startswith(s) for s in who.scopes)})
    wanted = asked.get(column)
    keep = [c for c in wanted if c in codes] if wanted else codes
    return {**asked, column: keep} if keep else None


def check_by(who: Identity, by: str | None) -> None:
    """403 when a scoped caller asks for areas coarser than its territory (they hold others' cases)."""
    if not who.scopes or by not in BY_RANK:
        return
    length = len(who.scopes[0])
    if BY_RANK[by] < length:
        raise ApiError(403, f"{who.actor} ({who.role}) is scoped to {LEVEL_BY_LENGTH[length]} codes "
                            f"{', '.join(who.scopes)}; by={by} is coarser than that territory: ask by="
                            f"{LEVEL_BY_LENGTH[length] if length != 6 else 'street'} or finer")


def check_posts(store: Any, who: Identity, events: list) -> None:
    """403 when a scoped caller posts an event located outside its territory (or outside every
    grid): an intake gateway or an operator writes only where it works (nothing is stored)."""
    if not who.scopes or not events:
        return
    codes = np.full(len(events), None, dtype=object)
    version = store.current_version(max_age=1.0)
    if version is not None:
        index = grid_index(store, version)
        pos = index.lookup(np.array([e.lon for e in events]), np.array([e.lat for e in events]))
        codes = np.where(pos >= 0, index.code_arrays()[0][np.maximum(pos, 0)], None)
    outside = [(i, ev.id) for i, (ev, code) in enumerate(zip(events, codes, strict=True)) if not who.covers(code)]
    if outside:
        i, eid = outside[0]
        message = f"lies outside the territory {', '.join(who.scopes)}"
        raise ApiError(403, f"{who.actor} ({who.role}) may post events only inside {', '.join(who.scopes)}; "
                            f"{len(outside)} event(s) lie outside it (first: index {i}, id {eid}); nothing stored",
                       [{"index": j, "id": e, "field": "lon/lat", "message": message} for j, e in outside[:100]])


def area_mask(who: Identity, codes: pd.Series, parents: pd.Series | None = None) -> np.ndarray:
    """Which areas (``codes``, or their ``parents``' codes, e.g. the community of a new grid)
    lie inside ``who``'s territory (all for an unscoped caller)."""
    if not who.scopes:
        return np.ones(len(codes), dtype=bool)
    mask = np.array([who.covers(str(c)) for c in codes], dtype=bool)
    if parents is not None:
        mask |= np.array([who.covers(str(c)) for c in parents], dtype=bool)
    return mask
