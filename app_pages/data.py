"""Where the app gets its events: the ONE loader every page calls.

``load_events(start, end)`` returns the event frame for a time window; ``ensure_seeded()``
fills an empty store with a realistic simulated day so the demo map is alive. Until the event
store lands (gridgeo.store), events come from an interim in-process simulation; switching is
confined to this module.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from gridgeo.model import Atlas

TZ = ZoneInfo("Asia/Shanghai")

EVENT_COLUMNS = ("id", "reported_at", "lon", "lat", "category", "level", "status", "channel",
                 "grid_code", "community_code", "street_code")

CATEGORIES = ("neighbour_dispute", "labour", "property", "work_safety", "public_order", "environment",
              "urban_village", "land", "petition", "other")


def now() -> datetime:
    """The current time in China Standard Time."""
    return datetime.now(TZ)


def today_window(at: datetime | None = None) -> tuple[datetime, datetime]:
    """[local midnight, now) of the day containing ``at``."""
    at = at or now()
    start = at.astimezone(TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, at


_INTERIM: dict[str, pd.DataFrame] = {}


def _interim_events(atlas: Atlas, start: datetime, end: datetime, n: int, seed: int = 7) -> pd.DataFrame:
    """Stand-in simulation used until gridgeo.simulate lands: events near basic units,
    levels skewed to 3-4, statuses advancing with age."""
    rng = np.random.default_rng(seed)
    units = atlas.units
    weight = units["kind"].map({"urban_village": 3.0, "industrial_park": 2.0}).fillna(1.0).to_numpy()
    weight = weight * np.sqrt(units["households"].clip(lower=1).to_numpy())
    idx = rng.choice(len(units), size=n, p=weight / weight.sum())
    pts = units.geometry.iloc[idx].representative_point()
    lon = pts.x.to_numpy() + rng.normal(0, 0.0015, n)
    lat = pts.y.to_numpy() + rng.normal(0, 0.0015, n)
    span = (end - start).total_seconds()
    reported = pd.to_datetime([start + timedelta(seconds=float(s)) for s in np.sort(rng.uniform(0, span, n))])
    age_h = (end - reported).total_seconds().to_numpy() / 3600.0
    status = np.where(age_h > 6, rng.choice(["resolved", "confirmed", "accepted"], n, p=[0.5, 0.3, 0.2]),
                      np.where(age_h > 1, rng.choice(["accepted", "resolved"], n, p=[0.7, 0.3]), "reported"))
    frame = pd.DataFrame({
        "id": [f"sim-{seed}-{i}" for i in range(n)], "reported_at": reported, "lon": lon, "lat": lat,
        "category": rng.choice(CATEGORIES, n), "level": rng.choice([1, 2, 3, 4], n, p=[0.04, 0.14, 0.42, 0.40]),
        "status": status, "channel": rng.choice(["app", "hotline", "grid_worker", "volunteer", "hall"], n),
    })
    return _assign(atlas, frame)


def _assign(atlas: Atlas, frame: pd.DataFrame) -> pd.DataFrame:
    import geopandas as gpd

    pts = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=atlas.grids.crs)
    grids = atlas.grids[["code", "community_code", "street_code", "geometry"]].rename(columns={"code": "grid_code"})
    joined = gpd.sjoin(pts, grids, how="left", predicate="within")
    joined = joined[~joined.index.duplicated()].drop(columns=["geometry", "index_right"])
    return pd.DataFrame(joined).reset_index(drop=True)


def load_events(atlas: Atlas, start: datetime, end: datetime) -> pd.DataFrame:
    """Events reported in [start, end) with their area codes, level, status and position."""
    frame = _INTERIM.get("events")
    if frame is None:
        return pd.DataFrame(columns=list(EVENT_COLUMNS))
    mask = (frame["reported_at"] >= pd.Timestamp(start)) & (frame["reported_at"] < pd.Timestamp(end))
    return frame[mask].reset_index(drop=True)


def ensure_seeded(atlas: Atlas, events_per_day: int = 1200, days: int = 30) -> int:
    """Seed an empty event source with simulated events (``days`` back to now); return how many."""
    if "events" in _INTERIM:
        return 0
    end = now()
    frame = _interim_events(atlas, end - timedelta(days=days), end, events_per_day * days)
    _INTERIM["events"] = frame
    return len(frame)


def source_is_simulated() -> bool:
    """True while events come from the simulation rather than a store."""
    return True


# Interim time limits per level (hours) until the store's lifecycle rules land.
_INTERIM_LIMIT_H = {1: 2.0, 2: 24.0, 3: 72.0, 4: 120.0}
_ACCEPTED = ("accepted", "resolved", "confirmed", "feedback", "escalated")
_RESOLVED = ("resolved", "confirmed", "feedback")


def kpis(events: pd.DataFrame, at: datetime) -> dict:
    """Today's figures for the wall display: received, accepted, resolved, resolution rate,
    overdue and received by level (1-4)."""
    n = len(events)
    status = events["status"] if n else pd.Series(dtype=str)
    accepted = int(status.isin(_ACCEPTED).sum())
    resolved = int(status.isin(_RESOLVED).sum())
    if n:
        limit = pd.to_timedelta(events["level"].astype(int).map(_INTERIM_LIMIT_H), unit="h")
        open_ = status.isin(("reported", "accepted", "escalated"))
        overdue = int((open_ & (pd.to_datetime(events["reported_at"]) + limit < pd.Timestamp(at))).sum())
        by_level = events["level"].astype(int).value_counts()
    else:
        overdue, by_level = 0, pd.Series(dtype=int)
    return {"received": n, "accepted": accepted, "resolved": resolved,
            "resolution_rate": resolved / n if n else 0.0, "overdue": overdue,
            "by_level": {lvl: int(by_level.get(lvl, 0)) for lvl in (1, 2, 3, 4)}}
