"""Pages that use their screen: a map frame takes the viewport height its page's controls leave.

Streamlit sizes a component's frame in pixels; a page calls :func:`use_screen` once with the
keys of the containers that hold its map frames (``st.container(key=...)``) and how much height
the controls above and below take (CSS lengths, in rem so they follow the type size), and the
frames are stretched to ``100vh`` minus that. The maps inside fill their frame
(gridgeo_app.layers.base.FillFrame; the plan editor sizes itself to its frame). Side panels that
must not push the page into scrolling get :func:`scroll_box` rules.
"""

from __future__ import annotations

import streamlit as st

# Streamlit's main block with little padding (its fixed header is transparent and leaves the
# top-right corner to its menu; it lets clicks through to the page's top row, except on its own
# buttons: the sidebar's opener, the menu); a markdown holding only a <style> takes no room
BASE_CSS = """
  .stMainBlockContainer, .block-container { padding: 0.5rem 1rem 0 1rem !important; max-width: 100% !important; }
  [data-testid="stHeader"] { background: transparent; height: 2.25rem; }
  [data-testid="stHeader"], [data-testid="stHeader"] * { pointer-events: none !important; }
  [data-testid="stHeader"] button, [data-testid="stHeader"] button *, [data-testid="stHeader"] a,
  [data-testid="stHeader"] [role="button"] { pointer-events: auto !important; }
  [data-testid="stElementContainer"]:has(style) { display: none; }
  .stMainBlockContainer h1 { font-size: 1.75rem; padding: 0.25rem 0 0.5rem 0; }
"""


def frame_css(key: str, offset: str) -> str:
    """CSS making the component frame inside the container ``key`` as tall as the viewport
    minus ``offset`` (a CSS length: the controls above and below it)."""
    return (f".st-key-{key} iframe {{ height: calc(100vh - {offset}) !important; min-height: 20rem;"
            " display: block; }}")


def scroll_box(key: str, offset: str) -> str:
    """CSS keeping the container ``key`` within the viewport minus ``offset``, scrolling inside."""
    return (f".st-key-{key} {{ max-height: calc(100vh - {offset}); overflow-y: auto; overflow-x: hidden;"
            " flex-wrap: nowrap; }}")


def use_screen(*rules: str) -> None:
    """Apply the page layout: the compact main block and the given frame/scroll rules."""
    st.markdown("<style>" + BASE_CSS + "\n".join(rules) + "</style>", unsafe_allow_html=True)
