"""Plan versions in the store's database on both backends: save/list/load, optimistic
concurrency with concurrent writers, publish in one transaction, the audit log."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from plan_helpers import X0, Y0, A, B, atom_id, g, lattice_plan

from gridgeo.plan import ops
from gridgeo.plan.errors import IntegrityError, PlanNotFoundError, StaleVersionError
from gridgeo.plan.history import EditHistory
from gridgeo.plan.repository import PlanRepository, export_grids
from gridgeo.services.intake import add_events
from gridgeo.services.workspace import open_store


@pytest.fixture
def repo_url(store_url) -> str:
    """An empty store on each backend (SQLite temp file; PostGIS with every table dropped)."""
    return store_url


@pytest.fixture
def repo(repo_url):
    store = open_store(repo_url, seed_default=False)
    yield PlanRepository(store)
    store.close()


def test_create_save_list_load_and_audit(repo):
    plan = lattice_plan()
    pid, v1 = repo.create_plan("光明试点", plan, author="planner_a", comment="起点", source="lattice")
    assert v1 == 1 and repo.head_version(pid) == 1
    edited = ops.move_atoms(plan, [atom_id(1, 0)], g(A, 2))
    v2 = repo.save_version(pid, edited, author="planner_a", base_version=1, comment="调一格",
                           edits=[ops.Edit("move_atoms", {"atom_ids": [atom_id(1, 0)], "to_grid": g(A, 2)})])
    assert v2 == 2
    loaded, info = repo.load(pid)
    assert info.version == 2 and info.base_version == 1 and info.author == "planner_a" and info.comment == "调一格"
    assert loaded.assignment_dict == edited.assignment_dict
    assert loaded.grids.equals(edited.grids) and loaded.band == plan.band
    old, _ = repo.load(pid, 1)
    assert old.assignment_dict == plan.assignment_dict
    assert repo.edits(pid, 2)[0]["op"] == "move_atoms"
    versions = repo.versions(pid)
    assert versions["version"].tolist() == [1, 2] and versions["comment"].tolist() == ["起点", "调一格"]
    assert versions["summary"].iloc[1]["households"] == 1600 and versions["summary"].iloc[1]["errors"] == 0
    plans = repo.list_plans()
    assert plans.loc[plans["id"] == pid, "head_version"].item() == 2
    d = repo.diff(pid, 1, 2)
    assert d.summary["atoms_moved"] == 1 and d.summary["households_moved"] == 100
    audit = repo.audit(pid)
    assert audit["action"].tolist() == ["create", "save"] and set(audit["actor"]) == {"planner_a"}
    assert audit["version"].tolist() == [1, 2]
    # a second repository on the same database reads the same plan (atoms come from the store)
    other = PlanRepository(open_store(repo.store.url, seed_default=False))
    again, _ = other.load(pid)
    assert again.assignment_dict == edited.assignment_dict and again.atoms.key == plan.atoms.key
    other.store.close()


def test_unknown_plan_or_version(repo):
    with pytest.raises(PlanNotFoundError, match="does not exist"):
        repo.load(999)
    pid, _ = repo.create_plan("p", lattice_plan(), author="a")
    with pytest.raises(PlanNotFoundError, match="no version 5"):
        repo.load(pid, 5)
    from gridgeo.plan.errors import PlanEditError
    from gridgeo.plan.model import make_plan

    other_atoms = lattice_plan().atoms.frame.reset_index().iloc[:8]
    small = make_plan(other_atoms, {a: g(A, 1) for a in other_atoms["atom_id"]})
    with pytest.raises(PlanEditError, match="other atoms"):
        repo.save_version(pid, small, author="a", base_version=1)
    assert repo.head_version(pid) == 1


def test_stale_save_is_refused_and_can_be_reapplied(repo):
    base = lattice_plan()
    pid, _ = repo.create_plan("p", base, author="a")
    repo.save_version(pid, ops.rename_grid(base, g(B, 1), "北片"), author="alice", base_version=1)
    bob = EditHistory(repo.load(pid, 1)[0])
    bob.apply(ops.Edit("move_atoms", {"atom_ids": [atom_id(1, 0)], "to_grid": g(A, 2)}))
    with pytest.raises(StaleVersionError, match="based on version 1, but version 2") as err:
        repo.save_version(pid, bob.current, author="bob", base_version=1)
    assert err.value.head_version == 2
    assert repo.head_version(pid) == 2 and repo.load(pid)[0].grid_of(atom_id(1, 0)) == g(A, 1)  # nothing lost
    latest, info = repo.load(pid)
    merged = bob.rebase(latest)
    assert repo.save_version(pid, merged, author="bob", base_version=info.version, edits=bob.edits) == 3
    final, _ = repo.load(pid)
    assert final.grids.at[g(B, 1), "name"] == "北片" and final.grid_of(atom_id(1, 0)) == g(A, 2)
    actions = repo.audit(pid)["action"].tolist()
    assert actions == ["create", "save", "save_refused", "save"]


def _race(url: str, pid: int, writers: int, base_version: int, rounds_tag: str) -> list:
    """``writers`` threads, each with its own store connection, save on the same base at once."""
    def job(k: int):
        def run(repo: PlanRepository):
            plan, _ = repo.load(pid, base_version)
            mine = ops.rename_grid(plan, g(A, 1), f"{rounds_tag}-{k}")
            return repo.save_version(pid, mine, author=f"w{k}", base_version=base_version)
        return run

    return _race_jobs(url, [job(k) for k in range(writers)])


def test_concurrent_writers_exactly_one_wins_per_base(repo):
    pid, _ = repo.create_plan("race", lattice_plan(), author="a")
    url = repo.store.url
    for rnd in range(3):
        base = repo.head_version(pid)
        results = _race(url, pid, 3, base, f"r{rnd}")
        wins = [r for r in results if isinstance(r, int)]
        stale = [r for r in results if isinstance(r, StaleVersionError)]
        assert wins == [base + 1] and len(stale) == 2, results
        assert all(s.head_version == base + 1 for s in stale)
    versions = repo.versions(pid)
    assert versions["version"].tolist() == [1, 2, 3, 4]
    assert versions["base_version"].tolist()[1:] == [1, 2, 3]
    audit = repo.audit(pid)
    assert (audit["action"] == "save").sum() == 3 and (audit["action"] == "save_refused").sum() == 6
    # the winner's name is the one stored in each version
    for v in (2, 3, 4):
        winner = repo.versions(pid).set_index("version").at[v, "author"]
        assert repo.load(pid, v)[0].grids.at[g(A, 1), "name"] == f"r{v - 2}-{winner[1:]}"


def test_publish_makes_the_version_the_current_grid_set(repo):
    store = repo.store
    plan = lattice_plan()
    pid, _ = repo.create_plan("p", plan, author="a")
    first = repo.publish(pid, 1, author="chief", comment="首发")
    assert store.current_version() == first
    # an event reported now keeps the grid it was given under this set
    now = datetime.now(UTC)
    point = {"id": "e1", "reported_at": now.isoformat(), "lon": X0 + 0.0005, "lat": Y0 - 0.0025,
             "category": "property", "level": 3, "channel": "app", "text": "漏水"}
    [res] = add_events(store, [point])
    assert res["result"] == "accepted" and res["grid_code"] == g(A, 2)
    v2 = repo.save_version(pid, ops.move_atoms(plan, [atom_id(2, 0)], g(A, 1)), author="a", base_version=1)
    second = repo.publish(pid, v2, author="chief")
    assert second == first + 1 and store.current_version() == second
    version, grids = store.current_grid_set()
    assert version == second and sorted(grids["code"]) == [g(A, 1), g(A, 2), g(B, 1), g(B, 2)]
    assert grids.set_index("code")["households"].to_dict() == {g(A, 1): 500, g(A, 2): 300, g(B, 1): 400, g(B, 2): 400}
    old = store.get_event("e1")
    assert old["grid_code"] == g(A, 2) and old["grid_set_version"] == first  # history keeps its grid
    [res2] = add_events(store, [{**point, "id": "e2"}])
    assert res2["grid_code"] == g(A, 1)  # new events go to the new set
    # history under either set: e1 stays in A002 under set 1 and reads as A001 under set 2
    from gridgeo.plan.regrid import events_under_grid_set

    frame = store.events_frame()
    frame = frame[frame["id"] == "e1"]
    under_new = events_under_grid_set(store, frame, second)
    assert under_new["grid_code"].tolist() == [g(A, 1)] and under_new["reported_grid_code"].tolist() == [g(A, 2)]
    assert events_under_grid_set(store, frame, first)["grid_code"].tolist() == [g(A, 2)]
    plans = repo.list_plans()
    row = plans[plans["id"] == pid].iloc[0]
    assert row["published_version"] == v2 and row["published_grid_set"] == second
    vs = repo.versions(pid).set_index("version")
    assert vs.at[v2, "grid_set_version"] == second and vs.at[1, "grid_set_version"] == first
    audit = repo.audit(pid)
    assert audit["action"].tolist() == ["create", "publish", "save", "publish"]
    assert audit["detail"].iloc[-1]["grid_set_version"] == second


def test_publish_is_one_transaction(repo, monkeypatch):
    store = repo.store
    pid, _ = repo.create_plan("p", lattice_plan(), author="a")
    before = store.grid_sets()
    real = repo._audit

    def failing(conn, actor, action, *args):
        if action == "publish":
            raise RuntimeError("disk full while writing the audit entry")
        return real(conn, actor, action, *args)

    monkeypatch.setattr(repo, "_audit", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        repo.publish(pid, 1, author="chief")
    assert len(store.grid_sets()) == len(before) and store.current_version() is None
    plans = repo.list_plans()
    assert plans.loc[plans["id"] == pid, "published_version"].isna().all()
    assert repo.versions(pid)["published_at"].isna().all()


def test_publish_refuses_a_plan_failing_integrity(repo):
    plan = ops.move_atoms(lattice_plan(), [atom_id(3, 0)], g(A, 1))  # A001 in two pieces
    pid, _ = repo.create_plan("p", plan, author="a")
    with pytest.raises(IntegrityError, match="fails .* integrity"):
        repo.publish(pid, 1, author="chief")
    assert repo.store.current_version() is None


def test_export_grids_like_a_proposal():
    out = export_grids(lattice_plan())
    assert list(out["code"]) == [g(A, 1), g(A, 2), g(B, 1), g(B, 2)]
    assert out["households"].tolist() == [400] * 4 and set(out["street_code"]) == {A[:9]}
    assert {"polsby_popper", "size_status", "area_km2", "grid_worker", "party_branch"} <= set(out.columns)
    assert out.crs.to_epsg() == 4326 and out.to_crs(4547).geometry.area.between(4e4, 5e4).all()  # 4 cells of ~102 x 111 m


def test_publish_can_accept_size_failures_with_a_reason_only(repo):
    from plan_helpers import lattice_plan as lp

    from gridgeo.plan.model import SizeBand

    pid, _ = repo.create_plan("p", lp(SizeBand(450, 600)), author="a")  # every grid 400 < 450
    with pytest.raises(IntegrityError, match="households, below the minimum 450"):
        repo.publish(pid, 1, author="chief")
    with pytest.raises(IntegrityError, match="needs a comment"):
        repo.publish(pid, 1, author="chief", accept_rules=["under_min"])
    with pytest.raises(IntegrityError, match="cannot be accepted"):
        repo.publish(pid, 1, author="chief", comment="x", accept_rules=["non_contiguous"])
    gs = repo.publish(pid, 1, author="chief", comment="社区户数不足，暂按现状", accept_rules=["under_min"])
    assert repo.store.current_version() == gs
    detail = repo.audit(pid)["detail"].iloc[-1]
    assert len(detail["accepted_failures"]) == 4 and {f["rule"] for f in detail["accepted_failures"]} == {"under_min"}


def test_export_crosswalk_from_the_legacy_grids():
    from gridgeo.plan.repository import export_crosswalk

    cw = export_crosswalk(lattice_plan())
    # L1 (rows 0-1 x cols 1-2) is split over A001 and B001; L2 over all four grids
    l1 = cw[cw["legacy_code"] == "L1"].set_index("grid_code")
    assert set(l1.index) == {g(A, 1), g(B, 1)} and set(l1["outcome"]) == {"split"}
    assert l1["household_share"].tolist() == [0.5, 0.5]
    merged = export_crosswalk(ops.paint_legacy_grid(lattice_plan(), "L1", g(A, 1), same_community=False))
    assert merged[merged["legacy_code"] == "L1"]["grid_code"].tolist() == [g(A, 1)]


def test_concurrent_publishes_each_get_their_own_grid_set(repo):
    url = repo.store.url
    pids = [repo.create_plan(f"p{k}", lattice_plan(), author="a")[0] for k in range(3)]
    barrier = threading.Barrier(len(pids))
    results: list = [None] * len(pids)

    def work(k: int) -> None:
        store = open_store(url, seed_default=False)
        try:
            r = PlanRepository(store)
            barrier.wait(timeout=30)
            results[k] = r.publish(pids[k], 1, author=f"chief{k}")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[k] = exc
        finally:
            store.close()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(pids))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert all(isinstance(r, int) for r in results), results
    assert sorted(results) == [1, 2, 3]
    sets = repo.store.grid_sets()
    assert sets["version"].tolist() == [1, 2, 3] and sets["is_current"].sum() == 1
    assert repo.store.current_version() == 3
    audit = repo.audit()
    assert sorted(d["grid_set_version"] for d in audit[audit["action"] == "publish"]["detail"]) == [1, 2, 3]


def _race_jobs(url: str, jobs) -> list:
    """Run each ``job(repo)`` in its own thread with its own store connection, released together;
    return what each returned or raised."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def work(k: int) -> None:
        store = open_store(url, seed_default=False)
        try:
            r = PlanRepository(store)
            barrier.wait(timeout=30)
            results[k] = jobs[k](r)
        except Exception as exc:  # noqa: BLE001 - reported by the caller's assertions
            results[k] = exc
        finally:
            store.close()

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.parametrize("rounds", [3])
def test_racing_publishes_on_one_base_exactly_one_wins(repo, rounds):
    """Issue 9 case 3: two publishes naming the same base, on two connections at once."""
    pid, _ = repo.create_plan("p", lattice_plan(), author="a")
    for r in range(rounds):
        base = repo.head_version(pid)
        results = _race_jobs(repo.store.url, [lambda rp, k=k, b=base: rp.publish(pid, None, author=f"chief{k}", base_version=b)
                                         for k in range(2)])
        wins = [x for x in results if isinstance(x, int)]
        stale = [x for x in results if isinstance(x, StaleVersionError)]
        assert len(wins) == 1 and len(stale) == 1, (r, results)
        assert stale[0].head_version == base + 1
        assert repo.head_version(pid) == base + 1
    assert len(repo.store.grid_sets()) == rounds  # one grid set per round, never two
    audit = repo.audit(pid)
    assert (audit["action"] == "publish_refused").sum() == rounds
    plan_now, _ = repo.load(pid)
    assert plan_now.assignment_dict == lattice_plan().assignment_dict  # the recording version keeps the head


