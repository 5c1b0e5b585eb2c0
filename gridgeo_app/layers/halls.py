"""The halls layer (issue 23): a marker per hall, centre and station of the service network,
sized by its open cases and coloured by the overdue share, with a card (open, overdue, accepted
today, resolved today, median handling time). Figures from :func:`gridgeo.analysis.halls.hall_workload`."""

from __future__ import annotations

import html
import math

import folium
import geopandas as gpd
import pandas as pd

from gridgeo.i18n import t
from gridgeo.palette import HALL_IDLE, HALL_OVERDUE_COLOURS, WHITE

OVERDUE_COLOURS = HALL_OVERDUE_COLOURS  # overdue share → colour; grey without open cases
IDLE_COLOUR = HALL_IDLE
BASE_RADIUS = {"district": 9.0, "street": 7.0, "community": 5.0, "station": 3.0}


def overdue_colour(open_cases: int, share: float | None) -> str:
    """The marker colour for a point with ``open_cases`` open and this overdue share."""
    if not open_cases or share is None or pd.isna(share):
        return IDLE_COLOUR
    return next(colour for limit, colour in OVERDUE_COLOURS if share < limit)


def hall_card(name: str, tier: str, row: pd.Series | None, lang: str) -> str:
    """The popup card of one point (HTML, names escaped)."""
    values = row if row is not None else pd.Series(dtype=object)

    def value(key: str) -> str:
        v = values.get(key)
        return "–" if v is None or pd.isna(v) else (f"{v:.1f}" if isinstance(v, float) and key == "median_h"
                                                     else str(int(v)))
    rows = "".join(f"<tr><td>{html.escape(t(label, lang))}</td><td style='text-align:right'>{value(key)}</td></tr>"
                   for key, label in (("open", "hall_open"), ("overdue", "hall_overdue"),
                                      ("accepted_today", "hall_accepted_today"),
                                      ("resolved_today", "hall_resolved_today"), ("median_h", "hall_median_h")))
    return (f"<div class='gridgeo-hall-card'><b>{html.escape(str(name))}</b><br>"
            f"<span>{html.escape(t(f'tier_{tier}', lang))}</span><table>{rows}</table></div>")


def halls_layer(points: gpd.GeoDataFrame, workload: pd.DataFrame, lang: str) -> folium.FeatureGroup:
    """A feature group with a circle marker per service point (stations first, centres on top)."""
    group = folium.FeatureGroup(name=t("layer_halls", lang), show=True)
    load = workload.set_index("code") if len(workload) else pd.DataFrame()
    order = points.assign(_rank=points["tier"].map({"station": 0, "community": 1, "street": 2, "district": 3}))
    for row in order.sort_values("_rank").itertuples():
        figures = load.loc[row.code] if row.code in load.index else None
        open_cases = int(figures["open"]) if figures is not None else 0
        share = figures["overdue_share"] if figures is not None else None
        colour = overdue_colour(open_cases, share)
        folium.CircleMarker(
            location=(row.geometry.y, row.geometry.x),
            radius=BASE_RADIUS.get(row.tier, 3.0) + 1.5 * math.sqrt(open_cases),
            color=WHITE, weight=1, fill=True, fill_color=colour, fill_opacity=0.9,
            tooltip=html.escape(str(row.name)),
            popup=folium.Popup(hall_card(row.name, row.tier, figures, lang), max_width=260),
        ).add_to(group)
    return group
