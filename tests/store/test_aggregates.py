"""Aggregates kept in the database (issue 13) and /risk, /stats computed from them (issue 9 case 7).

On both backends: after random writes and lifecycle transitions, ``event_counts`` equals a
recount from the raw events, and ``risk_table`` / ``stats_table`` equal today's pandas path
(``risk_by_area`` / ``summarize`` over ``events_frame``) for windows that do not start on the hour.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from pg_databases import create_database, drop_database

from gridgeo.analysis.risk import area_table, risk_by_area, risk_table
from gridgeo.analysis.stats import stats_table, summarize
from gridgeo.demo.simulate import generate_events, seed_store
from gridgeo.events.lifecycle import TRANSITIONS
from gridgeo.services import intake
from gridgeo.services.workspace import open_store

NOW = datetime(2026, 3, 10, 9, 37, 12, 345678, tzinfo=UTC)  # not on the hour: the partial hour counts


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def seeded(request, tmp_path_factory, default_atlas):
    """A store (read only in the tests) with three days of simulated events and their
    lifecycles up to NOW: a SQLite file, or a PostGIS database of its own."""
    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path_factory.mktemp('agg') / 'events.sqlite'}", None
    else:
        url, drop = own_database(request.getfixturevalue("pg_url"))
    st = open_store(url, seed_default=True)
    seed_store(st, default_atlas, days=3, per_day=700, seed=5, now=NOW)
    yield st
    st.close()
    if drop:
        drop()


def own_database(pg_url: str):
    """A fresh PostGIS database on the test server (the shared one is emptied by other tests);
    returns its URL and a function dropping it."""
    name = f"gridgeo_agg_{uuid.uuid4().hex[:8]}"
    return create_database(pg_url, name, postgis=False), lambda: drop_database(pg_url, name)


def recount(st) -> pd.DataFrame:
    """event_counts recomputed from the raw events (non-zero keys only), and as stored."""
    hour = ("to_char(date_trunc('hour', reported_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24')"
            if st.backend == "postgresql" else "strftime('%Y-%m-%d %H', reported_at)")
    bucket = ("to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')" if st.backend == "postgresql"
              else "substr(bucket, 1, 13)")
    with st.engine.connect() as conn:
        raw = conn.exec_driver_sql(
            f"SELECT {hour}, coalesce(grid_code, ''), coalesce(community_code, ''), coalesce(street_code, ''), "
            "level, category, status, count(*) FROM events GROUP BY 1, 2, 3, 4, 5, 6, 7").all()
        kept = conn.exec_driver_sql(
            f"SELECT {bucket}, grid_code, community_code, street_code, level, category, status, n "
            "FROM event_counts WHERE n <> 0").all()
    return sorted(tuple(r) for r in raw), sorted(tuple(r) for r in kept)


def random_moves(st, rng: random.Random, n: int) -> list[tuple]:
    """``n`` random allowed and forbidden status changes of stored events."""
    frame = st.events_frame(extra=True)
    moves = []
    for _ in range(n):
        row = frame.iloc[rng.randrange(len(frame))]
        allowed = TRANSITIONS[row["status"]]
        target = rng.choice(allowed) if allowed and rng.random() < 0.9 else "confirmed"
        moves.append((row["id"], target, "tester", None, NOW))
    return moves


def test_aggregates_equal_a_recount_after_random_writes_and_transitions(store_url, default_atlas):
    seeded = open_store(store_url, seed_default=True)
    seed_store(seeded, default_atlas, days=1, per_day=500, seed=6, now=NOW)
    raw, kept = recount(seeded)
    assert raw == kept and sum(r[-1] for r in kept) == seeded.count_events()
    rng = random.Random(3)
    for round_ in range(3):
        more = generate_events(default_atlas, n=300, seed=40 + round_, start=NOW - timedelta(hours=30),
                               duration=30 * 3600.0, id_prefix=f"more{round_}")
        more += more[:20]  # duplicates: must not count twice
        intake.add_events(seeded, more, now=NOW)
        seeded.transition_many(random_moves(seeded, rng, 400))  # chained, some refused
        raw, kept = recount(seeded)
        assert raw == kept
    with pytest.raises(Exception):  # noqa: B017 - a refused strict batch leaves the counts alone
        seeded.transition_many(random_moves(seeded, rng, 50) + [("nope", "accepted", "x", None, NOW)], strict=True)
    assert recount(seeded)[0] == recount(seeded)[1]
    seeded.close()


@pytest.mark.parametrize("by", ["grid", "community", "street"])
def test_risk_table_equals_the_pandas_path(seeded, by):
    grids = seeded.current_grid_set()[1]
    for window in (timedelta(hours=24), timedelta(hours=7, minutes=13), timedelta(days=30)):
        events = seeded.events_frame(NOW - window, None, now=NOW)
        expected = risk_by_area(events, area_table(grids, by), by)
        got = risk_table(seeded, by, window, NOW)
        pd.testing.assert_frame_equal(got, expected)
        assert got["open_cases"].sum() > 0


STATS_BY = [None, "grid", "community", "street", "category", "level", "status", "channel", "dispatch_target",
            "list_type", "hour", "day", "week"]


@pytest.mark.parametrize("by", STATS_BY)
def test_stats_table_equals_the_pandas_path(seeded, by):
    for window in (timedelta(hours=24), timedelta(hours=50, minutes=21)):
        expected = summarize(seeded.events_frame(NOW - window, None, now=NOW), by, now=NOW)
        got = stats_table(seeded, by, window, NOW)
        assert_same_stats(got, expected)
        assert got["received"].sum() > 0 and got["resolved"].sum() > 0


def assert_same_stats(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal tables; the median in hours may differ in the last bits (SQL float arithmetic)."""
    assert list(got.columns) == list(expected.columns)
    np.testing.assert_allclose(got["median_handling_hours"].to_numpy(float),
                               expected["median_handling_hours"].to_numpy(float), rtol=1e-9, atol=1e-9)
    pd.testing.assert_frame_equal(got.drop(columns="median_handling_hours"),
                                  expected.drop(columns="median_handling_hours"), check_dtype=True)


