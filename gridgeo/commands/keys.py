"""``gridgeo keys create NAME --role ROLE [--scope CODE ...]`` (prints the key once),
``gridgeo keys revoke NAME`` and ``gridgeo keys list``: API keys for machines (a hotline
gateway posting events, a wall display reading the map), as Open311 gives each client its own.
"""

from __future__ import annotations

import argparse

from gridgeo.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register ``keys create``, ``keys revoke`` and ``keys list``."""
    from gridgeo.commands._grants import add_grant_arguments

    parser.add_argument("--database", metavar="URL", help="store URL (default: the configured store)")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(parser))
    create = sub.add_parser("create", help="make a key (printed once)")
    create.add_argument("name")
    add_grant_arguments(create, "key")
    revoke = sub.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("name")
    sub.add_parser("list", help="list the keys (never the keys themselves)")


def run(args: argparse.Namespace) -> int:
    """Create, revoke or list keys; 0 on success."""
    import pandas as pd

    from gridgeo.commands._checks import open_store_checked
    from gridgeo.config import get_settings
    from gridgeo.store.identities import IdentityError, create_key, list_keys, revoke_key

    store = open_store_checked(args.database or get_settings().store_url)
    try:
        if args.action == "create":
            key = create_key(store, args.name, args.role, args.scope)
            print(key)
            print(f"key {args.name} ({args.role}) made: it is shown only this once; store it safely. "
                  "Send it as Authorization: Bearer <key>.")
        elif args.action == "revoke":
            revoke_key(store, args.name)
            print(f"revoked key {args.name}")
        else:
            for row in list_keys(store).itertuples():  # an empty revoked_at reads as NaT, not None
                state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if pd.notna(row.revoked_at) else "active"
                print(f"{row.name:24s} {row.role:12s} {row.scopes or '(all)':30s} {state}")
        return 0
    except IdentityError as exc:
        raise InputError(str(exc)) from None
    finally:
        store.close()
