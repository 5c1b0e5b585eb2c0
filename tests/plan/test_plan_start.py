"""Starting plans from the partition's atoms and proposal, and from current grids by overlap."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from partition_cases import COMMUNITY, X0, Y0, _wgs, box, strip_case

from gridgeo.partition import PartitionInputs, PartitionOptions, run_partition
from gridgeo.plan import ops
from gridgeo.plan.figures import grid_figures
from gridgeo.plan.integrity import errors, validate
from gridgeo.plan.start import atoms_from_partition, plan_from_grids, plan_from_proposal


@pytest.fixture(scope="module")
def strip():
    case = strip_case()
    return run_partition(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                         PartitionOptions(300, 500, primary_layer="party"))


def test_proposal_becomes_a_valid_plan_over_the_partition_atoms(strip):
    plan = plan_from_proposal(strip)
    assert len(plan.atoms) == len(strip.atoms)
    assert set(plan.grids.index) == set(strip.grids["code"])
    figs = grid_figures(plan)
    expected = strip.grids.set_index("code")["households"]
    assert np.allclose(figs.loc[expected.index, "households"], expected)
    assert plan.atoms.totals["households"] == pytest.approx(400 + 1200 + 150 + 200)
    assert errors(validate(plan)) == []
    assert plan.band.min_households == 300 and plan.band.max_households == 500
    assert plan.atoms.legacy_layers == ["party", "urban"]


def test_current_grids_by_largest_overlap(strip):
    atoms = atoms_from_partition(strip.atoms)
    grids = _wgs(gpd.GeoDataFrame({"code": [COMMUNITY + "001", COMMUNITY + "002"], "name": ["西格", "东格"],
                                   "community_code": COMMUNITY, "grid_worker": ["甲", "乙"]},
                                  geometry=[box(0, 0, 340, 400), box(340, 0, 1200, 400)]))
    plan = plan_from_grids(atoms, grids)
    west = plan.atoms_of(COMMUNITY + "001")
    cx = np.array([atoms.metric[atoms.position[a]].centroid.x for a in west])
    # every atom west of x=300 m (their centroids) and none of the 300-400 m column (60 % east)
    assert (cx - cx.min() < 300).all() and len(west) > 0
    assert plan.grids.at[COMMUNITY + "001", "name"] == "西格" and plan.grids.at[COMMUNITY + "002", "grid_worker"] == "乙"
    assert grid_figures(plan).at[COMMUNITY + "001", "households"] == 400  # unit group A
    assert len(plan.assignment) == len(atoms)  # every atom placed
    # the plan can be edited with the legacy brush of the partition's layers
    painted = ops.paint_legacy_grid(plan, "B", COMMUNITY + "001", layer="party")
    assert grid_figures(painted).at[COMMUNITY + "001", "households"] == 1600


def _today(cut_x: float, wobble: float = 0.0):
    """Today's grids of the strip: a west grid up to ``cut_x`` m and an east grid, the border
    bent by ``wobble`` m at mid-height (a line that matches no legacy border)."""
    west = shapely.Polygon([(X0, Y0), (X0 + cut_x, Y0), (X0 + cut_x + wobble, Y0 + 200), (X0 + cut_x, Y0 + 400),
                            (X0, Y0 + 400)])
    east = shapely.difference(box(0, 0, 1200, 400), west)
    return _wgs(gpd.GeoDataFrame({"code": [COMMUNITY + "001", COMMUNITY + "002"], "name": ["西格", "东格"],
                                  "community_code": COMMUNITY, "households": [400, 1550]},
                                 geometry=[west, east]))


@pytest.mark.parametrize("cut_x,wobble", [(340, 0.0), (300.4, 0.3)])
def test_todays_grids_are_a_layer_of_the_refinement(cut_x, wobble):
    """A border through the middle of legacy cells, or 0.4 m off a legacy border (slivers far
    below the 100 m² tolerance): the atoms follow today's grids and the plan reproduces them."""
    case = strip_case()
    today = _today(cut_x, wobble)
    result = run_partition(PartitionInputs(case["communities"], case["legacy"], case["units"], current=today),
                           PartitionOptions(300, 500, primary_layer="party"))
    atoms = atoms_from_partition(result.atoms)
    assert set(atoms.frame["current_grid"]) == set(today["code"])
    plan = plan_from_grids(atoms, today)
    # only the east grid's size (1550 households) fails: no piece, gap, hole or stray atom
    assert {(i.rule, i.grid) for i in errors(validate(plan))} == {("over_max", COMMUNITY + "002")}
    shapes = plan.grid_shapes(metric=True)
    want = today.to_crs(shapes.crs).set_index("code").geometry
    for code in today["code"]:
        diff = shapely.symmetric_difference(shapes.geometry[code], want[code]).area
        assert diff < 1.0, (code, diff)
    figs = grid_figures(plan)
    # the figures are the units' sums; the grids' own records are kept beside them
    west_units = sum(h for x, h in [(50, 100), (150, 100), (250, 100), (50, 100)] if x < cut_x)
    assert figs.at[COMMUNITY + "001", "households"] >= west_units
    assert figs.at[COMMUNITY + "001", "stated_households"] == 400
    assert figs.at[COMMUNITY + "002", "stated_households"] == 1550
    assert figs["households"].sum() == pytest.approx(1950)
    differs = figs["stated_differs"]
    assert differs[COMMUNITY + "002"] == (abs(figs.at[COMMUNITY + "002", "households"] - 1550) > 0.5)


def test_without_todays_grids_the_slivers_ignore_them():
    """The control: the same 0.4 m offset border without the layer does not survive the sliver merge."""
    case = strip_case()
    today = _today(300.4, 0.3)
    result = run_partition(PartitionInputs(case["communities"], case["legacy"], case["units"]),
                           PartitionOptions(300, 500, primary_layer="party"))
    plan = plan_from_grids(atoms_from_partition(result.atoms), today)
    shapes = plan.grid_shapes(metric=True)
    want = today.to_crs(shapes.crs).set_index("code").geometry
    assert shapely.symmetric_difference(shapes.geometry[COMMUNITY + "001"], want[COMMUNITY + "001"]).area > 1.0


def test_the_atoms_of_todays_grids_are_refined_once_then_found_in_the_store(tmp_path, monkeypatch):
    """A plan from today's grids stores its atoms marked as theirs; the next start (another process,
    an empty cache) loads them instead of refining the district again (15 s → under 1 s)."""
    from types import SimpleNamespace

    from plan_helpers import lattice_plan

    import gridgeo.plan.start as start
    from gridgeo.plan.repository import PlanRepository, export_grids
    from gridgeo.services.workspace import open_store

    atoms = lattice_plan().atoms
    grids = export_grids(lattice_plan())
    atlas = SimpleNamespace(grids=grids)
    monkeypatch.setattr(start, "_default_atoms", lambda source, data: (atlas, start.AtomSet(atoms.frame.reset_index())))
    monkeypatch.setattr(start, "_default_atlas", lambda: atlas)
    store = open_store(f"sqlite:///{tmp_path / 'p.sqlite'}", seed_default=False)
    try:
        repo = PlanRepository(store)
        first = start.default_start_plan("current", store)
        assert first.atoms.origin == "today:atlas"
        repo.create_plan("一", first, author="t", source="current")

        def refine(*_a):
            raise AssertionError("refined again")

        monkeypatch.setattr(start, "_default_atoms", refine)
        again = start.default_start_plan("current", store)
        assert again.atoms.key == first.atoms.key
        assert again.assignment.sort_index().equals(first.assignment.sort_index())
    finally:
        store.close()
