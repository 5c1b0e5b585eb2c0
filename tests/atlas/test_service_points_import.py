"""Importing an office's service-point register (issue 23): Chinese field names, tiers in Chinese,
territories by name or code, GCJ-02 positions, the layer's validation and the export round trip."""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from office_district import make_office_set  # noqa: E402

from gridgeo.atlas.importing import import_atlas  # noqa: E402
from gridgeo.atlas.importing.export import export_atlas  # noqa: E402
from gridgeo.atlas.importing.service_points import tier_slug  # noqa: E402
from gridgeo.atlas.service_points import counts_by_tier  # noqa: E402
from gridgeo.cli import main  # noqa: E402
from gridgeo.geo.crs import wgs84_to_gcj02  # noqa: E402


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    return make_office_set(tmp_path_factory.mktemp("office"))


@pytest.fixture(scope="module")
def communities(office) -> gpd.GeoDataFrame:
    return import_atlas({"communities": office.communities}, name="x").atlas.communities


def _register(communities: gpd.GeoDataFrame, outside: str | None = None) -> pd.DataFrame:
    """An office's register: 1 district centre, 2 street centres, a hall and 2 stations per
    community; halls named by their community's NAME, stations by its code; 经度/纬度 in GCJ-02.
    ``outside``: the community whose hall is placed in its neighbour."""
    rows = [("FW510199", "光华区综治中心", "区综治中心", None, "510199", communities.union_all().representative_point())]
    for street, name in (("510199001", "蓉南街道"), ("510199002", "锦河街道")):
        inside = communities[communities["street_code"] == street].union_all().representative_point()
        rows.append((f"FW{street}", f"{name}综治中心", "街道综治中心", name, None, inside))
    for i, c in enumerate(communities.itertuples()):
        hall = c.geometry.representative_point()
        if c.code == outside:
            hall = communities.geometry.iloc[(i + 1) % len(communities)].representative_point()
        rows.append((f"FW{c.code}", f"{c.name}党群服务中心", "社区党群服务中心", c.name, None, hall))
        for k in (1, 2):
            spot = c.geometry.buffer(-0.001 * k).representative_point()
            rows.append((f"FW{c.code}S{k:02d}", f"{c.name}第{k}党群服务站", "党群服务站", None, c.code, spot))
    lon, lat = wgs84_to_gcj02(np.array([r[5].x for r in rows]), np.array([r[5].y for r in rows]))
    return pd.DataFrame({"网点编码": [r[0] for r in rows], "网点名称": [r[1] for r in rows],
                         "网点类型": [r[2] for r in rows], "所属辖区": [r[3] for r in rows],
                         "辖区编码": [r[4] for r in rows], "详细地址": [f"{r[1]}所在地" for r in rows],
                         "值守人员": ["2名专职"] * len(rows), "开放时间": ["周一至周五 9:00-18:00"] * len(rows),
                         "经度": np.round(lon, 7), "纬度": np.round(lat, 7)})


def test_tier_words():
    assert [tier_slug(w) for w in ("党群服务站", "社区党群服务中心", "街道综治中心", "区综治中心", "station", "办公室")] == [
        "station", "community", "street", "district", "station", None]


def test_office_register_imports_with_chinese_fields_and_gcj02(tmp_path, office, communities):
    path = tmp_path / "服务网点.xlsx"
    _register(communities).to_excel(path, sheet_name="服务网点", index=False)
    result = import_atlas({"communities": office.communities, "service_points": path}, name="x",
                          crs={"service_points": "GCJ02"})
    assert result.ok, [str(p) for p in result.errors]
    points = result.atlas.service_points
    assert counts_by_tier(points) == {"station": 12, "community": 6, "street": 2, "district": 1}
    assert result.mappings["service_points"]["网点类型"] == "tier" and result.mappings["service_points"]["值守人员"] == "staff"
    hall = points.set_index("code").loc["FW510199001002"]
    assert hall["territory_code"] == "510199001002" and hall["opening_hours"].startswith("周一")
    truth = communities.set_index("code").geometry["510199001002"].representative_point()
    assert abs(hall.geometry.x - truth.x) < 1e-6 and abs(hall.geometry.y - truth.y) < 1e-6  # GCJ-02 undone
    assert points.set_index("code").loc["FW510199002", "territory_code"] == "510199002"
    export_atlas(result.atlas, "xlsx", tmp_path / "out", "x")  # the export imports back as the same layer
    back = import_atlas({"communities": office.communities, "service_points": tmp_path / "out" / "x.xlsx"}, name="y")
    assert back.ok and list(back.atlas.service_points["code"]) == list(points["code"])
    assert list(back.atlas.service_points["tier"]) == list(points["tier"])


def test_hall_outside_its_community_is_named_and_nothing_stored(tmp_path, office, communities, capsys):
    path = tmp_path / "社区党群服务中心.xlsx"
    table = _register(communities, outside="510199001002")
    table["经度"] = table["经度"].astype(object)
    table.loc[len(table) - 1, "经度"] = "约104"  # a dirty cell: a problem naming the station
    table.to_excel(path, index=False)
    code = main(["atlas", "import", "--name", "chengdu", "--communities", str(office.communities),
                 "--service-points", str(path), "--crs", "service_points=GCJ02", "--quiet",
                 "--database", f"sqlite:///{tmp_path / 's.db'}"])
    out = capsys.readouterr().out
    assert code == 1
    line = next(x for x in out.splitlines() if "FW510199001002" in x)
    assert "锦华社区党群服务中心" in line and "outside its community 510199001002 锦华社区" in line
    assert "FW510199002003S02" in out and "约104" in out
