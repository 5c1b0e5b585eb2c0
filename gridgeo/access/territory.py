"""Territory applied to frames: the events and the areas an identity may see (the app's pages
and exports use these; the rule itself is :func:`gridgeo.access.roles.in_scope` and
:func:`gridgeo.access.roles.sees_area`, the API's too).

An event is inside a scope when its finest area code (grid, else community, else street) is;
an event outside every grid is inside no scope. Personal fields are masked
(:func:`gridgeo.access.masking.mask_frame`) unless the role may see them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridgeo.access.identity import Identity
from gridgeo.access.masking import mask_frame
from gridgeo.access.roles import Action, in_scope, sees_area

AREA_COLUMNS = ("grid_code", "community_code", "street_code")


def place_codes(frame: pd.DataFrame) -> pd.Series:
    """The finest area code of each event (None outside every grid)."""
    out = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    for col in reversed(AREA_COLUMNS):  # street, then community, then grid overwrite
        if col in frame:
            values = frame[col].astype(object).where(frame[col].notna() & (frame[col].astype(str) != ""), None)
            out = values.where(values.notna(), out)
    return out


def events_in_scope(frame: pd.DataFrame, scopes: tuple[str, ...]) -> pd.DataFrame:
    """The events of ``frame`` inside ``scopes`` (all of them for an empty scope)."""
    if not scopes or frame is None or not len(frame):
        return frame
    keep = np.array([in_scope(scopes, None if c is None else str(c)) for c in place_codes(frame)], dtype=bool)
    return frame.loc[keep]


def areas_in_scope(frame: pd.DataFrame, scopes: tuple[str, ...], enclosing: bool = False,
                   column: str = "code") -> pd.DataFrame:
    """The areas of ``frame`` inside ``scopes``; with ``enclosing`` also those containing the
    scope's areas (a community's street outline)."""
    if not scopes or frame is None or not len(frame) or column not in frame:
        return frame
    rule = sees_area if enclosing else in_scope
    keep = np.array([rule(scopes, str(c)) for c in frame[column]], dtype=bool)
    return frame.loc[keep]


def events_for(frame: pd.DataFrame, who: Identity) -> pd.DataFrame:
    """The events ``who`` may see: inside its territory, personal fields masked unless the role
    may see them there (viewer, planner: always masked)."""
    shown = events_in_scope(frame, who.scopes)
    if shown is None or not len(shown) or who.may(Action.SEE_PERSONAL):
        return shown
    return mask_frame(shown)
