"""Response models of the API: what each endpoint answers, declared in /openapi.json so clients
(and the schemathesis fuzz test) can check the answers. Handlers answer with
:class:`gridgeo.api.encoding.JSONOut`; the models document the shape (extra fields allowed)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorBody(_Open):
    """Every error: a message naming the field or condition, and the problems one by one."""

    message: str
    errors: list[dict[str, Any]] | None = None


_ERROR = {"model": ErrorBody}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {**_ERROR, "description": "missing or wrong bearer token"},
    403: {**_ERROR, "description": "the caller's role or territory does not allow this (the message names which)"},
    404: {**_ERROR, "description": "no such resource"},
    413: {**_ERROR, "description": "body over the size limit"},
    422: {**_ERROR, "description": "a parameter or field is invalid (named in message and errors)"},
    500: {**_ERROR, "description": "internal error"},
    503: {**_ERROR, "description": "the database is unavailable, or writes are disabled; retry after Retry-After"},
    507: {**_ERROR, "description": "the database's disk is full"},
}
CONFLICT = {409: {**_ERROR, "description": "conflict with the current state (lifecycle, stale base version)"}}
BAD_JSON = {400: {**_ERROR, "description": "malformed JSON"}}
THROTTLED = {429: {**_ERROR, "description": "too many attempts; retry after the seconds in Retry-After",
                   "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}}}


class TokenAnswer(BaseModel):
    """A login token (OAuth2 password flow)."""

    model_config = ConfigDict(extra="allow")
    access_token: str
    token_type: str
    expires_in: int
    role: str
    scopes: list[str]


class Open311(_Open):
    service_request_id: str | None = None
    status: str | None = None


class EventRecord(_Open):
    """A stored event (times ISO 8601 UTC)."""

    id: str
    status: str | None = None
    grid_code: str | None = None
    community_code: str | None = None
    street_code: str | None = None
    grid_set_version: int | None = None
    level: int | None = None
    lon: float | None = None
    lat: float | None = None
    reported_at: str | None = None
    open311: Open311 | None = None


class EventResult(EventRecord):
    """One POSTed event's outcome: accepted (stored now) or duplicate (id already stored)."""

    index: int
    result: str


class BatchResult(_Open):
    accepted: int
    duplicate: int
    results: list[EventResult]


class EventRow(_Open):
    id: str
    reported_at: str | None
    level: int
    grid_set_version: int | None = None
    overdue: bool


class EventList(_Open):
    count: int
    limit: int
    events: list[EventRow]


class Categories(_Open):
    categories: list[dict[str, str]]
    channels: dict[str, str]
    list_types: dict[str, str]
    statuses: list[str]


class RiskAnswer(_Open):
    by: str
    window: str
    at: str
    areas: list[dict[str, Any]]


class StatsAnswer(_Open):
    by: str | None
    window: str
    rows: list[dict[str, Any]]


class GridSetRow(_Open):
    version: int


class GridSets(_Open):
    grid_sets: list[GridSetRow]


class Health(_Open):
    ok: bool
    status: str
    backend: str
    grid_set_version: int | None = None
    warm_up: dict | None = None  # gridgeo.api.warmup.WarmUp.as_dict(), when the app warms up


class PlanRow(_Open):
    id: int
    name: str
    head_version: int
    published_version: int | None = None
    published_grid_set: int | None = None


class PlanList(_Open):
    plans: list[PlanRow]


class PlanCreated(_Open):
    id: int
    version: int
    source: str


class VersionRow(_Open):
    version: int
    base_version: int | None = None
    grid_set_version: int | None = None


class PlanDetail(PlanRow):
    version: int
    base_version: int | None = None
    versions: list[VersionRow]
    grids: list[dict[str, Any]]
    balance: list[dict[str, Any]]
    issues: list[dict[str, Any]]


class PlanSaved(_Open):
    id: int
    version: int
    summary: dict[str, Any]
    issues: list[dict[str, Any]]


class PlanPreview(_Open):
    base_version: int
    ok: bool
    summary: dict[str, Any]


class PlanPublished(_Open):
    id: int
    version: int
    grid_set_version: int


class PlanDiff(_Open):
    a: int
    b: int
    summary: dict[str, Any]


class AuditRow(_Open):
    actor: str
    action: str
    plan_id: int | None = None
    version: int | None = None


class PlanAudit(_Open):
    audit: list[AuditRow]
