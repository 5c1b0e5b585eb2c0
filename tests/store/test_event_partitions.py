"""Month partitions of the PostGIS events table (issue 13, revision 0010): the layout, where rows
land, idempotent ids across months, the history foreign key, pruning, partitions made by
concurrent writers, and the in-place conversion of a 0009 store with data."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from conftest import drop_store_tables

from gridgeo.services.intake import add_events
from gridgeo.services.workspace import open_store
from gridgeo.store import partitions as P
from gridgeo.store import schema as S
from gridgeo.store.migrate import _config, head_revision

pytestmark = pytest.mark.postgis

NOW = datetime.now(UTC)


def month_start(back: int) -> datetime:
    """The first instant of the UTC month ``back`` months before the current one."""
    y, m = P.month_of(NOW)
    k = y * 12 + m - 1 - back
    return datetime(k // 12, k % 12 + 1, 1, tzinfo=UTC)


# three past months (mid-month, so never in the future whatever the clock) and one before the
# window of own partitions (it goes to the DEFAULT partition)
MONTHS = [month_start(b) + timedelta(days=9, hours=3) for b in (3, 2, 1)]
OLD = month_start(12 * P.YEARS_BACK + 6) + timedelta(days=4)


def ev(i: int, at: datetime, **kw) -> dict:
    return {"id": f"e{i}", "reported_at": at.isoformat(), "lon": 113.905 + 0.01 * (i % 3), "lat": 22.705,
            "category": "neighbour_dispute", "level": 1 + i % 4, "channel": "grid_worker", **kw}


@pytest.fixture
def pg_store(pg_url, small_grids):
    drop_store_tables(pg_url)
    st = open_store(pg_url, seed_default=False)
    st.publish_grid_set(small_grids, author="tester")
    yield st
    st.close()


def rows_per_partition(conn: sa.Connection) -> dict[str, int]:
    return {str(t): int(n) for t, n in conn.exec_driver_sql(
        "SELECT tableoid::regclass::text, count(*) FROM events GROUP BY 1")}


def relations(conn: sa.Connection, sql: str, params: dict | None = None) -> set[str]:
    """The tables a statement's plan reads (EXPLAIN, JSON)."""
    return plan_tables(conn.execute(sa.text("EXPLAIN (FORMAT JSON) " + sql), params or {}).scalar())


