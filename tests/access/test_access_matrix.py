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


def test_login_lockout_and_token(world):
    client, _keys, store = world
    identities.add_user(store, "worker1", "Grid-worker-2024", "community", ["440311001001"])
    bad = {"username": "worker1", "password": "wrong-password"}
    codes = [client.post("/api/v1/auth/token", data=bad).status_code for _ in range(identities.MAX_FAILED_LOGINS)]
    assert codes == [401] * (identities.MAX_FAILED_LOGINS - 1) + [423]
    locked = client.post("/api/v1/auth/token", data={"username": "worker1", "password": "Grid-worker-2024"})
    assert locked.status_code == 423 and "Retry-After" in locked.headers
    identities.add_user(store, "worker2", "Grid-worker-2025", "community", ["440311001001"])
    ok = client.post("/api/v1/auth/token", data={"username": "worker2", "password": "Grid-worker-2025"})
    assert ok.status_code == 200 and ok.json()["token_type"] == "bearer"
    h = {"Authorization": f"Bearer {ok.json()['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=h).json() == {
        "name": "worker2", "kind": "user", "role": "community", "scopes": ["440311001001"]}
    assert client.get("/api/v1/events/out", headers=h).status_code == 403
    for _ in range(10):  # the per-address rate limit answers 429 before any password check
        last = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "x"})
    assert last.status_code == 429 and "Retry-After" in last.headers


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
