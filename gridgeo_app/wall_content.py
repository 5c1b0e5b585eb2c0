"""What the wall display shows, as plain functions (no Streamlit): the ticker, the street bars,
the freshness indicator, the highlights of new level-I events and newly red grids, and which
events feed what (:func:`wall_data`).

Around the clock: the map colours, the alerts, the street bars and the open-case figures come
from the cases still open whatever day they were reported (:data:`OPEN_LOOKBACK`); only the
day's figures (received, accepted, resolved) follow a window, since local midnight by default
(and labelled so) or the last 24 hours (:data:`FIGURE_WINDOWS`). So the wall is never blank at
00:05 while cases are open.

The page script (gridgeo_app/pages/wall.py) calls these and only lays out their HTML; the tests call
them directly.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from gridgeo.events.schema import category_label
from gridgeo.i18n import status_name, t
from gridgeo.palette import RISK_COLORS

TICKER_ITEMS = 12  # the ticker always shows this many latest events (fewer only when there are fewer)
TICKER_S_PER_ITEM = 6.0  # seconds each item takes to cross: a constant speed whatever the content
FLASH_S = 60.0  # a highlight flashes for this long, then stays outlined until it expires
# the open cases the wall reads: those reported in the last 30 days (the longest span the store
# keeps rolling open-case sums for, so the tile mode's /tiles/colours answers it from them)
OPEN_LOOKBACK = timedelta(days=30)
OPEN_LOOKBACK_WINDOW = "30d"  # the same span as a /tiles/colours window
FIGURE_WINDOWS = ("today", "24h")  # the day's figures: since local midnight, or a rolling 24 hours


@dataclass(frozen=True)
class WallData:
    """The events behind each part of the wall at one moment.

    ``open_cases``: open cases reported within OPEN_LOOKBACK (map colours, alerts, street bars,
    open-case figures); ``period``: events reported since ``period_start`` (received, accepted,
    resolved, rate); ``recent``: the last 24 hours (ticker, freshness)."""

    open_cases: pd.DataFrame
    period: pd.DataFrame
    recent: pd.DataFrame
    window: str
    period_start: datetime


def figures_start(at: datetime, window: str, tz) -> datetime:
    """Where the day's figures start: local midnight of ``at`` ("today") or ``at`` − 24 h ("24h")."""
    if window not in FIGURE_WINDOWS:
        raise ValueError(f"figures window {window!r}: use one of {', '.join(FIGURE_WINDOWS)}")
    if window == "24h":
        return at - timedelta(hours=24)
    return at.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)


def wall_data(recent: pd.DataFrame, open_cases: pd.DataFrame, at: datetime, window: str, tz) -> WallData:
    """Split what the wall loaded (``recent``: the last 24 hours; ``open_cases``: open cases of
    OPEN_LOOKBACK) into what each part shows; ``window`` is one of FIGURE_WINDOWS."""
    start = figures_start(at, window, tz)
    if len(recent):
        period = recent[pd.to_datetime(recent["reported_at"], utc=True) >= pd.Timestamp(start).tz_convert("UTC")]
    else:
        period = recent
    return WallData(open_cases, period, recent, window, start)


def window_label(window: str, start: datetime, lang: str, tz) -> str:
    """"今日（00:00 起）" / "近 24 小时（12-05 00:05 起）": the figures say which period they count."""
    fmt = "%H:%M" if window == "today" else "%m-%d %H:%M"
    return t(f"wall_window_{window}", lang).format(start=start.astimezone(tz).strftime(fmt))


def open_figures(open_cases: pd.DataFrame) -> dict:
    """Open cases now: how many, how many overdue, and how many per level (1-4)."""
    by_level = {lv: 0 for lv in (1, 2, 3, 4)}
    if not len(open_cases):
        return {"open": 0, "overdue": 0, "by_level": by_level}
    for lv, n in open_cases["level"].astype(int).value_counts().items():
        by_level[int(lv)] = int(n)
    overdue = int(open_cases["overdue"].astype(bool).sum()) if "overdue" in open_cases else 0
    return {"open": len(open_cases), "overdue": overdue, "by_level": by_level}


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
    return area_counts(events, streets, "street_code")


WALL_BARS = 10  # at most this many bars (the largest); the others summed on one line
BAR_HEADINGS = {"street": "by_street", "community": "wall_by_community", "grid": "wall_by_grid"}  # catalogue keys


