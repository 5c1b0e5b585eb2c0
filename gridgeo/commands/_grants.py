"""The role and territory arguments shared by the identity commands (``users add``, ``keys create``)."""

from __future__ import annotations

import argparse


def add_grant_arguments(parser: argparse.ArgumentParser, holder: str) -> None:
    """``--role ROLE`` (required) and ``--scope CODE`` (repeatable) for a ``holder`` ("user", "key")."""
    from gridgeo.access.roles import ROLES

    parser.add_argument("--role", required=True, choices=list(ROLES))
    parser.add_argument("--scope", action="append", default=[], metavar="CODE",
                        help=f"territory code the {holder} is limited to (repeat for several)")
