"""A map legend as a Leaflet control: the risk colours, their labels and the rule that sets them."""

from __future__ import annotations

import html

from branca.element import MacroElement
from jinja2 import Template

from gridgeo.risk import RISK_COLORS, RiskRule, describe_rule, risk_label


class Legend(MacroElement):
    """A bottom-left control listing coloured swatches, with an optional note underneath."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
          var legend = L.control({position: "{{ this.position }}"});
          legend.onAdd = function () {
            var div = L.DomUtil.create("div", "gg-legend");
            div.innerHTML = {{ this.html_json }};
            return div;
          };
          legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, title: str, items: list[tuple[str, str]], note: str = "", dark: bool = False,
                 position: str = "bottomright", font_px: int = 12):
        super().__init__()
        import json

        self._name = "Legend"
        self.position = position
        bg, fg = ("rgba(11,22,38,0.88)", "#e8eef7") if dark else ("rgba(255,255,255,0.92)", "#1d2a3a")
        rows = "".join(
            f'<div style="display:flex;align-items:center;margin:2px 0">'
            f'<span style="display:inline-block;width:16px;height:12px;background:{c};'
            f'border:1px solid #666;margin-right:6px"></span>{html.escape(label)}</div>'
            for c, label in items
        )
        note_html = (f'<div style="margin-top:4px;max-width:260px;font-size:{font_px - 1}px;opacity:0.85">'
                     f'{html.escape(note)}</div>') if note else ""
        body = (f'<div style="background:{bg};color:{fg};padding:6px 8px;border-radius:4px;'
                f'font-size:{font_px}px;line-height:1.3;box-shadow:0 1px 4px rgba(0,0,0,.3)">'
                f'<b>{html.escape(title)}</b>{rows}{note_html}</div>')
        self.html_json = json.dumps(body, ensure_ascii=False)


def risk_legend(title: str, lang: str = "zh", rule: RiskRule | None = None, dark: bool = False,
                font_px: int = 12) -> Legend:
    """The four-colour risk legend (levels I-IV and grey) stating the rule from gridgeo.risk."""
    items = [(RISK_COLORS[level], risk_label(level, lang)) for level in (1, 2, 3, 4, 0)]
    return Legend(title, items, note=describe_rule(rule, lang), dark=dark, font_px=font_px)
