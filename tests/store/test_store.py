"""The event store, the same suite on SQLite and PostgreSQL + PostGIS (fixture ``store_url``)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import drop_store_tables
from shapely.geometry import box

from gridgeo.analysis.stats import summarize
from gridgeo.events.lifecycle import TransitionError
from gridgeo.services import intake
from gridgeo.services.intake import add_events
from gridgeo.services.workspace import open_store
from gridgeo.store import EVENT_COLUMNS, EventNotFound
from gridgeo.store.migrate import head_revision

T0 = datetime(2024, 5, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shenzhen


def ev(i, lon=113.905, lat=22.705, **kw):
    base = {"id": f"e{i}", "reported_at": (T0 + timedelta(minutes=i)).isoformat(), "lon": lon, "lat": lat,
            "category": "neighbour_dispute", "level": 3, "channel": "grid_worker"}
    return {**base, **kw}


@pytest.fixture
def store(store_url, small_grids):
    st = open_store(store_url, seed_default=False)
    st.publish_grid_set(small_grids, author="tester", comment="hand-made")
    yield st
    st.close()


def test_schema_is_migrated_once(store_url):
    st = open_store(store_url, seed_default=False)
    assert st.schema_version() == head_revision()
    tables = set(sa.inspect(st.engine).get_table_names())
    assert {"events", "event_history", "grid_sets", "plans", "plan_versions", "event_counts"} <= tables
    assert not tables & {"schema_migrations", "plan_schema_migrations"}  # one migration system
    st.close()
    st = open_store(store_url, seed_default=False)  # reopening runs nothing again
    with st.engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    assert versions == [head_revision()]
    st.close()


def test_a_store_opened_by_url_is_never_seeded(store_url, tmp_path, monkeypatch):
    """Real work: a URL (not the demo's embedded file) gets no synthetic grids, nor does the
    demo's own file once GRIDGEO_DATABASE_URL or a non-demo atlas is configured."""
    monkeypatch.setenv("GRIDGEO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GRIDGEO_DATABASE_URL", raising=False)
    monkeypatch.delenv("GRIDGEO_ATLAS", raising=False)
    st = open_store(store_url)
    assert st.current_version() is None
    st.close()
    from gridgeo.config import Settings

    demo_file = Settings(data_dir=tmp_path / "data").store_url
    for settings in (Settings(data_dir=tmp_path / "data", database_url=demo_file),
                     Settings(data_dir=tmp_path / "data", atlas="chengdu-office")):
        st = open_store(demo_file, settings=settings)
        assert st.current_version() is None
        st.close()
    st = open_store(demo_file)  # the demo: the embedded file, no URL, the demo atlas
    assert st.current_version() == 1
    st.close()


def test_empty_store_publishes_default_atlas_as_version_1(store_url, default_atlas):
    st = open_store(store_url, seed_default=True)
    version, grids = st.current_grid_set()
    assert version == 1 and len(grids) == len(default_atlas.grids)
    assert set(grids["code"]) == set(default_atlas.grids["code"])
    assert grids.crs == "EPSG:4326"
    st.close()
    st = open_store(store_url, seed_default=True)  # not published again
    assert st.grid_sets()["version"].tolist() == [1]
    st.close()


def test_add_events_assigns_dispatches_and_is_idempotent(store):
    res = add_events(store, [ev(1), ev(2, lon=113.915, level=1), ev(3, lon=113.99), ev(4, category="petition")],
                           now=T0 + timedelta(hours=1))
    assert [r["result"] for r in res] == ["accepted"] * 4
    assert res[0]["grid_code"] == "440311001001001" and res[0]["community_code"] == "440311001001"
    assert res[0]["street_code"] == "440311001" and res[0]["grid_set_version"] == 1
    assert res[0]["dispatch_target"] == "community:440311001001"
    assert res[1]["dispatch_target"] == "district:440311"
    assert res[2]["out_of_area"] is True and res[2]["grid_code"] is None  # kept, flagged
    assert res[2]["dispatch_target"] == "district:440311"
    assert res[3]["dispatch_target"] == "street:440311001"
    assert res[0]["due_at"] == T0 + timedelta(minutes=1, hours=24)
    again = add_events(store, [ev(1), ev(5), ev(5)], now=T0 + timedelta(hours=1))
    assert [r["result"] for r in again] == ["duplicate", "accepted", "duplicate"]
    assert again[0]["grid_code"] == "440311001001001"
    assert store.count_events() == 5


def test_rejected_items_are_reported_and_not_stored(store):
    res = add_events(store, [ev(1), ev(2, level=7), ev(3, lat=float("nan"))], now=T0)
    assert [r["result"] for r in res] == ["accepted", "rejected", "rejected"]
    assert res[1]["errors"][0]["field"] == "level" and res[2]["errors"][0]["field"] == "lat"
    assert store.events_frame()["id"].tolist() == ["e1"]


def test_a_failing_batch_stores_nothing(store):
    from gridgeo.events.schema import validate_event

    rows = intake.prepare(store, [validate_event(ev(i), now=T0)[0] for i in (1, 2, 3)], T0)
    rows[2]["category"] = None  # violates NOT NULL inside the transaction
    with pytest.raises(sa.exc.IntegrityError):
        store.insert_rows(rows)
    assert store.count_events() == 0


def test_lifecycle_is_timestamped_attributed_and_guarded(store):
    add_events(store, [ev(1)], now=T0)
    t = T0 + timedelta(hours=2)
    store.transition("e1", "accepted", "受理员", at=t)
    rec = store.transition("e1", "resolved", "网格员王", note="已调解", at=t + timedelta(hours=3))
    assert rec["status"] == "resolved" and rec["status_notes"] == "已调解"
    assert rec["accepted_at"] == t and rec["resolved_at"] == t + timedelta(hours=3)
    with pytest.raises(TransitionError, match="'resolved' to 'feedback'"):
        store.transition("e1", "feedback", "x")
    assert store.get_event("e1")["status"] == "resolved"  # unchanged
    store.transition("e1", "confirmed", "社区", at=t + timedelta(hours=4))
    store.transition("e1", "feedback", "上报人", at=t + timedelta(hours=5))
    hist = store.get_event("e1")["history"]
    assert [(h["from_status"], h["to_status"], h["actor"]) for h in hist] == [
        (None, "reported", "intake"), ("reported", "accepted", "受理员"), ("accepted", "resolved", "网格员王"),
        ("resolved", "confirmed", "社区"), ("confirmed", "feedback", "上报人")]
    assert hist[2]["note"] == "已调解" and hist[1]["at"] == t
    with pytest.raises(EventNotFound):
        store.transition("nope", "accepted", "x")
    add_events(store, [ev(2)], now=T0)
    with pytest.raises(ValueError, match="actor"):
        store.transition("e2", "accepted", " ")


def test_reopen_clears_resolution_and_strict_batch_is_all_or_nothing(store):
    add_events(store, [ev(1), ev(2)], now=T0)
    store.transition_many([("e1", "accepted", "a", None, T0), ("e1", "resolved", "a", None, T0)])
    rec = store.transition("e1", "accepted", "复核", note="重新处理")
    assert rec["resolved_at"] is None and rec["status"] == "accepted"
    with pytest.raises(TransitionError):
        store.transition_many([("e2", "accepted", "a", None, None), ("e2", "feedback", "a", None, None)],
                              strict=True)
    assert store.get_event("e2")["status"] == "reported"
    assert store.transition_many([("e2", "accepted", "a", None, None), ("e2", "feedback", "a", None, None)]) == 1


def test_events_frame_columns_types_and_filters(store):
    add_events(store, [ev(1), ev(2, lon=113.915, level=1, category="labour"), ev(3, lon=113.925, lat=22.715),
                      ev(4, lon=113.99)], now=T0 + timedelta(hours=1))
    store.transition("e2", "accepted", "a")
    frame = store.events_frame(now=T0 + timedelta(hours=30))
    assert list(frame.columns) == list(EVENT_COLUMNS)
    assert str(frame["reported_at"].dt.tz) == "UTC" and frame["level"].dtype == "int64"
    assert frame["out_of_area"].tolist() == [False, False, False, True]
    assert frame["overdue"].tolist() == [True, True, True, True]  # all open, 24 h limit passed
    assert not store.events_frame(now=T0)["overdue"].any()
    assert store.events_frame(T0 + timedelta(minutes=2), T0 + timedelta(minutes=4))["id"].tolist() == ["e2", "e3"]
    assert store.events_frame(level=[1])["id"].tolist() == ["e2"]
    assert store.events_frame(status="accepted")["id"].tolist() == ["e2"]
    assert store.events_frame(street_code="440311002")["id"].tolist() == ["e3"]
    assert store.events_frame(community_code=["440311001001"])["id"].tolist() == ["e1", "e2"]
    assert store.events_frame(grid_code="440311001001002", category="labour")["id"].tolist() == ["e2"]
    assert store.events_frame(bbox=(113.90, 22.70, 113.92, 22.71))["id"].tolist() == ["e1", "e2"]
    assert store.events_frame(limit=1)["id"].tolist() == ["e1"]
    assert len(store.events_frame(T0 + timedelta(days=1))) == 0
    with pytest.raises(ValueError, match="unknown filter"):
        store.events_frame(colour="red")


def test_publishing_a_new_grid_set_versions_assignment(store, small_grids):
    add_events(store, [ev(1, lon=113.915)], now=T0)
    redrawn = small_grids.copy()
    redrawn.loc[0, "geometry"] = box(113.90, 22.70, 113.918, 22.71)  # A1 grows east
    redrawn.loc[1, "geometry"] = box(113.918, 22.70, 113.92, 22.71)
    assert store.publish_grid_set(redrawn, author="planner", comment="A1 grows") == 2
    add_events(store, [ev(2, lon=113.915)], now=T0)
    frame = store.events_frame()
    assert frame[["grid_code", "grid_set_version"]].astype(str).values.tolist() == [
        ["440311001001002", "1"], ["440311001001001", "2"]]
    version, grids = store.current_grid_set()
    assert version == 2 and grids.loc[grids["code"] == "440311001001001"].geometry.iloc[0].equals(
        box(113.90, 22.70, 113.918, 22.71))
    sets = store.grid_sets()
    assert sets["version"].tolist() == [1, 2] and sets["is_current"].tolist() == [False, True]
    assert sets["author"].tolist() == ["tester", "planner"]
    assert len(store.grid_set(1)) == 4


def test_bad_grid_set_is_refused(store, small_grids):
    from gridgeo.errors import InputError

    with pytest.raises(InputError, match="code"):
        store.publish_grid_set(pd.concat([small_grids, small_grids.iloc[:1]]), author="x")
    assert store.current_version() == 1


def test_concurrent_writers_lose_nothing(store):
    def work(k):
        for j in range(5):
            add_events(store, [ev(k * 100 + j * 10 + m) for m in range(10)], now=T0 + timedelta(hours=9))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count_events() == len({k * 100 + j * 10 + m for k in range(4) for j in range(5) for m in range(10)})


def test_summary_from_the_store_frame(store):
    add_events(store, [ev(1), ev(2, lon=113.915), ev(3, lon=113.915), ev(4, lat=22.715, level=1)],
                     now=T0 + timedelta(hours=1))
    store.transition_many([("e1", "accepted", "a", None, T0 + timedelta(hours=1)),
                           ("e1", "resolved", "a", None, T0 + timedelta(hours=5)),
                           ("e2", "accepted", "a", None, T0 + timedelta(hours=1)),
                           ("e3", "rejected", "a", None, T0 + timedelta(hours=1))])
    now = T0 + timedelta(hours=6)
    frame = store.events_frame(now=now)
    total = summarize(frame, None, now=now).iloc[0]
    assert (total["received"], total["accepted"], total["resolved"], total["overdue"]) == (4, 2, 1, 1)
    assert total["resolution_rate"] == 0.25
    assert total["median_handling_hours"] == pytest.approx(5 - 1 / 60)
    by_grid = summarize(frame, "grid", now=now).set_index("grid_code")
    assert by_grid.loc["440311001001002", "received"] == 2
    assert by_grid.loc["440311002001001", "overdue"] == 1  # level 1 immediate: 2 h limit
    by_street = summarize(frame, "street", now=now).set_index("street_code")
    assert by_street["received"].to_dict() == {"440311001": 3, "440311002": 1}
    by_day = summarize(frame, "day", now=now)
    assert by_day["period"].astype(str).tolist() == ["2024-05-01 00:00:00+08:00"]
    assert by_day["received"].tolist() == [4]
    by_hour = summarize(frame, "hour", now=now)
    assert by_hour["received"].sum() == 4 and by_hour["period"].iloc[0].hour == 10


def test_publish_inside_a_callers_transaction_rolls_back_with_it(store, small_grids):
    with pytest.raises(RuntimeError), store.write_engine.begin() as conn:
        assert store.publish_grid_set(small_grids, author="planner", conn=conn) == 2
        raise RuntimeError("the caller's other work failed")
    assert store.current_version() == 1
    with store.write_engine.begin() as conn:
        store.publish_grid_set(small_grids, author="planner", conn=conn)
    assert store.current_version() == 2


def test_concurrent_first_opens_publish_the_default_once(store_url):
    stores, errors = [], []

    def opener():
        try:
            stores.append(open_store(store_url, seed_default=True))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert stores[0].grid_sets()["version"].tolist() == [1]
    for st in stores:
        st.close()


@pytest.mark.postgis
def test_assignment_equals_postgis_st_covers(pg_url, default_atlas):
    """An independent exact test: PostGIS ST_Covers + lowest code over the stored grid set."""
    import sqlalchemy as sa

    from gridgeo.demo.simulate import generate_events

    drop_store_tables(pg_url)
    st = open_store(pg_url, seed_default=True)
    events = generate_events(default_atlas, n=3000, seed=2, start=T0, duration=86400)
    coords = default_atlas.grids.geometry.get_coordinates().to_numpy()[:300:3]  # grid vertices
    events += [ev(i, id=f"v{i}", lon=float(x), lat=float(y)) for i, (x, y) in enumerate(coords)]
    add_events(st, events, now=T0 + timedelta(days=2))
    with st.engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT e.id, e.grid_code, (SELECT min(g.code) FROM grid_set_grids g "
            " WHERE g.version = e.grid_set_version AND ST_Covers(g.geom, e.geom)) AS postgis "
            "FROM events e")).all()
    st.close()
    assert len(rows) == len(events)
    differ = [(r.id, r.grid_code, r.postgis) for r in rows if r.grid_code != r.postgis]
    assert differ == []
    assert sum(r.grid_code is None for r in rows) > 0  # some out of area, agreed by both


