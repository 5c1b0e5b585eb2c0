"""Plan versions in the event store's database: save, list, load, diff, publish, audit.

``PlanRepository(store)`` uses the store's own engines (SQLite in WAL mode with ``BEGIN
IMMEDIATE`` writes, or PostgreSQL + PostGIS), so plans, grid sets and events live in one
database and one transaction can span them.

Optimistic concurrency: every plan has a ``head_version``. A save names the version its edits
started from (``base_version``); the save is one ``UPDATE plans SET head_version = base + 1
WHERE id = ? AND head_version = base`` followed by the insert of the version. If another save
came first the update matches no row and the save is refused with ``StaleVersionError`` (the
planner reloads the newer version and re-applies the session's edits, see
``EditHistory.rebase``); nothing is overwritten. PostgreSQL re-checks the WHERE clause after
waiting for the row lock; SQLite serialises writers with ``BEGIN IMMEDIATE``.

Publishing is one transaction: the new grid set (the plan's grids dissolved from its atoms),
its becoming current, the plan's published version and the audit entry commit together or not
at all. Past events keep the grid and grid-set version they were given when reported.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd
import sqlalchemy as sa

from gridgeo.geo.crs import WGS84
from gridgeo.i18n import Msg
from gridgeo.plan import schema as P
from gridgeo.plan.errors import (
    IntegrityError,
    PlanEditError,
    PlanNotFoundError,
    StaleGridSetError,
    StaleVersionError,
)
from gridgeo.plan.figures import grid_figures, summary
from gridgeo.plan.integrity import errors, validate
from gridgeo.plan.model import STATED_COLUMNS, AtomSet, Plan, SizeBand, make_plan
from gridgeo.store.sql import PUBLISH_LOCK_KEY  # one lock for every grid-set publisher

# integrity rules whose failures a publisher may accept with a reason (see PlanRepository.publish)
ACCEPTABLE_RULES = frozenset({"under_min", "over_max", "population_under_min", "population_over_max", "hole"})



def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class VersionInfo:
    """Metadata of one saved version."""

    plan_id: int
    version: int
    base_version: int | None
    author: str
    created_at: datetime
    comment: str
    published_at: datetime | None = None
    grid_set_version: int | None = None


@dataclass
class PublishPreview:
    """What publishing a version would change (``PlanRepository.preview_publish``)."""

    plan_id: int
    version: int
    grid_set_version: int | None  # the current grid set it is compared with (None: none yet)
    diff: object  # gridgeo.plan.diff.PlanDiff from the current grid set to the version
    failures: list  # the version's integrity errors
    acceptable: list[str]  # failing rules a publisher may accept with a reason
    blocking: list[str]  # failing rules that must be fixed first

    @property
    def can_publish(self) -> bool:
        """True unless a failure of a rule that cannot be accepted blocks publishing."""
        return not self.blocking


def export_grids(plan: Plan) -> gpd.GeoDataFrame:
    """The plan's grids as a WGS84 frame like a proposal: code, name, community and street codes,
    counts, area, compactness, size status, staff, lock and the dissolved geometry."""
    figs = grid_figures(plan).drop(columns=["stated_households", "stated_differs"])
    figs = figs[figs["atoms"] > 0]
    shapes = plan.grid_shapes()
    out = figs.reset_index()
    out.insert(3, "street_code", out["community_code"].str[:9])
    for col in ("households", "population", "enterprises"):
        out[col] = out[col].round().astype(int)
    out["area_km2"] = out["area_km2"].round(4)
    out["polsby_popper"] = out["polsby_popper"].round(4)
    return gpd.GeoDataFrame(out, geometry=shapes.geometry.reindex(out["code"]).values, crs=WGS84)


def export_crosswalk(plan: Plan) -> pd.DataFrame:
    """For every legacy grid, the plan's grids it went to with area and household shares (kept /
    merged / split), as the partition's crosswalk (``gridgeo.partition.crosswalk``)."""
    import shapely

    from gridgeo.partition.crosswalk import build_crosswalk

    frame = pd.DataFrame({f"legacy_{layer}": plan.atoms.frame[f"legacy_{layer}"].to_numpy()
                          for layer in plan.atoms.legacy_layers})
    frame["grid_code"] = plan.labels()
    frame["area_m2"] = shapely.area(plan.atoms.metric)
    frame["households"] = plan.atoms.counts[:, 0]
    return build_crosswalk(frame.dropna(subset=["grid_code"]), plan.atoms.legacy_layers)


