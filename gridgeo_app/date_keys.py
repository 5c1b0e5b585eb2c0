"""Typed dates apply on Enter and Tab.

Streamlit's date input takes a typed date only when the field loses focus. This adds, once per
browser page, a key handler on the app's document: Enter in a date field blurs it (so the date
applies, as a click elsewhere would), and Tab, which moves the focus, blurs it as before.
The script runs from a zero-height component frame of the same origin (Streamlit's own).
"""

from __future__ import annotations

import streamlit as st
import streamlit.components.v1 as components

SCRIPT = """<script>
(function () {
  const doc = window.parent.document;
  if (doc.__ggDateKeys) return;
  doc.__ggDateKeys = true;
  doc.addEventListener("keydown", function (e) {
    const input = e.target && e.target.closest && e.target.closest('[data-testid="stDateInput"] input');
    if (!input || (e.key !== "Enter" && e.key !== "Tab")) return;
    if (e.key === "Enter") e.preventDefault();
    input.blur();
  }, true);
})();
</script>"""


def dates_apply_on_enter() -> None:
    """Make typed dates of every date input on the page apply on Enter and Tab."""
    with st.container(key="gg_date_keys"):
        st.markdown("<style>.st-key-gg_date_keys { display: none; }</style>", unsafe_allow_html=True)
        components.html(SCRIPT, height=0)
