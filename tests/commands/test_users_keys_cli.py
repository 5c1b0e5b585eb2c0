"""``gridgeo users add|list|passwd|unlock|disable|enable|delete`` and ``gridgeo keys list`` (issue 20),
on both stores: each command does what it says, a wrong name exits non-zero with one line, and
``keys list`` shows only the revoked key as revoked."""

from __future__ import annotations

import io

import pytest

from gridgeo.cli import main
from gridgeo.services.workspace import open_store
from gridgeo.store import identities

PASSWORD = "Strong-pass-2024"


@pytest.fixture
def url(store_url):
    open_store(store_url, seed_default=False).close()
    return store_url


def _run(capsys, monkeypatch, url: str, command: str, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main([command, "--database", url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_keys_list_marks_only_revoked_keys(url, capsys, monkeypatch):
    for name in ("wall-1", "hotline", "spare"):
        assert _run(capsys, monkeypatch, url, "keys", "create", name, "--role", "viewer")[0] == 0
    assert _run(capsys, monkeypatch, url, "keys", "revoke", "hotline")[0] == 0
    code, out, _ = _run(capsys, monkeypatch, url, "keys", "list")
    states = {line.split()[0]: line.split()[3] for line in out.splitlines()}
    assert code == 0 and states == {"hotline": "revoked", "spare": "active", "wall-1": "active"}


def test_users_commands(url, capsys, monkeypatch):
    assert _run(capsys, monkeypatch, url, "users", "add", "li", "--role", "street", "--scope", "440311001",
                "--password-stdin", stdin=PASSWORD + "\n")[0] == 0
    store = open_store(url, seed_default=False)
    try:
        for _ in range(identities.MAX_FAILED_LOGINS):
            with pytest.raises(identities.LoginRefused):
                identities.login(store, "li", "wrong-pass-1", client="10.0.0.5")
        with pytest.raises(identities.LoginRefused, match="locked"):
            identities.login(store, "li", PASSWORD, client="10.0.0.5")
        assert "1 client(s) waiting" in _run(capsys, monkeypatch, url, "users", "list")[1]
        assert _run(capsys, monkeypatch, url, "users", "unlock", "li")[0] == 0
        first = identities.login(store, "li", PASSWORD, client="10.0.0.5")
        assert _run(capsys, monkeypatch, url, "users", "disable", "li")[0] == 0
        assert "disabled" in _run(capsys, monkeypatch, url, "users", "list")[1]
        assert identities.user_identity(store, "li") is None
        assert _run(capsys, monkeypatch, url, "users", "enable", "li")[0] == 0
        assert identities.user_identity(store, "li").generation > first.generation  # old tokens stay dead
        code, _, _ = _run(capsys, monkeypatch, url, "users", "passwd", "li", "--password-stdin",
                          stdin="Newer-pass-2025\n")
        assert code == 0 and identities.login(store, "li", "Newer-pass-2025").role == "street"
        assert _run(capsys, monkeypatch, url, "users", "delete", "li")[0] == 0
        assert identities.user_identity(store, "li") is None
    finally:
        store.close()
    code, _, err = _run(capsys, monkeypatch, url, "users", "unlock", "nobody")
    assert code != 0 and "no user named nobody" in err and "Traceback" not in err
