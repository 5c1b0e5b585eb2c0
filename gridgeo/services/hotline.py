"""Hotline work orders into cases: placed by address through the normal intake, or queued for a
person (issue 22).

:func:`place_work_orders` takes a batch of :class:`gridgeo.events.hotline.WorkOrder` (events
without a position): each is validated, placed by :mod:`gridgeo.services.placement` and, when
placed, stored by :func:`gridgeo.services.intake.add_events` (grid, dispatch, due time, risk)
with the method and confidence in its first history entry; the others go to the queue
(:mod:`gridgeo.store.hotline_queue`). Idempotent on the work-order number: an order already
stored or queued is reported as it stands. :func:`place_queued` is a person placing a queued
case by a point or a building/compound code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gridgeo.access import Identity
from gridgeo.config import Settings, get_settings
from gridgeo.errors import InputError
from gridgeo.events.hotline import WorkOrder
from gridgeo.events.schema import validate_events
from gridgeo.i18n import Msg, word
from gridgeo.services import intake
from gridgeo.services.grid_index import grid_index
from gridgeo.services.placement import Placement, address_index
from gridgeo.store.hotline_queue import mark_placed, queue_cases, queued_records

REPORT_COLUMNS = ("id", "placement", "grid_code", "method", "confidence", "reason")
_PROBE = {"lon": 0.0, "lat": 0.0}  # a position for validating the other fields before placing


def case_codes(row: dict) -> list[str]:
    """The territory codes of a queue row: its candidate grids, the grid it was placed in, the
    community, street and district its address gave."""
    grids = [c.get("grid_code") for c in row.get("candidates") or [] if isinstance(c, dict)]
    return [c for c in (*grids, row.get("grid_code"), row.get("community_code"), row.get("street_code"),
                        row.get("district_code")) if c]


def judged_grid(row: dict) -> str | None:
    """The grid a queue row's personal data is judged by (:mod:`gridgeo.services.personal_data`):
    the grid it was placed in, else its single candidate grid, else None (then its community or
    street decides)."""
    grids = [c.get("grid_code") for c in row.get("candidates") or [] if isinstance(c, dict)]
    return row.get("grid_code") or (grids[0] if len(grids) == 1 else None)


def visible(who: Identity, row: dict) -> bool:
    """True when the queued case lies in ``who``'s territory (unscoped callers see every case)."""
    return not who.scopes or any(who.covers(c) for c in case_codes(row))


class NotQueued(LookupError):
    """No queued case with that id (unknown, or already placed)."""


@dataclass
class Outcome:
    """What became of one work order: a report row (:data:`REPORT_COLUMNS`) and where it came from."""

    where: str
    id: str
    placement: str  # placed, queued or rejected
    grid_code: str | None = None
    method: str = ""
    confidence: float | None = None
    reason: str = ""

    def report_row(self) -> dict:
        """The row of ``--report``: exactly :data:`REPORT_COLUMNS`."""
        conf = "" if self.confidence is None else f"{self.confidence:.2f}"
        return {"id": self.id, "placement": self.placement, "grid_code": self.grid_code or "", "method": self.method,
                "confidence": conf, "reason": self.reason}


def _existing(o: WorkOrder, stored: dict, queued: dict, lang: str) -> Outcome | None:
    """The outcome of an order imported before (stored as an event or queued), else None."""
    wid = o.event["id"]
    dup = Msg("hl_duplicate").render(lang)
    if wid in stored:
        return Outcome(o.where, wid, "placed", stored[wid].get("grid_code"), "", None, dup)
    if wid in queued:
        q = queued[wid]
        if q["status"] == "placed":
            return Outcome(o.where, wid, "placed", q.get("grid_code"), q["method"], q["confidence"], dup)
        return Outcome(o.where, wid, "queued", None, q["method"], q["confidence"],
                       q["reason_en"] if lang == "en" else q["reason"])
    return None


def _queue_row(o: WorkOrder, p: Placement, district: str | None, actor: str) -> dict:
    event = {k: v for k, v in o.event.items() if k not in ("reporter_name", "reporter_phone")}
    return {"id": o.event["id"], "reported_at": datetime.fromisoformat(o.event["reported_at"]), "address": o.address, "event": event,
            "reporter_name": o.event.get("reporter_name"), "reporter_phone": o.event.get("reporter_phone"),
            "method": p.method, "confidence": p.confidence, "reason": p.reason.render("zh") if p.reason else "",
            "reason_en": p.reason.render("en") if p.reason else "", "candidates": p.candidates,
            "district_code": district, "street_code": p.street_code, "community_code": p.community_code, "actor": actor}


def _reasons(errors) -> dict[int, str]:
    """Why each refused event is refused ("field: message; ..."), by position."""
    reasons: dict[int, list[str]] = {}
    for e in errors:
        reasons.setdefault(e.index, []).append(f"{e.field}: {e.message}")
    return {k: "; ".join(v) for k, v in reasons.items()}


def _placed_event(o: WorkOrder, p: Placement) -> dict:
    """The event to validate: at its place when placed, else at a probe position (every other field
    is checked before a case is queued, so a queued case can always be placed later)."""
    return {**o.event, "lon": p.lon, "lat": p.lat, "crs": "WGS84"} if p.placed else {**o.event, **_PROBE}


