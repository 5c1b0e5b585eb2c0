"""gridgeo map app: `streamlit run app.py`, or with a start-up warm-up `streamlit run app_server.py` (`make run`).

Pages live in gridgeo_app/: 地图 Map, 指挥大屏 Wall display, 研判 Review, 网格划分 Partition
planner, 网格调整 Grid editor, 数据导入 Import and 待定位工单 Cases to place (hotline work orders a person
places on the map); a listed page file is picked up when it exists.
Every page works on the active atlas (GRIDGEO_ATLAS, else the store's, else the Guangming demo);
the sidebar says which one.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from gridgeo.i18n import t
from gridgeo_app.context import atlas_caption, lang, language_switch
from gridgeo_app.layers.assets import use_local_assets
from gridgeo_app.scope import page_allowed
from gridgeo_app.session import login_gate

# every page's folium maps load Leaflet and plugins from static/vendor, never from a CDN
use_local_assets()

HERE = Path(__file__).resolve().parent

language_switch()
L = lang()
st.set_page_config(page_title=t("app_title", L), layout="wide")
who = login_gate(L)  # open while the store has no accounts; else a login (or the wall's ?key=)

# (file, title key, url path); add further pages here. No page icons: Streamlit turns a
# ":material/..." page icon into a favicon fetched from fonts.gstatic.com (not offline).
PAGES = [
    ("gridgeo_app/pages/map.py", "page_map", "map"),
    ("gridgeo_app/pages/wall.py", "page_wall", "wall"),
    ("gridgeo_app/pages/review.py", "page_review", "review"),
    ("gridgeo_app/pages/partition.py", "page_partition", "partition"),  # the partition issue's page
    ("gridgeo_app/pages/planner.py", "page_planner", "planner"),  # the grid editor issue's page
    ("gridgeo_app/pages/importer.py", "page_import", "import"),  # 数据导入: bring a district's own files
    ("gridgeo_app/pages/queue.py", "page_queue", "queue"),  # 待定位工单: hotline cases a person places (issue 22)
]

# the pages this account's role may open (gridgeo_app.scope.page_allowed: the rule of gridgeo.access)
listed = [(path, key, url) for path, key, url in PAGES if (HERE / path).exists()]
pages = [st.Page(str(HERE / path), title=t(key, L), url_path=url) for path, key, url in listed if page_allowed(who, url)]


def _refusal(key: str, url: str):
    """A hidden page at ``url`` saying, in the page language, that this account may not open it,
    with links to the pages it may open (a typed URL or an old bookmark lands here)."""

    def refused() -> None:
        st.title(t(key, L))
        st.warning(t("page_refused", L).format(page=t(key, L), role=t(f"role_{who.role}", L)))
        st.markdown(t("page_refused_links", L))
        for allowed in pages:
            st.page_link(allowed, label=allowed.title)

    refused.__name__ = f"refused_{url}"
    return st.Page(refused, title=t(key, L), url_path=url, visibility="hidden")


refusals = [_refusal(key, url) for _path, key, url in listed if not page_allowed(who, url)]


def _home() -> None:
    """The root URL opens the map at its documented address /map.

    A page marked ``default=True`` is served at "/" only (Streamlit ignores its url_path), so
    /map answered "Page not found"; instead every page keeps its own path and "/" forwards.
    """
    st.switch_page(pages[0])


page = st.navigation([st.Page(_home, title=t("page_map", L), url_path="home", default=True, visibility="hidden"),
                      *pages, *refusals])
# one browser title per page: "地图 · 网格化治理 · 风险地图" (the first call above set the layout);
# the planner opens with the sidebar folded away (a drawer: its plan, community and author are one
# click away), so its map takes the width
st.set_page_config(page_title=f"{page.title} · {t('app_title', L)}", layout="wide",
                   initial_sidebar_state="collapsed" if page.url_path == "planner" else "auto")
# every page says which atlas it shows (the wall hides the sidebar: its footer does); when the
# active atlas cannot be loaded only the import page runs (to import or switch to one)
if page in refusals or atlas_caption(st.sidebar) or page.url_path == "import":
    page.run()
else:
    st.error(t("atlas_error", L).format(error=t("atlas_fix", L)))
