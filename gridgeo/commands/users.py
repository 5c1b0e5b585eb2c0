"""``gridgeo users add USERNAME --role ROLE [--scope CODE ...] [--password-stdin]`` and
``gridgeo users list``: the people who log in to the app and the API.

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
    from gridgeo.store.identities import IdentityError, add_user, list_users

    if args.action == "add":
        password = _password(args)
    store = open_store_checked(args.database or get_settings().store_url)
    try:
        if args.action == "add":
            try:
                add_user(store, args.username, password, args.role, args.scope)
            except IdentityError as exc:
                raise InputError(str(exc)) from None
            print(f"added user {args.username} ({args.role}{', ' + ', '.join(args.scope) if args.scope else ''})")
            return 0
        table = list_users(store)
        if table.empty:
            print("no users yet: gridgeo users add NAME --role ROLE [--scope CODE]")
            return 0
        for row in table.itertuples():
            state = "disabled" if row.disabled else "locked" if row.locked_until is not None else "active"
            print(f"{row.username:20s} {row.role:12s} {row.scopes or '(all)':30s} {state}")
        return 0
    finally:
        store.close()
