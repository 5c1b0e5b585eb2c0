"""The review's default period: the last complete days, today apart; a period reaching into
today is partial and ends now."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from gridgeo.analysis.review import default_days, period_window, previous_period

TZ = ZoneInfo("Asia/Shanghai")


def test_default_period_is_the_last_seven_complete_days():
    assert default_days(date(2026, 12, 7)) == (date(2026, 11, 30), date(2026, 12, 6))
    assert default_days(date(2026, 3, 1), days=2) == (date(2026, 2, 27), date(2026, 2, 28))


def test_complete_days_are_not_partial_and_the_previous_period_starts_at_midnight():
    now = datetime(2026, 12, 7, 23, 17, tzinfo=TZ)
    start, end, partial = period_window(*default_days(now.date()), now)
    assert (start, end, partial) == (datetime(2026, 11, 30, tzinfo=TZ), datetime(2026, 12, 7, tzinfo=TZ), False)
    assert previous_period(start, end)[0] == datetime(2026, 11, 23, tzinfo=TZ)  # not 23:17


def test_a_period_into_today_ends_now_and_is_partial():
    now = datetime(2026, 12, 7, 0, 5, tzinfo=TZ)
    start, end, partial = period_window(date(2026, 12, 1), date(2026, 12, 7), now)
    assert start == datetime(2026, 12, 1, tzinfo=TZ) and end == now and partial
    assert end - start == timedelta(days=6, minutes=5)
