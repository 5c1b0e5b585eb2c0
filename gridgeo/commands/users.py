"""``gridgeo users add USERNAME --role ROLE [--scope CODE ...] [--password-stdin]``,
``gridgeo users list``, ``gridgeo users passwd USERNAME [--password-stdin]``,
``gridgeo users unlock|disable|enable|delete USERNAME``: the people who log in to the app and the API.

``unlock`` forgets the failed sign-ins that make clients wait; ``disable`` (and ``passwd``) end
the user's existing tokens at once; ``delete`` removes the account.

Roles: admin, planner, district, street, community, grid_worker, intake, viewer; territorial
roles name their territory codes with --scope (see gridgeo.access.roles). The password comes
from a prompt (asked twice) or, for scripts, from one line on standard input.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from gridgeo.errors import InputError, UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register ``users add`` and ``users list``."""
    from gridgeo.commands._grants import add_grant_arguments

    parser.add_argument("--database", metavar="URL", help="store URL (default: the configured store)")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(parser))
    add = sub.add_parser("add", help="add a user")
    add.add_argument("username")
    add_grant_arguments(add, "user")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    sub.add_parser("list", help="list the users")
    passwd = sub.add_parser("passwd", help="set a new password (the user's tokens stop working)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    for action, text in CHANGES.items():
        sub.add_parser(action, help=text).add_argument("username")


CHANGES = {
    "unlock": "forget failed sign-ins: every client may try again at once",
    "disable": "refuse the user's sign-ins and end its tokens at once",
    "enable": "allow a disabled user to sign in again",
    "delete": "delete the user (its tokens stop working)",
}


def _password(args: argparse.Namespace) -> str:
    from gridgeo.access.secrets import check_password_strength

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"password for {args.username}: ")
        if getpass.getpass("again: ") != password:
            raise UsageError("the two passwords differ; run the command again")
    try:
        check_password_strength(password)
    except ValueError as exc:
        raise UsageError(f"password: {exc}") from None
    return password


def run(args: argparse.Namespace) -> int:
    """Add or list users; 0 on success."""
    from gridgeo.commands._checks import open_store_checked
    from gridgeo.config import get_settings
    from gridgeo.store.identities import IdentityError, add_user

    password = _password(args) if args.action in ("add", "passwd") else None
    store = open_store_checked(args.database or get_settings().store_url)
    try:
        if args.action == "add":
            add_user(store, args.username, password, args.role, args.scope)
            print(f"added user {args.username} ({args.role}{', ' + ', '.join(args.scope) if args.scope else ''})")
        elif args.action == "list":
            _print_users(store)
        else:
            _change(store, args.action, args.username, password)
        return 0
    except IdentityError as exc:
        raise InputError(str(exc)) from None
    finally:
        store.close()


def _change(store, action: str, username: str, password: str | None) -> None:
    """passwd, unlock, disable, enable or delete one user, and say what was done."""
    from gridgeo.store import identities

    if action == "passwd":
        identities.set_password(store, username, password)
        print(f"new password for {username}; its earlier tokens no longer work")
    elif action == "unlock":
        identities.unlock_user(store, username)
        print(f"unlocked {username}: failed sign-ins forgotten")
    elif action in ("disable", "enable"):
        identities.disable_user(store, username, action == "disable")
        print(f"{action}d {username}" + ("; its tokens no longer work" if action == "disable" else ""))
    else:
        identities.delete_user(store, username)
        print(f"deleted user {username}")


def _print_users(store) -> None:
    import pandas as pd

    from gridgeo.store.identities import list_users

    table = list_users(store)
    if table.empty:
        print("no users yet: gridgeo users add NAME --role ROLE [--scope CODE]")
        return
    now = pd.Timestamp.now(tz="UTC")
    for row in table.itertuples():
        locked = pd.notna(row.locked_until) and pd.Timestamp(row.locked_until).tz_localize(None) > now.tz_localize(None)
        state = ("disabled" if row.disabled else "locked" if locked else
                 f"active ({row.blocked_clients} client(s) waiting after failed sign-ins)" if row.blocked_clients
                 else "active")
        print(f"{row.username:20s} {row.role:12s} {row.scopes or '(all)':30s} {state}")
