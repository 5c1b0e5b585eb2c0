"""Query parameters shared by several routers: time windows (``24h``) and timestamps."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from gridgeo.api.errors import ApiError

MAX_WINDOW_DAYS = 36500
WINDOW_PATTERN = r"^[0-9]+(\.[0-9]+)?[mhd]$"
"""What a ``window`` parameter looks like (declared in the OpenAPI document): 30m, 24h, 7d."""


def parse_window(text: str) -> timedelta:
    """``30m``, ``24h``, ``7d`` → timedelta (ValueError naming the window otherwise)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([mhd])\s*", text or "")
    if not m:
        raise ValueError(f"window {text!r}: use a number with m, h or d, e.g. 24h or 7d")
    n, unit = float(m.group(1)), m.group(2)
    days = n / 1440 if unit == "m" else n / 24 if unit == "h" else n
    if days > MAX_WINDOW_DAYS:  # also keeps now - window inside datetime's range
        raise ValueError(f"window {text!r}: at most {MAX_WINDOW_DAYS}d (100 years); use a shorter window")
    return timedelta(days=days)


def window_param(text: str) -> timedelta:
    """:func:`parse_window` with a 422 answer."""
    try:
        return parse_window(text)
    except ValueError as exc:
        raise ApiError(422, str(exc), [{"field": "window", "message": str(exc)}]) from None


def parse_time(name: str, text: str | None) -> datetime | None:
    """An ISO 8601 timestamp with a zone, in UTC (None when not given); 422 naming ``name``."""
    if text is None:
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(422, f"{name}: {text!r} is not an ISO 8601 timestamp") from None
    if t.tzinfo is None or t.utcoffset() is None:
        raise ApiError(422, f"{name}: give a time zone, e.g. 2024-05-01T00:00:00+08:00")
    try:
        return t.astimezone(UTC)
    except OverflowError:
        raise ApiError(422, f"{name}: {text!r} is outside the representable dates (years 1-9999 in UTC)") from None
