"""The one metric-CRS rule (gridgeo.geo.metric): the setting, else the GK zone of the data.

Every consumer (planner, import, partition, prints) asks the same rule, so a Chengdu atlas at
104°E is measured in its own zone (EPSG:4544, CM 105°E), not in Shenzhen's (EPSG:4547).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from pyproj import CRS
from shapely.geometry import box

from gridgeo.config import Settings
from gridgeo.geo.crs import WGS84
from gridgeo.geo.metric import gk3_zone_epsg, metric_crs_at, metric_crs_of

CHENGDU = (104.07, 30.66)


@pytest.mark.parametrize("lon", [76.2, 104.07, 113.93, 121.47, 126.6])
def test_metric_crs_is_the_nearest_gk_zone(lon):
    epsg = gk3_zone_epsg(lon)
    cm = CRS.from_epsg(epsg).to_dict()["lon_0"]
    assert abs(cm - lon) <= 1.5
    assert CRS.from_epsg(epsg).name.startswith("CGCS2000 / 3-degree Gauss-Kruger CM")


def test_configured_metric_crs_wins():
    frame = gpd.GeoDataFrame(geometry=[box(104.0, 30.6, 104.1, 30.7)], crs=WGS84)
    assert metric_crs_at(104.0, Settings(metric_crs="EPSG:32649")) == "EPSG:32649"
    assert metric_crs_of(frame, Settings(metric_crs="EPSG:32649")) == "EPSG:32649"
    assert metric_crs_at(104.0, Settings()) == "EPSG:4544"
    assert metric_crs_of(frame, Settings()) == "EPSG:4544"


def _chengdu_atoms(n: int = 4, cell_deg: float = 0.01) -> gpd.GeoDataFrame:
    """A lattice of n×n atoms at 104°E in one community, two grids side by side."""
    x0, y0 = CHENGDU
    cells = [box(x0 + i * cell_deg, y0 + j * cell_deg, x0 + (i + 1) * cell_deg, y0 + (j + 1) * cell_deg)
             for i in range(n) for j in range(n)]
    return gpd.GeoDataFrame({
        "atom_id": [f"a{k}" for k in range(n * n)],
        "community_code": "510107001001",
        "households": 100.0, "population": 250.0, "enterprises": 1.0,
        "current_grid": ["510107001001001" if k < n * n // 2 else "510107001001002" for k in range(n * n)],
    }, geometry=cells, crs=WGS84)


def test_a_plan_at_104E_measures_its_grids_in_its_own_zone():
    from gridgeo.plan.figures import grid_figures
    from gridgeo.plan.model import make_plan

    atoms = _chengdu_atoms()
    plan = make_plan(atoms, atoms.set_index("atom_id")["current_grid"])
    assert plan.atoms.metric_crs == "EPSG:4544"
    truth_km2 = plan.grid_shapes().to_crs("EPSG:4544").area.sort_index() / 1e6
    figures = grid_figures(plan)["area_km2"].sort_index()
    assert np.allclose(figures.to_numpy(), truth_km2.to_numpy(), rtol=1e-3)
    # the old fixed zone (CM 114°E) is off by more than the 0.1 % tolerance at 104°E
    wrong_km2 = plan.grid_shapes().to_crs("EPSG:4547").area.sort_index() / 1e6
    assert not np.allclose(wrong_km2.to_numpy(), truth_km2.to_numpy(), rtol=1e-3)
