"""Escalation run: every open case that missed a deadline at its tier climbs one tier (station →
community hall → street centre → district centre), recorded with actor ``escalation``.

The rule is :class:`gridgeo.events.escalation.EscalationRule` (configured by the
``GRIDGEO_ESCALATION_*`` settings); the service network is the active atlas's
(:func:`gridgeo.services.network.service_network`); the write is
:func:`gridgeo.store.reassign.move_cases` (one transaction, once per deadline). ``gridgeo
escalate`` runs it once, or every ``--every`` seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime

from gridgeo.config import get_settings
from gridgeo.events.escalation import ACTOR, EscalationRule, missed_deadline
from gridgeo.events.lifecycle import OPEN_STATUSES
from gridgeo.i18n import DEFAULT_LANG, Msg
from gridgeo.services.network import service_network
from gridgeo.store.reassign import HallMove, move_cases


def escalation_note(deadline: str, from_tier: str, to_tier: str, lang: str = DEFAULT_LANG) -> str:
    """The history note of an escalation, e.g. "逾期未受理，由党群服务站上交社区党群服务中心"."""
    return Msg("escalation_note", {"what": Msg(f"deadline_{deadline}"),
                                   "from_tier": Msg(f"tier_{from_tier}"),
                                   "to_tier": Msg(f"tier_{to_tier}")}).render(lang)


def plan_escalations(store, now: datetime, rule: EscalationRule) -> list[HallMove]:
    """The moves the rule asks for at ``now`` (nothing is written)."""
    frame = store.events_frame(status=list(OPEN_STATUSES), extra=True, now=now)
    missed = missed_deadline(frame, now, rule)
    network = service_network(store)
    moves: list[HallMove] = []
    for row, deadline in zip(frame.itertuples(index=False), missed, strict=True):
        if deadline is None:
            continue
        here = row.station_code if row.handling_tier == "station" else row.hall_code
        up = network.up(here) if isinstance(here, str) else None
        if up is None:  # at the district centre already, or outside the network
            continue
        tier = network.tier_of[up]
        moves.append(HallMove(row.id, up, tier, f"{tier}:{network.territory_of[up]}", ACTOR,
                              escalation_note(deadline, network.tier_of[here], tier), now,
                              int(row.escalations or 0)))
    return moves


def escalate(store, now: datetime | None = None, rule: EscalationRule | None = None) -> list[HallMove]:
    """Escalate every case that missed a deadline at ``now`` (default: now) one tier; return the
    moves applied."""
    now = now or datetime.now(UTC)
    rule = rule or EscalationRule.from_settings(get_settings())
    moves = plan_escalations(store, now, rule)
    done = set(move_cases(store, moves))
    return [m for m in moves if m.event_id in done]