def _to_pre_alembic(st, store_level: int, with_plans: bool) -> None:
    """Roll a store back to how gridgeo kept it before Alembic: ``schema_migrations`` 1..level,
    ``plan_schema_migrations`` 1 when the plan tables exist, no alembic_version/event_counts."""
    pre_alembic = {"grid_sets", "grid_set_grids", "events", "event_history", "plan_atom_sets", "plans",
                   "plan_versions", "plan_audit", "spatial_ref_sys"}
    later = sorted(set(sa.inspect(st.engine).get_table_names()) - pre_alembic)  # alembic_version, counts, ...
    # the partitioned events layout of PostGIS (0010) stays: its months and ids hold the events, and
    # 0010 leaves a store already partitioned as it is
    later = [t for t in later if t != "event_ids" and not t.startswith(("events_p", "events_default"))]
    with st.write_engine.begin() as conn:
        for table in later:  # tables of later revisions (atlases, identities...) did not exist then
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}"' + (" CASCADE" if st.backend == "postgresql" else ""))
        for column in ("reporter_name", "reporter_phone"):  # columns of later revisions neither (0008)
            conn.exec_driver_sql(f"ALTER TABLE events DROP COLUMN {column}")
        if store_level < 3:
            conn.exec_driver_sql("DROP INDEX ix_event_history_at")
        conn.exec_driver_sql("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                             "applied_at TIMESTAMP NOT NULL)")
        for v in range(1, store_level + 1):
            conn.execute(sa.text("INSERT INTO schema_migrations VALUES (:v, 'm', :t)"), {"v": v, "t": T0})
        if with_plans:
            conn.exec_driver_sql("CREATE TABLE plan_schema_migrations (version INTEGER PRIMARY KEY, "
                                 "name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)")
            conn.execute(sa.text("INSERT INTO plan_schema_migrations VALUES (1, 'p', :t)"), {"t": T0})
        else:
            conn.exec_driver_sql("DROP TABLE plan_audit, plan_versions, plans, plan_atom_sets"
                                 if st.backend == "postgresql" else "DROP TABLE plan_audit")
            if st.backend == "sqlite":
                for table in ("plan_versions", "plans", "plan_atom_sets"):
                    conn.exec_driver_sql(f"DROP TABLE {table}")


