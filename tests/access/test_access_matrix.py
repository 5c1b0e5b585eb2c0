"""Role × route × inside/outside the caller's territory, on both backends: every cell is the
expected 2xx or 403 (issue 14). Callers are API keys made in the store; the legacy token is the
admin. Events: "in" lies in grid 440311001001001 (community 440311001001, street 440311001),
"out" in grid 440311002001001 (another street)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from plan_helpers import lattice_plan

from gridgeo.api import create_app
from gridgeo.config import Settings
from gridgeo.services.workspace import open_store
from gridgeo.store import identities

LOCAL = ("127.0.0.1", 50000)
IN_GRID, OUT_GRID = "440311001001001", "440311002001001"
ROLES = {  # role -> scope
    "admin": [], "planner": [], "district": ["440311"], "street": ["440311001"],
    "community": ["440311001001"], "grid_worker": [IN_GRID], "intake": [], "viewer": [],
}
READERS = {"admin", "planner", "district", "street", "community", "grid_worker", "viewer"}
UNSCOPED_READERS = {"admin", "planner", "district", "viewer"}
MOVERS = {"admin", "district", "street", "community", "grid_worker"}
POSTERS = MOVERS | {"intake"}
PLAN_READERS = {"admin", "planner", "district", "street", "community", "viewer"}
PLANNERS = {"admin", "planner"}


def event(eid: str, inside: bool) -> dict:
    t = datetime.now(UTC) - timedelta(minutes=30)
    lon, lat = (113.905, 22.705) if inside else (113.915, 22.715)
    return {"id": eid, "reported_at": t.isoformat(), "lon": lon, "lat": lat, "category": "labour", "level": 3}


@pytest.fixture
def world(store_url, small_grids):
    store = open_store(store_url, seed_default=False)
    store.publish_grid_set(small_grids, author="tester")
    keys = {role: identities.create_key(store, f"k-{role}", role, scope) for role, scope in ROLES.items()}
    app = create_app(store, Settings(api_token="legacy-admin-token", read_access="token"),
                     plan_atoms_provider=lambda start, _store: lattice_plan())
    with TestClient(app, client=LOCAL) as client:
        admin = {"Authorization": "Bearer legacy-admin-token"}
        events = [event("in", True), event("out", False)]
        events += [event(f"{side}-{role}", side == "in") for role in ROLES for side in ("in", "out")]
        assert client.post("/api/v1/events", json=events, headers=admin).status_code == 201
        yield client, keys, store
    store.close()


def _auth(keys: dict, role: str) -> dict:
    return {"Authorization": f"Bearer {keys[role]}"}


def _code(expected: bool, ok: int = 200) -> int:
    return ok if expected else 403


@pytest.mark.parametrize("role", list(ROLES))
def test_reads(world, role):
    client, keys, _store = world
    h = _auth(keys, role)
    r = client.get("/api/v1/events", headers=h)
    assert r.status_code == _code(role in READERS), r.text
    if r.status_code == 200:
        ids = {e["id"] for e in r.json()["events"]}
        assert "in" in ids
        assert ("out" in ids) == (role in UNSCOPED_READERS)
    assert client.get("/api/v1/events/in", headers=h).status_code == _code(role in READERS)
    out = client.get("/api/v1/events/out", headers=h)
    assert out.status_code == _code(role in UNSCOPED_READERS), out.text
    if role in READERS - UNSCOPED_READERS:
        assert "outside that territory" in out.json()["message"]
    for path in ("/api/v1/risk?by=grid", "/api/v1/stats?by=grid", "/api/v1/grid-sets", "/api/v1/categories"):
        assert client.get(path, headers=h).status_code == _code(role in READERS), path
    risk = client.get("/api/v1/risk?by=grid", headers=h)
    if risk.status_code == 200:
        codes = {a["code"] for a in risk.json()["areas"]}
        assert IN_GRID in codes and (OUT_GRID in codes) == (role in UNSCOPED_READERS)
    assert client.get("/api/v1/plans", headers=h).status_code == _code(role in PLAN_READERS)


@pytest.mark.parametrize("role", list(ROLES))
def test_writes(world, role):
    client, keys, _store = world
    h = _auth(keys, role)
    posted = client.post("/api/v1/events", json=event(f"new-{role}", True), headers=h)
    assert posted.status_code == _code(role in POSTERS, 201), posted.text
    for side in ("in", "out"):
        r = client.patch(f"/api/v1/events/{side}-{role}", json={"status": "accepted", "actor": "someone else"},
                         headers=h)
        allowed = role in MOVERS and (side == "in" or role in {"admin", "district"})
        assert r.status_code == _code(allowed), (side, r.text)
        if r.status_code == 403:
            assert "may not" in r.json()["message"] or "outside that territory" in r.json()["message"]
    made = client.post("/api/v1/plans", json={"name": "试点", "author": "x", "start": "current"}, headers=h)
    assert made.status_code == _code(role in PLANNERS, 201), made.text


@pytest.mark.parametrize("role", ["community", "grid_worker", "intake", "admin"])
def test_actor_is_the_identity_whatever_the_body_says(world, role):
    client, keys, _store = world
    h = _auth(keys, role)
    if role != "intake":
        r = client.patch(f"/api/v1/events/in-{role}", json={"status": "accepted", "actor": "mayor"}, headers=h)
        assert r.status_code == 200
        history = client.get(f"/api/v1/events/in-{role}", headers=_auth(keys, "admin")).json()["history"]
        assert history[-1]["actor"] == f"key:k-{role}"
    client.post("/api/v1/events", json=event(f"by-{role}", True), headers=h)
    history = client.get(f"/api/v1/events/by-{role}", headers=_auth(keys, "admin")).json()["history"]
    assert history[0]["actor"] == f"key:k-{role}"


def test_scoped_callers_cannot_ask_coarser_areas(world):
    client, keys, _store = world
    r = client.get("/api/v1/risk?by=street", headers=_auth(keys, "community"))
    assert r.status_code == 403 and "coarser" in r.json()["message"]
    assert client.get("/api/v1/risk?by=community", headers=_auth(keys, "community")).status_code == 200


def test_revoked_key_is_refused_at_once_and_no_credential_is_401(world):
    client, keys, store = world
    assert client.get("/api/v1/events", headers=_auth(keys, "viewer")).status_code == 200
    identities.revoke_key(store, "k-viewer")
    r = client.get("/api/v1/events", headers=_auth(keys, "viewer"))
    assert r.status_code == 401 and "revoked" in r.json()["message"]
    assert client.get("/api/v1/events").status_code == 401  # read access "token": no anonymous reads


def test_login_throttle_token_and_generations(world):
    client, _keys, store = world
    identities.add_user(store, "worker1", "Grid-worker-2024", "community", ["440311001001"])
    bad = {"username": "worker1", "password": "wrong-password"}
    codes = [client.post("/api/v1/auth/token", data=bad).status_code for _ in range(identities.MAX_FAILED_LOGINS)]
    assert codes == [401] * (identities.MAX_FAILED_LOGINS - 1) + [429]
    right = {"username": "worker1", "password": "Grid-worker-2024"}
    waiting = client.post("/api/v1/auth/token", data=right)
    assert waiting.status_code == 429 and int(waiting.headers["Retry-After"]) > 60  # this client waits ...
    elsewhere = TestClient(client.app, client=("10.20.30.40", 50000))
    ok = elsewhere.post("/api/v1/auth/token", data=right)  # ... the account's owner elsewhere does not
    assert ok.status_code == 200 and ok.json()["token_type"] == "bearer"
    h = {"Authorization": f"Bearer {ok.json()['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=h).json() == {
        "name": "worker1", "kind": "user", "role": "community", "scopes": ["440311001001"]}
    assert client.get("/api/v1/events/out", headers=h).status_code == 403
    identities.disable_user(store, "worker1")
    gone = client.get("/api/v1/auth/me", headers=h)
    assert gone.status_code == 401 and "disabled" in gone.json()["message"]
    identities.disable_user(store, "worker1", False)
    assert client.get("/api/v1/auth/me", headers=h).status_code == 401  # re-enabled: the old token stays dead
    fresh = elsewhere.post("/api/v1/auth/token", data=right).json()["access_token"]
    identities.set_password(store, "worker1", "Changed-pass-2025")
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 401
    for _ in range(10):  # the per-address rate limit answers 429 before any password check
        last = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "x"})
    assert last.status_code == 429 and "Retry-After" in last.headers


def test_unknown_user_and_wrong_password_answer_alike(world):
    client, _keys, store = world
    identities.add_user(store, "real", "Real-password-1", "viewer")
    answers = {}
    for name in ("real", "ghost"):
        r = TestClient(client.app, client=("10.9.9.9", 1)).post("/api/v1/auth/token",
                                                                  data={"username": name, "password": "Wrong-1234"})
        answers[name] = (r.status_code, r.json())
    assert answers["real"] == answers["ghost"] == (401, {"message": "wrong user name or password"})
    nul = client.post("/api/v1/auth/token", data={"username": "ad\u0000min", "password": "x"})
    assert nul.status_code == 422 and "username" in nul.json()["message"]


def test_personal_data_masked_by_role_and_unmasked_reads_audited(world):
    client, keys, store = world
    admin = {"Authorization": "Bearer legacy-admin-token"}
    personal = {**event("p1", True), "reporter_name": "张三丰", "reporter_phone": "13812341234"}
    posted = client.post("/api/v1/events", json=personal, headers=admin)
    assert posted.status_code == 201 and "reporter_phone" not in posted.json()
    viewer = client.get("/api/v1/events/p1", headers=_auth(keys, "viewer")).json()
    assert (viewer["reporter_name"], viewer["reporter_phone"]) == ("张**", "138****1234")
    before = len(identities.audit_log(store))
    mine = client.get("/api/v1/events/p1", headers=_auth(keys, "community")).json()
    assert (mine["reporter_name"], mine["reporter_phone"]) == ("张三丰", "13812341234")
    log = identities.audit_log(store)
    assert len(log) == before + 1 and log.iloc[0]["action"] == "read_personal"
    assert log.iloc[0]["actor"] == "key:k-community" and "p1" in log.iloc[0]["target"]
    listed = client.get("/api/v1/events", headers=_auth(keys, "viewer")).json()["events"]
    assert all("13812341234" not in str(e) for e in listed)  # lists never carry personal data
    bad = client.post("/api/v1/events", json={**event("p2", True), "reporter_phone": "call me 1381234"},
                      headers=admin)
    assert bad.status_code == 422 and "1381234" not in bad.text  # the value is not echoed


def _idp(tmp_path):
    """An identity provider's RSA key and its JWKS file (as a city IdP would publish it)."""
    import json

    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [{**jwk, "kid": "city-1", "use": "sig", "alg": "RS256"}]}))
    return private, path


