"""The risk choropleth: areas coloured on the four-colour scale by gridgeo.analysis.risk."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from gridgeo.palette import AREA_LINE, NO_RISK_COLOR
from gridgeo_app.layers.polygons import area_layer


def risk_layer(
    areas: gpd.GeoDataFrame,
    risk: pd.DataFrame,
    kind: str,
    name: str,
    tooltip_fields: list[str],
    tooltip_aliases: list[str],
    only_at_risk: bool = False,
    show: bool = True,
    opacity: float = 0.65,
) -> folium.FeatureGroup:
    """Colour ``areas`` by the ``risk`` frame from gridgeo.analysis.risk.risk_by_area (joined on code).

    ``only_at_risk`` keeps areas with open cases only (a small layer to push on each refresh
    of the wall display over a base map that already draws every area in grey).
    Tooltip fields may include the risk columns (open_cases, risk_label...).
    """
    risk = risk.drop(columns=[c for c in ("households",) if c in risk.columns])
    overlap = [c for c in risk.columns if c != "code" and c in areas.columns]
    merged = areas.drop(columns=overlap).merge(risk, on="code", how="left")
    merged["risk_level"] = merged["risk_level"].fillna(0).astype(int)
    merged["color"] = merged["color"].fillna(NO_RISK_COLOR)
    if only_at_risk:
        merged = merged[merged["risk_level"] > 0]
    return area_layer(
        merged, kind, name, tooltip_fields, tooltip_aliases, show=show,
        style={"fillOpacityColored": opacity, "color": AREA_LINE, "weight": 0.7}, fill_column="color",
    )
