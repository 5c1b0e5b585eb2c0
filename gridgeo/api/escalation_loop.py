"""The service's background escalation: every ``GRIDGEO_ESCALATION_EVERY_S`` seconds (0: off)
the cases that missed a deadline climb one tier (:func:`gridgeo.services.escalation.escalate`,
safe with several workers: a deadline escalates a case once)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi.concurrency import run_in_threadpool

from gridgeo.config import Settings

log = logging.getLogger(__name__)


async def _run(store: Any, settings: Settings) -> None:
    from gridgeo.events.escalation import EscalationRule
    from gridgeo.services.escalation import escalate

    rule = EscalationRule.from_settings(settings)
    while True:
        await asyncio.sleep(settings.escalation_every_s)
        try:
            moved = await run_in_threadpool(escalate, store, None, rule)
        except Exception:  # a failed run is logged; the next one tries again
            log.exception("escalation run failed")
            continue
        if moved:
            log.info("escalated %d case(s)", len(moved))


def escalation_loop(store: Any, settings: Settings) -> asyncio.Task | None:
    """Start the loop on the running event loop (None when the setting is 0)."""
    if not settings.escalation_every_s > 0:
        return None
    return asyncio.get_running_loop().create_task(_run(store, settings), name="gridgeo-escalation")
