"""folium layer builders: offline assets, polygons, risk colours, event layers, legend, basemaps."""

from __future__ import annotations

import json
import os
import re

import folium
import folium.plugins as plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from gridgeo.analysis.risk import RISK_COLORS, RiskRule, describe_rule, risk_by_area
from gridgeo.geo.crs import gcj02_to_wgs84
from gridgeo_app.layers import (
    area_layer,
    base_map,
    district_outline,
    heat_layer,
    label_layer,
    layer_control,
    marker_cluster_layer,
    risk_layer,
    risk_legend,
    shift_for_basemap,
    use_local_assets,
)
from gridgeo_app.layers.assets import (
    LOCAL_FILES,
    PATCHED_CLASSES,
    VENDOR_DIR,
    missing_assets,
    remote_resources,
)
from gridgeo_app.layers.events import LEVEL_WEIGHTS


@pytest.fixture(scope="module", autouse=True)
def _local_assets():
    use_local_assets()


@pytest.fixture()
def grids() -> gpd.GeoDataFrame:
    """Four 0.01-degree grids in Guangming in a 2 x 2 block, with households."""
    geoms = [box(113.90 + 0.01 * i, 22.75 + 0.01 * j, 113.91 + 0.01 * i, 22.76 + 0.01 * j)
             for j in range(2) for i in range(2)]
    return gpd.GeoDataFrame({
        "code": [f"44031100100100{k}" for k in range(1, 5)],
        "name": [f"网格{k}" for k in range(1, 5)],
        "households": [400, 300, 500, 350],
    }, geometry=geoms, crs="EPSG:4326")


@pytest.fixture()
def events(grids) -> pd.DataFrame:
    c = grids.geometry.representative_point()
    return pd.DataFrame({
        "lon": [c.iloc[0].x, c.iloc[0].x, c.iloc[1].x, c.iloc[3].x],
        "lat": [c.iloc[0].y, c.iloc[0].y, c.iloc[1].y, c.iloc[3].y],
        "level": [1, 3, 4, 2],
        "status": ["reported", "accepted", "resolved", "escalated"],
        "grid_code": [grids["code"].iloc[i] for i in (0, 0, 1, 3)],
        "category": ["labour", "property", "other", "land"],
    })


def _geojson_features(group: folium.FeatureGroup) -> list[dict]:
    gj = next(ch for ch in group._children.values() if isinstance(ch, folium.GeoJson))
    return gj.data["features"]


def _full_map(grids, events) -> folium.Map:
    m = base_map(tuple(grids.total_bounds))
    district_outline(grids.dissolve()).add_to(m)
    area_layer(grids, "grids", "grids", ["name", "code"], ["名称", "编码"]).add_to(m)
    risk_layer(grids, risk_by_area(events, grids, "grid"), "grids", "risk", ["name"], ["名称"]).add_to(m)
    heat_layer(events, "heat").add_to(m)
    marker_cluster_layer(events, "markers", ["category"], ["类别"]).add_to(m)
    label_layer(grids, "grids", "labels").add_to(m)
    risk_legend("图例").add_to(m)
    plugins.Fullscreen().add_to(m)
    plugins.Draw().add_to(m)
    layer_control().add_to(m)
    return m


def test_every_script_and_stylesheet_is_served_locally(grids, events):
    m = _full_map(grids, events)
    html = m.get_root().render()
    assert remote_resources(m) == []
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, "the page loads no script at all?"
    assert all(u.startswith("/app/static/vendor/") for u in urls), [u for u in urls if "://" in u]
    assert "://" not in "".join(re.findall(r"<script[^>]*src=[^>]*>", html))
    for cls in PATCHED_CLASSES:
        for _name, url in list(cls.default_js) + list(cls.default_css):
            assert url.startswith("/app/static/vendor/")


def test_vendored_files_exist_with_licences():
    if missing_assets() and not os.environ.get("GRIDGEO_REQUIRE_BROWSER"):
        pytest.skip("static/vendor not set up (run `make vendor`)")
    assert missing_assets() == []
    for rel in {p.split("/")[0] for p in LOCAL_FILES.values() if p}:
        pkg = VENDOR_DIR / rel
        licences = [p for p in pkg.iterdir() if "LICEN" in p.name.upper()]
        declared = json.loads((pkg / "package.json").read_text(encoding="utf-8")).get("license")
        assert licences or declared, f"no licence for {rel}"


def test_area_layer_has_one_feature_per_polygon_and_tooltip_fields(grids):
    group = area_layer(grids, "grids", "网格", ["name", "code", "households", "missing"],
                       ["名称", "编码", "户数", "无"])
    feats = _geojson_features(group)
    assert len(feats) == len(grids)
    assert {f["properties"]["code"] for f in feats} == set(grids["code"])
    gj = next(ch for ch in group._children.values() if isinstance(ch, folium.GeoJson))
    tooltip = next(ch for ch in gj._children.values() if isinstance(ch, folium.GeoJsonTooltip))
    assert tooltip.fields == ["name", "code", "households"]
    assert tooltip.aliases == ["名称", "编码", "户数"]


