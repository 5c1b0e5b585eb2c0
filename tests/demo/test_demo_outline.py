"""demo-data inside any outline: nesting, exact coverage, code prefixes, and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import shapely

from gridgeo.atlas.load import load_atlas
from gridgeo.atlas.validation import validate_atlas
from gridgeo.demo.outline import OutlineSpec, generate_for_outline
from gridgeo.geo.crs import wgs84_to_gcj02
from gridgeo.geo.metric import gk3_zone_epsg

pytestmark = pytest.mark.slow

CENTRE = (104.07, 30.66)  # Chengdu: another Gauss–Krüger zone than Guangming's


def _outline_wgs84(rx: float = 0.045, ry: float = 0.03) -> shapely.Polygon:
    """A lopsided octagon of about 8 x 6 km around CENTRE (WGS84)."""
    angles = np.linspace(0, 2 * np.pi, 9)[:-1]
    wobble = np.array([1.0, 0.8, 1.1, 0.9, 1.0, 0.7, 1.05, 0.95])
    return shapely.Polygon(np.column_stack([CENTRE[0] + rx * wobble * np.cos(angles),
                                            CENTRE[1] + ry * wobble * np.sin(angles)]))


def _area_m2(gdf) -> np.ndarray:
    return gdf.to_crs(f"EPSG:{gk3_zone_epsg(CENTRE[0])}").area.to_numpy()


def _check_nesting(atlas, child: str, parent: str, key: str, digits: int) -> None:
    kids, parents = getattr(atlas, child), getattr(atlas, parent).set_index("code")
    assert kids[key].isin(parents.index).all()
    assert all(str(c).startswith(str(p)) and len(str(c)) == len(str(p)) + digits
               for c, p in zip(kids["code"], kids[key], strict=True))
    # every parent is tiled by its children: same area, nothing outside (m²)
    child_area = kids.assign(a=_area_m2(kids)).groupby(key)["a"].sum()
    parent_area = dict(zip(parents.index, _area_m2(parents.reset_index()), strict=True))
    for code, area in child_area.items():
        assert abs(area - parent_area[code]) < 1.0 + 1e-7 * parent_area[code]


@pytest.fixture(scope="module")
def city():
    spec = OutlineSpec(code="510100", name="示例市", population=420_000, seed=3)
    return generate_for_outline(_outline_wgs84(0.09, 0.06), spec, outline_source="test")


def test_city_levels_nest_and_tile(city):
    assert len(city.district) >= 2 and set(city.district["code"].str[:4]) == {"5101"}
    _check_nesting(city, "streets", "district", "district_code", 3)
    _check_nesting(city, "communities", "streets", "street_code", 3)
    _check_nesting(city, "grids", "communities", "community_code", 3)
    outline_area = _area_m2(city.district).sum()
    assert abs(_area_m2(city.grids).sum() - outline_area) < 1e-6 * outline_area


def test_city_figures_are_realistic(city):
    assert city.grids["households"].between(300, 500).all()
    assert abs(city.units["population"].sum() - 420_000) < 100
    assert city.meta["synthetic"] and "generated" in city.meta["note"]
    assert set(city.legacy["layer"]) == {"party", "comprehensive", "urban", "epidemic", "enclosure"}


def test_city_passes_validation_in_its_own_zone(city):
    assert [str(p) for p in validate_atlas(city)] == []


def test_cli_reads_a_bare_gcj02_geometry(tmp_path):
    outline = _outline_wgs84()
    lon, lat = wgs84_to_gcj02(*np.asarray(outline.exterior.coords).T)
    src = tmp_path / "510104.geojson"  # cnmaps style: a bare geometry in GCJ-02
    src.write_text(json.dumps({"type": "Polygon", "coordinates": [np.column_stack([lon, lat]).tolist()]}))
    out = tmp_path / "atlas"
    cmd = [sys.executable, "-m", "gridgeo", "demo-data", "--outline", str(src), "--code", "510104",
           "--name", "示例区", "--population", "120000", "--out", str(out)]
    proc = subprocess.run([*cmd[:5], "--code", "510104", "--name", "示例区", "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--crs" in proc.stderr  # a bare geometry declares no CRS
    proc = subprocess.run([*cmd, "--crs", "GCJ02"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    atlas = load_atlas(out)
    assert list(atlas.district["code"]) == ["510104"]
    assert atlas.communities["code"].str.startswith("510104").all()
    # the GCJ-02 outline came back to WGS84: the district sits on the WGS84 outline (< 1 m)
    district = atlas.district.geometry.iloc[0]
    assert shapely.hausdorff_distance(district, outline) < 1e-5


def test_cli_usage_errors(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "gridgeo", "demo-data", "--outline", str(tmp_path / "x.geojson"),
                           "--name", "x", "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "--code" in proc.stderr
