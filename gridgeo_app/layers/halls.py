"""The halls layer (issue 23): a marker per hall, centre and station of the service network,
sized by its open cases and coloured by the overdue share, with a card (open, overdue, accepted
today, resolved today, median handling time). Figures from :func:`gridgeo.analysis.halls.hall_workload`."""

from __future__ import annotations

import html
import json
import math

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from gridgeo.i18n import t
from gridgeo.palette import HALL_IDLE, HALL_OVERDUE_COLOURS, WHITE
from gridgeo_app.layers.legend import Legend

OVERDUE_COLOURS = HALL_OVERDUE_COLOURS  # overdue share → colour; grey without open cases
IDLE_COLOUR = HALL_IDLE
BASE_RADIUS = {"district": 9.0, "street": 7.0, "community": 5.0, "station": 3.0}
SIZE_EXAMPLES = (0, 10, 40)  # open cases drawn in the legend's size row
OPEN_RADIUS = 1.5  # extra radius (px) per square root of the open cases


def marker_radius(tier: str, open_cases: int, scale: float = 1.0) -> float:
    """The marker radius (px) of a point of ``tier`` with ``open_cases`` open: its tier's base
    size plus a term growing with the square root of the open cases (area ~ cases)."""
    return scale * (BASE_RADIUS.get(tier, 3.0) + OPEN_RADIUS * math.sqrt(max(open_cases, 0)))


LEGEND_PX = 12  # the legend's type on the map page: its circles are drawn 1 em = 12 px, as the markers


class ScaleWithType(MacroElement):
    """Scales the circle markers of its feature group with the type ``font_css`` gives in the
    map's frame (the wall's type follows the screen: on a 4K wall the markers grow with the
    legend whose size circles they match); the base radius stays in the marker's options."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
          var group = {{ this._parent.get_name() }};
          function scale() {
            var probe = document.createElement("div");
            probe.style.fontSize = {{ this.font_css_json }};
            document.body.appendChild(probe);
            var k = parseFloat(getComputedStyle(probe).fontSize) / {{ this.base_px }};
            probe.remove();
            group.eachLayer(function (l) {
              if (l.setRadius) { l.options.ggBase = l.options.ggBase || l.getRadius(); l.setRadius(l.options.ggBase * k); }
            });
          }
          group.on("add", scale);
          if (group._map) { scale(); }
        })();
        {% endmacro %}
    """)

    def __init__(self, font_css: str, base_px: int = LEGEND_PX):
        super().__init__()
        self._name = "ScaleWithType"
        self.font_css_json = json.dumps(font_css)
        self.base_px = int(base_px)


def _size_row(lang: str, scale: float) -> str:
    """The legend's size row: a community hall's circle with 0, 10 and 40 open cases, in em (1 em
    = LEGEND_PX px on the map page), so it scales with the legend's type like the markers."""
    def svg(r: float) -> str:
        side = 2 * r + 2
        return (f'<svg viewBox="0 0 {side:.1f} {side:.1f}" style="width:{side / LEGEND_PX:.3f}em;'
                f'height:{side / LEGEND_PX:.3f}em"><circle cx="{r + 1:.1f}" cy="{r + 1:.1f}" r="{r:.1f}" '
                f'fill="{IDLE_COLOUR}" stroke="{WHITE}" stroke-width="1"/></svg>')
    circles = "".join(
        f'<span style="display:inline-flex;align-items:center;gap:0.25em;margin-right:0.6em">{svg(r)}{n}</span>'
        for n in SIZE_EXAMPLES for r in (marker_radius("community", n, scale),))
    return (f'<div style="margin-top:0.3em">{html.escape(t("hall_legend_size", lang))}</div>'
            f'<div style="display:flex;align-items:center;flex-wrap:wrap">{circles}</div>')