def test_identity_provider_jwts_are_checked_offline(store_url, small_grids, tmp_path):
    import jwt

    private, jwks = _idp(tmp_path)
    store = open_store(store_url, seed_default=False)
    store.publish_grid_set(small_grids, author="tester")
    settings = Settings(api_token="legacy", read_access="token", oidc_issuer="https://idp.city.example",
                        oidc_jwks_file=str(jwks))
    now = datetime.now(UTC)

    def token(**claims):
        base = {"iss": "https://idp.city.example", "sub": "u-77", "preferred_username": "zhaomin",
                "gridgeo_role": "community", "gridgeo_scopes": ["440311001001"],
                "iat": int(now.timestamp()), "exp": int((now + timedelta(minutes=5)).timestamp())}
        return {"Authorization": "Bearer " + jwt.encode({**base, **claims}, private, algorithm="RS256",
                                                         headers={"kid": "city-1"})}

    with TestClient(create_app(store, settings), client=LOCAL) as client:
        client.post("/api/v1/events", json=[event("in", True), event("out", False)],
                    headers={"Authorization": "Bearer legacy"})
        me = client.get("/api/v1/auth/me", headers=token())
        assert me.json() == {"name": "zhaomin", "kind": "jwt", "role": "community", "scopes": ["440311001001"]}
        assert client.get("/api/v1/events/in", headers=token()).status_code == 200
        assert client.get("/api/v1/events/out", headers=token()).status_code == 403
        assert client.get("/api/v1/events/in", headers=token(iss="https://evil.example")).status_code == 401
        assert client.get("/api/v1/events/in", headers=token(exp=int(now.timestamp()) - 60)).status_code == 401
        assert client.get("/api/v1/events/in", headers=token(gridgeo_role="emperor")).status_code == 401
    store.close()


