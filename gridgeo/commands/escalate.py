"""``gridgeo escalate [--database URL] [--every S] [--dry-run]``: cases that missed a deadline
at their tier climb one tier (station → community hall → street centre → district centre).

The rule is configured by GRIDGEO_ESCALATION_DEADLINES (accept,resolve | accept | resolve |
none), GRIDGEO_ESCALATION_ACCEPT_H and GRIDGEO_ESCALATION_MAX_STEPS (see
:mod:`gridgeo.events.escalation`). Each escalation is a history row with actor ``escalation``.
Once by default; with ``--every S`` every S seconds until interrupted.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from gridgeo.config import get_settings
from gridgeo.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the escalate options."""
    parser.add_argument("--database", metavar="URL", help="store URL (default: the configured store)")
    parser.add_argument("--every", type=float, metavar="S", help="run again every S seconds (default: once)")
    parser.add_argument("--dry-run", action="store_true", help="list what would escalate, write nothing")


def run(args: argparse.Namespace) -> int:
    """Run the escalation once (or every ``--every`` seconds); print one line per run."""
    from gridgeo.commands._checks import open_store_checked
    from gridgeo.events.escalation import EscalationRule
    from gridgeo.services.escalation import escalate, plan_escalations

    if args.every is not None and not args.every > 0:
        raise UsageError(f"--every {args.every}: use a number of seconds above 0")
    settings = get_settings()
    store = open_store_checked(args.database or settings.store_url)
    rule = EscalationRule.from_settings(settings)
    try:
        while True:
            now = datetime.now(UTC)
            moves = plan_escalations(store, now, rule) if args.dry_run else escalate(store, now, rule)
            for m in moves:
                print(f"{m.event_id}\t{m.hall_code}\t{m.note}")
            verb = "would escalate" if args.dry_run else "escalated"
            print(f"{now:%Y-%m-%d %H:%M:%S}Z {verb} {len(moves)} case(s)", flush=True)
            if args.every is None:
                return 0
            time.sleep(args.every)
    except KeyboardInterrupt:
        return 0
    finally:
        store.close()
