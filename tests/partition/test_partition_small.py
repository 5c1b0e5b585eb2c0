"""Partition on hand-made cases with known answers: keep, split, merge, infeasible, guarantees."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from partition_cases import COMMUNITY, X0, Y0, box, ring_case, strip_case, two_community_case
from sklearn.metrics import adjusted_rand_score

from gridgeo.errors import InputError, UsageError
from gridgeo.geo.metric import to_metric
from gridgeo.partition import PartitionInputs, PartitionOptions, propose_grids, run_partition
from gridgeo.partition.scoring import polsby_popper, weighted_ari


@pytest.fixture(scope="module")
def strip():
    case = strip_case()
    res = run_partition(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                        PartitionOptions(300, 500, primary_layer="party"))
    return case, res


def _metric_grids(res):
    return to_metric(res.grids)


def _grids_over(grids_m, geom_m, min_share=0.5):
    """Grids (metric) with more than ``min_share`` of their area inside ``geom_m``."""
    inter = shapely.area(shapely.intersection(grids_m.geometry.values, geom_m))
    return grids_m[inter > min_share * grids_m.area.to_numpy()]


def test_legacy_grid_within_bounds_stays_whole(strip):
    _, res = strip
    grids = _metric_grids(res)
    a = box(0, 0, 300, 400)
    hit = _grids_over(grids, a)
    assert len(hit) == 1
    assert shapely.area(shapely.symmetric_difference(hit.geometry.iloc[0], a)) < 1.0
    assert hit["households"].iloc[0] == 400
    assert hit["change"].iloc[0] == "kept"


def test_oversized_grid_is_split_within_bounds(strip):
    _, res = strip
    grids = _metric_grids(res)
    b = box(300, 0, 900, 400)
    parts = _grids_over(grids, b)
    assert len(parts) == 3
    assert sorted(parts["households"]) == [400, 400, 400]
    assert all(shapely.area(shapely.difference(g, b)) < 1.0 for g in parts.geometry)
    assert set(parts["change"]) == {"split"}


def test_two_tiny_neighbours_merge(strip):
    _, res = strip
    grids = _metric_grids(res)
    cd = box(900, 0, 1200, 400)
    hit = _grids_over(grids, cd)
    assert len(hit) == 1
    assert hit["households"].iloc[0] == 350
    assert shapely.area(shapely.symmetric_difference(hit.geometry.iloc[0], cd)) < 1.0
    assert hit["change"].iloc[0] == "merged"


def test_strip_guarantees(strip):
    case, res = strip
    grids = _metric_grids(res)
    assert len(grids) == 5
    assert (grids["size_status"] == "ok").all()
    assert res.metrics["share_within_bounds"] == 1.0
    comm = to_metric(case["communities"]).geometry.iloc[0]
    union = shapely.union_all(grids.geometry.values)
    assert shapely.area(shapely.symmetric_difference(union, comm)) < 1.0
    assert sum(grids.area) == pytest.approx(comm.area, abs=1.0)  # no overlaps
    assert (shapely.get_type_id(grids.geometry.values) == 3).all()  # one Polygon each
    assert grids["households"].sum() == case["units"]["households"].sum()
    assert grids["population"].sum() == case["units"]["population"].sum()


def test_codes_15_digits_west_to_east(strip):
    _, res = strip
    grids = _metric_grids(res)
    assert all(len(c) == 15 and c.startswith(COMMUNITY) for c in grids["code"])
    by_x = grids.assign(x=grids.geometry.centroid.x).sort_values("x")
    assert list(by_x["code"]) == [f"{COMMUNITY}{i:03d}" for i in range(1, 6)]


def test_codes_stable_when_grid_unchanged(strip):
    case, res = strip
    previous = res.grids.copy()
    # pretend an earlier run numbered the west grid 007 and a grid that no longer exists 001
    west = to_metric(previous).geometry.centroid.x.idxmin()
    previous.loc[west, "code"] = f"{COMMUNITY}007"
    again = run_partition(PartitionInputs(case["communities"], case["legacy"], case["units"],
                                          previous=previous),
                          PartitionOptions(300, 500, primary_layer="party")).grids
    again_m = to_metric(again)
    west_code = again_m.loc[again_m.geometry.centroid.x.idxmin(), "code"]
    assert west_code == f"{COMMUNITY}007"
    assert again["code"].is_unique


def test_crosswalk_outcomes(strip):
    _, res = strip
    cw = res.crosswalk
    party = cw[cw["layer"] == "party"]
    outcome = party.drop_duplicates("legacy_code").set_index("legacy_code")["outcome"]
    assert outcome.to_dict() == {"A": "kept", "B": "split", "C": "merged", "D": "merged"}
    b = party[party["legacy_code"] == "B"]
    assert len(b) == 3
    assert b["area_share"].sum() == pytest.approx(1.0, abs=1e-3)
    assert b["household_share"].sum() == pytest.approx(1.0, abs=1e-3)


def test_same_seed_same_output(strip):
    case, res = strip
    again = run_partition(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                          PartitionOptions(300, 500, primary_layer="party"))
    pd.testing.assert_frame_equal(pd.DataFrame(res.grids.drop(columns="geometry")),
                                  pd.DataFrame(again.grids.drop(columns="geometry")))
    assert all(a.equals(b) for a, b in zip(res.grids.geometry, again.grids.geometry, strict=True))


def test_atom_above_max_is_reported_not_hidden():
    # a single compound of 700 households in A: no grid can hold it within 300-500
    case = strip_case(extra_units=[(150, 50, 700)])
    grids, _, metrics = propose_grids(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                                      PartitionOptions(300, 500, primary_layer="party"))
    bad = grids[grids["size_status"] != "ok"]
    assert len(bad) >= 1
    assert "atom_over_max" in set(bad["reason_code"])
    assert all(bad["reason"].str.len() > 0)
    assert {row["code"] for row in metrics["infeasible"]} == set(bad["code"])
    assert grids["households"].sum() == case["units"]["households"].sum()


def test_community_below_min_and_border_crossing_legacy():
    case = two_community_case()
    grids, cw, metrics = propose_grids(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                                       PartitionOptions(300, 500))
    grids_m = to_metric(grids)
    comms = to_metric(case["communities"]).set_index("code")
    assert sorted(grids["community"]) == ["440311001001", "440311001002"]
    for _, g in grids_m.iterrows():  # each grid inside its own community
        assert shapely.area(shapely.difference(g.geometry, comms.loc[g["community"]].geometry)) < 1.0
        assert g["code"].startswith(g["community"])
    west = grids.set_index("community").loc["440311001001"]
    east = grids.set_index("community").loc["440311001002"]
    assert west["households"] == 420 and west["size_status"] == "ok"
    assert east["households"] == 120 and east["size_status"] == "under_min"
    assert east["reason_code"] == "community_under_min"
    # the legacy grid L2 crossing the border went to both communities' grids
    l2 = cw[cw["legacy_code"] == "L2"]
    assert len(l2) == 2 and set(l2["outcome"]) == {"split"}


def test_weighted_ari_equals_sklearn_on_expanded_households():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 4, 30)
    b = rng.integers(0, 5, 30)
    w = rng.integers(0, 6, 30)
    expanded_a = np.repeat(a, w)
    expanded_b = np.repeat(b, w)
    assert weighted_ari(a, b, w) == pytest.approx(adjusted_rand_score(expanded_a, expanded_b), abs=1e-12)


def test_polsby_popper_of_square_and_disc():
    sq = shapely.box(0, 0, 10, 10)
    disc = shapely.Point(0, 0).buffer(10, quad_segs=256)
    pp = polsby_popper(np.array([sq, disc]))
    assert pp[0] == pytest.approx(np.pi / 4)
    assert pp[1] == pytest.approx(1.0, abs=1e-3)


def test_overlapping_layer_is_repaired_with_maup_and_reported():
    case = strip_case()
    legacy = to_metric(case["legacy"])
    # grow party grid A 20 m into B: a 20 x 400 m overlap (8000 m2), far above the sliver tolerance
    idx = legacy.index[(legacy["layer"] == "party") & (legacy["code"] == "A")][0]
    legacy.loc[idx, "geometry"] = box(0, 0, 320, 400)
    legacy = legacy.to_crs(case["legacy"].crs)
    grids, _, metrics = propose_grids(PartitionInputs(case["communities"], legacy, case["units"]),
                                      PartitionOptions(300, 500, primary_layer="party"))
    info = metrics["refinement"]["layers"]["party"]
    assert info["overlap_m2"] == pytest.approx(8000, rel=0.01)
    assert info["repaired"] is True and "smart_repair" in info["method"]
    assert info["overlap_m2_after"] < 1.0
    assert grids["households"].sum() == case["units"]["households"].sum()
    assert (grids["size_status"] == "ok").all()


def test_area_weighted_fallback_where_a_community_has_no_units():
    case = two_community_case()
    legacy = case["legacy"].copy()
    legacy["households"] = [300.0, 400.0, 200.0]
    units = case["units"].iloc[:2]  # only the west community has units
    res = run_partition(PartitionInputs(case["communities"], legacy, units), PartitionOptions(100, 500))
    atoms = res.atoms
    east = atoms[atoms["community"] == "440311001002"]
    assert set(east["count_method"]) == {"area:party"}
    # east holds 200 of L2's 300 m width (L2 spans x 300-600) and all of L3
    assert east["households"].sum() == pytest.approx(400 * 200 / 300 + 200, rel=1e-6)
    assert set(atoms.loc[atoms["community"] == "440311001001", "count_method"]) == {"units"}


def test_bad_inputs_raise_one_line_errors():
    case = strip_case()
    with pytest.raises(UsageError, match="min-households"):
        propose_grids(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                      PartitionOptions(500, 300))
    with pytest.raises(UsageError, match="min-population"):  # an inverted band used to run forever
        propose_grids(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                      PartitionOptions(300, 500, min_population=500, max_population=100))
    with pytest.raises(InputError, match="legacy: missing field"):
        propose_grids(PartitionInputs(case["communities"], case["legacy"].drop(columns="layer"),
                                      case["units"]),
                      PartitionOptions(300, 500))
    with pytest.raises(UsageError, match="primary-layer"):
        propose_grids(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                      PartitionOptions(300, 500, primary_layer="nope"))
    bad_units = case["units"].copy()
    bad_units.loc[0, "households"] = -5
    with pytest.raises(InputError, match="households"):
        propose_grids(PartitionInputs(case["communities"], case["legacy"], bad_units),
                      PartitionOptions(300, 500))


def test_layers_option_restricts_layers():
    case = strip_case()
    _, _, metrics = propose_grids(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                                  PartitionOptions(300, 500, layers=["party"]))
    assert metrics["layers"] == ["party"]
    assert list(metrics["preservation"]) == ["party"]


def test_population_band_is_met_when_feasible():
    # population = 3 x households, so <= 1100 people means <= 366 households: 1950 households fit
    # only as grids of 300-366 (e.g. six of ~325); without the population band A, B's parts have 400
    case = strip_case()
    grids, _, metrics = propose_grids(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                                      PartitionOptions(300, 500, primary_layer="party", min_population=0,
                                                       max_population=1100))
    assert (grids["population"] <= 1100).all() and grids["households"].between(300, 500).all()
    assert (grids["population_status"] == "ok").all() and grids["within_bounds"].all()
    assert metrics["share_within_bounds"] == 1.0
    assert grids["population"].sum() == case["units"]["population"].sum()


def test_population_band_infeasible_is_reported():
    # <= 800 people means <= 266 households: no grid can also hold >= 300 households
    case = strip_case()
    grids, _, metrics = propose_grids(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                                      PartitionOptions(300, 500, primary_layer="party", min_population=0,
                                                       max_population=800))
    bad = grids[~grids["within_bounds"]]
    assert len(bad) == len(grids)
    assert (bad["reason_code"] != "").all() and (bad["reason"].str.len() > 10).all()
    assert {r["code"] for r in metrics["infeasible"]} == set(grids["code"])
    assert metrics["share_within_bounds"] == 0.0


def test_parallel_jobs_give_the_same_grids():
    case = two_community_case()
    one = run_partition(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                        PartitionOptions(300, 500, n_jobs=1)).grids
    two = run_partition(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                        PartitionOptions(300, 500, n_jobs=2)).grids
    pd.testing.assert_frame_equal(pd.DataFrame(one.drop(columns="geometry")),
                                  pd.DataFrame(two.drop(columns="geometry")))


def test_polygon_units_split_by_area_and_stray_points_snapped():
    case = strip_case()
    units = to_metric(case["units"])
    # a compound drawn as an area over x 250-350 (half in A, half in B): 100 households, 50/50
    poly = gpd_row(units, "poly", box(250, 150, 350, 250), 100)
    # a point 3 m outside the community (south of A) that names it: snapped to the nearest atom
    stray = gpd_row(units, "stray", shapely.Point(X0 + 150, Y0 - 3), 40)
    units = pd.concat([units, poly, stray], ignore_index=True).set_crs(units.crs, allow_override=True)
    res = run_partition(PartitionInputs(case["communities"], case["legacy"], units.to_crs(case["units"].crs)),
                        PartitionOptions(300, 500, primary_layer="party"))
    atoms = to_metric(res.atoms)
    assert res.metrics["apportion"]["polygon_units"] == 1
    assert res.metrics["apportion"]["snapped_units"] == 1
    assert atoms["households"].sum() == pytest.approx(1950 + 100 + 40)
    in_a = atoms[atoms["legacy_party"] == "A"]["households"].sum()
    assert in_a == pytest.approx(400 + 50 + 40)


def gpd_row(like, code, geom, households):
    import geopandas as gpd

    return gpd.GeoDataFrame({"code": [code], "name": [code], "kind": ["compound"], "households": [households],
                             "population": [households * 3], "enterprises": [0], "community_code": [COMMUNITY]},
                            geometry=[geom], crs=like.crs)


def test_primary_grids_already_in_band_are_accounted(strip):
    _, res = strip
    fit = res.metrics["preservation"]["party"]["already_in_band"]
    assert fit == {"legacy_grids": 1, "kept": 1}  # A (400 households) is the one that fits


def _holes(res) -> list[int]:
    return [int(n) for n in shapely.get_num_interior_rings(to_metric(res.grids).geometry.values)]


def test_ring_around_a_grid_is_opened():
    # the legacy ring R (400) around the centre C (300) both fit the band: kept whole, R encloses C
    case = ring_case()
    res = run_partition(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                        PartitionOptions(300, 500, primary_layer="party"))
    grids = res.grids
    assert _holes(res) == [0] * len(grids)
    assert res.metrics["enclaves"] == []
    assert (shapely.get_type_id(to_metric(grids).geometry.values) == 3).all()
    assert grids["within_bounds"].all() and sorted(grids["households"]) == [350, 350]
    assert grids["households"].sum() == 700
    centre = box(100, 100, 200, 200)
    holder = _grids_over(to_metric(grids), centre, 0.0)
    assert len(holder) == 1 and holder.iloc[0]["households"] == 350  # the centre got a corridor out
    again = run_partition(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                          PartitionOptions(300, 500, primary_layer="party"))
    assert again.grids["code"].tolist() == grids["code"].tolist()
    assert shapely.equals_exact(again.grids.geometry.values, grids.geometry.values, 0).all()


def test_enclave_the_band_forbids_opening_is_reported():
    # 480 around 480 in a band of 450-500: any corridor leaves one grid outside, a merge is 960
    case = ring_case(ring_hh=60, centre_hh=480)
    res = run_partition(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                        PartitionOptions(450, 500, primary_layer="party"))
    assert res.grids["within_bounds"].all()
    (enc,) = res.metrics["enclaves"]
    ring_code = res.grids.loc[res.grids["households"] == 480].iloc[0]["code"]
    assert len(enc["encloses"]) == 1 and enc["code"] in set(res.grids["code"]) and enc["code"] != enc["encloses"][0]
    assert ring_code in (enc["code"], enc["encloses"][0])
    assert 9_000 < enc["hole_m2"] < 11_000
    rows = [r for r in res.metrics["infeasible"] if r["reason_code"] == "encloses_grid"]
    assert [r["code"] for r in rows] == [enc["code"]] and "encloses another grid" in rows[0]["reason"]


def test_hole_of_the_community_itself_is_fine():
    case = ring_case(community_hole=True)
    res = run_partition(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                        PartitionOptions(300, 500, primary_layer="party"))
    assert len(res.grids) == 1 and _holes(res) == [1]
    assert res.metrics["enclaves"] == [] and res.metrics["infeasible"] == []


def test_downloads_and_summary_in_chinese_by_default_english_on_request(strip):
    """The partition's files through the catalogue: Chinese column names and values by default
    (no ``merged``/``split``/``under_min`` left), English on request; numbers stay numbers."""
    import re

    from gridgeo.partition.localize import localized
    from gridgeo.partition.summary import summary_markdown

    res = strip[1]
    cw = localized(res.crosswalk)
    assert {"图层", "旧网格编码", "新网格编码", "去向"} <= set(cw.columns)
    assert not set(cw["去向"]) & {"kept", "merged", "split", "reshaped"}
    assert cw["户数"].dtype.kind in "if"
    grids = localized(res.grids, bounds=res.metrics["bounds"])
    assert not [c for c in grids.columns if c != grids.geometry.name and c.isascii()], list(grids.columns)
    assert "户数状态" in grids.columns and grids.geometry.name == res.grids.geometry.name
    assert not set(grids["户数状态"]) & {"ok", "under_min", "over_max"}
    assert "Outcome" in localized(res.crosswalk, "en").columns
    zh, en = summary_markdown(res.metrics), summary_markdown(res.metrics, lang="en")
    assert zh.startswith("# 网格划分方案") and "原有网格保留" in zh and en.startswith("# Partition proposal")
    assert not re.search(r"\b(households|merged|split|kept|overlaps|repaired)\b", zh), zh
