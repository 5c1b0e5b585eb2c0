"""Identities in the store (both backends): users with argon2 hashes, lock-out after repeated
failures, API keys shown once and refused at once when revoked, roles and scopes, masking."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from gridgeo.access import AccessDenied, Action, Identity
from gridgeo.access.masking import mask_name, mask_phone, mask_record
from gridgeo.access.roles import check_scope_codes
from gridgeo.access.secrets import issue_token, read_token
from gridgeo.services.workspace import open_store
from gridgeo.store import identities as ids

PASSWORD = "Correct-horse-42"


@pytest.fixture
def store(store_url):
    s = open_store(store_url, seed_default=False)
    yield s
    s.close()


def test_password_is_stored_hashed_and_checked(store):
    ids.add_user(store, "alice", PASSWORD, "community", ["440311001001"])
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(ids.users.c.password_hash)).scalar()
    assert PASSWORD not in stored and stored.startswith("$argon2id$")
    who = ids.login(store, "alice", PASSWORD)
    assert who == Identity("alice", "community", "user", ("440311001001",))
    with pytest.raises(ids.LoginRefused) as refused:
        ids.login(store, "alice", "wrong-password-1")
    assert refused.value.reason == "invalid"
    with pytest.raises(ids.LoginRefused):
        ids.login(store, "nobody", PASSWORD)


def test_lockout_after_repeated_failures_then_release(store):
    ids.add_user(store, "bob", PASSWORD, "planner")
    now = datetime.now(UTC)
    for _ in range(ids.MAX_FAILED_LOGINS - 1):
        with pytest.raises(ids.LoginRefused, match="invalid"):
            ids.login(store, "bob", "nope-nope-1", now=now)
    with pytest.raises(ids.LoginRefused) as last:
        ids.login(store, "bob", "nope-nope-1", now=now)
    assert last.value.reason == "locked" and last.value.until > now
    with pytest.raises(ids.LoginRefused, match="locked"):  # even the right password, while locked
        ids.login(store, "bob", PASSWORD, now=now + timedelta(minutes=1))
    assert ids.login(store, "bob", PASSWORD, now=now + ids.LOCKOUT + timedelta(seconds=1)).role == "planner"
    actions = set(ids.audit_log(store)["action"])
    assert {"login_failed", "login_locked", "login"} <= actions


def test_key_shown_once_stored_hashed_and_revoked_at_once(store):
    key = ids.create_key(store, "hotline", "intake")
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(ids.api_keys.c.key_hash)).scalar() != key
    assert ids.key_identity(store, key) == Identity("hotline", "intake", "key", ())
    assert ids.key_identity(store, key + "x") is None
    ids.revoke_key(store, "hotline")
    assert ids.key_identity(store, key) is None
    with pytest.raises(ids.IdentityError):
        ids.revoke_key(store, "hotline")
    assert list(ids.list_keys(store)["name"]) == ["hotline"]
    assert "key_hash" not in ids.list_keys(store).columns


def test_roles_and_scopes():
    worker = Identity("w", "grid_worker", scopes=("440311001001003",))
    worker.require(Action.MOVE_EVENTS, "440311001001003")
    with pytest.raises(AccessDenied, match="outside that territory"):
        worker.require(Action.MOVE_EVENTS, "440311001001004")
    with pytest.raises(AccessDenied, match="needs one of the roles admin, planner"):
        Identity("v", "viewer").require(Action.WRITE_PLANS)
    with pytest.raises(AccessDenied, match="may not read"):
        Identity("k", "intake", "key").require(Action.READ)
    assert Identity("a", "admin").covers("999999")
    with pytest.raises(ValueError, match="9 digits"):
        check_scope_codes("street", ["440311001001"])
    with pytest.raises(ValueError, match="needs --scope"):
        check_scope_codes("community", [])


def test_tokens_expire_and_are_signed(store):
    secret = ids.signing_secret(store)
    assert ids.signing_secret(store) == secret  # one secret per store, for every worker
    token, ttl = issue_token(Identity("c", "community", scopes=("440311001001",)), secret)
    claims = read_token(token, secret)
    assert claims["sub"] == "c" and claims["role"] == "community" and ttl > 0
    assert read_token(token, secret + "x") is None
    old, _ = issue_token(Identity("c", "community"), secret, now=datetime.now(UTC) - timedelta(hours=2))
    assert read_token(old, secret) is None


def test_masking():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("+86 138-1234-1234") == "138****1234"
    assert mask_phone("0755-8888 6666") == "075*****6666"
    assert mask_name("张三丰") == "张**"
    rec = mask_record({"id": "e1", "reporter_name": "李四", "reporter_phone": "13900001111", "text": "t"})
    assert rec == {"id": "e1", "reporter_name": "李*", "reporter_phone": "139****1111", "text": "t"}
    assert mask_phone(None) is None


def test_cli_users_and_keys(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"

    def cli(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "gridgeo", args[0], "--database", url, *args[1:]],
                              input=stdin, capture_output=True, text=True, timeout=60)

    ok = cli("users", "add", "carol", "--role", "street", "--scope", "440311001", "--password-stdin",
             stdin=PASSWORD + "\n")
    assert ok.returncode == 0, ok.stderr
    assert "carol" in cli("users", "list").stdout
    weak = cli("users", "add", "dave", "--role", "viewer", "--password-stdin", stdin="short\n")
    assert weak.returncode == 2 and "10 characters" in weak.stderr
    made = cli("keys", "create", "wall", "--role", "viewer")
    assert made.returncode == 0 and made.stdout.splitlines()[0].startswith("gg_")
    assert cli("keys", "revoke", "wall").returncode == 0
    again = cli("keys", "revoke", "wall")
    assert again.returncode == 1 and "no active key named wall" in again.stderr
