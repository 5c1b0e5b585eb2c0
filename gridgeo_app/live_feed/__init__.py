"""The pages' subscription to the service's change stream (``GET /api/v1/stream``): a hidden
custom component (plain JS, no build step) that reads the stream in the browser with ``fetch``
(so it can send the wall's key as a bearer header, which EventSource cannot) and reports each
burst of changes to Python, which reruns the fragment that shows them.

Polling stays the fallback: the page keeps its timer; when the stream drops, the component says
so (``live`` False) and reconnects with a growing pause (1 s to 30 s).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

FRONTEND = Path(__file__).resolve().parent / "frontend"
_component = components.declare_component("live_feed", path=str(FRONTEND))


def live_feed(api_url: str, token: str | None, key: str = "gg_live_feed") -> dict:
    """Subscribe this page to ``api_url``'s change stream; returns what the browser last said:
    ``{"n": changes seen, "live": stream connected, "last": the last message}`` (``live`` False
    until it connects)."""
    with st.container(key=f"{key}_box"):
        st.markdown(f"<style>.st-key-{key}_box {{ display: none; }}</style>", unsafe_allow_html=True)
        value = _component(url=api_url.rstrip("/"), token=token or "", key=key, default=None, height=0)
    return value if isinstance(value, dict) else {"n": 0, "live": False, "last": None}
