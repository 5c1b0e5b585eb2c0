"""The event store over SQLAlchemy Core: one implementation, two real backends.

:class:`Store` holds everything both backends share; :mod:`gridgeo.store.backends` makes the
engines (SQLite file in WAL mode with ``BEGIN IMMEDIATE`` write transactions; PostgreSQL with
PostGIS). Every write is one transaction: an event is stored whole with its first history
entry and its count in the aggregates (:mod:`gridgeo.store.counts`), or not at all; a status
change moves its count in the same transaction. On PostGIS the events table is partitioned by
month, with ``event_ids`` keeping ids unique (:mod:`gridgeo.store.partitions`): an insert goes
through ``event_ids`` and a lookup or status change by id finds its partition there.

The store keeps to persistence: rows arrive already validated, assigned, dispatched and given a
due time by :mod:`gridgeo.services.intake`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa

from gridgeo.errors import InputError
from gridgeo.events.lifecycle import check_transition, overdue_mask
from gridgeo.geo.crs import WGS84
from gridgeo.store import counts
from gridgeo.store import schema as S
from gridgeo.store.hours import as_utc
from gridgeo.store.partitions import MonthPartitions
from gridgeo.store.writer_lock import WriterLock

EVENT_COLUMNS: tuple[str, ...] = (
    "id", "reported_at", "lon", "lat", "category", "level", "channel", "text", "status",
    "grid_code", "community_code", "street_code", "grid_set_version", "dispatch_target", "list_type",
    "due_at", "resolved_at", "out_of_area", "overdue",
)
EXTRA_COLUMNS: tuple[str, ...] = ("received_at", "accepted_at", "updated_at", "status_notes", "crs_in")
TIME_COLUMNS = ("reported_at", "received_at", "due_at", "accepted_at", "resolved_at", "updated_at")
FILTER_COLUMNS = ("grid_code", "community_code", "street_code", "level", "category", "status", "channel",
                  "list_type", "dispatch_target")


PUBLISH_LOCK_KEY = 0x67726964  # PostgreSQL advisory lock held while a grid set is published ("grid")

class EventNotFound(LookupError):
    """No event with that id."""


def _now() -> datetime:
    return datetime.now(UTC)


def _sqlite_lock_path(url: str) -> str | None:
    """The writers' lock file beside a SQLite database file (None for other stores)."""
    if not url.startswith("sqlite"):
        return None
    database = sa.make_url(url).database
    return f"{database}.writer-lock" if database and database != ":memory:" else None


