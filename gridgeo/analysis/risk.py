"""The risk rule: how the open cases of an area turn into a warning level on the four-colour scale.

This module is the ONE place where the rule lives; the map, the wall display and the review page
call :func:`risk_by_area` on an events frame, the HTTP service calls :func:`risk_table`, which
applies the same rule to the store's aggregates (no events loaded), and the legend prints
:func:`describe_rule`.

The rule (all numbers are fields of :class:`RiskRule`, so it is configurable):

1. Only *open* cases count (status in ``RiskRule.open_statuses``: reported, accepted, escalated).
   An area without open cases has risk level 0 (neutral grey).
2. The base level is that of the most severe open case (level 1 = red I is the most severe,
   2 orange II, 3 yellow III, 4 blue IV).
3. The level is raised (made more severe) by one step for every threshold in
   ``RiskRule.raise_thresholds`` that the area's open cases per 1,000 households exceed, and
   never above level 1. An area with no households recorded is never raised (no denominator),
   and areas with fewer than ``RiskRule.min_open_cases`` open cases are never raised, so one
   case in a tiny area does not turn it red.

Levels follow the Chinese convention for four warning levels: red (I), orange (II), yellow (III),
blue (IV).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from gridgeo.events.lifecycle import OPEN_STATUSES
from gridgeo.i18n import status_name, t
from gridgeo.palette import RISK_COLORS

log = logging.getLogger(__name__)

_COLOR_OF_LEVEL = np.array([RISK_COLORS[k] for k in range(len(RISK_COLORS))], dtype=object)  # risk -> colour

# "grid" | "community" | "street" -> the event column holding that area's code
BY_COLUMNS: dict[str, str] = {"grid": "grid_code", "community": "community_code", "street": "street_code"}

RESULT_COLUMNS = ("code", "open_cases", "max_severity", "cases_per_1000_households", "risk_level", "color")


@dataclass(frozen=True)
class RiskRule:
    """Parameters of the risk rule (see the module docstring for the rule itself).

    ``raise_thresholds``: open cases per 1,000 households; exceeding each one raises the level
    by one step. ``min_open_cases``: an area needs at least this many open cases to be raised.
    ``open_statuses``: the statuses that count as open.
    """

    raise_thresholds: tuple[float, ...] = (5.0, 10.0)
    min_open_cases: int = 3
    open_statuses: tuple[str, ...] = field(default=OPEN_STATUSES)

    def __post_init__(self) -> None:
        thresholds = tuple(float(t) for t in self.raise_thresholds)
        if any(t <= 0 for t in thresholds) or list(thresholds) != sorted(thresholds):
            raise ValueError(f"raise_thresholds must be positive and ascending, got {self.raise_thresholds}")
        if self.min_open_cases < 1:
            raise ValueError(f"min_open_cases must be at least 1, got {self.min_open_cases}")
        object.__setattr__(self, "raise_thresholds", thresholds)
        object.__setattr__(self, "open_statuses", tuple(self.open_statuses))


DEFAULT_RULE = RiskRule()


def _code_column(by: str) -> str:
    if by in BY_COLUMNS:
        return BY_COLUMNS[by]
    if by in BY_COLUMNS.values():
        return by
    raise ValueError(f"by must be one of {', '.join(BY_COLUMNS)} (or their *_code column), got {by!r}")


def risk_by_area(
    events: pd.DataFrame, areas: pd.DataFrame, by: str, rule: RiskRule | None = None
) -> pd.DataFrame:
    """Risk level of every area from its events.

    ``events`` needs the code column for ``by`` ("grid" -> ``grid_code``, "community" ->
    ``community_code``, "street" -> ``street_code``), ``level`` (1-4) and ``status``.
    ``areas`` needs ``code`` and ``households``. Returns one row per area, in the order of
    ``areas``, with columns code, open_cases, max_severity (the most severe open level, 0 when
    none), cases_per_1000_households (NaN without households), risk_level (0-4) and color.
    Events whose code is not among the areas are ignored.
    """
    rule = rule or DEFAULT_RULE
    column = _code_column(by)
    if len(events):
        missing = {column, "level", "status"} - set(events.columns)
        if missing:
            raise ValueError(f"events lack column(s) {', '.join(sorted(missing))}")
        open_events = events[events["status"].isin(rule.open_statuses)]
        grouped = (
            pd.DataFrame({"code": open_events[column].astype(str),
                          "level": pd.to_numeric(open_events["level"], errors="coerce")})
            .dropna(subset=["level"])
            .groupby("code")["level"]
            .agg(["size", "min"])
        )
    else:
        grouped = pd.DataFrame({"size": pd.Series(dtype="int64"), "min": pd.Series(dtype="float64")})
    return _apply_rule(areas, grouped, rule)


def _apply_rule(areas: pd.DataFrame, grouped: pd.DataFrame, rule: RiskRule) -> pd.DataFrame:
    """The rule over open-case counts: ``grouped`` is indexed by area code with ``size`` (open
    cases) and ``min`` (most severe open level)."""
    codes = areas["code"].astype(str).reset_index(drop=True)
    households = pd.to_numeric(areas["households"], errors="coerce").reset_index(drop=True)
    at = grouped.index.get_indexer(codes)  # one lookup per area (-1: no open cases)
    found = at >= 0
    open_cases, max_severity = np.zeros(len(codes), dtype=int), np.zeros(len(codes), dtype=int)
    open_cases[found] = grouped["size"].to_numpy()[at[found]]
    max_severity[found] = grouped["min"].to_numpy()[at[found]]
    hh = households.to_numpy(dtype=float)
    risk, per_1000 = _levels(open_cases, max_severity, hh, rule)

    return pd.DataFrame({
        "code": codes,
        "open_cases": open_cases,
        "max_severity": max_severity,
        "cases_per_1000_households": per_1000,
        "risk_level": risk,
        "color": _COLOR_OF_LEVEL[risk],
    })


def area_table(grids: pd.DataFrame, by: str) -> pd.DataFrame:
    """The areas of a grid set for ``by``: code and households (summed over the grids of a
    community or street); grids also keep their name. Missing households count as 0."""
    hh = pd.to_numeric(grids["households"], errors="coerce").fillna(0)
    if by == "grid":
        return pd.DataFrame({"code": grids["code"].astype(str), "name": grids["name"], "households": hh})
    col = {"community": "community_code", "street": "street_code"}[by]
    return (pd.DataFrame({"code": grids[col].astype(str), "households": hh})
            .groupby("code", as_index=False)["households"].sum())


def risk_table(store, by: str, window: timedelta, now: datetime | None = None,
               rule: RiskRule | None = None, areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """What :func:`risk_by_area` gives for the events reported in ``[now - window, ∞)``, read
    from the store's aggregates (``event_counts``), never from the raw events: one row per area
    of the current grid set (or of ``areas``), same columns and values.

    Cost: for the windows kept as rolling sums (24 h, 7 d, 30 d: :mod:`gridgeo.store.open_windows`)
    about one row per area plus the raw events of the first, partial hour; for other windows one
    GROUP BY over the window's hourly aggregate rows. Independent of how many events are stored.
    """
    from gridgeo.store.counts import open_case_counts

    rule = rule or DEFAULT_RULE
    column = _code_column(by)
    if areas is None:
        areas = area_table(store.current_grid_set()[1], {v: k for k, v in BY_COLUMNS.items()}.get(by, by))
    now = now or datetime.now(UTC)
    _refresh_rolling_sums(store, now)
    counts = open_case_counts(store.engine, column, now - window, rule.open_statuses, span=window)
    return _apply_rule(areas, counts, rule)


def _refresh_rolling_sums(store, now: datetime) -> None:
    """Move the store's rolling open-case sums forward when an hour behind; a store that cannot
    be written here (a read replica, a read-only role) is read as it is (the read then sums
    the hours the rolling sums lag by, or the whole window: still exact)."""
    import sqlalchemy as sa

    try:
        store.refresh_open_windows(now)
    except sa.exc.DBAPIError as exc:
        log.warning("rolling open-case sums not refreshed (%s); /risk reads them as they are",
                    str(getattr(exc, "orig", exc)).splitlines()[0])


def _levels(open_cases: np.ndarray, max_severity: np.ndarray, households: np.ndarray,
            rule: RiskRule) -> tuple[np.ndarray, np.ndarray]:
    """The rule itself, on arrays (any shape; ``households`` broadcast against them): the risk
    level (0-4) and the open cases per 1,000 households (NaN without households)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        per_1000 = np.where(households > 0, open_cases / households * 1000.0, np.nan)
    steps = np.zeros(np.shape(open_cases), dtype=int)
    for threshold in rule.raise_thresholds:
        steps += np.nan_to_num(per_1000, nan=-1.0) > threshold
    steps = np.where(open_cases >= rule.min_open_cases, steps, 0)
    risk = np.where(open_cases > 0, np.maximum(max_severity - steps, 1), 0).astype(int)
    return risk, per_1000


