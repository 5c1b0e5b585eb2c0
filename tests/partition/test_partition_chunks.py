"""The refinement and apportioning chunked per street give the atoms of one whole refinement,
on the default data, in this process and on a pool of 2 worker processes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from gridgeo.geo.metric import to_metric
from gridgeo.partition.apportion import apportion
from gridgeo.partition.chunks import ChunkPlan, apportion_chunked, chunk_keys, refine_chunked
from gridgeo.partition.engine import Engine, open_session
from gridgeo.partition.overlay import prepare_layers, refine

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def layers(default_atlas):
    """The default data in metres, prepared for the refinement, and its street chunks."""
    comm_m = to_metric(default_atlas.communities.assign(code=default_atlas.communities["code"].astype(str)))
    legacy_m = to_metric(default_atlas.legacy.assign(code=default_atlas.legacy["code"].astype(str)), comm_m.crs)
    units_m = to_metric(default_atlas.units, comm_m.crs)
    current_m = to_metric(default_atlas.grids[["code", "geometry"]].assign(
        code=default_atlas.grids["code"].astype(str)), comm_m.crs)
    comms, frames, report = prepare_layers(comm_m, legacy_m)
    keys = dict(zip(comm_m["code"], chunk_keys(comm_m, "street"), strict=True))
    plan = ChunkPlan.build(comms, np.array([keys[c] for c in comms["code"]], dtype=object))
    return comms, frames, report, units_m, legacy_m, current_m, plan


def _same_atoms(whole, chunked) -> None:
    assert len(whole) == len(chunked)
    pd.testing.assert_frame_equal(pd.DataFrame(whole.drop(columns="geometry")),
                                  pd.DataFrame(chunked.drop(columns="geometry")))
    # the same geometry up to the 1 mm snap rounding of the noding
    diff = shapely.area(shapely.symmetric_difference(whole.geometry.values, chunked.geometry.values))
    assert float(diff.max()) < 1e-3


@pytest.mark.parametrize("engine", [Engine(), Engine(jobs=2)], ids=["in-process", "pool-2"])
def test_chunked_refinement_equals_whole(layers, engine):
    comms, frames, report, units_m, legacy_m, current_m, plan = layers
    assert len(plan.codes) > 1 and len(plan.codes) < len(comms)  # streets, each several communities
    whole = refine(comms, frames, report, current=current_m)
    whole_counts = report.as_dict()
    whole, whole_rep = apportion(whole, units_m, legacy_m)
    with open_session(engine) as session:
        chunked, _ = refine_chunked(comms, frames, report, plan, session, current=current_m)
        assert report.faces == whole_counts["faces"] and report.slivers_merged == whole_counts["slivers_merged"]
        chunked, chunked_rep = apportion_chunked(chunked, units_m, plan, session, legacy_m)
        # linked in the refinement's own tasks: the same counts
        linked, links = refine_chunked(comms, frames, report, plan, session, current=current_m, units=units_m)
        linked, linked_rep = apportion_chunked(linked, units_m, plan, session, legacy_m, links=links)
    pd.testing.assert_frame_equal(pd.DataFrame(chunked.drop(columns="geometry")),
                                  pd.DataFrame(linked.drop(columns="geometry")), check_exact=True)
    assert chunked_rep == linked_rep
    assert whole["current_grid"].notna().all() and whole["households"].sum() > 0
    _same_atoms(whole, chunked)
    assert whole_rep == chunked_rep


def test_chunk_sees_only_its_street(layers):
    """A chunk is sent only the features near its street, not the whole city's."""
    comms, frames, report, units_m, legacy_m, current_m, plan = layers
    with open_session(Engine()) as session:
        seen = []
        real_map = session.map

        def spy(fn, items, name, **kw):
            seen.extend(items if name == "refine" else [])
            return real_map(fn, items, name, **kw)

        session.map = spy
        refine_chunked(comms, frames, report, plan, session)
    total = sum(len(f) for f in frames.values())
    assert len(seen) == len(plan.codes)
    assert all(sum(len(f) for f in c.frames.values()) < total for c in seen)
    assert all(len(c.comms) < len(comms) for c in seen)
