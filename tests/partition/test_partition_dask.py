"""The partition on a Dask distributed LocalCluster of 2 worker processes gives exactly the
in-process result for the same seed (communities are independent problems)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from gridgeo.partition import PartitionInputs, PartitionOptions, run_partition
from gridgeo.partition.engine import Engine

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def one_street(default_atlas):
    """The default atlas's first street: several communities, so several problems to spread."""
    street = sorted(default_atlas.communities["street_code"].astype(str).unique())[0]
    comms = default_atlas.communities[default_atlas.communities["street_code"].astype(str) == street]
    legacy = default_atlas.legacy[default_atlas.legacy.intersects(comms.union_all())]
    units = default_atlas.units[default_atlas.units["community_code"].astype(str).isin(comms["code"].astype(str))]
    return comms, legacy, units


def _run(case, engine: Engine):
    comms, legacy, units = case
    return run_partition(PartitionInputs(comms, legacy, units),
                         PartitionOptions(300, 500, seed=7),
                         engine=engine)


def test_local_cluster_equals_in_process(one_street):
    local = _run(one_street, Engine())
    dask = _run(one_street, Engine(workers=2))
    assert local.grids["community"].nunique() > 1
    pd.testing.assert_frame_equal(pd.DataFrame(local.grids.drop(columns="geometry")),
                                  pd.DataFrame(dask.grids.drop(columns="geometry")))
    assert local.grids.geometry.to_wkb().tolist() == dask.grids.geometry.to_wkb().tolist()
    pd.testing.assert_frame_equal(local.crosswalk, dask.crosswalk)
    assert dask.metrics["engine"] == "dask LocalCluster 2 workers"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gridgeo", "partition", "--atlas", "data/boundaries",
                           "--out", "/tmp/unused-partition-out", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("args", "message"), [
    (("--workers", "0"), "--workers 0"),
    (("--scheduler", "localhost:8786"), "give the scheduler address"),
    (("--scheduler", "tcp://127.0.0.1:9", "--workers", "2"), "not both"),
])
def test_cli_refuses_bad_engine_options(args, message):
    proc = _cli(*args)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_cli_unreachable_scheduler_is_one_line():
    proc = _cli("--scheduler", "tcp://127.0.0.1:9", "--quiet")
    assert proc.returncode == 1
    assert "cannot reach the Dask scheduler" in proc.stderr and "Traceback" not in proc.stderr