class Store:
    """Events, their history and the versioned grid sets, in one SQL database."""

    def __init__(self, engine: sa.Engine, write_engine: sa.Engine | None = None, url: str = ""):
        self.engine = engine
        self.write_engine = write_engine or engine
        self.url = url
        self._write_lock = WriterLock(_sqlite_lock_path(url))
        self._grid_frames: dict[int, gpd.GeoDataFrame] = {}
        self._area_codes: dict[int, str] = {}
        self._version_cache: tuple[float, int | None] | None = None
        self._partitions = MonthPartitions()
        if self.backend == "postgresql":  # ids are unique in event_ids (events is partitioned)
            from sqlalchemy.dialects.postgresql import insert

            self._insert_stmt = (insert(S.event_ids).on_conflict_do_nothing(index_elements=["id"])
                                 .returning(S.event_ids.c.id))
        else:
            from sqlalchemy.dialects.sqlite import insert

            self._insert_stmt = (insert(S.events).on_conflict_do_nothing(index_elements=["id"])
                                 .returning(S.events.c.id))

    @property
    def backend(self) -> str:
        """"sqlite" or "postgresql"."""
        return self.engine.dialect.name

    # schema ----------------------------------------------------------------------------------
    def migrate(self) -> str:
        """Bring the schema to the newest Alembic revision in one write transaction; return it.

        Concurrent first opens are safe: SQLite serializes write transactions (BEGIN IMMEDIATE)
        and PostgreSQL takes a transaction-scoped advisory lock; the revision is read again
        inside the transaction (see :mod:`gridgeo.store.migrate`).
        """
        from gridgeo.store import migrate

        with self.engine.connect() as conn:  # fast path: already at head, no write lock taken
            if migrate.current_revision(conn) == migrate.head_revision():
                return migrate.head_revision()
        with self._write_lock, self.write_engine.begin() as conn:
            self.lock_schema(conn)
            return migrate.upgrade(conn)

    def lock_schema(self, conn: sa.Connection) -> None:
        """Serialize schema set-up between processes (PostgreSQL advisory lock; SQLite's write
        transaction already is exclusive)."""
        if self.backend == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4711003)")

    def refresh_open_windows(self, now: datetime | None = None, *, backwards: bool = False) -> list[int]:
        """Build missing /risk rolling sums and move lagging ones forward for ``now`` (see
        :func:`gridgeo.store.open_windows.refresh`); a no-op read unless one is missing or an hour
        behind. Returns the spans changed (seconds)."""
        from gridgeo.store import open_windows

        now = now or _now()
        if not backwards:
            with self.engine.connect() as conn:
                lag = open_windows.lag(conn, now)
            if lag is not None and lag < open_windows.STALE_AFTER:
                return []
        with self._write_lock, self.write_engine.begin() as conn:
            return open_windows.refresh(conn, now, backwards=backwards)

    def schema_version(self) -> str | None:
        """The Alembic revision the database is at (None for an empty database)."""
        from gridgeo.store import migrate

        with self.engine.connect() as conn:
            return migrate.current_revision(conn)

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()
        self._write_lock.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # grid sets -------------------------------------------------------------------------------
    def publish_grid_set(self, grids: gpd.GeoDataFrame, author: str, comment: str = "",
                         conn: sa.Connection | None = None) -> int:
        """Store a grid set as the next version and make it current; return its version.

        ``grids`` needs ``code``, ``community_code`` and polygon geometries; ``street_code``
        defaults to the first 9 digits of the community code. Other columns are kept as attrs.
        With ``conn`` (an open write transaction on this store's database) the rows are written
        inside the caller's transaction, which commits or rolls back the publication with its own
        work; otherwise the store opens and commits its own transaction.
        """
        missing = {"code", "community_code"} - set(grids.columns)
        if missing:
            raise InputError(f"grid set: missing column(s) {', '.join(sorted(missing))}")
        if grids.crs is not None and grids.crs != WGS84:
            grids = grids.to_crs(WGS84)
        if grids["code"].astype(str).duplicated().any():
            dup = grids["code"].astype(str)[grids["code"].astype(str).duplicated()].iloc[0]
            raise InputError(f"grid set: code {dup} appears more than once")
        geoms = grids.geometry.values
        bad = ~np.isin(shapely.get_type_id(geoms), (3, 6))
        if bad.any():
            raise InputError(f"grid set: grid {grids['code'].astype(str)[bad].iloc[0]} is not a polygon")
        core = {"code", "name", "community_code", "street_code", "households", "population", "geometry"}
        extra = [c for c in grids.columns if c not in core]
        rows = []
        for rec, wkb in zip(grids.to_dict("records"), shapely.to_wkb(geoms), strict=True):
            community = str(rec["community_code"])
            attrs = {c: (None if pd.isna(rec[c]) else (rec[c].item() if hasattr(rec[c], "item") else rec[c]))
                     for c in extra}
            rows.append({
                "code": str(rec["code"]), "name": str(rec.get("name") or rec["code"]),
                "community_code": community,
                "street_code": str(rec.get("street_code") or community[:9]),
                "households": None if pd.isna(rec.get("households", np.nan)) else int(rec["households"]),
                "population": None if pd.isna(rec.get("population", np.nan)) else int(rec["population"]),
                "attrs": attrs, "wkb": wkb,
            })
        def write(c: sa.Connection) -> int:
            if c.dialect.name == "postgresql":
                # one publisher at a time, since the next version is max + 1 (SQLite's write
                # transaction is already exclusive); re-entrant for a caller that holds it
                c.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": PUBLISH_LOCK_KEY})
            version = int(c.execute(sa.select(sa.func.max(S.grid_sets.c.version))).scalar() or 0) + 1
            c.execute(S.grid_sets.update().values(is_current=False))
            c.execute(S.grid_sets.insert().values(
                version=version, published_at=_now(), author=author, comment=comment,
                n_grids=len(rows), is_current=True))
            for r in rows:
                r["version"] = version
            if rows:
                c.execute(S.grid_set_grids.insert(), rows)
            return version

        if conn is not None:
            version = write(conn)
        else:
            with self._write_lock, self.write_engine.begin() as own:
                version = write(own)
        self._version_cache = None
        return version

    def grid_sets(self) -> pd.DataFrame:
        """Every published grid set: version, published_at, author, comment, n_grids, is_current."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(S.grid_sets).order_by(S.grid_sets.c.version)).mappings().all()
        frame = pd.DataFrame(rows, columns=[c.name for c in S.grid_sets.columns])
        frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
        return frame

    def current_version(self, max_age: float = 0.0) -> int | None:
        """Version of the current grid set (None before any was published).

        ``max_age`` > 0 allows an answer cached for that many seconds (intake uses 1 s, so a
        grid set published by another process takes effect within a second; one published
        through this Store object takes effect at once).
        """
        cached = self._version_cache
        if max_age > 0 and cached is not None and time.monotonic() - cached[0] < max_age:
            return cached[1]
        with self.engine.connect() as conn:
            v = conn.execute(sa.select(S.grid_sets.c.version).where(S.grid_sets.c.is_current)).scalar()
        version = None if v is None else int(v)
        self._version_cache = (time.monotonic(), version)
        return version

    def grid_set(self, version: int) -> gpd.GeoDataFrame:
        """The grids of one version as a WGS84 GeoDataFrame (code, name, community_code,
        street_code, households, population, extra attributes, geometry)."""
        if version in self._grid_frames:
            return self._grid_frames[version]
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(S.grid_set_grids).where(S.grid_set_grids.c.version == version)
                                .order_by(S.grid_set_grids.c.code)).mappings().all()
        if not rows:
            raise LookupError(f"no grid set version {version}")
        records = []
        for r in rows:
            rec = {k: r[k] for k in ("code", "name", "community_code", "street_code", "households", "population")}
            rec.update(r["attrs"] or {})
            records.append(rec)
        gdf = gpd.GeoDataFrame(records, geometry=shapely.from_wkb([bytes(r["wkb"]) for r in rows]), crs=WGS84)
        self._grid_frames[version] = gdf
        return gdf

    def current_grid_set(self) -> tuple[int, gpd.GeoDataFrame]:
        """(version, grids) of the current grid set."""
        version = self.current_version()
        if version is None:
            raise LookupError("no grid set published yet: publish one with publish_grid_set()")
        return version, self.grid_set(version)

    def district_code(self, version: int | None = None) -> str:
        """The code of the area the grid set covers: the district (the 6 digits all grid codes
        start with) or, for a city of several districts, the city (4 digits + "00"); kept per
        version. Out-of-area events are dispatched to it."""
        version = version if version is not None else self.current_version()
        if version is None:
            return "000000"
        if version not in self._area_codes:
            prefixes = {str(c)[:6] for c in self.grid_set(version)["code"]}
            self._area_codes[version] = prefixes.pop() if len(prefixes) == 1 else f"{min(prefixes)[:4]}00"
        return self._area_codes[version]

    # events ----------------------------------------------------------------------------------
    def insert_rows(self, rows: list[dict], actor: str = "intake") -> set[str]:
        """Insert already assigned rows (see :func:`gridgeo.services.intake.prepare`) in ONE transaction,
        with their first history entry and their counts in ``event_counts``, skipping ids already
        stored; return the ids actually inserted (the others are duplicates)."""
        if not rows:
            return set()
        stmt = self._insert_stmt
        partitioned = self.backend == "postgresql"
        with self._write_lock:
            if partitioned:  # the months' partitions, in a short transaction of their own
                self._partitions.ensure(self.write_engine, (r["reported_at"] for r in rows))
            with self.write_engine.begin() as conn:
                return self._insert(conn, stmt, rows, actor, partitioned)

    @staticmethod
    def _insert(conn: sa.Connection, stmt: sa.Insert, rows: list[dict], actor: str, partitioned: bool) -> set[str]:
        """The body of :meth:`insert_rows`, inside its transaction. On PostGIS the ids go into
        ``event_ids`` first (ON CONFLICT there), then the new rows into the partitioned events."""
        ids = [{"id": r["id"], "reported_at": r["reported_at"]} for r in rows] if partitioned else rows
        inserted = {r[0] for r in conn.execute(stmt, ids)}
        new_rows, seen = [], set()
        for r in rows:  # the first row of an id repeated in ``rows`` is the one stored
            if r["id"] in inserted and r["id"] not in seen:
                seen.add(r["id"])
                new_rows.append(r)
        if new_rows:
            if partitioned:
                conn.execute(S.events.insert(), new_rows)
            conn.execute(S.event_history.insert(), [
                {"event_id": r["id"], "from_status": None, "to_status": "reported", "at": r["received_at"],
                 "actor": actor, "note": None} for r in new_rows])
            counts.apply(conn, counts.deltas_for_inserts(new_rows))
        return inserted

    def records(self, ids: Iterable[str]) -> dict[str, dict]:
        """The stored rows of these ids (the ones that exist), by id."""
        ids = list(dict.fromkeys(ids))
        out: dict[str, dict] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                query = self._by_id(conn, sa.select(S.events), ids[start:start + 500])
                if query is not None:
                    for r in conn.execute(query).mappings():
                        out[r["id"]] = dict(r)
        return out

    def _by_id(self, conn: sa.Connection, query: sa.Select, ids: list[str], lock: bool = False) -> sa.Select | None:
        """``query`` on ``events`` narrowed to ``ids`` (None when none exists on PostGIS).

        On PostGIS the ids' ``reported_at`` come from ``event_ids`` first, so the events query
        names its partitions and is pruned to them at planning instead of probing every month's
        primary key. With ``lock`` the ``event_ids`` rows are locked FOR UPDATE in id order: every
        status change takes that lock first, so it serializes them without locking the events
        rows too."""
        ev = S.events
        query = query.where(ev.c.id.in_(ids))
        if self.backend != "postgresql":
            return query
        ix = S.event_ids
        located = sa.select(ix.c.reported_at).where(ix.c.id.in_(ids)).order_by(ix.c.id)
        times = list(conn.execute(located.with_for_update() if lock else located).scalars())
        if not times:
            return None
        return query.where(ev.c.reported_at.in_(sorted(set(times))))

    def get_event(self, event_id: str, history: bool = True) -> dict:
        """One event's record (times as UTC datetimes) with its status history."""
        recs = self.records([event_id])
        if event_id not in recs:
            raise EventNotFound(f"no event with id {event_id!r}")
        rec = public_record(recs[event_id])
        for field in ("reporter_name", "reporter_phone"):  # personal: the API masks them by role
            rec[field] = recs[event_id].get(field)
        if history:
            with self.engine.connect() as conn:
                hist = conn.execute(sa.select(S.event_history).where(S.event_history.c.event_id == event_id)
                                    .order_by(S.event_history.c.hid)).mappings().all()
            rec["history"] = [{"from_status": h["from_status"], "to_status": h["to_status"],
                               "at": as_utc(h["at"]), "actor": h["actor"], "note": h["note"]} for h in hist]
        return rec

    def transition(self, event_id: str, to_status: str, actor: str, note: str | None = None,
                   at: datetime | None = None) -> dict:
        """Move an event to ``to_status`` (timestamped, attributed); raise TransitionError when
        the lifecycle forbids it and EventNotFound for an unknown id. Returns the record."""
        self.transition_many([(event_id, to_status, actor, note, at)], strict=True)
        return self.get_event(event_id)

    def transition_many(self, moves: list[tuple], strict: bool = False) -> int:
        """Apply ``(event_id, to_status, actor, note, at)`` moves in one transaction, in order
        (several moves of one event are chained).

        With ``strict`` the first invalid move raises (EventNotFound, TransitionError or
        ValueError) and nothing is applied; otherwise invalid moves are skipped. Returns how many
        were applied.
        """
        if not moves:
            return 0
        ev = S.events
        ids = sorted(set(m[0] for m in moves))  # rows locked in one order by every writer
        with self._write_lock, self.write_engine.begin() as conn:
            state: dict[str, dict] = {}
            for start in range(0, len(ids), 500):
                query = self._by_id(conn, sa.select(ev.c.id, ev.c.status, ev.c.status_notes, ev.c.accepted_at,
                                                    ev.c.resolved_at, *[ev.c[c] for c in COUNT_COLUMNS]),
                                    ids[start:start + 500], lock=True)
                if query is not None:
                    for r in conn.execute(query).mappings():
                        state[r["id"]] = dict(r)
            before = {k: v["status"] for k, v in state.items()}
            history: list[dict] = []
            changed: dict[str, dict] = {}
            for event_id, to_status, actor, note, at in moves:
                at = as_utc(at) or _now()
                try:
                    if event_id not in state:
                        raise EventNotFound(f"no event with id {event_id!r}")
                    if not actor or not str(actor).strip():
                        raise ValueError("actor: a transition must name who made it")
                    check_transition(state[event_id]["status"], to_status)
                except (EventNotFound, ValueError):
                    if strict:
                        raise
                    continue
                cur = state[event_id]
                if to_status == "accepted" and cur["accepted_at"] is None:
                    cur["accepted_at"] = at
                if to_status == "resolved":
                    cur["resolved_at"] = at
                if to_status == "accepted" and cur["status"] == "resolved":
                    cur["resolved_at"] = None  # reopened
                if note is not None:
                    cur["status_notes"] = note
                history.append({"event_id": event_id, "from_status": cur["status"], "to_status": to_status,
                                "at": at, "actor": str(actor), "note": note})
                cur["status"] = to_status
                cur["updated_at"] = at
                changed[event_id] = cur
            if changed:  # on PostGIS by (id, reported_at): each update touches one partition
                where = [ev.c.id == sa.bindparam("b_id")]
                if self.backend == "postgresql":
                    where.append(ev.c.reported_at == sa.bindparam("b_rep"))
                conn.execute(
                    ev.update().where(*where)
                    .values(status=sa.bindparam("b_status"), status_notes=sa.bindparam("b_notes"),
                            accepted_at=sa.bindparam("b_acc"), resolved_at=sa.bindparam("b_res"),
                            updated_at=sa.bindparam("b_upd")),
                    [{"b_id": k, "b_rep": v["reported_at"], "b_status": v["status"], "b_notes": v["status_notes"],
                      "b_acc": v["accepted_at"], "b_res": v["resolved_at"], "b_upd": v["updated_at"]}
                     for k, v in changed.items()])
                conn.execute(S.event_history.insert(), history)
                counts.apply(conn, _status_deltas(changed, before))
        return len(history)

    def events_frame(self, start: Any = None, end: Any = None, *, bbox: tuple | None = None,
                     limit: int | None = None, now: Any = None, extra: bool = False,
                     newest_first: bool = False, **filters: Any) -> pd.DataFrame:
        """Events reported in [start, end) as a DataFrame (see EVENT_COLUMNS), oldest first.

        Filters: ``bbox=(min_lon, min_lat, max_lon, max_lat)`` and any of FILTER_COLUMNS with a
        value or a list of values. ``overdue`` is computed relative to ``now`` (default: now).
        ``newest_first`` reverses the order (useful with ``limit`` for "latest events").
        ``extra`` adds received_at, accepted_at, updated_at, status_notes and crs_in.
        """
        ev = S.events
        cols = list(EVENT_COLUMNS[:-1]) + (list(EXTRA_COLUMNS) if extra else [])
        query = sa.select(*[ev.c[c] for c in cols])
        if start is not None:
            query = query.where(ev.c.reported_at >= as_utc(start))
        if end is not None:
            query = query.where(ev.c.reported_at < as_utc(end))
        if bbox is not None:
            x0, y0, x1, y1 = (float(v) for v in bbox)
            if self.backend == "postgresql":  # GiST index on the generated point column
                query = query.where(sa.text("events.geom && ST_MakeEnvelope(:bx0, :by0, :bx1, :by1, 4326)")
                                    .bindparams(bx0=x0, by0=y0, bx1=x1, by1=y1))
            query = query.where(ev.c.lon.between(x0, x1), ev.c.lat.between(y0, y1))
        for key, value in filters.items():
            if key not in FILTER_COLUMNS:
                raise ValueError(f"unknown filter {key!r}: use one of {', '.join(FILTER_COLUMNS)}")
            if value is None:
                continue
            values = list(value) if isinstance(value, list | tuple | set) else [value]
            if key == "level":
                values = [int(v) for v in values]
            query = query.where(ev.c[key].in_(values))
        if newest_first:
            query = query.order_by(ev.c.reported_at.desc(), ev.c.id.desc())
        else:
            query = query.order_by(ev.c.reported_at, ev.c.id)
        if limit is not None:
            query = query.limit(int(limit))
        with self.engine.connect() as conn:
            result = conn.execute(query)
            frame = pd.DataFrame(result.fetchall(), columns=cols)
        return finish_frame(frame, now)

    def count_events(self) -> int:
        """How many events are stored."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(S.events)).scalar() or 0)


COUNT_COLUMNS = ("reported_at", "grid_code", "community_code", "street_code", "level", "category")


def _status_deltas(changed: dict[str, dict], before: dict[str, str]) -> Counter:
    """-1 on each changed event's old aggregate key, +1 on its new one."""
    deltas: Counter = Counter()
    for event_id, cur in changed.items():
        if cur["status"] != before[event_id]:
            row = {**cur, "reported_at": as_utc(cur["reported_at"])}
            deltas[counts.key_of(row, before[event_id])] -= 1
            deltas[counts.key_of(row)] += 1
    return deltas