def test_stats_and_risk_of_an_empty_window(store_url):
    st = open_store(store_url, seed_default=True)
    got = stats_table(st, None, timedelta(hours=1), NOW)
    assert_same_stats(got, summarize(st.events_frame(NOW - timedelta(hours=1), None, now=NOW), None, now=NOW))
    risk = risk_table(st, "grid", timedelta(hours=1), NOW)
    assert (risk["risk_level"] == 0).all() and len(risk) == len(st.current_grid_set()[1])
    with pytest.raises(ValueError, match="by must be one of"):
        stats_table(st, "no_such_column", timedelta(hours=1), NOW)
    st.close()


def test_counts_move_in_the_transaction_of_the_write(store_url, small_grids):
    """A write that fails leaves no count behind; a transition moves exactly one count."""
    st = open_store(store_url, seed_default=False)
    st.publish_grid_set(small_grids, author="t")
    ev = {"id": "a", "reported_at": (NOW - timedelta(minutes=5)).isoformat(), "lon": 113.905, "lat": 22.705,
          "category": "labour", "level": 2, "channel": "app"}
    intake.add_events(st, [ev], now=NOW)
    st.transition("a", "accepted", actor="t", at=NOW)
    with st.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT grid_code, level, status, n FROM event_counts ORDER BY status")).all()
    assert [tuple(r) for r in rows] == [("440311001001001", 2, "accepted", 1), ("440311001001001", 2, "reported", 0)]
    from gridgeo.events.schema import validate_event

    rows = intake.prepare(st, [validate_event({**ev, "id": i}, now=NOW)[0] for i in ("b", "c")], NOW)
    rows[1]["category"] = None  # NOT NULL violation: the whole transaction rolls back
    with pytest.raises(sa.exc.IntegrityError):
        st.insert_rows(rows)
    with st.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT sum(n) FROM event_counts")).scalar() == 1
    st.close()


def test_concurrent_writers_keep_the_counts_exact(store_url, default_atlas):
    """Four writers (own connections) inserting and moving events at once: no deadlock, no lost
    update; the counts equal a recount afterwards."""
    import threading

    open_store(store_url, seed_default=True).close()
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work(k: int) -> None:
        st = open_store(store_url, seed_default=True)
        try:
            events = generate_events(default_atlas, n=240, seed=70 + k, start=NOW - timedelta(hours=5),
                                     duration=5 * 3600.0, id_prefix=f"w{k}")
            barrier.wait(timeout=30)
            for i in range(0, 240, 40):
                intake.add_events(st, events[i:i + 40], now=NOW)
                st.transition_many([(e["id"], "accepted", "t", None, NOW) for e in events[i:i + 40:2]]
                                   + [(e["id"], "resolved", "t", None, NOW) for e in events[:i:3]])
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            st.close()

    def refresh_meanwhile() -> None:  # the /risk rolling sums moved back and forth during the writes
        st = open_store(store_url, seed_default=True)
        try:
            barrier.wait(timeout=30)
            for k in range(12):
                st.refresh_open_windows(NOW + timedelta(hours=k % 3), backwards=True)
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            st.close()

    barrier = threading.Barrier(5)
    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    threads.append(threading.Thread(target=refresh_meanwhile))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    st = open_store(store_url, seed_default=True)
    raw, kept = recount(st)
    assert raw == kept and sum(r[-1] for r in kept) == st.count_events() == 960
    assert_open_sums_equal_a_recount(st)
    st.close()