# --- issue 20: no leaks through /stats, duplicate POSTs, tiles, plans; writes inside the territory ---
from gridgeo.access.roles import GROUPINGS  # noqa: E402

LEAKY = ("reporter_phone", "reporter_name", "text", "id", "lon", "dispatch_target")
COARSER = {"street": set(), "community": {"street"}, "grid_worker": {"street", "community"}}


@pytest.mark.parametrize("role", sorted(READERS))
def test_stats_groups_only_by_territory_category_level_status_channel_time(world, role):
    client, keys, _store = world
    h = _auth(keys, role)
    for by in GROUPINGS:
        r = client.get(f"/api/v1/stats?by={by}", headers=h)
        assert r.status_code == (403 if by in COARSER.get(role, set()) else 200), (by, r.text)
    for by in LEAKY:
        r = client.get(f"/api/v1/stats?by={by}", headers=h)
        assert r.status_code == 422, (by, r.text)
        assert "by" in r.json()["message"] and "channel" in r.json()["message"]  # names what may be asked


def _personal(eid: str, inside: bool) -> dict:
    return {**event(eid, inside), "reporter_name": "张三丰", "reporter_phone": "13812341234", "text": "邻居噪音扰民"}


@pytest.mark.parametrize("role", ["intake", "community", "viewer"])
def test_duplicate_posts_answer_id_and_duplicate_only(world, role):
    client, keys, store = world
    admin = {"Authorization": "Bearer legacy-admin-token"}
    assert client.post("/api/v1/events", json=[_personal("secret-in", True), _personal("secret-out", False)],
                       headers=admin).status_code == 201
    h = _auth(keys, role)
    one = client.post("/api/v1/events", json=_personal("secret-in", True), headers=h)
    if role not in POSTERS:
        assert one.status_code == 403
        return
    assert one.status_code == 200 and one.json() == {"index": 0, "id": "secret-in", "result": "duplicate"}
    replay = [_personal("secret-in", True), _personal("secret-in", True)]
    batch = client.post("/api/v1/events", json=replay, headers=h)
    assert batch.status_code == 200 and batch.json()["duplicate"] == 2
    assert all(set(r) == {"index", "id", "result"} for r in batch.json()["results"])
    assert "13812341234" not in batch.text and "噪音" not in batch.text and "reported" not in batch.text
    if role == "community":  # the stored record outside the territory is refused before any lookup
        out = client.post("/api/v1/events", json=_personal("secret-out", False), headers=h)
        assert out.status_code == 403 and "outside" in out.json()["message"]


