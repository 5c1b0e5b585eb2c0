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

from gridgeo.analysis.risk import RiskRule, describe_rule, risk_label
from gridgeo.palette import INK, INK_DARK, RISK_COLORS, SWATCH_BORDER, SWATCH_MARKED

SYMBOLS = ("fill", "outline", "dashed", "circle", "dot", "marked")


def swatch(color: str, kind: str = "fill") -> str:
    """The HTML of one legend symbol (see ``SYMBOLS``)."""
    base = "display:inline-block;margin-right:0.45em;flex:none;"
    styles = {  # in em: a legend scales with its font (the wall's type follows the screen)
        "fill": f"width:1.3em;height:0.95em;background:{color};border:1px solid {SWATCH_BORDER}",
        "marked": f"width:1.3em;height:0.95em;background:{color};border:2px solid {SWATCH_MARKED}",
        "outline": f"width:1.1em;height:0.75em;border:0.22em solid {color}",
        "dashed": f"width:1.1em;height:0.75em;border:0.22em dashed {color}",
        "circle": f"width:0.95em;height:0.95em;border-radius:50%;background:{color};border:2px solid {color};opacity:.85",
        "dot": f"width:0.5em;height:0.5em;border-radius:50%;background:{color};margin-left:0.4em;margin-right:0.85em",
    }
    return f'<span style="{base}{styles.get(kind, styles["fill"])}"></span>'


def legend_row(color: str, label: str, kind: str = "fill") -> str:
    """One legend line: the symbol and its label (bold for a marked item)."""
    text = html.escape(label)
    if kind == "marked":
        text = f"<b>{text}</b>"
    return f'<div style="display:flex;align-items:center;margin:0.15em 0">{swatch(color, kind)}{text}</div>'


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

    def __init__(self, title: str, items: list[tuple], note: str = "", dark: bool = False,
                 position: str = "bottomright", font_px: int = 12, font_css: str | None = None,
                 gradient: tuple[list[str], str, str] | None = None, css_class: str = "", rows_html: str = ""):
        """``items``: (colour, label) or (colour, label, kind) with kind one of ``SYMBOLS``:
        "fill" (a filled swatch, the default), "outline", "dashed", "circle", "dot" or
        "marked" (a filled swatch framed and in bold: e.g. the bins inside the size band).
        ``gradient`` (colours, low label, high label) adds a colour bar; sizes are in em, so a
        legend scales with ``font_css`` (the wall's viewport-relative type). ``rows_html`` (built
        by the caller, text escaped) follows the rows, e.g. a size scale."""
        super().__init__()
        self._name = "Legend"
        self.position = position
        self.css_class = css_class
        size = font_css or f"{font_px}px"
        bg, fg = ("rgba(11,22,38,0.88)", INK_DARK) if dark else ("rgba(255,255,255,0.92)", INK)
        rows = "".join(legend_row(*item) for item in items) + rows_html
        if gradient is not None:
            colors, low, high = gradient
            rows += (f'<div style="display:flex;align-items:center;gap:0.4em;margin:0.2em 0">{html.escape(low)}'
                     f'<span style="display:inline-block;width:8em;height:0.9em;border:1px solid {SWATCH_BORDER};'
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
    gridgeo.analysis.risk. ``none_color`` is the colour the map really gives areas without open cases
    (the wall draws them dark navy, the map page grey); ``extra`` adds swatches at the end."""
    items = [(RISK_COLORS[level], risk_label(level, lang)) for level in (1, 2, 3, 4)]
    items.append((none_color or RISK_COLORS[0], risk_label(0, lang)))
    items += extra or []
    text = describe_rule(rule, lang) if note else ""
    if none_color and note:  # the rule text says "grey"; say what the map really shows
        text = text.replace("灰色：无在办案件。", "").replace(" Grey: no open cases.", "")
    return Legend(title, items, note=text, dark=dark, font_px=font_px, font_css=font_css, css_class="gg-risk-legend")


class HouseholdScale:
    """A sequential palette (ColorBrewer YlGnBu, from branca) over households per grid, with bins
    that meet the size band's bounds, so the band is a set of whole bins the legend can mark."""

    def __init__(self, lo: float, hi: float):
        from branca.colormap import linear

        self.lo, self.hi = float(lo), float(hi)
        mid = (self.lo + self.hi) / 2
        self.edges = [0.0, self.lo * 0.5, self.lo * 0.75, self.lo, mid, self.hi, self.hi * 1.25, self.hi * 1.5]
        colors = linear.YlGnBu_08.colors
        self.colors = ["#" + "".join(f"{round(255 * c):02x}" for c in rgba[:3]) for rgba in colors]

    def bin_of(self, values):
        """The bin index (0..7) of each value."""
        import numpy as np

        v = np.nan_to_num(np.asarray(values, dtype=float))
        out = np.clip(np.searchsorted(self.edges, v, side="right") - 1, 0, len(self.edges) - 1)
        out[np.isclose(v, self.hi)] = self.edges.index(self.hi) - 1  # the band includes its maximum
        return out

    def color(self, values) -> list[str]:
        """The fill colour of each value."""
        return [self.colors[int(b)] for b in self.bin_of(values)]

    def in_band(self, k: int) -> bool:
        """True for the bins inside the band."""
        return self.lo <= self.edges[k] < self.hi

    def items(self, unit: str = "", band_label: str = "") -> list[tuple[str, str, str]]:
        """Legend items, lowest first; the band's bins are marked and labelled with ``band_label``."""
        out = []
        for k, start in enumerate(self.edges):
            end = self.edges[k + 1] if k + 1 < len(self.edges) else None
            text = f"{start:.0f}–{end:.0f}{unit}" if end is not None else f"≥ {start:.0f}{unit}"
            if k == 0:
                text = f"< {end:.0f}{unit}"
            marked = self.in_band(k)
            out.append((self.colors[k], f"{text} {band_label}".strip() if marked else text,
                        "marked" if marked else "fill"))
        return out


def plan_legend_items(lang: str = "zh") -> list[tuple[str, str, str]]:
    """Every colour and symbol of the grid editor's map, with its meaning (catalogue ``pl_legend_*``):
    grid fills, grid outlines by size status (dashed) and the current grid (solid), selected
    atoms, issue circles by severity, basic units."""
    from gridgeo.i18n import t
    from gridgeo.palette import PALETTE, SELECTED_LINE, SEVERITY_COLORS, STATUS_COLORS, UNIT_DOT

    items = [(PALETTE[0], t("pl_legend_fill", lang), "fill")]
    items += [(STATUS_COLORS[k], t(f"pl_legend_{k}", lang), "dashed") for k in ("ok", "under_min", "over_max")]
    items += [(INK, t("pl_legend_focus", lang), "outline"),
              (SELECTED_LINE, t("pl_legend_selected", lang), "outline")]
    items += [(SEVERITY_COLORS[k], t(f"pl_legend_{k}", lang), "circle") for k in ("error", "warning")]
    items.append((UNIT_DOT, t("pl_legend_units", lang), "dot"))
    return items


def plan_legend(lang: str = "zh") -> Legend:
    """The grid editor map's legend as a Leaflet control."""
    from gridgeo.i18n import t

    return Legend(t("legend_title", lang), plan_legend_items(lang), position="bottomright")
