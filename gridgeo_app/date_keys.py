"""Typed dates apply on Enter and Tab.

Streamlit's date input (1.67) takes a typed date when its calendar closes by a click elsewhere
or by Escape, not on Enter or Tab. This adds, once per browser page, a key handler on the app's
document: Enter or Tab in a date field first sends the field an Escape (which applies the typed
date and closes the calendar); Tab then moves on as usual.
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
    if ((e.key !== "Enter" && e.key !== "Tab") || e.__ggDate) return;
    const field = e.target && e.target.closest && e.target.closest('[data-testid="stDateInputField"]');
    if (!field) return;
    if (e.key === "Enter") e.preventDefault();
    // the input commits what was typed on Escape (and closes its calendar): send one first;
    // Tab then moves on as usual
    const esc = new KeyboardEvent("keydown", {key: "Escape", code: "Escape", bubbles: true, cancelable: true});
    esc.__ggDate = true;
    e.target.dispatchEvent(esc);
  }, true);
})();
</script>"""


def dates_apply_on_enter() -> None:
    """Make typed dates of every date input on the page apply on Enter and Tab."""
    with st.container(key="gg_date_keys"):
        st.markdown("<style>.st-key-gg_date_keys { display: none; }</style>", unsafe_allow_html=True)
        components.html(SCRIPT, height=0)
