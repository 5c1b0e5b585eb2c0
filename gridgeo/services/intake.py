"""Intake: how a reported event becomes a stored one — validate → assign → dispatch → due time.

The store keeps to persistence (:meth:`gridgeo.store.Store.insert_rows` writes rows that are
already assigned, and skips ids already stored); this module makes those rows:

1. **validate** (:func:`gridgeo.events.schema.validate_events`): fields, categories, CRS → WGS84;
2. **assign** to the current grid set's grid with the store's :class:`gridgeo.events.assign.GridIndex`
   (exact point in polygon, lowest code on a shared edge; outside every grid = out of area);
3. **dispatch** (:func:`gridgeo.events.dispatch.dispatch_target`): the responsible hall;
4. **due time** (:func:`gridgeo.events.lifecycle.due_at`) from level and list type.

:func:`add_events` does all four per item and answers per item (accepted / duplicate /
rejected); :func:`add_valid` starts from validated events (the HTTP service validates in the
request, then group-commits many requests' events in one call).
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from gridgeo.events.dispatch import DEFAULT_RULE, DispatchRule, dispatch_target
from gridgeo.events.lifecycle import due_at
from gridgeo.events.schema import DEFAULT_SKEW, EventError, EventIn, validate_events
from gridgeo.services.grid_index import grid_index
from gridgeo.store.sql import public_record


def _now() -> datetime:
    return datetime.now(UTC)


def prepare(store, events: list[EventIn], now: datetime | None = None,
            rule: DispatchRule = DEFAULT_RULE) -> list[dict]:
    """Rows for validated events, ready for ``store.insert_rows``: grid/community/street codes
    under the current grid set (cached for up to a second), dispatch target, due time, status
    reported."""
    now = now or _now()
    version = store.current_version(max_age=1.0)
    n = len(events)
    grid = community = street = np.full(n, None, dtype=object)
    found = np.zeros(n, dtype=bool)
    if version is not None and n:
        idx = grid_index(store, version)
        pos = idx.lookup(np.array([e.lon for e in events]), np.array([e.lat for e in events]))
        found = pos >= 0
        grid, community, street = (np.where(found, values[np.maximum(pos, 0)], None)
                                   for values in idx.code_arrays())
    district = store.district_code(version)
    return [{
        "id": ev.id, "reported_at": ev.reported_at, "received_at": now,
        "lon": ev.lon, "lat": ev.lat, "crs_in": ev.crs, "lon_in": ev.lon_in, "lat_in": ev.lat_in,
        "category": ev.category, "level": ev.level, "channel": ev.channel, "text": ev.text,
        "list_type": ev.list_type, "status": "reported", "status_notes": None,
        "grid_code": grid[k], "community_code": community[k], "street_code": street[k],
        "grid_set_version": version, "out_of_area": not bool(found[k]),
        "dispatch_target": dispatch_target(ev.level, ev.category, community[k], street[k],
                                           grid[k][:6] if found[k] and grid[k] else district, rule),
        "due_at": due_at(ev.reported_at, ev.level, ev.list_type),
        "accepted_at": None, "resolved_at": None, "updated_at": now,
        "reporter_name": ev.reporter_name, "reporter_phone": ev.reporter_phone,
    } for k, ev in enumerate(events)]


def add_valid(store, validated: list[EventIn], actor: str = "intake", now: datetime | None = None,
              rule: DispatchRule = DEFAULT_RULE) -> list[dict]:
    """Assign, dispatch and store already validated events in one transaction; one result per
    event, in order: "accepted" (stored now) or "duplicate" (id already stored, or repeated in
    this batch: the stored record's codes are returned)."""
    now = now or _now()
    first: dict[str, EventIn] = {}
    for ev in validated:  # the first event of each id, in order
        first.setdefault(ev.id, ev)
    fresh = list(first.values())
    rows = prepare(store, fresh, now, rule)
    inserted = store.insert_rows(rows, actor)
    row_by_id = {r["id"]: r for r in rows}
    dup_ids = [ev.id for ev in validated if ev.id not in inserted]
    stored = store.records(dup_ids) if dup_ids else {}
    results: list[dict] = []
    first_seen: set[str] = set()
    for i, ev in enumerate(validated):
        if ev.id in inserted and ev.id not in first_seen:
            first_seen.add(ev.id)
            results.append({"index": i, "result": "accepted", **public_record(row_by_id[ev.id])})
        else:
            results.append({"index": i, "result": "duplicate", **public_record(stored.get(ev.id, {"id": ev.id}))})
    return results


def add_events(store, events: list[dict], actor: str = "intake", now: datetime | None = None,
               skew=DEFAULT_SKEW, rule: DispatchRule = DEFAULT_RULE) -> list[dict]:
    """Validate, assign and store events (idempotent by id), per item.

    Returns one result per input, in order: ``{"index", "id", "result", ...}`` where result is
    "accepted", "duplicate" (see :func:`add_valid`) or "rejected" (with ``errors``; nothing
    stored for it). The accepted ones are stored in one transaction.
    """
    now = now or _now()
    validated, errors = validate_events(events, now=now, skew=skew)
    by_index: dict[int, list[EventError]] = {}
    for e in errors:
        by_index.setdefault(e.index, []).append(e)
    valid_pos = [i for i, ev in enumerate(validated) if ev is not None]
    stored = add_valid(store, [validated[i] for i in valid_pos], actor=actor, now=now, rule=rule)
    results: list[dict] = [{}] * len(validated)
    for i, res in zip(valid_pos, stored, strict=True):
        results[i] = {**res, "index": i}
    for i, errs in by_index.items():
        results[i] = {"index": i, "id": errs[0].id, "result": "rejected", "errors": [e.as_dict() for e in errs]}
    return results