def test_scoped_callers_post_only_inside_their_territory(world):
    client, keys, store = world
    gateway = identities.create_key(store, "street-gateway", "intake", ["440311001"])
    for h, who in ((_auth(keys, "community"), "community"), ({"Authorization": f"Bearer {gateway}"}, "gateway")):
        assert client.post("/api/v1/events", json=event(f"inside-{who}", True), headers=h).status_code == 201
        r = client.post("/api/v1/events", json=[event(f"a-{who}", True), event(f"b-{who}", False)], headers=h)
        assert r.status_code == 403 and r.json()["errors"][0]["id"] == f"b-{who}", r.text
        admin = _auth(keys, "admin")
        assert client.get(f"/api/v1/events/a-{who}", headers=admin).status_code == 404  # nothing stored
    # an unscoped intake key (a city-wide hotline) posts anywhere
    assert client.post("/api/v1/events", json=event("city-out", False), headers=_auth(keys, "intake")).status_code == 201


def _tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    import math

    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _tile_codes(client, h: dict, layer: str) -> set[str]:
    import mapbox_vector_tile

    x, y = _tile_xy(113.915, 22.71, 12)
    r = client.get(f"/tiles/{layer}/12/{x}/{y}.pbf", headers=h)
    if r.status_code == 204:
        return set()
    assert r.status_code == 200, r.text
    decoded = mapbox_vector_tile.decode(r.content)
    return {f["properties"]["code"] for f in decoded.get(layer, {}).get("features", [])}


