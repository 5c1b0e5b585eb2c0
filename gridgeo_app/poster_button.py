"""The 一格一图 download on the map page: an A3 PDF poster of one community's grids.

Kept apart from the map page's own code; the map page calls :func:`poster_download` once.
"""

from __future__ import annotations

import streamlit as st

from gridgeo.access.roles import in_scope
from gridgeo.i18n import t
from gridgeo.printing.poster import community_codes, community_poster
from gridgeo_app import context as common
from gridgeo_app.scope import scopes


@st.cache_data(show_spinner=False, max_entries=8)
def _poster(code: str, lang: str, grid_codes: tuple[str, ...]) -> bytes:
    del grid_codes  # cache key: the grid set the poster shows
    return community_poster(common.atlas(), code, lang=lang, grids=common.display_layers()["grids"])


def poster_download(container=None) -> None:
    """A community picker (defaulting to the map's community filter) and the PDF download."""
    L = common.lang()
    box = container if container is not None else st.sidebar
    codes = community_codes(common.atlas())
    codes = codes[[in_scope(scopes(), str(c)) for c in codes["code"]]]  # only the territory's communities
    if not len(codes):
        return
    labels = dict(zip(codes["code"], codes["street"] + " · " + codes["name"], strict=True))
    options = list(codes["code"])
    wanted = st.session_state.get("map_community")
    if wanted in options and st.session_state.get("_poster_follows") != wanted:  # follow the map's filter
        st.session_state["poster_community"] = st.session_state["_poster_follows"] = wanted
    code = box.selectbox(t("poster_pick", L), options, format_func=labels.get, key="poster_community")
    grid_codes = tuple(common.display_layers()["grids"]["code"].astype(str))
    box.download_button(t("poster_button", L), data=lambda: _poster(code, L, grid_codes),
                        file_name=f"gridgeo-poster-{code}.pdf", mime="application/pdf", key="poster_pdf",
                        on_click="ignore")