def area_counts(events: pd.DataFrame, areas: pd.DataFrame, column: str) -> pd.Series:
    """Events per area name (``areas``: code, name; ``column``: the events' code column), every
    area present, largest first (ties by name). A grid's name loses its community's prefix
    ("新坡头社区001网格" → "001网格") so the bar's label stays short."""
    names = dict(zip(areas["code"].astype(str), areas["name"].astype(str), strict=True))
    if column == "grid_code" and "community_name" in areas:
        short = {c: n.removeprefix(str(p)) or n for (c, n), p in zip(names.items(), areas["community_name"],
                                                                     strict=True)}
        names = short if len(set(short.values())) == len(short) else names  # never two bars one label
    counts = events[column].astype(str).map(names).value_counts() if len(events) else pd.Series(dtype=int)
    counts = counts.reindex(list(dict.fromkeys(names.values())), fill_value=0).astype(int)
    order = sorted(counts.index, key=lambda n: (-counts[n], n))
    return counts.reindex(order)


def bars_rest_html(counts: pd.Series, lang: str, limit: int = WALL_BARS) -> str:
    """The bars of the ``limit`` largest counts, and one line for the others (how many areas, how many cases)."""
    rest = counts.iloc[limit:]
    line = (f"<div class='gg-bar-rest'>{html.escape(t('wall_bars_rest', lang).format(n=len(rest), cases=int(rest.sum())))}"
            "</div>") if len(rest) else ""
    return bars_html(counts.iloc[:limit]) + line


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


HALLS_TOP_N = 5  # the side column's most loaded halls and stations
HALL_WEEK = timedelta(days=7)  # the closed cases behind the cards' figures (today's, median handling time)
HALL_LAYER_S = 120  # the wall's halls markers and cards are drawn again at most this often (the list: every refresh)


def halls_workload(open_cases: pd.DataFrame, week: pd.DataFrame, at: datetime, tz) -> pd.DataFrame:
    """Per service point: open, overdue and their share (the wall's open cases), accepted and
    resolved today and the median handling time (the cases of the last week), from
    :func:`gridgeo.analysis.halls.hall_workload`; empty when the cases carry no hall."""
    from gridgeo.analysis.halls import WORKLOAD, hall_workload

    frames = [f for f in (week, open_cases) if len(f) and "hall_code" in f.columns]
    if not frames:
        return pd.DataFrame(columns=["code", *WORKLOAD])
    cases = pd.concat(frames, ignore_index=True).drop_duplicates("id", keep="first")  # the week's rows (all times)
    return hall_workload(cases, pd.Timestamp(at), tz)


def hall_ranking(workload: pd.DataFrame, points: pd.DataFrame, n: int = HALLS_TOP_N) -> pd.DataFrame:
    """The ``n`` service points (of ``points``: the viewer's) with the most open cases (ties: more
    overdue, then code), with name and tier; none without an open case."""
    names = points.set_index(points["code"].astype(str))[["name", "tier"]]
    load = workload[workload["code"].astype(str).isin(names.index) & (workload["open"] > 0)]
    load = load.sort_values(["open", "overdue", "code"], ascending=[False, False, True]).head(n)
    return load.join(names, on="code").reset_index(drop=True)


def halls_html(ranking: pd.DataFrame, lang: str) -> str:
    """The side column's list of the most loaded halls: a dot in the overdue-share colour (the
    map's), the name and tier, open and overdue cases; a line saying none when empty."""
    from gridgeo_app.layers.halls import overdue_colour

    head = (f"<div class='gg-hall gg-hall-head'><span class='gg-hall-name'>{html.escape(t('wall_halls_name', lang))}"
            f"</span><span class='gg-hall-n'>{html.escape(t('hall_open', lang))}</span>"
            f"<span class='gg-hall-n'>{html.escape(t('hall_overdue', lang))}</span></div>")
    if not len(ranking):
        return head + f"<div class='gg-hall'>{html.escape(t('wall_halls_none', lang))}</div>"
    rows = "".join(
        f"<div class='gg-hall' data-code='{html.escape(str(r.code))}'>"
        f"<span class='gg-hall-dot' style='background:{overdue_colour(int(r.open), r.overdue_share)}'></span>"
        f"<span class='gg-hall-name' title='{html.escape(t(f'tier_{r.tier}', lang))}'>{html.escape(str(r.name))}</span>"
        f"<b class='gg-hall-n'>{int(r.open)}</b><span class='gg-hall-n'>{int(r.overdue)}</span></div>"
        for r in ranking.itertuples())
    return head + rows
