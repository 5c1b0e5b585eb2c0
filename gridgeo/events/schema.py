"""The petition/event schema: fields, categories, channels, Open311 aliases and validation.

An event as a client sends it (JSON object, CSV row or GeoJSON feature properties):

==================  =====================================  ===============================
field               meaning                                Open311 GeoReport v2 alias
==================  =====================================  ===============================
id                  the sender's idempotency key           service_request_id
reported_at         ISO 8601 timestamp *with* a zone       requested_datetime
lon, lat            position in ``crs``                    long, lat
crs                 WGS84 (default), CGCS2000, GCJ02, BD09
category            a category slug (see CATEGORIES)       service_code
level               1 (most severe, red) .. 4 (blue)
channel             app, hotline, grid_worker, volunteer,
                    hall
text                free text                              description
list_type           immediate 即办 / staged 阶段性 /
                    explained 谅解 (default immediate)
==================  =====================================  ===============================

Positions are converted to WGS84 on validation with :mod:`gridgeo.geo.crs` (the phone apps send
GCJ-02, Baidu clients BD-09). The categories list is configurable: set
``GRIDGEO_CATEGORIES`` to a JSON file ``[{"code": ..., "zh": ..., "en": ...}, ...]``.

This module keeps the codes; their display names are in the catalogue (gridgeo.i18n, keys
``cat_<code>``, ``channel_<code>``, ``list_type_<code>``, ``level_<n>``), except the names a
configured categories file gives its own categories.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from gridgeo.events.safe_text import text_problem
from gridgeo.geo.crs import CRS_NAMES, normalize_crs_name, to_wgs84
from gridgeo.i18n import category_name


@dataclass(frozen=True)
class Category:
    """An event category: an English slug (its code). Its names come from the catalogue
    (``cat_<code>``) unless a configured categories file gives them (``zh``, ``en``)."""

    code: str
    zh: str | None = None
    en: str | None = None

    def label(self, lang: str = "zh") -> str:
        """The category's name in ``lang``: the file's own, else the catalogue's, else the code."""
        return (self.en if lang == "en" else self.zh) or category_name(self.code, lang)


DEFAULT_CATEGORIES: tuple[Category, ...] = tuple(Category(code) for code in (
    "neighbour_dispute", "labour", "property", "work_safety", "public_order", "environment", "urban_village",
    "land", "petition", "other"))

CHANNELS: tuple[str, ...] = ("app", "hotline", "grid_worker", "volunteer", "hall")

LIST_TYPES: tuple[str, ...] = ("immediate", "staged", "explained")
DEFAULT_LIST_TYPE = "immediate"

# Open311 GeoReport v2 name -> gridgeo name
OPEN311_ALIASES: dict[str, str] = {
    "service_request_id": "id",
    "requested_datetime": "reported_at",
    "long": "lon",
    "service_code": "category",
    "description": "text",
}

# How far in the future a report time may lie (clock skew between phones and the server).
DEFAULT_SKEW = timedelta(minutes=5)
MAX_ID_LENGTH = 128
MAX_TEXT_LENGTH = 4000
PHONE_RE = re.compile(r"[+\d][\d\s()\-]{3,23}")
# Report times before this are typing errors (and older times overflow when moved to UTC).
MIN_REPORTED_AT = datetime(1900, 1, 1, tzinfo=UTC)
ID_RULE = ("1-128 characters: letters, digits, spaces and punctuation except \"/\" "
           "(the id is a URL path segment), no control characters")
_NUMBER = re.compile(r"\s*[-+]?\d+(\.\d*)?([eE][-+]?\d+)?\s*")


@lru_cache(maxsize=4)
def _load_categories(path: str | None) -> tuple[Category, ...]:
    if not path:
        return DEFAULT_CATEGORIES
    items = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(Category(str(i["code"]), i.get("zh") and str(i["zh"]), i.get("en") and str(i["en"]))
                 for i in items)


def categories() -> tuple[Category, ...]:
    """The configured categories (GRIDGEO_CATEGORIES JSON file, else the domain defaults)."""
    from gridgeo.config import get_settings

    return _load_categories(get_settings().categories_file)


def category_codes() -> tuple[str, ...]:
    """The configured category slugs."""
    return tuple(c.code for c in categories())


