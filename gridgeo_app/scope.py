"""The territory of the session's identity on every page: the ONE helper the pages use (through
:mod:`gridgeo_app.context`) to draw, count and export only what the role and scope allow.

The rule is :mod:`gridgeo.access` (``in_scope``/``sees_area`` and masking, the API's too):
:func:`layers_for` keeps the grids, communities and streets inside the scope (the streets and
communities around it as outlines), :func:`events_for` the cases inside it, personal fields
masked unless the role may see them. Pages a role may not open are listed by :func:`page_allowed`.
Where a page shows or exports personal fields unmasked it asks :func:`personal_shown` (the rule and
the audit of :mod:`gridgeo.services.personal_data`, the API's too): one audit entry per case per
session, not one per Streamlit rerun.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from gridgeo.access import Action, Identity
from gridgeo.access import territory as rule
from gridgeo.services import personal_data
from gridgeo_app import event_source as data

# which action opens which page (by url path); pages not listed need READ
PAGE_ACTIONS: dict[str, Action] = {
    "partition": Action.WRITE_PLANS,
    "planner": Action.WRITE_PLANS,
    "import": Action.CHANGE_ATLAS,
}


# who a run is for before the login gate has said (never in practice): sees nothing
NOBODY = Identity(name="nobody", role="viewer", kind="anonymous", scopes=("-",))
WHO_KEY = "_gg_who"  # set by gridgeo_app.session.login_gate at the top of every run
AUDITED_KEY = "_gg_audited"  # (actor, where, event id) already written to the audit log this session


def who() -> Identity:
    """The identity this run is for (as the login gate found it; the open local mode is an
    unscoped admin); fails closed (nothing in scope) when the gate has not run."""
    return st.session_state.get(WHO_KEY) or NOBODY


def page_allowed(identity: Identity, url_path: str) -> bool:
    """True when ``identity``'s role may open the page at ``url_path``."""
    return identity.may(PAGE_ACTIONS.get(url_path, Action.READ))


def scopes() -> tuple[str, ...]:
    """The territory codes of the session (empty: everywhere)."""
    return who().scopes


def cache_key() -> tuple:
    """What a cache shared between sessions must add to its key when it holds scoped frames."""
    identity = who()
    return identity.scopes, identity.may(Action.SEE_PERSONAL)


def events_for(frame: pd.DataFrame) -> pd.DataFrame:
    """The cases of ``frame`` the session may see (its territory; personal fields as its role says)."""
    return rule.events_for(frame, who())


@st.cache_resource(show_spinner=False, max_entries=16)
def _layers(layers_id: int, scope: tuple[str, ...], _layers: dict) -> dict[str, gpd.GeoDataFrame]:
    del layers_id  # cache key (with the scope): one scoped copy per display layer set and territory
    out = dict(_layers)
    out["grids"] = rule.areas_in_scope(_layers["grids"], scope)
    out["communities"] = rule.areas_in_scope(_layers["communities"], scope, enclosing=True)
    out["streets"] = rule.areas_in_scope(_layers["streets"], scope, enclosing=True)
    out["territory"] = out["grids"] if len(out["grids"]) else rule.areas_in_scope(_layers["communities"], scope)
    points = _layers.get("service_points")
    if points is not None and len(points):
        # a hall serves its territory (district, street or community): the halls around the scope too
        out["service_points"] = rule.areas_in_scope(points, scope, enclosing=True, column="territory_code")
    return out


def layers_for(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """The display layers inside the session's territory (the same object for an unscoped one)."""
    scope = scopes()
    return layers if not scope else _layers(id(layers), scope, layers)


def communities_for(communities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The communities inside the session's territory (all of them for an unscoped one): what a
    scoped planner may partition (the same object when nothing is left out)."""
    return rule.areas_in_scope(communities, scopes())


# one level below a territory, by the length of its coarsest code (0: none, the whole district):
# (level, display layer, the events' code column)
SUBAREAS = {0: ("street", "streets", "street_code"), 6: ("street", "streets", "street_code"),
            9: ("community", "communities", "community_code"),
            12: ("grid", "grids", "grid_code"), 15: ("grid", "grids", "grid_code")}


def areas_below(layers: dict[str, gpd.GeoDataFrame]) -> tuple[str, gpd.GeoDataFrame, str]:
    """The areas one level below the session's territory, inside it: (level, areas, the events'
    column): a community's grids, a street's communities, the district's (or everywhere's) streets."""
    scope = scopes()
    level, layer, column = SUBAREAS[min((len(s) for s in scope), default=0)]
    return level, rule.areas_in_scope(layers[layer], scope), column


def territory_name(layers: dict[str, gpd.GeoDataFrame]) -> str | None:
    """The session's territory by name ("新坡头社区", "光明街道、公明街道"); None when unscoped."""
    scope = scopes()
    if not scope:
        return None
    names: list[str] = []
    for key in ("grids", "communities", "streets", "district"):
        frame = layers.get(key)
        if frame is None or "code" not in frame or "name" not in frame:
            continue
        found = dict(zip(frame["code"].astype(str), frame["name"].astype(str), strict=True))
        names += [found[c] for c in scope if c in found and found[c] not in names]
    return "、".join(names) or "、".join(scope)


def audit_personal(ids, where: str) -> None:
    """Audit that the session's identity was shown (or exported) the personal fields of the
    cases ``ids`` unmasked on ``where`` (e.g. "app:queue"): one entry for the ids not audited yet
    this session (a rerun showing the same cases writes nothing)."""
    identity = who()
    done: set = st.session_state.setdefault(AUDITED_KEY, set())
    new = [str(i) for i in dict.fromkeys(ids) if (identity.actor, where, str(i)) not in done]
    if not new:
        return
    personal_data.audit_read(data.store(), identity, new, f"app:{where}")
    done.update((identity.actor, where, i) for i in new)


def personal_shown(record: dict, where: str) -> bool:
    """True when the session may see ``record``'s personal fields unmasked (role and territory,
    the API's rule); the reading is then audited (once per case per session)."""
    if not personal_data.has_personal(record) or not personal_data.may_see(who(), record):
        return False
    audit_personal([record["id"]], where)
    return True
