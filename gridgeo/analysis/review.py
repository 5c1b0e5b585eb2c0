"""Analysis behind the review page: period comparison and trends, as labelled tables.

Plain functions over DataFrames with no Streamlit in them, so they are tested directly and
reusable from scripts. Hot spots live in gridgeo.analysis.hotspots, the Excel/PNG/PDF exports in
gridgeo.printing.review_export.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from gridgeo.events.schema import category_label
from gridgeo.i18n import level_name, t

GROUP_COLUMNS: dict[str, str] = {
    "street": "street_code", "community": "community_code", "grid": "grid_code",
    "category": "category", "level": "level",
}

OUT_OF_AREA = "out_of_area"  # group key of events outside every grid (kept, never dropped)
MISSING_TEXT = ("", "None", "nan", "NaN", "<NA>")  # how a missing area code may come back as text

# the previous period is comparable when its data starts within this share of its length (at least
# MIN_START_SLACK) of its start, or when the store has events from before it
START_SLACK = 0.10
MIN_START_SLACK = timedelta(hours=6)


DEFAULT_DAYS = 7  # the review's default period: the last seven complete days


def default_days(today: date, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    """The default period: the last ``days`` complete days, today left out (it is not over, so
    its counts would end the trend on a near-zero point and shift the previous period)."""
    return today - timedelta(days=days), today - timedelta(days=1)


def period_window(first: date, last: date, now: datetime) -> tuple[datetime, datetime, bool]:
    """[start, end) of the days ``first``..``last`` in ``now``'s time zone, the end capped at
    ``now``, and whether the period is partial (it reaches into today, which is not over)."""
    tz = now.tzinfo
    start = datetime.combine(first, time.min, tzinfo=tz)
    full_end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    return start, min(full_end, now), full_end > now


def previous_period(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The window of the same length immediately before [start, end)."""
    return start - (end - start), start


def compare_periods(current: pd.DataFrame, previous: pd.DataFrame, by: str) -> pd.DataFrame:
    """Event counts per group in the current and previous period and the change.

    ``by`` is street, community, grid, category or level. Returns columns key, current,
    previous, change, change_pct (NaN when the previous count is 0), sorted by current desc.
    Events without an area code (outside every grid) are counted under OUT_OF_AREA.
    """
    column = GROUP_COLUMNS[by]

    def _counts(frame: pd.DataFrame) -> pd.Series:
        if not len(frame):
            return pd.Series(dtype="int64")
        keys = frame[column]
        if by in ("street", "community", "grid"):
            text = keys.astype(str)
            keys = keys.astype(object).where(keys.notna() & ~text.isin(MISSING_TEXT), OUT_OF_AREA).astype(str)
        return keys.value_counts()

    cur, prev = _counts(current), _counts(previous)
    out = pd.concat([cur.rename("current"), prev.rename("previous")], axis=1).fillna(0).astype(int)
    out.index.name = "key"
    out = out.reset_index()
    out["change"] = out["current"] - out["previous"]
    out["change_pct"] = np.where(out["previous"] > 0, out["change"] / out["previous"].where(out["previous"] > 0) * 100,
                                 np.nan)
    return out.sort_values(["current", "key"], ascending=[False, True], kind="stable").reset_index(drop=True)


def daily_trend(events: pd.DataFrame, start: datetime, end: datetime, tz: str | None = None) -> pd.DataFrame:
    """Events per local day and level: index day (every day of the window), columns levels 1-4
    (days in ``tz``, default the settings' time zone)."""
    if tz is None:
        from gridgeo.config import get_settings

        tz = get_settings().timezone
    days = pd.date_range(pd.Timestamp(start).tz_convert(tz).normalize(),
                         pd.Timestamp(end - timedelta(microseconds=1)).tz_convert(tz).normalize(), freq="D")
    if not len(events):
        return pd.DataFrame(0, index=days.date, columns=[1, 2, 3, 4])
    day = pd.to_datetime(events["reported_at"]).dt.tz_convert(tz).dt.normalize()
    table = pd.crosstab(day, events["level"].astype(int)).reindex(index=days, columns=[1, 2, 3, 4], fill_value=0)
    table.index = table.index.date
    return table


def comparison_basis(previous: pd.DataFrame, prev_start: datetime, prev_end: datetime,
                     has_earlier: bool = False) -> tuple[str, datetime | None]:
    """Whether the previous period can be compared with: ("ok" | "empty" | "partial", first event).

    "empty": no event in the previous period. "partial": its first event comes later than
    START_SLACK of its length (at least MIN_START_SLACK) after its start and the store holds
    nothing earlier (``has_earlier``), i.e. the data only begins inside the period (a store
    seeded a few days ago). Comparing with a half-covered period shows growth that is not there.
    """
    if not len(previous):
        return "empty", None
    first = pd.to_datetime(previous["reported_at"]).min().to_pydatetime()
    slack = max((prev_end - prev_start) * START_SLACK, MIN_START_SLACK)
    if not has_earlier and first > prev_start + slack:
        return "partial", first
    return "ok", first


def area_label(key: object, names: dict[str, str], lang: str) -> str:
    """A place's name from its code; "区域外" for events outside every grid; the code if unnamed."""
    key = "" if key is None or (isinstance(key, float) and np.isnan(key)) else str(key)
    if key == OUT_OF_AREA or key in MISSING_TEXT:
        return t("out_of_area", lang)
    return names.get(key) or key


def group_label(by: str, key: object, names: dict[str, str] | None, lang: str) -> str:
    """The display name of a group key of :func:`compare_periods` for ``by``."""
    if by in ("street", "community", "grid"):
        return area_label(key, names or {}, lang)
    if by == "category":
        return category_label(str(key), lang)
    return level_name(int(key), lang)


def labelled_comparison(table: pd.DataFrame, by: str, names: dict[str, str] | None, lang: str,
                        comparable: bool) -> pd.DataFrame:
    """A :func:`compare_periods` table with names and headers in ``lang``, ready to show or export.

    Without a comparable previous period only the current counts are kept. Area codes stay in a
    code column (blank for out-of-area rows); categories and levels show their names only.
    """
    labels = [group_label(by, k, names, lang) for k in table["key"]]
    out = pd.DataFrame(index=table.index)
    if by in ("street", "community", "grid"):
        out[t("code", lang)] = [("" if str(k) == OUT_OF_AREA else str(k)) for k in table["key"]]
    out[t("name", lang)] = labels
    out[t("this_period", lang)] = table["current"].astype(int)
    if comparable:
        out[t("previous_period", lang)] = table["previous"].astype(int)
        out[t("change", lang)] = table["change"].astype(int)
        out[t("change_pct", lang)] = table["change_pct"].round(1)
    else:
        out = out[out[t("this_period", lang)] > 0]
    return out.reset_index(drop=True)