def describe_rule(rule: RiskRule | None = None, lang: str = "zh") -> str:
    """One or two sentences stating the rule, for the legend (``lang`` "zh" or "en")."""
    rule = rule or DEFAULT_RULE
    return t("risk_rule_text", lang).format(
        statuses="/".join(status_name(s, lang) for s in rule.open_statuses),
        thresholds=t("sep_list", lang).join(f"{x:g}" for x in rule.raise_thresholds),
        min_open=rule.min_open_cases)


def risk_label(level: int, lang: str = "zh") -> str:
    """Legend label of a risk level (0-4), from the catalogue (``risk_label_<level>``)."""
    return t(f"risk_label_{int(level)}", lang)


def open_at(events: pd.DataFrame, at: pd.Timestamp, rule: RiskRule | None = None) -> np.ndarray:
    """Boolean mask of the events that were open at ``at``: reported by then and not resolved by
    then. Events with a status outside the open statuses and no ``resolved_at`` (rejected ones)
    never count. Needs ``reported_at``, ``status`` and, if present, ``resolved_at`` (UTC)."""
    rule = rule or DEFAULT_RULE
    at = pd.Timestamp(at)
    at = at.tz_localize("UTC") if at.tzinfo is None else at.tz_convert("UTC")
    reported = pd.to_datetime(events["reported_at"], utc=True)
    resolved = (pd.to_datetime(events["resolved_at"], utc=True) if "resolved_at" in events
                else pd.Series(pd.NaT, index=events.index, dtype="datetime64[ns, UTC]"))
    never_open = resolved.isna() & ~events["status"].isin(rule.open_statuses)
    return ((reported <= at) & (resolved.isna() | (resolved > at)) & ~never_open).to_numpy()