def test_a_publish_racing_a_save_on_one_base_exactly_one_wins(repo):
    plan = lattice_plan()
    pid, _ = repo.create_plan("p", plan, author="a")
    edited = ops.move_atoms(plan, [atom_id(2, 0)], g(A, 1))
    for _ in range(3):
        base = repo.head_version(pid)
        results = _race_jobs(repo.store.url, [
            lambda rp, b=base: rp.publish(pid, None, author="chief", base_version=b),
            lambda rp, b=base: rp.save_version(pid, edited, author="planner", base_version=b)])
        assert sum(isinstance(x, StaleVersionError) for x in results) == 1, results
        assert sum(isinstance(x, int) for x in results) == 1, results
        assert repo.head_version(pid) == base + 1
    audit = repo.audit(pid)
    assert len(audit[audit["action"].isin(["publish", "save"])]) == 3
    assert len(repo.store.grid_sets()) == (audit["action"] == "publish").sum()


def test_a_publish_on_a_stale_base_is_refused_inside_the_transaction(repo):
    plan = lattice_plan()
    pid, _ = repo.create_plan("p", plan, author="a")
    repo.save_version(pid, ops.move_atoms(plan, [atom_id(2, 0)], g(A, 1)), author="a", base_version=1)
    with pytest.raises(StaleVersionError) as err:
        repo.publish(pid, 1, author="chief", base_version=1)
    assert err.value.head_version == 2 and repo.store.current_version() is None
    gs = repo.publish(pid, 1, author="chief", base_version=2)  # version 1, looking at head 2
    assert repo.store.current_version() == gs and repo.head_version(pid) == 3
    assert repo.list_plans().set_index("id").at[pid, "published_version"] == 1


