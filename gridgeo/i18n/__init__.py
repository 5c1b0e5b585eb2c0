"""User interface strings in Simplified Chinese (the default) and English: one catalogue, one lookup.

- ``t(key, lang)`` (:mod:`.lookup`) returns the string for a key; an unknown language falls back to
  Chinese; a missing key raises ``KeyError`` in strict mode (``GRIDGEO_I18N_STRICT``, set by the
  tests) and otherwise is logged once and shown as the key. ``translator(lang)`` binds it to a
  language for a page (``tr = translator(L)``).
- The strings (:mod:`.catalogue`) sit in one data module per area; the keys built at run time are
  registered family by family in :mod:`.catalogue.families`.
- Display names of levels, statuses, categories, channels and list types (:mod:`.names`).
- Messages shown later in a language chosen then (:mod:`.messages`: ``Msg``, ``Seq``, ``word``).

Strings may carry ``str.format`` fields: ``t("seeded", "en").format(n=120)``.
"""

from __future__ import annotations

from gridgeo.i18n.catalogue import CATALOGUE, FAMILIES
from gridgeo.i18n.lookup import DEFAULT_LANG, LANGS, name_of, t, translator
from gridgeo.i18n.messages import Msg, Seq, render, word
from gridgeo.i18n.names import (
    category_name,
    channel_name,
    layer_name,
    level_name,
    list_type_name,
    stage_name,
    status_name,
)

__all__ = [
    "CATALOGUE", "DEFAULT_LANG", "FAMILIES", "LANGS", "Msg", "Seq", "category_name", "channel_name",
    "layer_name", "level_name", "list_type_name", "name_of", "render", "stage_name", "status_name",
    "t", "translator", "word",
]
