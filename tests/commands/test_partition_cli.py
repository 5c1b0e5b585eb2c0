"""`gridgeo partition` end to end: files in, five output files out, one-line errors."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from partition_cases import strip_case

from gridgeo.cli import main


@pytest.fixture()
def case_files(tmp_path):
    case = strip_case()
    paths = {}
    for name, gdf in case.items():
        paths[name] = tmp_path / f"{name}.geojson"
        gdf.to_file(paths[name], driver="GeoJSON", engine="pyogrio")
    # the legacy layers in two files: party alone, urban in a GeoPackage
    legacy = case["legacy"]
    paths["party"] = tmp_path / "party.geojson"
    legacy[legacy["layer"] == "party"].to_file(paths["party"], driver="GeoJSON", engine="pyogrio")
    paths["urban"] = tmp_path / "urban.gpkg"
    legacy[legacy["layer"] == "urban"].to_file(paths["urban"], driver="GPKG", engine="pyogrio")
    return paths


def test_cli_writes_all_outputs(case_files, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["partition", "--communities", str(case_files["communities"]), "--legacy",
                 str(case_files["party"]), "--legacy", str(case_files["urban"]), "--units",
                 str(case_files["units"]), "--min-households", "300", "--max-households", "500",
                 "--primary-layer", "party", "--seed", "3", "--out", str(out), "--quiet"])
    assert code == 0
    for name in ("grids.gpkg", "grids.geojson", "crosswalk.csv", "metrics.json", "summary.md"):
        assert (out / name).stat().st_size > 0
    grids = gpd.read_file(out / "grids.gpkg")
    assert len(grids) == 5 and (grids["size_status"] == "ok").all()
    assert grids["code"].astype(str).str.len().eq(15).all()
    assert gpd.read_file(out / "grids.geojson")["households"].sum() == 1950
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["seed"] == 3 and metrics["primary_layer"] == "party"
    assert metrics["layers"] == ["party", "urban"]
    cw = pd.read_csv(out / "crosswalk.csv", dtype=str)
    assert set(cw.loc[cw["layer"] == "party", "legacy_code"]) == {"A", "B", "C", "D"}
    printed = capsys.readouterr().out
    assert "达标" in printed and "grids.gpkg" in printed  # the summary in Chinese (the catalogue's default)
    assert not list(out.glob(".*"))  # no temp files left behind


def test_cli_one_legacy_file_with_several_layers(case_files, tmp_path):
    out = tmp_path / "out2"
    assert main(["partition", "--communities", str(case_files["communities"]), "--legacy",
                 str(case_files["legacy"]), "--units", str(case_files["units"]), "--out", str(out),
                 "--quiet"]) == 0
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["layers"] == ["party", "urban"]


def test_cli_errors_are_one_line(case_files, tmp_path, capsys):
    out = tmp_path / "bad"
    code = main(["partition", "--communities", str(tmp_path / "nope.geojson"), "--legacy",
                 str(case_files["legacy"]), "--units", str(case_files["units"]), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1 and "nope.geojson" in err
    assert not out.exists()
    code = main(["partition", "--communities", str(case_files["communities"]), "--legacy",
                 str(case_files["legacy"]), "--units", str(case_files["units"]), "--min-households", "600",
                 "--max-households", "500", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "min-households" in err
    code = main(["partition", "--legacy", str(case_files["legacy"]), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "--communities" in err and "--atlas" in err
    units = gpd.read_file(case_files["units"]).drop(columns="households")
    bad_units = tmp_path / "units_bad.geojson"
    units.to_file(bad_units, driver="GeoJSON", engine="pyogrio")
    code = main(["partition", "--communities", str(case_files["communities"]), "--legacy",
                 str(case_files["legacy"]), "--units", str(bad_units), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1 and "households" in err


@pytest.mark.slow
def test_cli_atlas_shortcut_on_default_dataset(tmp_path, capsys):
    out = tmp_path / "atlas"
    assert main(["partition", "--atlas", "data/boundaries", "--layers", "party,comprehensive",
                 "--out", str(out), "--quiet"]) == 0
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["communities"] == 31 and metrics["layers"] == ["comprehensive", "party"]
    assert metrics["totals_out"]["households"] == metrics["totals_in"]["households"]
    assert metrics["timings"]["total_s"] < 60


def test_cli_previous_keeps_codes_of_unchanged_grids(case_files, tmp_path):
    first = tmp_path / "first"
    args = ["partition", "--communities", str(case_files["communities"]), "--legacy", str(case_files["legacy"]),
            "--units", str(case_files["units"]), "--primary-layer", "party", "--quiet"]
    assert main([*args, "--out", str(first)]) == 0
    old = gpd.read_file(first / "grids.gpkg")
    old["code"] = old["code"].astype(str).str[:12] + (old["code"].astype(str).str[12:].astype(int) + 100).astype(str)
    renumbered = tmp_path / "renumbered.gpkg"
    old.to_file(renumbered, driver="GPKG", engine="pyogrio")
    second = tmp_path / "second"
    assert main([*args, "--previous", str(renumbered), "--out", str(second)]) == 0
    new = gpd.read_file(second / "grids.gpkg")
    assert sorted(new["code"].astype(str)) == sorted(old["code"].astype(str))  # 101..105 kept, not 001..005


def test_cli_previous_must_be_grids_not_points(case_files, tmp_path, capsys):
    """A --previous file of points (e.g. the units by mistake) is refused before any work."""
    args = ["partition", "--communities", str(case_files["communities"]), "--legacy", str(case_files["legacy"]),
            "--units", str(case_files["units"]), "--primary-layer", "party", "--quiet"]
    out = tmp_path / "out"
    assert main([*args, "--previous", str(case_files["units"]), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert str(case_files["units"]) in err and "Point" in err and "earlier grids file" in err
    assert not out.exists() or not any(out.iterdir())
