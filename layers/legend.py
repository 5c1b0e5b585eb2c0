"""Map legends as Leaflet controls: the risk colours with the rule that sets them, the heat
palette, and any list of swatches.

A legend added to the map stays; a legend added to a feature group shows while that group is
on the map and goes with it (so the risk legend leaves with the risk layer, also when the
layer is pushed by streamlit-folium's ``feature_group_to_add``).
"""

from __future__ import annotations

import html
import json

from branca.element import MacroElement
from jinja2 import Template

from gridgeo.risk import RISK_COLORS, RiskRule, describe_rule, risk_label


class Legend(MacroElement):
    """A control listing coloured swatches (or a gradient bar), with an optional note underneath."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
          var legend = L.control({position: "{{ this.position }}"});
          legend.onAdd = function () {
            var div = L.DomUtil.create("div", "gg-legend {{ this.css_class }}");
            div.innerHTML = {{ this.html_json }};
            return div;
          };
          var parent = {{ this._parent.get_name() }};
          if (parent instanceof L.Map) {
            legend.addTo(parent);
          } else {
            parent.on("add", function () { legend.addTo(parent._map); });
            parent.on("remove", function () { legend.remove(); });
            if (parent._map) { legend.addTo(parent._map); }
          }
        })();
        {% endmacro %}
    """)

    def __init__(self, title: str, items: list[tuple[str, str]], note: str = "", dark: bool = False,
                 position: str = "bottomright", font_px: int = 12, font_css: str | None = None,
                 gradient: tuple[list[str], str, str] | None = None, css_class: str = ""):
        super().__init__()
        self._name = "Legend"
        self.position = position
        self.css_class = css_class
        size = font_css or f"{font_px}px"
        bg, fg = ("rgba(11,22,38,0.88)", "#e8eef7") if dark else ("rgba(255,255,255,0.92)", "#1d2a3a")
        rows = "".join(
            f'<div style="display:flex;align-items:center;margin:0.15em 0">'
            f'<span style="display:inline-block;width:1.3em;height:0.95em;background:{c};'
            f'border:1px solid #666;margin-right:0.45em;flex:none"></span>{html.escape(label)}</div>'
            for c, label in items
        )
        if gradient is not None:
            colors, low, high = gradient
            rows += (f'<div style="display:flex;align-items:center;gap:0.4em;margin:0.2em 0">{html.escape(low)}'
                     f'<span style="display:inline-block;width:8em;height:0.9em;border:1px solid #666;'
                     f'background:linear-gradient(to right,{",".join(colors)})"></span>{html.escape(high)}</div>')
        note_html = (f'<div style="margin-top:0.3em;max-width:22em;font-size:0.9em;opacity:0.85">'
                     f'{html.escape(note)}</div>') if note else ""
        body = (f'<div style="background:{bg};color:{fg};padding:0.45em 0.65em;border-radius:4px;'
                f'font-size:{size};line-height:1.3;box-shadow:0 1px 4px rgba(0,0,0,.3)">'
                f'<b>{html.escape(title)}</b>{rows}{note_html}</div>')
        self.html_json = json.dumps(body, ensure_ascii=False)


def risk_legend(title: str, lang: str = "zh", rule: RiskRule | None = None, dark: bool = False,
                font_px: int = 12, none_color: str | None = None, font_css: str | None = None,
                extra: list[tuple[str, str]] | None = None, note: bool = True) -> Legend:
    """The four-colour risk legend (levels I-IV and "no open cases") stating the rule from
    gridgeo.risk. ``none_color`` is the colour the map really gives areas without open cases
    (the wall draws them dark navy, the map page grey); ``extra`` adds swatches at the end."""
    items = [(RISK_COLORS[level], risk_label(level, lang)) for level in (1, 2, 3, 4)]
    items.append((none_color or RISK_COLORS[0], risk_label(0, lang)))
    items += extra or []
    text = describe_rule(rule, lang) if note else ""
    if none_color and note:  # the rule text says "grey"; say what the map really shows
        text = text.replace("灰色：无在办案件。", "").replace(" Grey: no open cases.", "")
    return Legend(title, items, note=text, dark=dark, font_px=font_px, font_css=font_css, css_class="gg-risk-legend")

