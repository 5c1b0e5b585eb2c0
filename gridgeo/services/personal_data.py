"""Personal data (reporter name, phone, free text) as an identity may see it, and every unmasked
read audited: the ONE rule the API (:mod:`gridgeo.api.territory`) and the app
(:mod:`gridgeo_app.scope`) both use, so they cannot drift.

Who may see it is :data:`gridgeo.access.Action.SEE_PERSONAL` inside the identity's territory
(docs/access.md); everyone else gets :func:`gridgeo.access.masking.mask_record`. Each time
personal fields are shown or exported unmasked, :func:`audit_read` writes one ``read_personal``
entry to the access audit log naming the actor and the events' ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gridgeo.access import Action, Identity
from gridgeo.access.masking import PERSONAL_FIELDS, mask_record
from gridgeo.store.identities import audit

READ_PERSONAL = "read_personal"  # the audit log's action for an unmasked read
IDS_NAMED = 20  # the audit entry names this many ids, then counts the rest


def place_code(record: dict) -> str | None:
    """The finest area code of an event (None when it lies outside every grid)."""
    return record.get("grid_code") or record.get("community_code") or record.get("street_code") or None


def has_personal(record: dict) -> bool:
    """True when ``record`` holds any personal field with a value."""
    return any(record.get(f) for f in PERSONAL_FIELDS)


def may_see(who: Identity, record: dict) -> bool:
    """True when ``who``'s role may see personal data and ``record`` lies in its territory."""
    return who.may(Action.SEE_PERSONAL) and who.covers(place_code(record))


def audit_read(store: Any, who: Identity, ids: Iterable[str], where: str = "") -> None:
    """Write ONE audit entry: ``who`` read the personal fields of the events ``ids`` unmasked
    (``where``: the route, page or export, e.g. "app:queue"); nothing when ``ids`` is empty."""
    ids = [str(i) for i in ids]
    if not ids:
        return
    named = ", ".join(ids[:IDS_NAMED]) + (f" and {len(ids) - IDS_NAMED} more" if len(ids) > IDS_NAMED else "")
    detail = f"{len(ids)} event(s) with reporter name, phone or text unmasked" + (f" ({where})" if where else "")
    audit(store, who.actor, READ_PERSONAL, named, detail)


def shown(store: Any, who: Identity, record: dict, where: str = "") -> dict:
    """``record`` as ``who`` may see it: personal data masked, or unmasked and audited."""
    if not has_personal(record):
        return record
    if not may_see(who, record):
        return mask_record(record)
    audit_read(store, who, [record["id"]], where)
    return record


def shown_rows(store: Any, who: Identity, rows: list[dict], where: str = "") -> list[dict]:
    """Rows as ``who`` may see them (one audit entry for all the unmasked ones)."""
    out, unmasked = [], []
    for row in rows:
        if not has_personal(row):
            out.append(row)
        elif may_see(who, row):
            out.append(row)
            unmasked.append(row["id"])
        else:
            out.append(mask_record(row))
    audit_read(store, who, unmasked, where)
    return out