def plan_tables(plan) -> set[str]:
    """The relation names in an EXPLAIN (FORMAT JSON) result."""
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found: set[str] = set()

    def walk(node: dict) -> None:
        if "Relation Name" in node:
            found.add(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def test_events_are_partitioned_by_month_and_land_in_their_month(pg_store):
    out = add_events(pg_store, [ev(i, MONTHS[i % 3] + timedelta(minutes=i)) for i in range(30)]
                              + [ev(99, OLD)], now=NOW)
    assert [r["result"] for r in out] == ["accepted"] * 31
    with pg_store.engine.connect() as conn:
        strategy = conn.exec_driver_sql("SELECT p.partstrat, a.attname FROM pg_partitioned_table p "
                                        "JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
                                        "WHERE p.partrelid = 'events'::regclass").one()
        children = set(conn.exec_driver_sql(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'events'::regclass").scalars())
        per_partition = rows_per_partition(conn)
        indexes = {r[0] for r in conn.exec_driver_sql(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s", (P.partition_name(P.month_of(MONTHS[0])),))}
    assert tuple(strategy) == ("r", "reported_at")
    names = [P.partition_name(P.month_of(t)) for t in MONTHS]
    assert set(names) | {P.DEFAULT_PARTITION} <= children
    assert per_partition == {names[0]: 10, names[1]: 10, names[2]: 10, P.DEFAULT_PARTITION: 1}
    assert any("USING gist (geom)" in d for d in indexes) and any("(reported_at)" in d for d in indexes)
    frame = pg_store.events_frame(start=MONTHS[1] - timedelta(days=1), end=MONTHS[1] + timedelta(days=1))
    assert sorted(frame["id"]) == sorted(f"e{i}" for i in range(1, 30, 3))


def test_a_duplicate_id_in_another_month_is_refused_as_duplicate(pg_store):
    first = add_events(pg_store, [ev(1, MONTHS[0])], now=NOW)
    again = add_events(pg_store, [ev(1, MONTHS[2], level=1), ev(2, MONTHS[1]), ev(2, MONTHS[2])], now=NOW)
    assert first[0]["result"] == "accepted"
    assert [r["result"] for r in again] == ["duplicate", "accepted", "duplicate"]
    assert again[0]["reported_at"] == MONTHS[0] and again[0]["level"] == 2  # the stored record
    with pg_store.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT id, reported_at FROM events ORDER BY id").all()
        ids = conn.exec_driver_sql("SELECT id, reported_at FROM event_ids ORDER BY id").all()
        counted = conn.exec_driver_sql("SELECT sum(n) FROM event_counts").scalar()
    assert [tuple(r) for r in stored] == [tuple(r) for r in ids] == [("e1", MONTHS[0]), ("e2", MONTHS[1])]
    assert counted == 2


def test_history_references_the_id_table_and_lifecycle_updates_one_partition(pg_store):
    add_events(pg_store, [ev(i, MONTHS[i % 3]) for i in range(6)], now=NOW)
    rec = pg_store.transition("e4", "accepted", actor="worker", note="on my way")
    assert rec["status"] == "accepted" and [h["to_status"] for h in rec["history"]] == ["reported", "accepted"]
    assert pg_store.transition("e4", "resolved", actor="worker")["resolved_at"] is not None
    with pg_store.engine.connect() as conn:
        fk = conn.exec_driver_sql("SELECT confrelid::regclass::text FROM pg_constraint "
                                  "WHERE conrelid = 'event_history'::regclass AND contype = 'f'").scalars().all()
        update = relations(conn, "UPDATE events SET status = 'closed' WHERE id = :id AND reported_at = :at",
                           {"id": "e4", "at": MONTHS[1]})
        status = conn.exec_driver_sql("SELECT status FROM events WHERE id = 'e4'").scalar()
    assert fk == ["event_ids"]
    assert update - {"events"} == {P.partition_name(P.month_of(MONTHS[1]))}  # the parent: ModifyTable
    assert status == "resolved"
    with pytest.raises(sa.exc.IntegrityError), pg_store.write_engine.begin() as conn:
        conn.execute(S.event_history.insert().values(event_id="nobody", to_status="reported", at=NOW, actor="x"))


def test_a_one_month_window_reads_one_partition(pg_store):
    add_events(pg_store, [ev(i, MONTHS[i % 3] + timedelta(hours=i)) for i in range(60)], now=NOW)
    lo, hi = month_start(2), month_start(1)
    with pg_store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE events")
        window = relations(conn, "SELECT grid_code, count(*) FROM events WHERE reported_at >= :lo "
                           "AND reported_at < :hi GROUP BY 1", {"lo": lo, "hi": hi})
        spatial = relations(conn, "SELECT id FROM events WHERE reported_at >= :lo AND reported_at < :hi AND "
                            "geom && ST_MakeEnvelope(113.9, 22.7, 113.92, 22.71, 4326)", {"lo": lo, "hi": hi})
        everything = relations(conn, "SELECT count(*) FROM events")
    assert window == spatial == {P.partition_name(P.month_of(MONTHS[1]))}
    assert {P.partition_name(P.month_of(t)) for t in MONTHS} | {P.DEFAULT_PARTITION} <= everything


def test_a_month_made_later_takes_its_rows_from_the_default_partition(pg_store):
    add_events(pg_store, [ev(i, OLD + timedelta(hours=i)) for i in range(5)], now=NOW)
    month = P.month_of(OLD)
    with pg_store.write_engine.begin() as conn:
        assert P.create_month(conn, month) is True
        assert P.create_month(conn, month) is False  # already there
    with pg_store.engine.connect() as conn:
        assert rows_per_partition(conn) == {P.partition_name(month): 5}
    assert pg_store.transition("e3", "accepted", actor="w")["status"] == "accepted"


def test_concurrent_writers_of_a_new_month_both_succeed(pg_url, pg_store):
    other = open_store(pg_url, seed_default=False)
    barrier = threading.Barrier(2)
    results: list = []

    def write(st, offset: int) -> None:
        barrier.wait()
        results.append(add_events(st, [ev(offset + i, MONTHS[i % 3]) for i in range(20)], now=NOW))

    threads = [threading.Thread(target=write, args=(st, k * 100)) for k, st in enumerate((pg_store, other))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.close()
    assert len(results) == 2 and all(r["result"] == "accepted" for out in results for r in out)
    with pg_store.engine.connect() as conn:
        assert sum(rows_per_partition(conn).values()) == 40 and P.DEFAULT_PARTITION not in rows_per_partition(conn)


# --- the conversion of a 0009 store -----------------------------------------------------------

def _snapshot(engine: sa.Engine) -> dict[str, list]:
    """Every event, history row and aggregate, comparable across backends."""
    cols = [c.name for c in S.events.columns]
    with engine.connect() as conn:
        events = [tuple(r) for r in conn.execute(sa.select(*[S.events.c[c] for c in cols]).order_by(S.events.c.id))]
        history = [tuple(r) for r in conn.execute(sa.select(S.event_history).order_by(S.event_history.c.hid))]
        counts = [tuple(r) for r in conn.execute(sa.select(S.event_counts).order_by(*S.event_counts.primary_key))]

    def norm(row: tuple) -> tuple:
        return tuple(v.astimezone(UTC).replace(tzinfo=UTC) if isinstance(v, datetime) and v.tzinfo else
                     v.replace(tzinfo=UTC) if isinstance(v, datetime) else v for v in row)

    return {"events": [norm(r) for r in events], "history": [norm(r) for r in history],
            "counts": [norm(r) for r in counts]}


def test_a_0009_store_with_data_is_converted_in_place(pg_url, small_grids, tmp_path):
    """Data written by today's store on SQLite (the same columns), copied into a PostGIS database
    built by the real revisions up to 0009; opening it runs 0010 and keeps every row."""
    lite = open_store(f"sqlite:///{tmp_path / 'src.sqlite'}", seed_default=False)
    lite.publish_grid_set(small_grids, author="tester")
    add_events(lite, [ev(i, MONTHS[i % 3] + timedelta(minutes=i)) for i in range(40)]
                    + [ev(90 + i, OLD + timedelta(hours=i)) for i in range(3)], now=NOW)
    for i in range(0, 40, 4):
        lite.transition(f"e{i}", "accepted", actor="worker", note=f"n{i}")
    lite.transition("e8", "resolved", actor="worker")
    before = _snapshot(lite.engine)

    drop_store_tables(pg_url)
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        command.upgrade(_config(conn), "0009")
        assert not conn.exec_driver_sql("SELECT count(*) FROM pg_partitioned_table").scalar()
        with lite.engine.connect() as src:
            for table in (S.grid_sets, S.grid_set_grids, S.events, S.event_history, S.event_counts):
                rows = [dict(r) for r in src.execute(sa.select(table)).mappings()]
                conn.execute(table.insert(), rows)
        conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('event_history', 'hid'), "
                             "(SELECT max(hid) FROM event_history))")
    lite.close()
    engine.dispose()

    st = open_store(pg_url, seed_default=False)
    assert st.schema_version() == head_revision()
    assert _snapshot(st.engine) == before
    with st.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM event_ids").scalar() == 43
        per_partition = rows_per_partition(conn)
        assert not conn.exec_driver_sql("SELECT to_regclass('events_0009')").scalar()
    assert per_partition == {**{P.partition_name(P.month_of(t)): 13 + (k == 0) for k, t in enumerate(MONTHS)},
                             P.DEFAULT_PARTITION: 3}
    # the converted store goes on working: a duplicate, a new event, a transition
    out = add_events(st, [ev(5, MONTHS[2]), ev(200, MONTHS[2])], now=NOW)
    assert [r["result"] for r in out] == ["duplicate", "accepted"]
    assert st.transition("e9", "accepted", actor="w")["history"][-1]["to_status"] == "accepted"
    st.close()


def test_a_writer_that_may_not_create_tables_stores_into_the_default_partition(pg_url, pg_store):
    """A service role with data rights only: its writes of a month without a partition are stored
    (in the DEFAULT partition), and move into the month once the owner makes it."""
    role = "gridgeo_dml_only"
    admin = sa.create_engine(pg_url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP OWNED BY {role}" if conn.exec_driver_sql(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).first() else "SELECT 1")
        conn.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {role}")
        conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    url = sa.make_url(pg_url).set(username=role)
    try:
        writer = open_store(url.render_as_string(hide_password=False), seed_default=False)
        out = add_events(writer, [ev(i, MONTHS[0]) for i in range(4)], now=NOW)
        again = add_events(writer, [ev(9, MONTHS[0])], now=NOW)  # no new attempt within a minute
        assert writer.transition("e2", "accepted", actor="w")["status"] == "accepted"
        writer.close()
        assert [r["result"] for r in out + again] == ["accepted"] * 5
        with pg_store.engine.connect() as conn:
            assert rows_per_partition(conn) == {P.DEFAULT_PARTITION: 5}
        add_events(pg_store, [ev(20, MONTHS[0])], now=NOW)  # the owner makes the month: the rows move
        with pg_store.engine.connect() as conn:
            assert rows_per_partition(conn) == {P.partition_name(P.month_of(MONTHS[0])): 6}
        assert pg_store.get_event("e2")["status"] == "accepted"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()


def test_the_stores_own_queries_by_id_and_by_window_plan_one_partition(pg_store):
    """EXPLAIN of the statements the store itself sends: a lookup by id, a status change, and a
    one-month events window each reach a single month partition."""
    add_events(pg_store, [ev(i, MONTHS[i % 3] + timedelta(hours=i)) for i in range(30)], now=NOW)
    sent: list[tuple[str, dict]] = []

    def capture(conn, cursor, statement, params, context, executemany):
        if "events" in statement and "event_ids" not in statement and not statement.startswith("INSERT"):
            sent.append((statement, params[0] if executemany else params))

    engines = list({id(e): e for e in (pg_store.engine, pg_store.write_engine)}.values())
    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", capture)
    pg_store.records(["e4"])
    pg_store.transition_many([("e7", "accepted", "w", None, None)])
    pg_store.events_frame(start=month_start(2), end=month_start(1))
    for engine in engines:
        sa.event.remove(engine, "before_cursor_execute", capture)
    month = P.partition_name(P.month_of(MONTHS[1]))  # e4 and e7 are in MONTHS[1], and so is the window
    assert len(sent) == 4  # records, the locked read, the update, the window
    with pg_store.engine.connect() as conn:
        for statement, params in sent:
            found = plan_tables(conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, params).scalar())
            assert found - {"events"} == {month}, statement  # "events": the UPDATE's ModifyTable


def test_rows_at_the_edges_of_the_calendar_are_stored(pg_store):
    """Intake refuses years before 1900, but the store itself takes any timestamptz: rows of year
    1 and year 9999 go to the DEFAULT partition, ids stay unique."""
    add_events(pg_store, [ev(0, MONTHS[0])], now=NOW)
    template = pg_store.records(["e0"])["e0"]
    edges = [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)]
    rows = [{**template, "id": f"edge{k}", "reported_at": t} for k, t in enumerate(edges)]
    assert pg_store.insert_rows(rows) == {"edge0", "edge1"}
    assert pg_store.insert_rows([{**rows[0], "reported_at": MONTHS[1]}]) == set()  # a duplicate id
    assert [pg_store.get_event(f"edge{k}")["reported_at"] for k in range(2)] == edges
    assert not P.has_own_partition(P.month_of(edges[0])) and P.bounds((9999, 12))[1].startswith("10000-01-01")
    with pg_store.engine.connect() as conn:
        assert rows_per_partition(conn)[P.DEFAULT_PARTITION] == 2
