"""The reporter's rating of the feedback step (反馈): 满意 / 基本满意 / 不满意, given within N
working days (Monday to Friday in the local time zone; default 5, ``GRIDGEO_RATING_WORKING_DAYS``)
after the case was resolved."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from gridgeo.events.lifecycle import TransitionError

RATINGS: dict[str, str] = {"satisfied": "满意", "fair": "基本满意", "unsatisfied": "不满意"}
RATABLE_STATUSES: tuple[str, ...] = ("confirmed", "feedback")


def parse_rating(value: str) -> str:
    """The rating slug of ``value`` (a slug or its Chinese word); ValueError naming the choices."""
    text = str(value).strip()
    by_word = {word: slug for slug, word in RATINGS.items()}
    if text in RATINGS:
        return text
    if text in by_word:
        return by_word[text]
    raise ValueError(f"rating {value!r}: use one of {', '.join(RATINGS)} ({'/'.join(RATINGS.values())})")


def rating_deadline(resolved_at: datetime, working_days: int, tz: str = "Asia/Shanghai") -> datetime:
    """The end (local midnight) of the ``working_days``-th working day after the day of resolution."""
    day = resolved_at.astimezone(ZoneInfo(tz)).date()
    left = working_days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(tz))


def check_rating(status: str, resolved_at: datetime | None, rated: str | None, at: datetime,
                 working_days: int, tz: str = "Asia/Shanghai") -> None:
    """TransitionError unless a case in ``status`` may be rated at ``at``: confirmed or given
    feedback, not rated yet, within the working days after its resolution."""
    if status not in RATABLE_STATUSES:
        raise TransitionError(f"a case is rated at its feedback step: this one is {status!r}; confirm its "
                              "resolution first")
    if rated:
        raise TransitionError(f"this case was already rated {rated!r}; a rating is given once")
    if resolved_at is not None and at >= rating_deadline(resolved_at, working_days, tz):
        raise TransitionError(f"the rating is taken within {working_days} working days of the resolution "
                              f"({resolved_at:%Y-%m-%d}); that time is over")
