"""Figures per hall (or per station) for the review meeting (issue 23), from a frame of cases.

Per responsible hall (``hall_code``; ``by="station_code"`` for the stations):

* ``cases``: cases reported in the frame; ``closed``: resolved, confirmed or given feedback;
* ``closed_local_share``: of the closed, the share closed at community level or below (handled at
  a station or a community hall when resolved: the district's "closed within the community");
* ``median_h`` and ``p90_h``: handling time (report → resolution) of the closed, in hours;
* ``overdue``: open past their due time at ``now``; ``escalated``: climbed at least one tier;
* ``rated``, ``satisfied``, ``fair``, ``unsatisfied`` and ``satisfied_share`` (满意 + 基本满意
  of the rated): the reporters' ratings of the feedback step.

Plain pandas; the frame is :meth:`gridgeo.store.Store.events_frame` with ``extra=True``.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from gridgeo.events.lifecycle import RESOLVED_STATUSES, overdue_mask

LOCAL_TIERS: tuple[str, ...] = ("station", "community")
RATINGS: tuple[str, ...] = ("satisfied", "fair", "unsatisfied")  # 满意, 基本满意, 不满意
FIGURES: tuple[str, ...] = ("cases", "closed", "closed_local_share", "median_h", "p90_h", "overdue", "escalated",
                            "rated", "satisfied", "fair", "unsatisfied", "satisfied_share")


def _per_case(frame: pd.DataFrame, now: datetime) -> pd.DataFrame:
    closed = frame["status"].isin(RESOLVED_STATUSES) & frame["resolved_at"].notna()
    hours = (pd.to_datetime(frame["resolved_at"], utc=True) - pd.to_datetime(frame["reported_at"], utc=True))
    rating = frame["rating"] if "rating" in frame else pd.Series(None, index=frame.index, dtype=object)
    return pd.DataFrame({
        "cases": 1, "closed": closed.astype(int),
        "closed_local": (closed & frame["handling_tier"].isin(LOCAL_TIERS)).astype(int),
        "hours": (hours.dt.total_seconds() / 3600).where(closed),
        "overdue": overdue_mask(frame["status"], frame["due_at"], now).astype(int),
        "escalated": (pd.to_numeric(frame["escalations"], errors="coerce").fillna(0) > 0).astype(int),
        **{r: (rating == r).astype(int) for r in RATINGS},
    }, index=frame.index)


def hall_figures(frame: pd.DataFrame, now: datetime, by: str = "hall_code") -> pd.DataFrame:
    """One row per hall (``by``: hall_code or station_code) with :data:`FIGURES`, busiest first.
    Cases without a hall are left out."""
    cases = frame[frame[by].notna()]
    if not len(cases):
        return pd.DataFrame(columns=[by, *FIGURES])
    per = _per_case(cases, now)
    per[by] = cases[by].astype(str).to_numpy()
    groups = per.groupby(by, sort=True)
    out = groups[["cases", "closed", "closed_local", "overdue", "escalated", *RATINGS]].sum()
    out["closed_local_share"] = (out.pop("closed_local") / out["closed"].replace(0, np.nan)).round(4)
    out["median_h"] = groups["hours"].median().round(2)
    out["p90_h"] = groups["hours"].quantile(0.9).round(2)
    out["rated"] = out[list(RATINGS)].sum(axis=1)
    out["satisfied_share"] = ((out["satisfied"] + out["fair"]) / out["rated"].replace(0, np.nan)).round(4)
    out = out.reset_index()[[by, *FIGURES]]
    return out.sort_values(["cases", by], ascending=[False, True], ignore_index=True)


def district_figures(frame: pd.DataFrame, now: datetime) -> dict[str, float]:
    """The same figures over all cases with a hall (the district's totals)."""
    one = frame.assign(_all="all")
    row = hall_figures(one[one["hall_code"].notna()], now, by="_all")
    return {} if not len(row) else {k: row.at[0, k] for k in FIGURES}


def hall_review_table(current: pd.DataFrame, previous: pd.DataFrame, points: pd.DataFrame, now: datetime,
                      lang: str = "zh", comparable: bool = True) -> pd.DataFrame:
    """The per-hall figures of the period with names and headers in ``lang`` for the review page
    and its Excel export; with a comparable previous period its cases and the change too."""
    from gridgeo.i18n import t

    figures = hall_figures(current, now)
    names = dict(zip(points["code"].astype(str), points["name"], strict=True)) if len(points) else {}
    tiers = dict(zip(points["code"].astype(str), points["tier"], strict=True)) if len(points) else {}
    out = pd.DataFrame({
        t("code", lang): figures["hall_code"], t("name", lang): figures["hall_code"].map(names),
        t("hall_tier", lang): figures["hall_code"].map(lambda c: t(f"tier_{tiers.get(c, '')}", lang)),
        t("hall_cases", lang): figures["cases"].astype(int)})
    if comparable:
        before = previous["hall_code"].value_counts() if len(previous) else pd.Series(dtype=int)
        out[t("previous_period", lang)] = figures["hall_code"].map(before).fillna(0).astype(int)
        out[t("change", lang)] = out[t("hall_cases", lang)] - out[t("previous_period", lang)]
    for key, col, scale in (("hall_closed_local", "closed_local_share", 100), ("hall_median_h", "median_h", 1),
                            ("hall_p90_h", "p90_h", 1), ("hall_overdue", "overdue", 1),
                            ("hall_escalated", "escalated", 1), ("hall_rated", "rated", 1),
                            ("hall_satisfied", "satisfied_share", 100)):
        out[t(key, lang)] = (figures[col] * scale).round(1) if scale != 1 else figures[col]
    return out.reset_index(drop=True)


WORKLOAD: tuple[str, ...] = ("open", "overdue", "overdue_share", "accepted_today", "resolved_today", "median_h")


def handler_codes(frame: pd.DataFrame) -> pd.Series:
    """The service point handling each case now: its station while it is at the station tier,
    else its hall."""
    at_station = frame["handling_tier"].eq("station") & frame["station_code"].notna()
    return frame["station_code"].where(at_station, frame["hall_code"])


def hall_workload(frame: pd.DataFrame, now: datetime, tz: str = "Asia/Shanghai") -> pd.DataFrame:
    """Per service point handling cases now (station or hall, :func:`handler_codes`): open cases,
    overdue and their share, accepted and resolved today (local day of ``now``), median handling
    time (hours) of its closed cases — the marker size, colour and card of the halls layer."""
    from gridgeo.events.lifecycle import OPEN_STATUSES

    cases = frame.assign(_point=handler_codes(frame))
    cases = cases[cases["_point"].notna()]
    if not len(cases):
        return pd.DataFrame(columns=["code", *WORKLOAD])
    local_day = pd.Timestamp(now).tz_convert(tz).normalize()
    today = (local_day, local_day + pd.Timedelta(days=1))

    def on_day(col: str) -> pd.Series:  # NaN when the frame lacks the column (no extra columns)
        if col not in cases:
            return pd.Series(np.nan, index=cases.index)
        t = pd.to_datetime(cases[col], utc=True).dt.tz_convert(tz)
        return ((t >= today[0]) & (t < today[1])).astype(int)

    per = pd.DataFrame({"code": cases["_point"].astype(str),
                        "open": cases["status"].isin(OPEN_STATUSES).astype(int),
                        "overdue": overdue_mask(cases["status"], cases["due_at"], now).astype(int),
                        "accepted_today": on_day("accepted_at"), "resolved_today": on_day("resolved_at"),
                        "hours": _per_case(cases, now)["hours"]})
    out = per.groupby("code", sort=True).agg(open=("open", "sum"), overdue=("overdue", "sum"),
                                             accepted_today=("accepted_today", lambda v: v.sum(min_count=1)),
                                             resolved_today=("resolved_today", "sum"), median_h=("hours", "median"))
    out["overdue_share"] = (out["overdue"] / out["open"].replace(0, np.nan)).round(4)
    out["median_h"] = out["median_h"].round(2)
    return out.reset_index()[["code", *WORKLOAD]].sort_values(["open", "code"], ascending=[False, True],
                                                              ignore_index=True)
