"""The one lookup: ``t(key, lang)``, the languages, and what happens to a key the catalogue lacks.

A missing key raises ``KeyError`` when ``GRIDGEO_I18N_STRICT`` is set (the tests set it; see
gridgeo.config); otherwise it is logged once and shown as the key itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from gridgeo.i18n.catalogue import CATALOGUE, FAMILIES

DEFAULT_LANG = "zh"
LANGS: dict[str, str] = {"zh": "简体中文", "en": "English"}

_log = logging.getLogger(__name__)
_logged: set[str] = set()


def missing(key: str) -> str:
    """What a missing key shows: KeyError in strict mode, else the key (logged once)."""
    from gridgeo.config import get_settings

    if get_settings().i18n_strict:
        raise KeyError(f"gridgeo.i18n: no catalogue key {key!r}; add it to gridgeo/i18n/catalogue/ in zh and en")
    if key not in _logged:
        _logged.add(key)
        _log.warning("gridgeo.i18n: no catalogue key %r; showing the key", key)
    return key


def t(key: str, lang: str = DEFAULT_LANG) -> str:
    """The UI string for ``key`` in ``lang`` ("zh" or "en"); Chinese when ``lang`` is unknown.

    Strings may carry ``str.format`` fields: ``t("seeded", "en").format(n=120)``.
    """
    entry = CATALOGUE.get(key)
    if entry is None:
        return missing(key)
    return entry.get(lang) or entry[DEFAULT_LANG]


def translator(lang: str) -> Callable[[str], str]:
    """``tr(key)``: ``t`` bound to one language, for a page that names many strings."""

    def tr(key: str) -> str:
        return t(key, lang)

    tr.__doc__ = f"The catalogue string for ``key`` in {lang!r}."
    return tr


def name_of(family: str, code: object, lang: str = DEFAULT_LANG) -> str:
    """The display name of ``code`` in a registered key family (``name_of("status_", "accepted")``).

    A code outside the family (a layer or category the catalogue does not know) is shown as
    itself; a family that is not registered is an error (see gridgeo.i18n.catalogue.families).
    """
    members = FAMILIES[family]
    code = str(code)
    return t(family + code, lang) if code in members else code