def test_publish_preview_shows_the_change_and_the_rules_to_accept(repo):
    """Before publishing: the diff against the current grid set and which failures block or may
    be accepted; refusals render in Chinese."""
    from gridgeo.i18n import render
    from gridgeo.plan.model import SizeBand

    pid, _ = repo.create_plan("p", lattice_plan(), author="a")
    first = repo.preview_publish(pid, 1)
    assert first.grid_set_version is None and first.can_publish and first.failures == []
    assert first.diff.summary["added"] == 4 and first.diff.summary["removed"] == 0
    gs = repo.publish(pid, 1, author="chief")
    moved = ops.move_atoms(repo.load(pid)[0], [atom_id(2, 0)], g(A, 1))
    v2 = repo.save_version(pid, moved, author="a", base_version=1)
    pv = repo.preview_publish(pid, v2)
    assert pv.grid_set_version == gs
    assert pv.diff.summary["changed"] == 2 and pv.diff.summary["added"] == 0
    assert pv.diff.summary["households_moved"] == 100 and pv.acceptable == [] and pv.blocking == []
    # a version with a piece cut off: blocking; one below the band: acceptable with a reason
    broken = ops.move_atoms(moved, [atom_id(3, 1)], g(A, 1))  # cut off from A001
    v3 = repo.save_version(pid, broken, author="a", base_version=v2)
    pv3 = repo.preview_publish(pid, v3)
    assert "non_contiguous" in pv3.blocking and not pv3.can_publish
    with pytest.raises(IntegrityError) as exc:
        repo.publish(pid, v3, author="chief")
    zh = render(exc.value, "zh")
    assert zh.startswith(f"方案 {pid} 第 {v3} 版有") and "分成 2 块" in zh and "请修正并保存新版本后再发布" in zh
    assert "fails" in str(exc.value)  # the log and API keep English
    pid2, _ = repo.create_plan("q", lattice_plan(SizeBand(450, 600)), author="a")
    pv4 = repo.preview_publish(pid2, 1)
    assert pv4.acceptable == ["under_min"] and pv4.can_publish
    with pytest.raises(IntegrityError) as exc:
        repo.publish(pid2, 1, author="chief", accept_rules=["under_min"])
    assert render(exc.value, "zh") == "接受例外须在“说明”中写明理由；请填写后再发布"