def _atoms_to_bytes(atoms: AtomSet) -> bytes:
    buf = io.BytesIO()
    atoms.frame.reset_index().to_parquet(buf, index=False)
    return buf.getvalue()


def _atoms_from_bytes(data: bytes) -> AtomSet:
    frame = gpd.read_parquet(io.BytesIO(bytes(data)))
    return AtomSet(frame)


class PlanRepository:
    """Plan versions, publishing and the audit log on top of a :class:`gridgeo.store.Store`."""

    def __init__(self, store):
        self.store = store
        self.engine: sa.Engine = store.engine
        self.write_engine: sa.Engine = store.write_engine
        self._atom_sets: dict[str, AtomSet] = {}

    # atoms -----------------------------------------------------------------------------------
    def _ensure_atoms(self, conn: sa.Connection, atoms: AtomSet, source: str) -> str:
        key = atoms.key
        found = conn.execute(sa.select(P.plan_atom_sets.c.key).where(P.plan_atom_sets.c.key == key)).scalar()
        if found is None:
            # an atom set of today's grids says so (gridgeo.plan.start finds it again by that)
            conn.execute(P.plan_atom_sets.insert().values(key=key, created_at=_now(), n_atoms=len(atoms),
                                                          source=getattr(atoms, "origin", None) or source,
                                                          data=_atoms_to_bytes(atoms)))
        self._atom_sets.setdefault(key, atoms)
        return key

    def atoms(self, key: str) -> AtomSet:
        """The atom set stored under ``key`` (loaded once, then shared by every plan drawn on it)."""
        if key not in self._atom_sets:
            with self.engine.connect() as conn:
                data = conn.execute(sa.select(P.plan_atom_sets.c.data).where(P.plan_atom_sets.c.key == key)).scalar()
            if data is None:
                raise PlanNotFoundError(f"atom set {key} is not in the store")
            self._atom_sets[key] = _atoms_from_bytes(data)
        return self._atom_sets[key]

    # writes ----------------------------------------------------------------------------------
    def _audit(self, conn: sa.Connection, actor: str, action: str, plan_id: int | None,
               version: int | None, detail: dict) -> None:
        conn.execute(P.plan_audit.insert().values(at=_now(), actor=actor, action=action, plan_id=plan_id,
                                                  version=version, detail=detail))

    @staticmethod
    def _content(plan: Plan) -> tuple[dict, list[dict]]:
        grids = plan.grids.reset_index().to_dict("records")
        for row in grids:
            row["locked"] = bool(row["locked"])
            for col in STATED_COLUMNS:  # JSON has no NaN
                row[col] = None if pd.isna(row.get(col)) else float(row[col])
        return plan.assignment_dict, grids

    @staticmethod
    def _summary(plan: Plan) -> dict:
        issues = validate(plan)
        return {**summary(plan), "errors": len(errors(issues)), "warnings": len(issues) - len(errors(issues)),
                "retired": sorted(plan.retired)}  # the lineage's retired codes travel with each version

    def create_plan(self, name: str, plan: Plan, author: str, comment: str = "", source: str = "",
                    base_grid_set: int | None = None) -> tuple[int, int]:
        """Store a new plan with ``plan`` as its version 1; return (plan id, 1). ``base_grid_set``:
        the grid set the plan starts from (default: the current one); publishing it is refused
        once another grid set has been published since."""
        assignment, grids = self._content(plan)
        base = base_grid_set if base_grid_set is not None else self.store.current_version()
        with self.write_engine.begin() as conn:
            key = self._ensure_atoms(conn, plan.atoms, source)
            plan_id = conn.execute(P.plans.insert().values(
                name=name, atom_set=key, band=plan.band.as_dict(), created_at=_now(), created_by=author,
                head_version=1, base_grid_set=base).returning(P.plans.c.id)).scalar_one()
            conn.execute(P.plan_versions.insert().values(
                plan_id=plan_id, version=1, base_version=None, author=author, created_at=_now(), comment=comment,
                assignment=assignment, grids=grids, edits=[], summary=self._summary(plan)))
            self._audit(conn, author, "create", plan_id, 1, {"name": name, "comment": comment, "source": source,
                                                              "atoms": len(plan.atoms), "grids": len(grids)})
        return int(plan_id), 1

    def save_version(self, plan_id: int, plan: Plan, author: str, base_version: int, comment: str = "",
                     edits: list | None = None) -> int:
        """Save ``plan`` as the next version of ``plan_id``; refused when ``base_version`` is stale.

        Returns the new version number. Raises StaleVersionError (and logs the refusal in the
        audit log) when another version was saved since ``base_version``.
        """
        assignment, grids = self._content(plan)
        edit_list = [e.as_dict() if hasattr(e, "as_dict") else dict(e) for e in (edits or [])]
        new = int(base_version) + 1
        with self.write_engine.begin() as conn:
            row = conn.execute(sa.select(P.plans.c.atom_set).where(P.plans.c.id == plan_id)).first()
            if row is None:
                raise PlanNotFoundError(f"plan {plan_id} does not exist")
            if row.atom_set != plan.atoms.key:
                raise PlanEditError(f"plan {plan_id} is drawn over other atoms than this plan; "
                                        "create a new plan instead")
            bumped = conn.execute(P.plans.update().where(P.plans.c.id == plan_id)
                                  .where(P.plans.c.head_version == int(base_version))
                                  .values(head_version=new)).rowcount
            if bumped == 1:
                conn.execute(P.plan_versions.insert().values(
                    plan_id=plan_id, version=new, base_version=int(base_version), author=author, created_at=_now(),
                    comment=comment, assignment=assignment, grids=grids, edits=edit_list,
                    summary=self._summary(plan)))
                self._audit(conn, author, "save", plan_id, new, {"comment": comment, "base_version": base_version,
                                                                  "edits": len(edit_list)})
                return new
            head = conn.execute(sa.select(P.plans.c.head_version).where(P.plans.c.id == plan_id)).scalar()
        with self.write_engine.begin() as conn:
            self._audit(conn, author, "save_refused", plan_id, None,
                        {"base_version": base_version, "head_version": head, "reason": "stale base version"})
        raise StaleVersionError(plan_id, base_version, head)

    def preview_publish(self, plan_id: int, version: int) -> PublishPreview:
        """What publishing ``version`` would do, before it is done: its diff against the current
        grid set (that set mapped onto the plan's atoms by largest overlap; every grid new when
        none is published yet) and its integrity failures, split into the rules a publisher may
        accept with a reason and those that block publishing."""
        from gridgeo.plan.diff import diff_plans
        from gridgeo.plan.start import plan_from_grids

        plan, _info = self.load(plan_id, version)
        current_version = self.store.current_version()
        if current_version is None:
            before = make_plan(plan.atoms, {}, band=plan.band)
        else:
            before = plan_from_grids(plan.atoms, self.store.grid_set(current_version), band=plan.band)
        failures = errors(validate(plan))
        rules = sorted({i.rule for i in failures})
        return PublishPreview(plan_id=plan_id, version=int(version), grid_set_version=current_version,
                              diff=diff_plans(before, plan), failures=failures,
                              acceptable=[r for r in rules if r in ACCEPTABLE_RULES],
                              blocking=[r for r in rules if r not in ACCEPTABLE_RULES])

    def publish(self, plan_id: int, version: int | None, author: str, comment: str = "",
                accept_rules: tuple[str, ...] | list[str] = (), base_version: int | None = None) -> int:
        """Publish a saved version (the head when ``version`` is None) as the current grid set, in
        ONE transaction; return the grid set version.

        Refused (IntegrityError) when the version fails an integrity rule, except failures of the
        rules named in ``accept_rules`` — only size-band and hole rules can be accepted (a band that
        cannot be met, an enclave kept on purpose), and only with a ``comment`` saying why; the
        accepted failures are written into the audit entry.

        With ``base_version`` (the head the publisher was looking at) the publish is conditional,
        like a save: INSIDE the publishing transaction, with the plan's row locked, the head must
        still be ``base_version``, and a publish that wins moves the head to ``base_version + 1``,
        a version recording the publication (the head's content unchanged). So of two racing
        publishes, or a publish and a save, on the same base exactly one wins; the other raises
        StaleVersionError (409 at the API) and its refusal is audited. Without ``base_version``
        nothing is checked (last publisher wins).
        """
        if version is None:
            version = base_version if base_version is not None else self.head_version(plan_id)
        plan, info = self.load(plan_id, version)
        issues = validate(plan)
        accepted = set(accept_rules)
        wrong = accepted - ACCEPTABLE_RULES
        if wrong:
            raise IntegrityError(Msg("refuse_accept_rules", {"rules": ", ".join(sorted(wrong)),
                                                              "allowed": ", ".join(sorted(ACCEPTABLE_RULES))}))
        if accepted and not comment.strip():
            raise IntegrityError(Msg("refuse_accept_comment"))
        bad = [i for i in errors(issues) if i.rule not in accepted]
        if bad:
            raise IntegrityError(Msg("refuse_publish_failures", {"plan": plan_id, "version": version, "n": len(bad),
                                                                  "first": bad[0].msg or bad[0].message}))
        exceptions = [{"rule": i.rule, "grid": i.grid, "message": i.message} for i in errors(issues)]
        grids = export_grids(plan)
        text = comment or f"plan {plan_id} version {version}"
        with self.write_engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # one publisher at a time: the next grid-set version is max + 1 (SQLite's
                # BEGIN IMMEDIATE already serialises writers); taken before the plan's row lock
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": PUBLISH_LOCK_KEY})
            stale = self._stale_grid_set(conn, plan_id)
            head = None if stale or base_version is None else self._claim_base(conn, plan_id, int(base_version))
            if head is None and stale is None:
                gs_version = self._publish_grid_set(conn, grids, author, text)
                self._record_publish(conn, plan_id, version, author, comment, gs_version, base_version,
                                     {"grids": len(grids), "warnings": len(issues) - len(exceptions),
                                      "accepted_failures": exceptions})
                return gs_version
        reason = ({"base_grid_set": stale.base_grid_set, "current_grid_set": stale.current_grid_set,
                   "reason": "stale base grid set"} if stale else
                  {"base_version": base_version, "head_version": head, "reason": "stale base version"})
        with self.write_engine.begin() as conn:
            self._audit(conn, author, "publish_refused", plan_id, version, reason)
        raise stale or StaleVersionError(plan_id, base_version, head)

    def base_grid_set(self, plan_id: int) -> int | None:
        """The grid set version ``plan_id`` was started from (None: not recorded, an older plan)."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(P.plans.c.base_grid_set).where(P.plans.c.id == plan_id)).first()
        if row is None:
            raise PlanNotFoundError(f"plan {plan_id} does not exist")
        return row.base_grid_set

    def _stale_grid_set(self, conn: sa.Connection, plan_id: int) -> StaleGridSetError | None:
        """Inside the publishing transaction (publishers serialised): the StaleGridSetError to raise
        when the plan's base grid set is no longer the current one (naming the grid sets published
        since), else None."""
        from gridgeo.store import schema as S

        base = conn.execute(sa.select(P.plans.c.base_grid_set).where(P.plans.c.id == plan_id)).scalar()
        current = conn.execute(sa.select(S.grid_sets.c.version).where(S.grid_sets.c.is_current)).scalar()
        if base is None or current is None or int(base) == int(current):
            return None
        g = S.grid_sets
        rows = conn.execute(sa.select(g.c.version, g.c.author, g.c.comment, g.c.published_at)
                            .where(g.c.version > int(base)).order_by(g.c.version)).mappings().all()
        return StaleGridSetError(plan_id, int(base), int(current), [dict(r) for r in rows])

    def _claim_base(self, conn: sa.Connection, plan_id: int, base: int) -> int | None:
        """Inside the publishing transaction: move the head from ``base`` to ``base + 1`` (a version
        recording the publication, with the head's content); None when done, else the head found.

        The conditional UPDATE takes the plan's row lock; on PostgreSQL a concurrent writer waits
        for it and then re-checks ``head_version = base`` against the committed row, so it fails
        rather than both succeeding. SQLite's BEGIN IMMEDIATE serialises writers outright.
        """
        bumped = conn.execute(P.plans.update().where(P.plans.c.id == plan_id)
                              .where(P.plans.c.head_version == base).values(head_version=base + 1)).rowcount
        if bumped != 1:
            head = conn.execute(sa.select(P.plans.c.head_version).where(P.plans.c.id == plan_id)).scalar()
            if head is None:
                raise PlanNotFoundError(f"plan {plan_id} does not exist")
            return int(head)
        t = P.plan_versions
        conn.execute(t.insert().from_select(
            ["plan_id", "version", "base_version", "author", "created_at", "comment", "assignment", "grids",
             "edits", "summary"],
            sa.select(t.c.plan_id, sa.literal(base + 1), sa.literal(base), sa.literal("publish"),
                      sa.literal(_now(), type_=t.c.created_at.type),
                      sa.literal(f"head when published (unchanged version {base})"),
                      t.c.assignment, t.c.grids, sa.literal_column("'[]'"), t.c.summary)
            .where(t.c.plan_id == plan_id, t.c.version == base)))
        return None

    def _record_publish(self, conn: sa.Connection, plan_id: int, version: int, author: str, comment: str,
                        gs_version: int, base_version: int | None, detail: dict) -> None:
        """The plan's published version, the version's publication time and the audit entry."""
        conn.execute(P.plans.update().where(P.plans.c.id == plan_id)
                     .values(published_version=version, published_grid_set=gs_version, base_grid_set=gs_version))
        conn.execute(P.plan_versions.update()
                     .where(P.plan_versions.c.plan_id == plan_id, P.plan_versions.c.version == version)
                     .values(published_at=_now(), grid_set_version=gs_version))
        self._audit(conn, author, "publish", plan_id, version,
                    {"comment": comment, "grid_set_version": gs_version, "base_version": base_version, **detail})

    def _publish_grid_set(self, conn: sa.Connection, grids: gpd.GeoDataFrame, author: str, comment: str) -> int:
        """Insert the grid set through the store inside ``conn``'s transaction."""
        return int(self.store.publish_grid_set(grids, author=author, comment=comment, conn=conn))

    # reads -----------------------------------------------------------------------------------
    def list_plans(self) -> pd.DataFrame:
        """Every plan: id, name, created_at, created_by, head_version, published_version,
        published_grid_set, atom_set."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(P.plans).order_by(P.plans.c.id)).mappings().all()
        cols = ["id", "name", "created_at", "created_by", "head_version", "published_version",
                "published_grid_set", "atom_set"]
        return pd.DataFrame([{c: r[c] for c in cols} for r in rows], columns=cols)

    def head_version(self, plan_id: int) -> int:
        """The latest saved version of ``plan_id``."""
        with self.engine.connect() as conn:
            v = conn.execute(sa.select(P.plans.c.head_version).where(P.plans.c.id == plan_id)).scalar()
        if v is None:
            raise PlanNotFoundError(f"plan {plan_id} does not exist")
        return int(v)

    def versions(self, plan_id: int) -> pd.DataFrame:
        """The versions of a plan: version, base_version, author, created_at, comment, summary
        figures, published_at, grid_set_version."""
        t = P.plan_versions
        cols = [t.c.version, t.c.base_version, t.c.author, t.c.created_at, t.c.comment, t.c.summary,
                t.c.published_at, t.c.grid_set_version]
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(*cols).where(t.c.plan_id == plan_id).order_by(t.c.version)).mappings().all()
        if not rows:
            self.head_version(plan_id)  # raises for an unknown plan
        return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in cols])

    def load(self, plan_id: int, version: int | None = None) -> tuple[Plan, VersionInfo]:
        """A saved version (the head when ``version`` is None) as a Plan, with its metadata."""
        with self.engine.connect() as conn:
            head = conn.execute(sa.select(P.plans).where(P.plans.c.id == plan_id)).mappings().first()
            if head is None:
                raise PlanNotFoundError(f"plan {plan_id} does not exist")
            v = int(version or head["head_version"])
            row = conn.execute(sa.select(P.plan_versions).where(P.plan_versions.c.plan_id == plan_id,
                                                                P.plan_versions.c.version == v)).mappings().first()
        if row is None:
            raise PlanNotFoundError(f"plan {plan_id} has no version {v} (latest is {head['head_version']})")
        band = SizeBand(**head["band"])
        grids = pd.DataFrame(row["grids"])
        plan = make_plan(self.atoms(head["atom_set"]), row["assignment"], grids, band=band)
        retired = (row["summary"] or {}).get("retired") if isinstance(row["summary"], dict) else None
        if retired:
            plan = plan.with_(retired=frozenset(str(c) for c in retired))
        info = VersionInfo(plan_id=int(plan_id), version=v, base_version=row["base_version"], author=row["author"],
                           created_at=row["created_at"], comment=row["comment"], published_at=row["published_at"],
                           grid_set_version=row["grid_set_version"])
        return plan, info

    def edits(self, plan_id: int, version: int) -> list[dict]:
        """The edits recorded with a version (from its base version)."""
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(P.plan_versions.c.edits).where(
                P.plan_versions.c.plan_id == plan_id, P.plan_versions.c.version == version)).scalar()
        return list(value or [])

    def diff(self, plan_id: int, a: int, b: int):
        """``diff_plans`` between two saved versions of a plan."""
        from gridgeo.plan.diff import diff_plans

        return diff_plans(self.load(plan_id, a)[0], self.load(plan_id, b)[0])

    def audit(self, plan_id: int | None = None) -> pd.DataFrame:
        """The audit log (all, or of one plan): at, actor, action, plan_id, version, detail."""
        t = P.plan_audit
        query = sa.select(t).order_by(t.c.id)
        if plan_id is not None:
            query = query.where(t.c.plan_id == plan_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in t.columns])