def risk_timeline(
    events: pd.DataFrame, areas: pd.DataFrame, by: str, times: list[pd.Timestamp] | pd.DatetimeIndex,
    rule: RiskRule | None = None,
) -> pd.DataFrame:
    """Risk level of every area at each of ``times``: a frame indexed by area code (order of
    ``areas``) with one column per time, the rule of :func:`risk_by_area` applied to the events
    open at that moment (:func:`open_at`). Used by the time playback.

    Vectorised: each event adds one to its area's count at its level from the first moment it
    is open to the first moment it is not (a difference array summed over time), so a day of
    96 moments costs about as much as one :func:`risk_by_area`.
    """
    rule = rule or DEFAULT_RULE
    column = _code_column(by)
    when = pd.DatetimeIndex([pd.Timestamp(x) for x in times])
    when = when.tz_localize("UTC") if when.tz is None else when.tz_convert("UTC")
    codes = areas["code"].astype(str).reset_index(drop=True)
    households = pd.to_numeric(areas["households"], errors="coerce").to_numpy(dtype=float)
    counts = np.zeros((len(codes), 4, len(when) + 1), dtype=np.int32)
    if len(events):
        index = pd.Index(codes)
        area = index.get_indexer(events[column].astype(str))
        level = pd.to_numeric(events["level"], errors="coerce").fillna(0).astype(int).to_numpy()
        reported = pd.to_datetime(events["reported_at"], utc=True)
        resolved = (pd.to_datetime(events["resolved_at"], utc=True) if "resolved_at" in events
                    else pd.Series(pd.NaT, index=events.index, dtype="datetime64[ns, UTC]"))
        never = (resolved.isna() & ~events["status"].isin(rule.open_statuses)).to_numpy()
        first = when.searchsorted(reported, side="left")  # first moment with reported <= t
        last = np.where(resolved.isna(), len(when), when.searchsorted(resolved, side="left"))  # resolved > t before
        keep = (area >= 0) & (level >= 1) & (level <= 4) & ~never & (first < last)
        np.add.at(counts, (area[keep], level[keep] - 1, first[keep]), 1)
        np.add.at(counts, (area[keep], level[keep] - 1, last[keep]), -1)
    per_level = np.cumsum(counts, axis=2)[:, :, : len(when)]  # area x level x moment
    open_cases = per_level.sum(axis=1)
    has = per_level > 0
    max_severity = np.where(has.any(axis=1), has.argmax(axis=1) + 1, 0)
    risk, _ = _levels(open_cases, max_severity, households[:, None], rule)
    return pd.DataFrame(risk, index=codes.to_numpy(), columns=list(when))