def category_label(code: str, lang: str = "zh") -> str:
    """The name of a category slug in ``lang`` ("zh" or "en"): a configured file's own name, else
    the catalogue's (``cat_<code>``), else the slug itself."""
    for c in categories():
        if c.code == code:
            return c.label(lang)
    return category_name(code, lang)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class EventIn(BaseModel):
    """One incoming event, validated and normalised (position converted to WGS84, time to UTC).

    Unknown extra fields are ignored. Validation context may carry ``now`` (datetime) and
    ``skew`` (timedelta) for the future-timestamp check.
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True, str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    reported_at: datetime
    lon: float
    lat: float
    crs: str = "WGS84"
    category: str
    level: int = Field(ge=1, le=4)
    channel: str = "app"
    text: str = Field(default="", max_length=MAX_TEXT_LENGTH)
    list_type: str = DEFAULT_LIST_TYPE
    # personal data of the reporter (optional): masked for every caller whose role may not see it
    reporter_name: str | None = Field(default=None, max_length=64)
    reporter_phone: str | None = Field(default=None, max_length=24)
    # the position as sent, before conversion (kept for audit)
    lon_in: float | None = None
    lat_in: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("an event must be a JSON object")
        data = dict(data)
        for alias, name in OPEN311_ALIASES.items():
            if alias in data and name not in data:
                data[name] = data.pop(alias)
        for key in ("crs", "channel", "list_type", "text", "reporter_name", "reporter_phone"):  # CSV blanks: default
            if data.get(key) in ("", None):
                data.pop(key, None)
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, v: Any) -> Any:
        problem = text_problem(v) if isinstance(v, str) else None
        if problem:
            raise ValueError(problem)
        return v

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, str | int):
            raise ValueError("must be a string")
        v = str(v)
        if "/" in v or any(unicodedata.category(c) == "Cc" for c in v):
            raise ValueError(f"may not contain \"/\" or control characters; an id is {ID_RULE}")
        return v

    @field_validator("reporter_phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        if not PHONE_RE.fullmatch(v) or sum(c.isdigit() for c in v) < 5:
            raise ValueError("must be a phone number: digits with optional +, -, spaces or brackets")
        return v  # the value is never echoed in messages (personal data)

    @field_validator("reported_at", mode="before")
    @classmethod
    def _iso_text(cls, v: Any) -> Any:
        if isinstance(v, datetime):
            return v
        if not isinstance(v, str) or _NUMBER.fullmatch(v):
            raise ValueError("give an ISO 8601 timestamp with a zone, e.g. 2024-05-01T08:30:00+08:00 "
                             "(not a Unix time number)")
        return v

    @field_validator("reported_at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None or v.utcoffset() is None:
            raise ValueError("must carry a time zone, e.g. 2024-05-01T08:30:00+08:00")
        try:
            utc = v.astimezone(UTC)
        except OverflowError:
            raise ValueError(f"{v.isoformat()} is outside the representable dates (years 1-9999 in UTC); "
                             "check the year") from None
        if utc < MIN_REPORTED_AT:
            raise ValueError(f"{v.isoformat()} is before {MIN_REPORTED_AT:%Y-%m-%d}; check the year")
        return utc

    @field_validator("lon", "lat", mode="before")
    @classmethod
    def _number(cls, v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError("must be a number")
        return v

    @field_validator("lon", "lat")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be a finite number (got NaN or infinity)")
        return v

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, v: Any) -> Any:
        if isinstance(v, bool) or (isinstance(v, float) and not v.is_integer()):
            raise ValueError("must be an integer 1-4")
        if isinstance(v, str) and v.strip().isdigit():
            return int(v)
        return v

    @field_validator("crs")
    @classmethod
    def _crs(cls, v: str) -> str:
        try:
            return normalize_crs_name(v)
        except ValueError:
            raise ValueError(f"unknown CRS {v!r}: use one of {', '.join(CRS_NAMES)}") from None

    @field_validator("category")
    @classmethod
    def _category(cls, v: str) -> str:
        codes = category_codes()
        if v not in codes:
            raise ValueError(f"unknown category {v!r}: use one of {', '.join(codes)}")
        return v

    @field_validator("channel")
    @classmethod
    def _channel(cls, v: str) -> str:
        if v not in CHANNELS:
            raise ValueError(f"unknown channel {v!r}: use one of {', '.join(CHANNELS)}")
        return v

    @field_validator("list_type")
    @classmethod
    def _list_type(cls, v: str) -> str:
        if v not in LIST_TYPES:
            raise ValueError(f"unknown list type {v!r}: use one of {', '.join(LIST_TYPES)}")
        return v

    @model_validator(mode="after")
    def _position_and_time(self, info) -> EventIn:
        ctx = info.context or {}
        now = ctx.get("now") or _utcnow()
        skew = ctx.get("skew", DEFAULT_SKEW)
        if self.reported_at > now + skew:
            raise ValueError(f"reported_at: {self.reported_at.isoformat()} lies in the future "
                             f"(more than {int(skew.total_seconds())} s ahead of the server clock)")
        if not -180.0 <= self.lon <= 180.0:
            raise ValueError(f"lon: {self.lon} is out of range -180..180")
        if not -90.0 <= self.lat <= 90.0:
            raise ValueError(f"lat: {self.lat} is out of range -90..90")
        self.lon_in, self.lat_in = self.lon, self.lat
        return self


def _convert_positions(events: list[EventIn | None]) -> None:
    """Convert the positions of validated events to WGS84, one vectorized call per CRS."""
    for name in ("GCJ02", "BD09"):
        todo = [ev for ev in events if ev is not None and ev.crs == name and ev.lon == ev.lon_in
                and ev.lat == ev.lat_in]
        if todo:
            lon, lat = to_wgs84(np.array([e.lon_in for e in todo]), np.array([e.lat_in for e in todo]), name)
            for ev, x, y in zip(todo, lon.tolist(), lat.tolist(), strict=True):
                ev.lon, ev.lat = x, y


@dataclass
class EventError:
    """Why one event was refused: its position in the batch, its id (if any), field and message."""

    index: int
    id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        who = f"event {self.index}" + (f" (id {self.id})" if self.id else "")
        return f"{who}: {self.field}: {self.message}"

    def as_dict(self) -> dict:
        return {"index": self.index, "id": self.id, "field": self.field, "message": self.message}


def _errors_of(exc: ValidationError, index: int, raw: Any) -> list[EventError]:
    out = []
    rid = raw.get("id", raw.get("service_request_id")) if isinstance(raw, dict) else None
    rid = str(rid) if rid is not None else None
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err.get("loc", ())]
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if loc:
            field = ".".join(loc)
        elif ": " in msg and msg.split(": ", 1)[0] in ("reported_at", "lon", "lat"):
            field, msg = msg.split(": ", 1)
        else:
            field = "event"
        if err.get("type") == "missing":
            msg = "is required"
        out.append(EventError(index, rid, field, msg))
    return out


def validate_event(raw: Any, index: int = 0, now: datetime | None = None,
                   skew: timedelta = DEFAULT_SKEW) -> tuple[EventIn | None, list[EventError]]:
    """Validate one raw event; return (event, []) or (None, errors naming each bad field)."""
    try:
        ev = EventIn.model_validate(raw, context={"now": now or _utcnow(), "skew": skew})
    except ValidationError as exc:
        return None, _errors_of(exc, index, raw)
    _convert_positions([ev])
    return ev, []


def validate_events(raws: list[Any], now: datetime | None = None,
                    skew: timedelta = DEFAULT_SKEW) -> tuple[list[EventIn | None], list[EventError]]:
    """Validate a batch: a list (same length) of events or None, and every error found."""
    now = now or _utcnow()
    events: list[EventIn | None] = []
    errors: list[EventError] = []
    context = {"now": now, "skew": skew}
    for i, raw in enumerate(raws):
        try:
            events.append(EventIn.model_validate(raw, context=context))
        except ValidationError as exc:
            events.append(None)
            errors.extend(_errors_of(exc, i, raw))
    _convert_positions(events)
    return events, errors


OPEN311_STATUS = {"reported": "open", "accepted": "open", "escalated": "open",
                  "resolved": "closed", "confirmed": "closed", "feedback": "closed", "rejected": "closed"}


def to_open311(record: dict) -> dict:
    """The Open311 GeoReport v2 response fields for a stored event record."""
    def iso(v):
        return v.isoformat() if hasattr(v, "isoformat") else v

    return {
        "service_request_id": record.get("id"),
        "service_code": record.get("category"),
        "status": OPEN311_STATUS.get(record.get("status", ""), "open"),
        "status_notes": record.get("status_notes"),
        "agency_responsible": record.get("dispatch_target"),
        "requested_datetime": iso(record.get("reported_at")),
        "expected_datetime": iso(record.get("due_at")),
        "long": record.get("lon"),
        "lat": record.get("lat"),
    }
