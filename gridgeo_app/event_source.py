"""Where the app gets its events: the ONE loader every page calls.

Events come from the event store (``gridgeo.services.workspace.open_store()``: SQLite under
``$GRIDGEO_DATA_DIR`` or the database at ``GRIDGEO_DATABASE_URL``). ``ensure_seeded`` fills an
empty DEMO store (``gridgeo.services.active_atlas.is_demo_store``: the embedded SQLite file, the Guangming demo
atlas) with simulated history (``gridgeo.demo.simulate.seed_store``: ``GRIDGEO_SEED_DAYS`` days,
default 7, of ``GRIDGEO_SEED_PER_DAY`` events a day, default 1,200) so a fresh `make run` shows
a live map; the pages say so. A store opened for real work is never seeded: an empty one shows
"no events yet". KPIs are ``gridgeo.analysis.stats.summarize``.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta  # noqa: F401  (timedelta re-exported for the pages)

import pandas as pd

from gridgeo.atlas.model import Atlas
from gridgeo.config import get_settings

TZ = get_settings().tz
SIMULATED_PREFIXES = ("hist", "sim")

_STORES: dict[str, object] = {}
_LOCK = threading.Lock()


def now() -> datetime:
    """The current time in the configured local time zone (default China Standard Time)."""
    return datetime.now(TZ)


def today_window(at: datetime | None = None) -> tuple[datetime, datetime]:
    """[local midnight, now) of the day containing ``at``."""
    at = at or now()
    start = at.astimezone(TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, at


def store():
    """The event store for the current configuration (opened once per URL and process)."""
    from gridgeo.services.workspace import open_store
    from gridgeo.store import default_url

    url = default_url()
    with _LOCK:
        if url not in _STORES:
            _STORES[url] = open_store(url)
        return _STORES[url]


def load_events(atlas: Atlas, start: datetime, end: datetime, extra: bool = False) -> pd.DataFrame:
    """Events reported in [start, end) with area codes, level, status, position and overdue flag
    (``Store.events_frame``; times in UTC); ``extra`` adds received/accepted/updated times and
    the service network's (the halls layer's "accepted today")."""
    del atlas  # the store assigned every event to its grid when it arrived
    return store().events_frame(start, end, extra=extra)


def load_open_events(atlas: Atlas, start: datetime, end: datetime) -> pd.DataFrame:
    """The cases still open (``gridgeo.events.lifecycle.OPEN_STATUSES``) among those reported in
    [start, end), whatever day that was (``Store.events_frame`` filtered by status)."""
    from gridgeo.events.lifecycle import OPEN_STATUSES

    del atlas  # as load_events
    return store().events_frame(start, end, status=list(OPEN_STATUSES))


def is_demo() -> bool:
    """True when the app runs on the demo store (synthetic grids, simulated events allowed)."""
    from gridgeo.services.active_atlas import is_demo_store

    return is_demo_store(store())


def ensure_seeded(atlas: Atlas, events_per_day: int | None = None, days: float | None = None) -> int:
    """Fill an empty DEMO store with simulated history ending now; return how many events were
    added (0 when the store already had events or is not the demo store)."""
    from gridgeo.demo.simulate import seed_store

    s = store()
    if not is_demo():  # (before taking the lock: store() takes it too)
        return 0
    with _LOCK:
        if s.count_events():
            return 0
        settings = get_settings()
        days = days if days is not None else settings.seed_days
        per_day = events_per_day if events_per_day is not None else settings.seed_per_day
        return int(seed_store(s, atlas, days=days, per_day=per_day))


def source_is_simulated(events: pd.DataFrame | None = None) -> bool:
    """True when the events shown are all simulated (ids from the simulator)."""
    if events is None or not len(events):
        return True
    return bool(events["id"].astype(str).str.startswith(SIMULATED_PREFIXES).all())


def kpis(events: pd.DataFrame, at: datetime) -> dict:
    """Figures for the wall display (``gridgeo.analysis.stats.summarize`` at ``at``): received, accepted,
    resolved, resolution rate, overdue, and received by level (1-4)."""
    from gridgeo.analysis.stats import summarize

    overall = summarize(events, now=at).iloc[0]
    by_level: dict[int, int] = {1: 0, 2: 0, 3: 0, 4: 0}
    if len(events):
        per = summarize(events, by="level", now=at)
        for lvl, n in zip(per["level"], per["received"], strict=True):
            by_level[int(lvl)] = int(n)
    return {"received": int(overall["received"]), "accepted": int(overall["accepted"]),
            "resolved": int(overall["resolved"]), "resolution_rate": float(overall["resolution_rate"]),
            "overdue": int(overall["overdue"]), "by_level": by_level}


def local_time(values: pd.Series, fmt: str = "%m-%d %H:%M") -> pd.Series:
    """Timestamps formatted in the local time zone (settings; default China Standard Time)."""
    return pd.to_datetime(values, utc=True).dt.tz_convert(TZ).dt.strftime(fmt)
