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


def test_failures_make_that_client_wait_not_the_account(store):
    ids.add_user(store, "bob", PASSWORD, "planner")
    now = datetime.now(UTC)
    for _ in range(ids.MAX_FAILED_LOGINS - 1):
        with pytest.raises(ids.LoginRefused, match="invalid"):
            ids.login(store, "bob", "nope-nope-1", client="10.0.0.66", now=now)
    with pytest.raises(ids.LoginRefused) as last:
        ids.login(store, "bob", "nope-nope-1", client="10.0.0.66", now=now)
    assert last.value.reason == "locked" and last.value.until > now
    with pytest.raises(ids.LoginRefused, match="locked"):  # that client waits, even with the right password
        ids.login(store, "bob", PASSWORD, client="10.0.0.66", now=now + timedelta(minutes=1))
    assert ids.login(store, "bob", PASSWORD, client="10.0.0.7").role == "planner"  # the owner elsewhere
    for _ in range(ids.MAX_FAILED_LOGINS):  # an unknown name is counted the same way (no enumeration)
        with pytest.raises(ids.LoginRefused) as ghost:
            ids.login(store, "ghost", "nope-nope-1", client="10.0.0.66", now=now)
    assert ghost.value.reason == "locked"
    later = now + ids.LOCKOUT + timedelta(seconds=1)
    assert ids.login(store, "bob", PASSWORD, client="10.0.0.66", now=later).role == "planner"
    actions = set(ids.audit_log(store)["action"])
    assert {"login_failed", "login_throttled", "login"} <= actions


def test_unlock_disable_passwd_delete(store):
    ids.add_user(store, "carol", PASSWORD, "viewer")
    for _ in range(ids.MAX_FAILED_LOGINS):
        with pytest.raises(ids.LoginRefused):
            ids.login(store, "carol", "nope-nope-1", client="10.0.0.66")
    assert ids.list_users(store).set_index("username").loc["carol", "blocked_clients"] == 1
    ids.unlock_user(store, "carol")
    assert ids.login(store, "carol", PASSWORD, client="10.0.0.66").generation == 0
    ids.disable_user(store, "carol")
    with pytest.raises(ids.LoginRefused, match="disabled"):
        ids.login(store, "carol", PASSWORD)
    assert ids.user_identity(store, "carol") is None
    ids.disable_user(store, "carol", False)
    ids.set_password(store, "carol", "Another-pass-77")
    assert ids.login(store, "carol", "Another-pass-77").generation == 2  # disable and passwd each bump it
    ids.delete_user(store, "carol")
    assert ids.user_identity(store, "carol") is None
    with pytest.raises(ids.IdentityError, match="no user named carol"):
        ids.unlock_user(store, "carol")


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
    assert rec == {"id": "e1", "reporter_name": "李*", "reporter_phone": "139****1111", "text": None}
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


def test_personal_data_one_rule_masks_out_of_territory_and_audits_each_unmasked_read(store):
    """gridgeo.services.personal_data: the API's and the app's rule. A community's account sees
    its own community's reporters (one audit entry per read, naming the ids and where), others'
    masked; a planner never sees them; a read with nothing unmasked writes nothing."""
    from gridgeo.services import personal_data as personal

    mine = {"id": "E1", "grid_code": "440311001001001", "reporter_name": "张三丰", "reporter_phone": "13812345678",
            "text": "门口漏水"}
    other = {**mine, "id": "E2", "grid_code": "440311002001001"}
    cadre = Identity("cadre", "community", "user", ("440311001001",))
    rows = personal.shown_rows(store, cadre, [mine, other], where="app:test")
    assert rows[0] == mine and rows[1]["reporter_phone"] == "138****5678" and rows[1]["text"] is None
    planner = Identity("plan", "planner", "user")
    assert personal.shown(store, planner, mine)["reporter_name"] == "张**"
    assert personal.shown_rows(store, cadre, [other]) and personal.shown(store, cadre, {"id": "E3"}) == {"id": "E3"}
    log = ids.audit_log(store)
    reads = log[log["action"] == personal.READ_PERSONAL]
    assert len(reads) == 1 and reads.iloc[0]["actor"] == "user:cadre" and reads.iloc[0]["target"] == "E1"
    assert "(app:test)" in reads.iloc[0]["detail"]
