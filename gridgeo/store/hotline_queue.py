"""The queue of hotline work orders waiting for a person to place them (persistence only, issue 22).

One ``hotline_queue`` row per work order that its address could not place (migration 0013): the
event without a position (JSON), the address, the reporter's name and phone (personal data,
masked by the readers), the method and confidence reached, why it was queued (zh and en), the
candidate grids, and the territory codes the address gave. A row is written once (idempotent on
the work-order number) and moves from ``queued`` to ``placed`` exactly once.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from gridgeo.store.hours import as_utc

metadata = sa.MetaData()
hotline_queue = sa.Table(
    "hotline_queue", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("address", sa.Text, nullable=False),
    sa.Column("event", sa.JSON, nullable=False),
    sa.Column("reporter_name", sa.Text),
    sa.Column("reporter_phone", sa.Text),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("reason_en", sa.Text, nullable=False),
    sa.Column("candidates", sa.JSON, nullable=False),
    sa.Column("district_code", sa.Text),
    sa.Column("street_code", sa.Text),
    sa.Column("community_code", sa.Text),
    sa.Column("placed_at", sa.DateTime(timezone=True)),
    sa.Column("placed_by", sa.Text),
    sa.Column("placed_how", sa.Text),
    sa.Column("grid_code", sa.Text),
    sa.Column("actor", sa.Text, nullable=False),
)
Q = hotline_queue


def _insert(store):
    if store.backend == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(Q).on_conflict_do_nothing(index_elements=["id"]).returning(Q.c.id)


def queue_cases(store, rows: list[dict]) -> set[str]:
    """Store queued work orders (dicts with the table's columns; ``status``, ``queued_at`` filled
    in), skipping ids already queued; return the ids written."""
    if not rows:
        return set()
    now = datetime.now(UTC)
    rows = [{"status": "queued", "queued_at": now, "actor": "ingest", **r} for r in rows]
    with store._write_lock, store.write_engine.begin() as conn:
        return {r[0] for r in conn.execute(_insert(store), rows)}


def _row(r) -> dict:
    out = dict(r)
    for key in ("queued_at", "reported_at", "placed_at"):
        out[key] = as_utc(out[key]) if out.get(key) is not None else None
    return out


def queued_records(store, ids: list[str]) -> dict[str, dict]:
    """The queue rows (any status) of these ids, by id."""
    out: dict[str, dict] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(ids), 500):
            for r in conn.execute(sa.select(Q).where(Q.c.id.in_(ids[start:start + 500]))).mappings():
                out[r["id"]] = _row(r)
    return out


def list_queue(store, status: str = "queued", limit: int = 1000) -> list[dict]:
    """Queue rows of ``status`` (``queued`` or ``placed``), oldest report first."""
    query = sa.select(Q).where(Q.c.status == status).order_by(Q.c.reported_at, Q.c.id).limit(limit)
    with store.engine.connect() as conn:
        return [_row(r) for r in conn.execute(query).mappings()]


def mark_placed(store, case_id: str, actor: str, how: str, grid_code: str | None) -> bool:
    """Record that ``actor`` placed the queued case (``how``: what was picked); False when it was not
    queued (unknown, or already placed by someone else)."""
    stmt = (Q.update().where(Q.c.id == case_id, Q.c.status == "queued")
            .values(status="placed", placed_at=datetime.now(UTC), placed_by=actor, placed_how=how, grid_code=grid_code))
    with store._write_lock, store.write_engine.begin() as conn:
        return conn.execute(stmt).rowcount == 1