def halls_legend(lang: str, *, dark: bool = False, font_css: str | None = None, scale: float = 1.0,
                 position: str = "bottomleft") -> Legend:
    """The halls layer's legend: the overdue-share colours (and grey: no open case) and the size
    rule (open cases), with a note on the tiers' base sizes."""
    lows = [0.0, *(limit for limit, _ in OVERDUE_COLOURS[:-1])]
    items = []
    for (limit, colour), low in zip(OVERDUE_COLOURS, lows, strict=True):
        label = (t("hall_legend_below", lang).format(pct=f"{limit:.0%}") if low == 0
                 else t("hall_legend_at_least", lang).format(pct=f"{low:.0%}") if math.isinf(limit)
                 else t("hall_legend_between", lang).format(low=f"{low:.0%}", high=f"{limit:.0%}"))
        items.append((colour, label, "circle"))
    items.append((IDLE_COLOUR, t("hall_legend_idle", lang), "circle"))
    return Legend(t("hall_legend_title", lang), items, note=t("hall_legend_note", lang), dark=dark,
                  font_css=font_css, position=position, css_class="gg-halls-legend", rows_html=_size_row(lang, scale))


def overdue_colour(open_cases: int, share: float | None) -> str:
    """The marker colour for a point with ``open_cases`` open and this overdue share."""
    if not open_cases or share is None or pd.isna(share):
        return IDLE_COLOUR
    return next(colour for limit, colour in OVERDUE_COLOURS if share < limit)


def hall_card(name: str, tier: str, row: pd.Series | None, lang: str, font_css: str | None = None) -> str:
    """The popup card of one point (HTML, names escaped); ``font_css`` sizes its type (the wall)."""
    values = row if row is not None else pd.Series(dtype=object)

    def value(key: str) -> str:
        v = values.get(key)
        return "–" if v is None or pd.isna(v) else (f"{v:.1f}" if isinstance(v, float) and key == "median_h"
                                                     else str(int(v)))
    rows = "".join(f"<tr><td>{html.escape(t(label, lang))}</td><td style='text-align:right'>{value(key)}</td></tr>"
                   for key, label in (("open", "hall_open"), ("overdue", "hall_overdue"),
                                      ("accepted_today", "hall_accepted_today"),
                                      ("resolved_today", "hall_resolved_today"), ("median_h", "hall_median_h")))
    style = f" style='font-size:{html.escape(font_css)}'" if font_css else ""
    return (f"<div class='gridgeo-hall-card'{style}><b>{html.escape(str(name))}</b><br>"
            f"<span>{html.escape(t(f'tier_{tier}', lang))}</span><table>{rows}</table></div>")


def halls_layer(points: gpd.GeoDataFrame, workload: pd.DataFrame, lang: str, *, dark: bool = False,
                font_css: str | None = None, scale: float = 1.0) -> folium.FeatureGroup:
    """A feature group with a circle marker per service point (stations first, centres on top)
    and its legend (which comes and goes with the group); ``scale`` enlarges the markers (the
    wall), ``dark``/``font_css`` style the legend for the wall."""
    group = folium.FeatureGroup(name=t("layer_halls", lang), show=True)
    halls_legend(lang, dark=dark, font_css=font_css, scale=scale).add_to(group)
    if font_css:
        ScaleWithType(font_css).add_to(group)
    load = workload.set_index("code") if len(workload) else pd.DataFrame()
    order = points.assign(_rank=points["tier"].map({"station": 0, "community": 1, "street": 2, "district": 3}))
    for row in order.sort_values("_rank").itertuples():
        figures = load.loc[row.code] if row.code in load.index else None
        open_cases = int(figures["open"]) if figures is not None else 0
        share = figures["overdue_share"] if figures is not None else None
        colour = overdue_colour(open_cases, share)
        folium.CircleMarker(
            location=(row.geometry.y, row.geometry.x),
            radius=marker_radius(row.tier, open_cases, scale),
            color=WHITE, weight=1, fill=True, fill_color=colour, fill_opacity=0.9,
            tooltip=html.escape(str(row.name)),
            popup=folium.Popup(hall_card(row.name, row.tier, figures, lang, font_css),
                               max_width=900 if font_css else 260),
        ).add_to(group)
    return group