def finish_frame(frame: pd.DataFrame, now: Any = None) -> pd.DataFrame:
    """Give an events frame its dtypes (UTC times, int level, bool flags) and the overdue flag."""
    for c in TIME_COLUMNS:
        if c in frame:
            frame[c] = pd.to_datetime(frame[c], utc=True, format="mixed").astype("datetime64[us, UTC]")
    frame["level"] = frame["level"].astype("int64")
    frame["out_of_area"] = frame["out_of_area"].astype(bool)
    frame["lon"] = frame["lon"].astype(float)
    frame["lat"] = frame["lat"].astype(float)
    frame["grid_set_version"] = pd.array(frame["grid_set_version"], dtype="Int64")
    frame["overdue"] = overdue_mask(frame["status"], frame["due_at"], as_utc(now) or _now()).to_numpy(bool) \
        if len(frame) else pd.Series(dtype=bool)
    return frame


def public_record(rec: dict) -> dict:
    """The client-facing fields of a stored record (times as UTC datetimes)."""
    out = {k: rec.get(k) for k in ("id", "status", "status_notes", "grid_code", "community_code",
                                   "street_code", "grid_set_version", "out_of_area", "dispatch_target",
                                   "category", "level", "channel", "list_type", "lon", "lat", "text")
           if k in rec}
    for k in ("reported_at", "due_at", "accepted_at", "resolved_at", "received_at", "updated_at"):
        if k in rec:
            v = rec[k]
            out[k] = v if isinstance(v, datetime) and v.tzinfo is UTC else as_utc(v)
    if "out_of_area" in out and out["out_of_area"] is not None:
        out["out_of_area"] = bool(out["out_of_area"])
    return out