@pytest.mark.parametrize("store_level,with_plans", [(3, True), (2, False)])
def test_a_store_from_before_alembic_is_stamped_and_upgraded(store_url, small_grids, store_level, with_plans):
    st = open_store(store_url, seed_default=False)
    st.publish_grid_set(small_grids, author="tester")
    add_events(st, [ev(i, level=1 + i % 4) for i in range(30)], now=T0 + timedelta(hours=2))
    st.transition("e1", "accepted", actor="tester")
    _to_pre_alembic(st, store_level, with_plans)
    st.close()
    st = open_store(store_url, seed_default=False)
    assert st.schema_version() == head_revision()
    tables = set(sa.inspect(st.engine).get_table_names())
    assert {"plans", "plan_versions", "plan_audit", "event_counts", "atlases", "atlas_features"} <= tables
    assert not tables & {"schema_migrations", "plan_schema_migrations"}
    assert "ix_event_history_at" in {ix["name"] for ix in sa.inspect(st.engine).get_indexes("event_history")}
    with st.engine.connect() as conn:  # the aggregates were filled from the stored events
        counts = conn.execute(sa.text("SELECT status, sum(n) FROM event_counts GROUP BY status")).all()
    assert {s: int(n) for s, n in counts} == {"reported": 29, "accepted": 1}
    assert st.count_events() == 30
    st.close()


def test_concurrent_publishes_get_distinct_versions(store_url, small_grids):
    """Two stores (two connections) publishing at once each get their own next version."""
    first = open_store(store_url, seed_default=False)
    first.publish_grid_set(small_grids, author="setup")
    second = open_store(store_url, seed_default=False)
    versions: list[int] = []
    failures: list[BaseException] = []
    barrier = threading.Barrier(2)

    def publish(st) -> None:
        try:
            barrier.wait()
            for _ in range(3):
                versions.append(st.publish_grid_set(small_grids, author="race"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=publish, args=(st,)) for st in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert not failures, failures
        assert sorted(versions) == list(range(2, 8))
        sets = first.grid_sets()
        assert int(sets["is_current"].astype(bool).sum()) == 1
    finally:
        first.close()
        second.close()
