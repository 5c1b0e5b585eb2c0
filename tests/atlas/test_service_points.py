"""The service network layer of the atlas (issue 23): the demo's 229 points, halls in their
communities, validation and the store round trip."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from gridgeo.atlas.model import SERVICE_TIERS, Atlas
from gridgeo.atlas.service_points import counts_by_tier
from gridgeo.atlas.validation import validate_atlas
from gridgeo.atlas.validation.network import check_service_points
from gridgeo.demo.service_points import generate_service_points
from gridgeo.geo.metric import to_metric
from gridgeo.store import connect


def test_demo_has_guangmings_229_points_by_tier(default_atlas: Atlas):
    points = default_atlas.service_points
    assert counts_by_tier(points) == {"station": 191, "community": 31, "street": 6, "district": 1}
    assert points["code"].is_unique and set(points["tier"]) == set(SERVICE_TIERS)
    assert points.crs.to_epsg() == 4326 and (points.geom_type == "Point").all()
    # stations stand at basic units where people gather (compounds, villages, parks, markets)
    stations = points[points["tier"] == "station"]
    unit_xy = {(round(x, 7), round(y, 7)) for x, y in zip(default_atlas.units.geometry.x,
                                                           default_atlas.units.geometry.y, strict=True)}
    assert all((round(x, 7), round(y, 7)) in unit_xy for x, y in zip(stations.geometry.x, stations.geometry.y,
                                                                      strict=True))
    assert set(stations["site_kind"]) <= {"compound", "urban_village", "industrial_park", "market"}
    # every community has stations, every street a centre, all serving known territories
    assert set(stations["territory_code"]) == set(default_atlas.communities["code"])
    assert set(points.loc[points["tier"] == "street", "territory_code"]) == set(default_atlas.streets["code"])


def test_every_community_has_exactly_one_hall_inside_it(default_atlas: Atlas):
    halls = to_metric(default_atlas.service_points[default_atlas.service_points["tier"] == "community"])
    communities = to_metric(default_atlas.communities, crs=halls.crs)
    joined = gpd.sjoin(halls, communities[["code", "geometry"]].rename(columns={"code": "inside"}),
                       predicate="within")
    assert (joined["inside"] == joined["territory_code"]).all() and len(joined) == len(halls)
    per_community = halls.groupby("territory_code").size()
    assert sorted(per_community.index) == sorted(communities["code"]) and (per_community == 1).all()


def test_generator_is_deterministic_and_validation_passes(default_atlas: Atlas):
    again = generate_service_points(default_atlas, seed=20241)
    columns = list(again.columns.drop("geometry"))
    assert again[columns].astype(str).values.tolist() == default_atlas.service_points[columns].astype(str).values.tolist()
    assert check_service_points(default_atlas) == []


def test_validation_finds_a_misplaced_hall_and_a_missing_one(default_atlas: Atlas):
    points = default_atlas.service_points.copy()
    halls = points.index[points["tier"] == "community"]
    moved, dropped = halls[0], halls[1]
    other = default_atlas.communities[default_atlas.communities["code"] != points.at[moved, "territory_code"]]
    points.loc[[moved], "geometry"] = gpd.GeoSeries([other.geometry.iloc[0].representative_point()], index=[moved])
    points = points.drop(index=dropped)
    points.loc[points.index[5], "tier"] = "kiosk"
    broken = Atlas(**{**default_atlas.layers(), "service_points": points}, meta={})
    checks = {(p.check, p.feature) for p in check_service_points(broken, "sp.geojson")}
    assert ("hall_outside_community", default_atlas.service_points.at[moved, "code"]) in checks
    assert ("hall_count", default_atlas.service_points.at[dropped, "territory_code"]) in checks
    assert ("service_point_tier", points.at[points.index[5], "code"]) in checks
    assert any(p.check == "hall_count" for p in validate_atlas(broken))


def test_service_points_are_stored_and_loaded_with_the_atlas(tmp_path, default_atlas: Atlas):
    from gridgeo.store.atlases import load_stored_atlas, save_atlas

    store = connect(f"sqlite:///{tmp_path / 'a.sqlite'}")
    small = Atlas(**{k: v.head(30) if k in ("grids", "units", "legacy") else v
                     for k, v in default_atlas.layers().items()},
                  service_points=default_atlas.service_points, meta={})
    save_atlas(store, small, "with-network")
    back = load_stored_atlas(store, "with-network").service_points
    assert len(back) == 229 and list(back["code"]) == list(default_atlas.service_points["code"])
    assert back["territory_code"].map(type).eq(str).all() and back["staff"].dtype.kind in "if"
    assert shapely.equals_exact(back.geometry.values, default_atlas.service_points.geometry.values, 1e-9).all()
    bare = Atlas(**{k: v.head(30) if k in ("grids", "units", "legacy") else v
                    for k, v in default_atlas.layers().items()}, meta={})
    save_atlas(store, bare, "no-network")
    assert len(load_stored_atlas(store, "no-network").service_points) == 0
    store.close()


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "xlsx", "shp"])
def test_service_points_are_exported_with_the_atlas(tmp_path, default_atlas: Atlas, fmt):
    import openpyxl
    import pyogrio

    from gridgeo.atlas.importing.export import export_atlas
    from gridgeo.atlas.load import load_atlas

    small = Atlas(**{k: v.head(20) if k in ("grids", "units", "legacy") else v
                     for k, v in default_atlas.layers().items()},
                  service_points=default_atlas.service_points, meta={})
    files = export_atlas(small, fmt, tmp_path, "gm")
    if fmt == "geojson":
        assert list(load_atlas(tmp_path).service_points["code"]) == list(default_atlas.service_points["code"])
    elif fmt == "gpkg":
        layer = gpd.read_file(files[0], layer="service_points", engine="pyogrio")
        assert len(layer) == 229 and "service_points" in {n for n, _ in pyogrio.list_layers(files[0])}
    elif fmt == "xlsx":
        sheet = openpyxl.load_workbook(files[0])["服务网点"]
        header = [c.value for c in sheet[1]]
        assert header[:4] == ["编码", "名称", "层级", "辖区编码"] and "经度" in header and sheet.max_row == 230
    else:
        shp = gpd.read_file(tmp_path / "service_points.shp", engine="pyogrio", encoding="GBK")
        assert len(shp) == 229 and "辖区编码" in shp.columns and shp["名称"].str.endswith(("中心", "服务站")).all()