def test_risk_layer_colours_follow_the_rule_and_can_keep_only_areas_at_risk(grids, events):
    risk = risk_by_area(events, grids, "grid", RiskRule(raise_thresholds=(100.0,)))
    feats = _geojson_features(risk_layer(grids, risk, "grids", "risk", ["name"], ["名称"]))
    fill = {f["properties"]["code"]: f["properties"]["_fill"] for f in feats}
    codes = list(grids["code"])
    assert fill[codes[0]] == RISK_COLORS[1]      # open level 1 and 3: the most severe wins
    assert fill[codes[1]] == RISK_COLORS[0]      # only a resolved case: grey
    assert fill[codes[2]] == RISK_COLORS[0]      # nothing
    assert fill[codes[3]] == RISK_COLORS[2]      # escalated level 2 is open
    only = _geojson_features(risk_layer(grids, risk, "grids", "risk", ["name"], ["名称"], only_at_risk=True))
    assert sorted(f["properties"]["code"] for f in only) == [codes[0], codes[3]]


def test_heat_weights_by_level_and_markers_carry_popups(grids, events):
    heat = next(ch for ch in heat_layer(events, "heat")._children.values() if isinstance(ch, plugins.HeatMap))
    assert [row[2] for row in heat.data] == [LEVEL_WEIGHTS[v] for v in events["level"]]
    cluster = next(ch for ch in marker_cluster_layer(events, "m", ["category"], ["类别"])._children.values()
                   if isinstance(ch, plugins.FastMarkerCluster))
    assert len(cluster.data) == len(events)
    assert [row[2] for row in cluster.data] == list(events["level"])
    # popups are built in the browser from per-column value tables; row[3] indexes the category table
    assert "labour" in cluster.callback and RISK_COLORS[1] in cluster.callback
    cats = sorted(events["category"])
    assert [cats[row[3]] for row in cluster.data] == list(events["category"])
    assert len(heat_layer(events.iloc[0:0], "empty")._children) == 0


def test_labels_one_per_area_with_zoom_class(grids):
    group = label_layer(grids, "grids", "labels", min_zoom=14)
    markers = [ch for ch in group._children.values() if isinstance(ch, folium.Marker)]
    assert len(markers) == len(grids)
    html = folium.Map().add_child(group).get_root().render()
    assert html.count("gg-min-14") >= len(grids)
    assert "网格3" in html or json.dumps("网格3")[1:-1] in html


def test_legend_states_the_rule(grids, events):
    rule = RiskRule(raise_thresholds=(4.0, 9.0), min_open_cases=2)
    m = folium.Map(tiles=None)
    risk_legend("图例", "zh", rule).add_to(m)
    html = m.get_root().render()
    for level_text in ("红色 I 级", "橙色 II 级", "黄色 III 级", "蓝色 IV 级", "无在办案件"):
        assert level_text in html
    assert json.dumps(describe_rule(rule, "zh"), ensure_ascii=False)[1:-1] in html
    assert "4、9" in html


def test_offline_basemap_has_no_tiles_and_a_scale_bar(grids):
    m = base_map(tuple(grids.total_bounds))
    html = m.get_root().render()
    assert "tileLayer" not in html and "control.scale" in html
    osm = base_map(tuple(grids.total_bounds), basemap="osm").get_root().render()
    assert "tile.openstreetmap.org" in osm


def test_gcj02_basemap_shifts_polygons_and_wgs84_basemaps_do_not(grids):
    assert shift_for_basemap(grids, "osm").geometry.equals(grids.geometry)
    assert shift_for_basemap(grids, "offline").geometry.equals(grids.geometry)
    shifted = shift_for_basemap(grids, "amap")
    metres = np.asarray(shifted.to_crs(4547).centroid.distance(grids.to_crs(4547).centroid))
    assert np.all((metres > 200) & (metres < 800))        # GCJ-02 offsets in Shenzhen: a few hundred m
    x, y = shifted.geometry.iloc[0].exterior.xy
    back_x, back_y = gcj02_to_wgs84(np.array(x), np.array(y))
    ox, oy = grids.geometry.iloc[0].exterior.xy
    assert np.allclose(back_x, ox, atol=1e-8) and np.allclose(back_y, oy, atol=1e-8)


def test_default_atlas_map_renders_every_grid(default_atlas):
    grids = default_atlas.grids
    m = base_map(tuple(default_atlas.district.total_bounds))
    group = area_layer(grids, "grids", "网格", ["name", "code"], ["名称", "编码"])
    group.add_to(m)
    assert len(_geojson_features(group)) == len(grids)
    assert remote_resources(m) == []


def _vendor_module():
    import importlib.util

    path = VENDOR_DIR.parents[1] / "scripts" / "vendor_assets.py"
    spec = importlib.util.spec_from_file_location("vendor_assets", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vendoring_is_idempotent_and_needs_no_network_once_done(monkeypatch, capsys):
    if missing_assets():
        pytest.skip("static/vendor not set up (run `make vendor`)")
    module = _vendor_module()
    monkeypatch.setenv("PATH", "/nonexistent")  # no npm at all: must not be needed
    assert module.main([]) == 0
    assert capsys.readouterr().err == ""


def test_vendoring_without_registry_fails_with_one_line(monkeypatch, tmp_path, capsys):
    module = _vendor_module()
    monkeypatch.setattr(module, "VENDOR_DIR", tmp_path / "vendor")
    monkeypatch.setenv("PATH", "/nonexistent")
    assert module.main([]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "make setup" in err[0]
    assert not any((tmp_path / "vendor").glob("*/.vendored"))  # nothing half-done is marked complete