def place_work_orders(store, orders: list[WorkOrder], *, actor: str = "ingest", settings: Settings | None = None,
                      lang: str = "zh") -> list[Outcome]:
    """Place, store or queue a batch of work orders; one outcome per order, in order (see the module text)."""
    settings = settings or get_settings()
    index = address_index(store, settings)
    ids = [o.event["id"] for o in orders]
    stored, queued = store.records(ids), queued_records(store, ids)
    outcomes: dict[int, Outcome] = {}
    fresh: list[tuple[int, WorkOrder]] = []
    first: dict[str, int] = {}
    for k, o in enumerate(orders):
        prior = _existing(o, stored, queued, lang)
        if prior is not None:
            outcomes[k] = prior
        elif o.event["id"] in first:  # repeated in the file: as its first row
            fresh.append((k, o))
        else:
            first[o.event["id"]] = k
            fresh.append((k, o))
    todo = [(k, o, index.place(o.address)) for k, o in fresh if first[o.event["id"]] == k]
    validated, errors = validate_events([_placed_event(o, p) for _, o, p in todo])  # once, as intake would
    invalid = _reasons(errors)
    district = store.district_code(store.current_version(max_age=1.0))
    placed, notes, to_queue = [], {}, []
    for j, (k, o, p) in enumerate(todo):
        if j in invalid:
            outcomes[k] = Outcome(o.where, o.event["id"], "rejected", reason=invalid[j])
            continue
        outcomes[k] = Outcome(o.where, o.event["id"], "placed" if p.placed else "queued", p.grid_code if p.placed else None,
                              p.method, p.confidence, p.reason.render(lang) if p.reason else "")
        if p.placed:
            placed.append((k, validated[j]))
            notes[o.event["id"]] = Msg("hl_history_note", {"method": word("hl_method_", p.method),
                                                          "confidence": f"{p.confidence:.2f}",
                                                          "address": o.address}).render("zh")
        else:
            to_queue.append(_queue_row(o, p, district, actor))
    results = intake.add_valid(store, [e for _, e in placed], actor=actor, notes=notes) if placed else []
    for (k, _), res in zip(placed, results, strict=True):
        outcomes[k].grid_code = res.get("grid_code")
    queue_cases(store, to_queue)
    for k, o in fresh:
        if k not in outcomes:
            src = outcomes[first[o.event["id"]]]
            outcomes[k] = Outcome(o.where, src.id, src.placement, src.grid_code, src.method, src.confidence,
                                  Msg("hl_duplicate").render(lang))
    return [outcomes[k] for k in range(len(orders))]


@dataclass
class Target:
    """Where a person puts a queued case: a WGS84 point in a grid, and what was picked."""

    lon: float
    lat: float
    grid_code: str
    how: str
    method: str  # manual_point or manual_unit


def resolve_target(store, *, lon: float | None = None, lat: float | None = None, unit_code: str | None = None,
                   settings: Settings | None = None) -> Target:
    """The point and grid a person picked: a building/compound of the register (``unit_code``) or
    a point on the map; InputError for an unknown unit, no choice, or a point outside every grid."""
    if unit_code:
        found = address_index(store, settings or get_settings()).unit_position(unit_code)
        if found is None:
            raise InputError(Msg("hl_err_unit", {"code": unit_code}))
        (lon, lat), how, method = found, f"unit {unit_code}", "manual_unit"
    elif lon is None or lat is None:
        raise InputError(Msg("hl_err_place_body"))
    else:
        how, method = f"point {lon:.6f},{lat:.6f}", "manual_point"
    version = store.current_version(max_age=1.0)
    if version is None:
        raise InputError(Msg("hl_err_outside"))
    idx = grid_index(store, version)
    pos = int(idx.lookup([lon], [lat])[0])
    if pos < 0:
        raise InputError(Msg("hl_err_outside"))
    return Target(float(lon), float(lat), str(idx.code_arrays()[0][pos]), how, method)


def queued_case(store, case_id: str) -> dict:
    """The queue row of a case still queued; NotQueued otherwise."""
    row = queued_records(store, [case_id]).get(case_id)
    if row is None or row["status"] != "queued":
        raise NotQueued(Msg("hl_err_not_queued", {"id": case_id}).render("en"))
    return row


def place_queued(store, case_id: str, actor: str, target: Target) -> dict:
    """A person (``actor``) places the queued case ``case_id`` at ``target``: it goes through the
    normal intake (grid, dispatch, due time, risk) attributed to ``actor``, with what was picked in
    its history, and the queue row records who placed it, how and when. Returns the intake
    result; NotQueued when it is not (or no longer) queued."""
    row = queued_case(store, case_id)
    event = {**row["event"], "lon": target.lon, "lat": target.lat, "crs": "WGS84",
             "reporter_name": row.get("reporter_name"), "reporter_phone": row.get("reporter_phone")}
    note = Msg("hl_manual_note", {"how": f"{word('hl_method_', target.method).render('zh')} {target.how}",
                                  "address": row["address"]}).render("zh")
    result = intake.add_events(store, [event], actor=actor, notes={case_id: note})[0]
    if result["result"] == "rejected":
        raise InputError("; ".join(f"{e['field']}: {e['message']}" for e in result["errors"]))
    if not mark_placed(store, case_id, actor, target.how, result.get("grid_code")) and result["result"] != "accepted":
        raise NotQueued(Msg("hl_err_not_queued", {"id": case_id}).render("en"))
    return result
