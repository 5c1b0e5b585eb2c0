"""What the wall display shows, as plain functions (no Streamlit): the ticker, the street bars,
the freshness indicator and the highlights of new level-I events and newly red grids.

The page script (gridgeo_app/pages/wall.py) calls these and only lays out their HTML; the tests call
them directly.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from gridgeo.events.schema import category_label
from gridgeo.i18n import status_name, t
from gridgeo.palette import RISK_COLORS

TICKER_ITEMS = 12  # the ticker always shows this many latest events (fewer only when there are fewer)
TICKER_S_PER_ITEM = 6.0  # seconds each item takes to cross: a constant speed whatever the content
FLASH_S = 60.0  # a highlight flashes for this long, then stays outlined until it expires


def _text(value) -> str:
    """``value`` as display text; '' for None/NaN (never "nan" or "None" on screen)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    return str(value)


def place_name(grid_code, community_code, grid_names: dict, community_names: dict, lang: str) -> str:
    """"<community> · <grid>" for an event, or "区域外" when it fell in no grid."""
    grid = grid_names.get(_text(grid_code), "")
    community = community_names.get(_text(community_code), "")
    if not grid and not community:
        return t("wall_out_of_area", lang)
    if grid and community and grid.startswith(community):  # demo grid names carry their community's
        return grid
    return " · ".join(p for p in (community, grid) if p)


def ticker_html(events: pd.DataFrame, grid_names: dict, community_names: dict, lang: str, tz,
                now_s: float, flashing: set[str] = frozenset()) -> str:
    """The scrolling line of the latest events, as HTML.

    The track holds the items twice and moves by exactly one copy per cycle, so it is always
    full; the cycle depends only on the item count and the phase on the wall clock (``now_s``),
    so a refresh that replaces the HTML continues where the previous one was instead of
    restarting from an empty line.
    """
    latest = events.sort_values("reported_at", ascending=False).head(TICKER_ITEMS) if len(events) else events
    if not len(latest):
        return f"<div class='gg-ticker'><b>{t('latest_events', lang)}</b><div class='gg-ticker-window'></div></div>"
    items = []
    for r in latest.itertuples():
        when = pd.Timestamp(r.reported_at).tz_convert(tz).strftime("%H:%M")
        cls = " gg-new" if str(r.id) in flashing else ""
        items.append(
            f"<span class='gg-item{cls}'><span class='gg-lv' style='background:{RISK_COLORS[int(r.level)]}'></span>"
            f"{when} {html.escape(category_label(str(r.category), lang))} · {html.escape(status_name(r.status, lang))}"
            f" · {html.escape(place_name(r.grid_code, r.community_code, grid_names, community_names, lang))}</span>")
    cycle = TICKER_S_PER_ITEM * len(items)
    delay = -(now_s % cycle)
    track = "".join(items) * 2
    return (f"<div class='gg-ticker'><b>{t('latest_events', lang)}</b><div class='gg-ticker-window'>"
            f"<span class='gg-track' style='animation-duration:{cycle:.0f}s;animation-delay:{delay:.2f}s'>"
            f"{track}</span></div></div>")


def street_counts(events: pd.DataFrame, streets: pd.DataFrame) -> pd.Series:
    """Events per street name, every street present, largest first (ties by name)."""
    names = dict(zip(streets["code"].astype(str), streets["name"], strict=True))
    counts = events["street_code"].astype(str).map(names).value_counts() if len(events) else pd.Series(dtype=int)
    counts = counts.reindex(list(names.values()), fill_value=0).astype(int)
    order = sorted(counts.index, key=lambda n: (-counts[n], n))
    return counts.reindex(order)


def bars_html(counts: pd.Series) -> str:
    """Horizontal bars whose lengths are proportional to the counts (the largest fills its track)."""
    top = max(int(counts.max()) if len(counts) else 0, 1)
    return "".join(
        f"<div class='gg-bar'><span class='gg-bar-name'>{html.escape(str(name))}</span>"
        f"<span class='gg-bar-track'><span class='gg-bar-fill' style='width:{100 * int(n) / top:.2f}%'></span>"
        f"</span><b class='gg-bar-n'>{int(n)}</b></div>"
        for name, n in counts.items()
    )


def ago_text(seconds: float, lang: str) -> str:
    """"刚刚" / "3 分钟前" / "2 小时前" (or English)."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return t("wall_just_now", lang)
    if seconds < 3600:
        return t("wall_minutes_ago", lang).format(n=int(seconds // 60))
    return t("wall_hours_ago", lang).format(n=int(seconds // 3600))


@dataclass(frozen=True)
class Freshness:
    """The freshness indicator: ``ok`` False turns it red; ``text`` says why."""

    ok: bool
    text: str
    latest_iso: str


def freshness(latest: datetime | None, now: datetime, stale_s: float, lang: str, tz,
              store_error: str | None = None, failing_since: datetime | None = None) -> Freshness:
    """Freshness of the wall: red when the store does not answer (``store_error``) or the latest
    event is older than ``stale_s`` seconds (or there is none)."""
    iso = latest.isoformat() if latest is not None else ""
    if store_error is not None:
        since = (failing_since or now).astimezone(tz).strftime("%H:%M:%S")
        return Freshness(False, t("wall_store_down", lang).format(since=since), iso)
    if latest is None:
        return Freshness(False, t("wall_no_events", lang), iso)
    age = (now - latest).total_seconds()
    text = t("wall_latest", lang).format(time=latest.astimezone(tz).strftime("%H:%M:%S"), ago=ago_text(age, lang))
    return Freshness(age <= stale_s, text, iso)


@dataclass
class Highlights:
    """New level-I events and grids newly at red, each kept for ``hold_s`` seconds.

    The first :meth:`update` only learns what is already there (a wall that starts up does not
    flash everything); later updates add what is new.
    """

    hold_s: float
    seen_events: set[str] = field(default_factory=set)
    red_grids: set[str] = field(default_factory=set)
    since: dict[str, tuple[float, str]] = field(default_factory=dict)  # grid code -> (first seen, reason)
    flashing_events: dict[str, float] = field(default_factory=dict)  # event id -> first seen
    primed: bool = False

    def update(self, events: pd.DataFrame, red_now: set[str], now_s: float) -> None:
        """Learn the level-I events in ``events`` and the grids at red in ``red_now``."""
        level1 = events[events["level"].astype(int) == 1] if len(events) else events
        ids = set(level1["id"].astype(str)) if len(level1) else set()
        if self.primed:
            for r in level1[~level1["id"].astype(str).isin(self.seen_events)].itertuples() if len(level1) else []:
                self.flashing_events.setdefault(str(r.id), now_s)
                code = _text(r.grid_code)
                if code:
                    self.since.setdefault(code, (now_s, "event"))
            for code in red_now - self.red_grids:
                self.since.setdefault(code, (now_s, "red"))
        self.seen_events |= ids
        self.red_grids = set(red_now)
        self.primed = True
        self.since = {c: v for c, v in self.since.items() if now_s - v[0] < self.hold_s}
        self.flashing_events = {e: s for e, s in self.flashing_events.items() if now_s - s < self.hold_s}

    def grids(self, now_s: float) -> tuple[list[str], list[str]]:
        """(grids flashing now, grids outlined steadily now)."""
        flash = [c for c, (s, _) in self.since.items() if now_s - s < FLASH_S]
        steady = [c for c, (s, _) in self.since.items() if now_s - s >= FLASH_S]
        return flash, steady