def assert_open_sums_equal_a_recount(st) -> None:
    """Every span of ``open_counts`` equals the open cases of ``event_counts`` in its hours [start, until)."""
    from gridgeo.store.open_windows import SPANS

    with st.engine.connect() as conn:
        starts = conn.exec_driver_sql("SELECT span_s, start, until FROM open_windows").all()
        assert sorted(s for s, _, _ in starts) == sorted(int(span.total_seconds()) for span in SPANS)
        for span_s, start, until in starts:
            prefix = SPANS[timedelta(seconds=span_s)]
            recounted = conn.execute(sa.text(
                "SELECT grid_code, community_code, street_code, level, sum(n) FROM event_counts "
                "WHERE status IN ('reported', 'accepted', 'escalated') AND bucket >= :start AND bucket < :until "
                "GROUP BY 1, 2, 3, 4"), {"start": start, "until": until}).all()
            kept = conn.execute(sa.text(
                f"SELECT grid_code, community_code, street_code, {prefix}_1, {prefix}_2, {prefix}_3, {prefix}_4 "
                "FROM open_counts")).all()
            want = {tuple(r[:4]): r[4] for r in recounted if r[4]}
            have = {(*r[:3], lv): r[2 + lv] for r in kept for lv in (1, 2, 3, 4) if r[2 + lv]}
            assert have == want and sum(want.values()) > 0, f"span {span_s} s"


def test_rolling_open_sums_follow_writes_transitions_and_refreshes(store_url, default_atlas):
    """The /risk rolling sums (24 h, 7 d, 30 d) built for an earlier time, then random writes
    and transitions (also of events older than a span's start), then moved forward: they equal
    a recount at every step, and risk_table read from them equals the pandas path."""
    from gridgeo.store import open_windows

    st = open_store(store_url, seed_default=True)
    seed_store(st, default_atlas, days=2, per_day=400, seed=8, now=NOW - timedelta(hours=30))
    assert st.refresh_open_windows(NOW - timedelta(hours=30), backwards=True)
    assert_open_sums_equal_a_recount(st)
    rng = random.Random(11)
    more = generate_events(default_atlas, n=500, seed=81, start=NOW - timedelta(hours=60),
                           duration=60 * 3600.0, id_prefix="late")
    intake.add_events(st, more, now=NOW)
    st.transition_many(random_moves(st, rng, 600))
    assert_open_sums_equal_a_recount(st)
    assert st.refresh_open_windows(NOW) == [86400, 604800, 2592000]  # 24 h rebuilt, the others moved
    assert st.refresh_open_windows(NOW + timedelta(minutes=20)) == []  # less than an hour: untouched
    assert_open_sums_equal_a_recount(st)
    grids = st.current_grid_set()[1]
    for by in ("grid", "community", "street"):
        for window in (timedelta(hours=24), timedelta(days=7), timedelta(days=30)):
            with st.engine.connect() as conn:  # the rolling sums answer this window
                assert open_windows.open_case_counts(conn, f"{by}_code", NOW - window, window) is not None
            expected = risk_by_area(st.events_frame(NOW - window, None, now=NOW), area_table(grids, by), by)
            got = risk_table(st, by, window, NOW)
            pd.testing.assert_frame_equal(got, expected)
            assert got["open_cases"].sum() > 0
    st.close()


@pytest.mark.postgis
def test_risk_on_a_read_only_role_reads_without_refreshing(pg_url, default_atlas, caplog):
    """A /risk reader that may not write (a replica's role): the rolling sums are not refreshed,
    a warning says so, and the answer is still exact (summed from the hourly aggregates)."""
    url, drop = own_database(pg_url)
    role = f"gridgeo_ro_{uuid.uuid4().hex[:6]}"
    owner = open_store(url, seed_default=True)
    seed_store(owner, default_atlas, days=1, per_day=300, seed=4, now=NOW)
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
    try:
        reader = open_store(sa.make_url(url).set(username=role).render_as_string(hide_password=False),
                            seed_default=False)
        grids = reader.current_grid_set()[1]
        with caplog.at_level("WARNING", logger="gridgeo.analysis.risk"):
            got = risk_table(reader, "grid", timedelta(hours=24), NOW)
        assert "not refreshed" in caplog.text and "permission denied" in caplog.text
        expected = risk_by_area(owner.events_frame(NOW - timedelta(hours=24), None, now=NOW),
                                area_table(grids, "grid"), "grid")
        pd.testing.assert_frame_equal(got, expected)
        assert got["open_cases"].sum() > 0
        reader.close()
    finally:
        owner.close()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()
        drop()
