"""Territory on frames (the app's one rule, gridgeo.access.territory) and the app's sessions that
last (gridgeo.store.app_sessions on both stores; the sign-in routes of gridgeo_app.auth_routes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from gridgeo.access import Identity
from gridgeo.access.session_cookie import COOKIE_NAME, sign, unsign
from gridgeo.access.territory import areas_in_scope, events_for, events_in_scope
from gridgeo.services.workspace import open_store
from gridgeo.store import app_sessions
from gridgeo.store import identities as ids

PASSWORD = "Correct-horse-42"
IDLE = timedelta(hours=8)
EVENTS = pd.DataFrame({
    "id": ["a", "b", "c", "d"],
    "grid_code": ["440311001001001", "440311001002001", None, None],
    "community_code": ["440311001001", "440311001002", "440311001001", None],
    "street_code": ["440311001", "440311001", "440311001", None],
    "text": ["张三 13812345678", "x", "y", "z"],
})


def test_events_and_areas_follow_the_scope_and_the_role():
    assert list(events_in_scope(EVENTS, ("440311001001",))["id"]) == ["a", "c"]
    assert list(events_in_scope(EVENTS, ("440311001",))["id"]) == ["a", "b", "c"]  # d: outside every grid
    assert list(events_in_scope(EVENTS, ())["id"]) == ["a", "b", "c", "d"]
    community = Identity("c", "community", scopes=("440311001001",))
    assert events_for(EVENTS, community)["text"].tolist() == ["张三 13812345678", "y"]  # may see personal data
    viewer = Identity("w", "viewer", kind="key", scopes=("440311001001",))
    assert events_for(EVENTS, viewer)["text"].isna().all()  # masked
    streets = pd.DataFrame({"code": ["440311001", "440311002"]})
    assert list(areas_in_scope(streets, ("440311001001",))["code"]) == []
    assert list(areas_in_scope(streets, ("440311001001",), enclosing=True)["code"]) == ["440311001"]


def test_a_cookie_is_signed():
    value = sign("abc", "secret")
    assert unsign(value, "secret") == "abc"
    assert unsign(value, "other") is None and unsign(value[:-1] + "0", "secret") is None
    assert unsign("abc", "secret") is None and unsign(None, "secret") is None


@pytest.fixture
def store(store_url):
    s = open_store(store_url, seed_default=False)
    yield s
    s.close()


def test_a_session_lasts_until_sign_out_idle_or_a_changed_account(store):
    ids.add_user(store, "li", PASSWORD, "street", ["440311001"])
    who = ids.login(store, "li", PASSWORD, client="10.0.0.9")
    cookie = app_sessions.start(store, who, "10.0.0.9")
    assert app_sessions.identity(store, cookie, IDLE) == who
    assert app_sessions.identity(store, cookie + "0", IDLE) is None  # forged
    later = datetime.now(UTC) + IDLE + timedelta(minutes=1)
    assert app_sessions.identity(store, cookie, IDLE, now=later) is None  # idle too long
    assert app_sessions.end(store, cookie) and app_sessions.identity(store, cookie, IDLE) is None  # signed out
    cookie = app_sessions.start(store, who, "10.0.0.9")
    ids.disable_user(store, "li")
    ids.disable_user(store, "li", False)
    assert app_sessions.identity(store, cookie, IDLE) is None  # disabled once: its sessions are over
    who = ids.login(store, "li", PASSWORD)
    cookie = app_sessions.start(store, who)
    ids.set_password(store, "li", "Another-horse-43")
    assert app_sessions.identity(store, cookie, IDLE) is None  # a new password ends them too


def test_the_sign_in_routes_set_an_http_only_cookie_and_end_it(tmp_path, monkeypatch):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from gridgeo.config import get_settings
    from gridgeo_app import auth_routes
    from gridgeo_app import event_source as data

    monkeypatch.setenv("GRIDGEO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GRIDGEO_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    data._STORES.clear()
    try:
        ids.add_user(data.store(), "wang", PASSWORD, "community", ["440311001001"])
        client = TestClient(Starlette(routes=auth_routes.ROUTES), base_url="http://testserver")
        wrong = client.post("/session/signin", data={"user": "wang", "password": "nope", "next": "/wall?lang=en"},
                            follow_redirects=False)
        assert wrong.status_code == 303 and wrong.headers["location"] == "/wall?lang=en&signin=wrong"
        assert COOKIE_NAME not in wrong.cookies
        away = client.post("/session/signin", data={"user": "wang", "password": PASSWORD, "next": "//evil.example/x"},
                           follow_redirects=False)
        assert away.headers["location"] == "/"  # no open redirect
        header = away.headers["set-cookie"]
        assert "HttpOnly" in header and "SameSite=strict" in header and PASSWORD not in header
        cookie = away.cookies[COOKIE_NAME]
        assert app_sessions.identity(data.store(), cookie, IDLE).name == "wang"
        cross = client.post("/session/signout", headers={"origin": "http://evil.example"}, follow_redirects=False)
        assert cross.status_code == 403
        out = client.post("/session/signout", follow_redirects=False)
        assert out.status_code == 303 and app_sessions.identity(data.store(), cookie, IDLE) is None
        log = ids.audit_log(data.store())
        assert "client=testclient" in " ".join(log["detail"])  # the browser's address, not "app"
    finally:
        data._STORES.clear()
        get_settings.cache_clear()