@pytest.mark.parametrize("role", sorted(READERS))
def test_tiles_show_only_the_territory(world, role):
    client, keys, _store = world
    h = _auth(keys, role)
    grids, streets = _tile_codes(client, h, "grids"), _tile_codes(client, h, "streets")
    scope = ROLES[role]
    every = {"440311001001001", "440311001001002", "440311001002001", "440311002001001"}
    assert grids == {c for c in every if not scope or any(c.startswith(s) for s in scope)}
    assert ("440311002" in streets) == (not scope or role == "district")  # another street: only unscoped
    assert "440311001" in streets  # its own street's outline (or the street around its community)


def _plan(client, keys) -> int:
    r = client.post("/api/v1/plans", json={"name": "试点", "author": "mayor", "start": "current"},
                    headers=_auth(keys, "planner"))
    assert r.status_code == 201
    return r.json()["id"]


@pytest.mark.parametrize("role", sorted(PLAN_READERS))
def test_plans_and_their_exports_show_only_the_territory(world, role):
    client, keys, _store = world
    pid = _plan(client, keys)
    h = _auth(keys, role)
    scoped = role == "community"  # the lattice lies in street 440311001: only a community key sees part of it
    detail = client.get(f"/api/v1/plans/{pid}", headers=h).json()
    codes = {g["code"] for g in detail["grids"]}
    assert codes == ({"440311001001001", "440311001001002"} if scoped else
                     {"440311001001001", "440311001001002", "440311001002001", "440311001002002"})
    assert {b["community_code"] for b in detail["balance"]} == (
        {"440311001001"} if scoped else {"440311001001", "440311001002"})
    geo = client.get(f"/api/v1/plans/{pid}/grids.geojson", headers=h).json()
    assert {f["properties"]["code"] for f in geo["features"]} == codes
    csv = client.get(f"/api/v1/plans/{pid}/crosswalk.csv", headers=h).text
    assert ("440311001002" in csv) == (not scoped)
    edit = {"op": "rename_grid", "params": {"grid": "440311001002001", "name": "别处"}}
    preview = client.post(f"/api/v1/plans/{pid}/preview", json={"edits": [edit]}, headers=h)
    assert preview.status_code == 200, preview.text
    assert ("440311001002001" in preview.text) == (not scoped)


def test_plan_writes_are_attributed_to_the_identity_and_stale_bases_refused(world):
    client, keys, store = world
    planner = _auth(keys, "planner")
    first, second = _plan(client, keys), _plan(client, keys)
    ok = client.post(f"/api/v1/plans/{first}/publish", json={"author": "mayor", "comment": "v2"}, headers=planner)
    assert ok.status_code == 200, ok.text
    stale = client.post(f"/api/v1/plans/{second}/publish", json={"author": "mayor"}, headers=planner)
    assert stale.status_code == 409, stale.text
    body = stale.json()
    assert body["base_grid_set"] == 1 and body["current_grid_set"] == ok.json()["grid_set_version"]
    assert body["published_since"][0]["author"] == "key:k-planner" and "start a new plan" in body["message"]
    audit = client.get(f"/api/v1/plans/{second}/audit", headers=planner).json()["audit"]
    assert {a["actor"] for a in audit} == {"key:k-planner"}  # never the body's "mayor"
    assert audit[-1]["action"] == "publish_refused"
    third = client.post("/api/v1/plans", json={"name": "重来", "start": "current"}, headers=planner).json()["id"]
    assert client.post(f"/api/v1/plans/{third}/publish", json={}, headers=planner).status_code == 200
    missing = client.get("/api/v1/plans/999999/audit", headers=planner)
    assert missing.status_code == 404 and "999999" in missing.json()["message"]


def test_text_and_reporter_reads_are_masked_or_audited(world):
    client, keys, store = world
    admin = {"Authorization": "Bearer legacy-admin-token"}
    client.post("/api/v1/events", json=_personal("t1", True), headers=admin)
    viewer = client.get("/api/v1/events?limit=5000", headers=_auth(keys, "viewer")).json()["events"]
    assert not any(e.get("text") for e in viewer) and any(e["id"] == "t1" for e in viewer)
    before = len(identities.audit_log(store))
    mine = client.get("/api/v1/events?limit=5000", headers=_auth(keys, "community")).json()["events"]
    assert any(e.get("text") == "邻居噪音扰民" for e in mine)
    log = identities.audit_log(store)
    assert len(log) == before + 1 and log.iloc[0]["action"] == "read_personal" and "t1" in log.iloc[0]["target"]
