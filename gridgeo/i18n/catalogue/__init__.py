"""The one translation catalogue: every user-facing string, zh and en, by key.

The data sit in one module per area (app, review, planner, editor, partition, importing,
validation, domain, hotline, network); ``CATALOGUE`` merges them and refuses a key defined twice. The keys the code
builds at run time (``f"status_{code}"``) are listed, family by family, in :mod:`.families`.
"""

from __future__ import annotations

from gridgeo.i18n.catalogue import (
    app,
    domain,
    editor,
    hotline,
    importing,
    network,
    partition,
    planner,
    review,
    validation,
)
from gridgeo.i18n.catalogue.families import FAMILIES

Entry = dict[str, str]
AREAS = (app, domain, review, planner, editor, partition, importing, validation, hotline, network)


def _merge() -> dict[str, Entry]:
    merged: dict[str, Entry] = {}
    for module in AREAS:
        twice = merged.keys() & module.STRINGS.keys()
        if twice:
            raise ValueError(f"gridgeo.i18n.catalogue.{module.__name__.rsplit('.', 1)[-1]}: "
                             f"keys already defined in another area: {', '.join(sorted(twice))}")
        merged.update(module.STRINGS)
    return merged


CATALOGUE: dict[str, Entry] = _merge()

__all__ = ["AREAS", "CATALOGUE", "FAMILIES", "Entry"]
