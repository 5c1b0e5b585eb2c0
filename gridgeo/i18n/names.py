"""Display names of the domain's codes, all from the catalogue (families in catalogue/families.py).

The domain modules keep the codes; these functions are the only way to show one.
"""

from __future__ import annotations

from gridgeo.i18n.lookup import DEFAULT_LANG, name_of, t


def level_name(level: int, lang: str = DEFAULT_LANG) -> str:
    """Display name of an event level 1-4 (``level_<n>``)."""
    return t(f"level_{int(level)}", lang)


def status_name(status: str, lang: str = DEFAULT_LANG) -> str:
    """Display name of a lifecycle status (``status_<code>``)."""
    return t(f"status_{status}", lang)


def channel_name(channel: str, lang: str = DEFAULT_LANG) -> str:
    """Display name of a report channel (``channel_<code>``)."""
    return t(f"channel_{channel}", lang)


def list_type_name(list_type: str, lang: str = DEFAULT_LANG) -> str:
    """Display name of a list type (``list_type_<code>``)."""
    return t(f"list_type_{list_type}", lang)


def category_name(code: str, lang: str = DEFAULT_LANG) -> str:
    """Catalogue name of a default event category (``cat_<code>``); another slug as itself.

    Categories configured in a file carry their own names: show a category with
    gridgeo.events.schema.category_label, which falls back to this one.
    """
    return name_of("cat_", code, lang)


def layer_name(layer: str, lang: str = DEFAULT_LANG) -> str:
    """Display name of a legacy grid layer (``pp_layer_<layer>``; else the layer as named)."""
    return name_of("pp_layer_", layer, lang)


def stage_name(stage: str, lang: str = DEFAULT_LANG, names: dict | None = None) -> str:
    """A partition progress stage ("regionalize 440311001001") in words ("社区内分区 新坡头社区");
    ``names`` maps the codes that follow the stage to display names."""
    head, _, rest = str(stage).partition(" ")
    return f"{name_of('pp_stage_', head, lang)} {(names or {}).get(rest, rest)}".strip()
