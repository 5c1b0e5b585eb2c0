"""The Atlas data model and atlas loading."""

from __future__ import annotations

import shutil

import pytest

from gridgeo.atlas.load import DEFAULT_DATA_DIR, load_atlas
from gridgeo.atlas.model import LEGACY_LAYERS, REQUIRED_COLUMNS, Atlas
from gridgeo.errors import InputError
from gridgeo.geo.metric import area_m2


def test_atlas_layers_are_wgs84_with_required_columns(default_atlas: Atlas):
    for name, gdf in default_atlas.layers().items():
        assert gdf.crs.to_epsg() == 4326, name
        assert set(REQUIRED_COLUMNS[name]) <= set(gdf.columns), name
    assert default_atlas.district_code == "440311"


def test_legacy_layer_selects_one_department(default_atlas: Atlas):
    party = default_atlas.legacy_layer("party")
    assert len(party) == 418 and (party["layer"] == "party").all()
    assert set(default_atlas.legacy["layer"]) <= set(LEGACY_LAYERS)


def test_grid_attributes_sum_to_community_and_district_totals(default_atlas: Atlas):
    grids, units = default_atlas.grids, default_atlas.units
    assert grids["households"].sum() == units["households"].sum()
    assert grids["population"].sum() == units["population"].sum()
    by_community = grids.groupby("community_code")["population"].sum()
    assert by_community.sum() == units["population"].sum()
    assert grids["grid_worker"].str.len().min() >= 2 and grids["party_branch"].str.endswith("党支部").all()


def test_area_is_metric(default_atlas: Atlas):
    km2 = area_m2(default_atlas.district).iloc[0] / 1e6
    assert 140 < km2 < 170  # Guangming is about 156 km²


def test_missing_layer_is_a_clear_error(tmp_path):
    for path in DEFAULT_DATA_DIR.glob("*.geojson"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "units.geojson").unlink()
    with pytest.raises(InputError, match=r"units\.geojson: missing atlas layer 'units'"):
        load_atlas(tmp_path)
