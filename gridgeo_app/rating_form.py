"""The reporter's rating on the case card (issue 23): each case's rating (满意/基本满意/不满意) in the
card's tables and, for a role that may move cases in the area's territory, the feedback step's
form for the cases that may be rated now (confirmed or at feedback, not rated, within
GRIDGEO_RATING_WORKING_DAYS working days of their resolution: gridgeo.events.rating).
The rating is stored as the logged-in identity (gridgeo.store.ratings.rate_case, one transaction
with its history row), as ``PUT /api/v1/events/{id}/rating`` does."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from gridgeo.access import Action
from gridgeo.config import get_settings
from gridgeo.events.rating import RATABLE_STATUSES, RATINGS, rating_deadline
from gridgeo.i18n import t
from gridgeo_app import event_source as data
from gridgeo_app import session


def rating_words(ratings: pd.Series, lang: str) -> pd.Series:
    """Each case's rating in the page language ("未评价" when none)."""
    return ratings.map(lambda r: t(f"rating_{r}", lang) if isinstance(r, str) and r in RATINGS
                       else t("rating_none", lang))


def ratable(cases: pd.DataFrame, at: datetime, working_days: int, tz: str) -> pd.DataFrame:
    """The cases that may be rated at ``at``, each with its deadline (``rate_by``), oldest first."""
    if not len(cases) or "rating" not in cases.columns:
        return cases.iloc[0:0]
    open_to = cases[cases["status"].isin(RATABLE_STATUSES) & cases["rating"].isna() & cases["resolved_at"].notna()]
    if not len(open_to):
        return open_to
    by = [rating_deadline(pd.Timestamp(r).to_pydatetime(), working_days, tz) for r in open_to["resolved_at"]]
    out = open_to.assign(rate_by=by)
    return out[out["rate_by"] > at].sort_values("rate_by")


def _who():
    return st.session_state.get("identity") or session.app_identity() or session.OPEN_IDENTITY


def rating_form(cases: pd.DataFrame, area_code: str, lang: str) -> None:
    """The feedback step on a card: pick a case of the area that may be rated, pick the rating,
    record it (or say in one line why not); nothing for a role that may not move cases there."""
    from gridgeo.events.lifecycle import TransitionError
    from gridgeo.store.ratings import rate_case

    settings = get_settings()
    who, at = _who(), data.now()
    st.markdown(f"**{t('rate_title', lang)}**")
    if not (who.may(Action.MOVE_EVENTS) and who.covers(area_code)):
        st.caption(t("rate_not_allowed", lang))
        return
    todo = ratable(cases, at, settings.rating_working_days, settings.timezone)
    if not len(todo):
        st.caption(t("rate_none", lang).format(days=settings.rating_working_days))
        return
    labels = {row.id: t("rate_case", lang).format(id=row.id, resolved=_local(row.resolved_at, "%m-%d %H:%M"),
                                                  by=_local(row.rate_by, "%m-%d"))
              for row in todo.itertuples()}
    with st.form(f"rate_{area_code}", border=False):
        case = st.selectbox(t("rate_pick", lang), list(labels), format_func=labels.get, key=f"rate_case_{area_code}")
        rating = st.radio(t("rate_rating", lang), list(RATINGS), horizontal=True, key=f"rate_value_{area_code}",
                          format_func=lambda r: t(f"rating_{r}", lang))
        if not st.form_submit_button(t("rate_submit", lang)):
            return
    try:
        rate_case(data.store(), case, rating, who.actor, at, settings.rating_working_days, settings.timezone)
    except TransitionError:
        st.error(t("rate_refused", lang).format(days=settings.rating_working_days))
        return
    st.success(t("rate_done", lang).format(id=case, rating=t(f"rating_{rating}", lang)))


def _local(value, fmt: str) -> str:
    return pd.Timestamp(value).tz_convert(data.TZ).strftime(fmt)
