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


def live_feed(api_url: str, token: str | None, key: str = "gg_live_feed", paint: dict | None = None) -> dict:
    """Subscribe this page to ``api_url``'s change stream; returns what the browser last said:
    ``{"n": changes seen, "live": stream connected, "last": the last message, "by": count per
    kind}`` (``live`` False until it connects).

    ``paint`` (the wall): ``{"colors": {level: colour}}``: each new case is shown in the page at
    once, before the rerun it causes: its grid takes the case's colour when that is more severe
    than the grid's, and the received, open and level figures count it (the rerun then sets
    every figure and colour from the store)."""
    with st.container(key=f"{key}_box"):
        st.markdown(f"<style>.st-key-{key}_box {{ display: none; }}</style>", unsafe_allow_html=True)
        value = _component(url=api_url.rstrip("/"), token=token or "", paint=paint, key=key, default=None,
                           height=0)
    return value if isinstance(value, dict) else {"n": 0, "live": False, "last": None}


def _count(feed: dict, kinds: tuple[str, ...]) -> int:
    """How many changes of ``kinds`` the browser has seen (all of them when it did not count by kind)."""
    by = feed.get("by")
    if not isinstance(by, dict):
        return int(feed.get("n") or 0)
    return sum(int(by.get(kind) or 0) for kind in kinds)


def live_mark(feed: dict | None, lang: str, refresh_s: float | None = None) -> str:
    """The page's live / not-live mark (HTML, ``data-live`` 1 or 0), in the wall's words."""
    import html

    from gridgeo.i18n import t

    on = bool(feed and feed.get("live"))
    text = t("wall_live_on", lang) if on else t("wall_live_off", lang).format(s=int(refresh_s or FALLBACK_S))
    return (f"<span class='gg-live{' gg-on' if on else ''}' data-live='{int(on)}' "
            f"title='{html.escape(t('live_mark_help', lang))}'>{html.escape(text)}</span>")


FALLBACK_S = 60  # while the stream is down, a following page reruns this often (polling as the fallback)


@st.fragment(run_every=FALLBACK_S / 4)
def follow_changes(key: str, kinds: tuple[str, ...], lang: str) -> dict | None:
    """Subscribe a page to the change stream (GRIDGEO_API_URL set) and rerun the whole page when
    a change of ``kinds`` (``case``, ``status``, ``grid_set``) arrives; shows the live mark. While
    the stream is down the page reruns every FALLBACK_S seconds instead.

    Only this fragment reruns for the connection's own news and for other kinds of change. The
    change that caused the page's rerun is kept as ``st.session_state[key + "_change"]`` (a text
    naming it: pages key their fresh reads by it, so pages pushed by the same change share one).
    Returns the browser's last report (None without GRIDGEO_API_URL)."""
    import json
    import time

    from gridgeo.config import get_settings
    from gridgeo.palette import LIVE_MARK

    settings = get_settings()
    if not settings.tiles_url:
        return None
    feed = live_feed(settings.tiles_url, settings.wall_key, key=key)
    on = bool(feed.get("live"))
    style = f"font-size: 0.85rem; white-space: nowrap; color: {LIVE_MARK.on if on else LIVE_MARK.off}"
    st.markdown(live_mark(feed, lang).replace("<span ", f"<span style='{style}' ", 1), unsafe_allow_html=True)
    seen_key, count, now = f"{key}_seen", _count(feed, kinds), time.time()
    seen = st.session_state.get(seen_key)
    st.session_state[seen_key] = count
    polled = st.session_state.setdefault(f"{key}_polled", now)
    if seen is not None and count > seen:
        st.session_state[f"{key}_change"] = f"{count}:" + json.dumps(feed.get("last"), sort_keys=True, default=str)
        st.rerun(scope="app")
    if not feed.get("live") and now - polled >= FALLBACK_S:  # the fallback: poll
        st.session_state[f"{key}_polled"] = now
        st.session_state[f"{key}_change"] = f"poll:{int(now)}"
        st.rerun(scope="app")
    if feed.get("live"):
        st.session_state[f"{key}_polled"] = now
    return feed
