"""``gridgeo ingest FILE.xlsx|FILE.csv`` for a hotline work-order export (issue 22): recognised by its
columns, the report's exact columns (one row per input row), the summary, idempotent re-runs,
bad rows named and an export that is not one refused."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta

import pytest
from hotline_district import make_district, work_orders, write_export

from gridgeo.cli import main
from gridgeo.services.workspace import open_store
from gridgeo.store.atlases import save_atlas, use_atlas
from gridgeo.store.hotline_queue import list_queue

ATLAS = "jincheng-cli"


@pytest.fixture
def setup(tmp_path, monkeypatch):
    district = make_district(n_compounds=60)
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    st = open_store(url, seed_default=False)
    save_atlas(st, district.atlas, ATLAS)
    use_atlas(st, ATLAS)
    st.close()
    monkeypatch.setenv("GRIDGEO_ATLAS", ATLAS)
    start = (datetime.now() - timedelta(days=2)).replace(microsecond=0)
    return url, work_orders(district, n=120, start=start)


def _report(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return reader.fieldnames, list(reader)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_placed_report_summary_and_rerun(tmp_path, setup, capsys, suffix):
    url, export = setup
    path = tmp_path / f"12345_daily{suffix}"
    write_export(export, path)
    report = tmp_path / "report.csv"
    assert main(["ingest", str(path), "--database", url, "--report", str(report), "--quiet"]) == 0
    out = capsys.readouterr().out
    fields, rows = _report(report)
    assert fields == ["id", "placement", "grid_code", "method", "confidence", "reason"]
    assert [r["id"] for r in rows] == list(export["工单编号"])  # one row per input row, in order
    placed = [r for r in rows if r["placement"] == "placed"]
    queued = [r for r in rows if r["placement"] == "queued"]
    assert len(placed) + len(queued) == len(export) and placed and queued
    assert all(r["grid_code"] and 0.8 <= float(r["confidence"]) <= 1 for r in placed)
    assert all(not r["grid_code"] and r["reason"] for r in queued)
    truth = dict(zip(export["工单编号"], export["true_grid"], strict=True))
    assert all(r["grid_code"] == truth[r["id"]] for r in placed)
    assert f"已定位 {len(placed)} 条" in out and f"待人工定位 {len(queued)} 条" in out and "拒收 0 条" in out
    st = open_store(url, seed_default=False)
    n_events = st.count_events()
    assert n_events == len(placed) and len(list_queue(st)) == len(queued)
    st.close()
    assert main(["ingest", str(path), "--database", url, "--report", str(report), "--quiet", "--lang", "en"]) == 0
    assert "120 rows: 0 placed" not in capsys.readouterr().out
    _, again = _report(report)
    assert [(r["placement"], r["grid_code"]) for r in again] == [(r["placement"], r["grid_code"]) for r in rows]
    assert all(r["reason"] == "work order already imported" for r in again if r["placement"] == "placed")
    st = open_store(url, seed_default=False)
    assert st.count_events() == n_events and len(list_queue(st)) == len(queued)
    st.close()


def test_bad_rows_are_rejected_and_named(tmp_path, setup, capsys):
    url, export = setup
    export = export.head(5).copy()
    export.loc[1, "来电时间"] = "上周"
    export.loc[3, "紧急程度"] = "十万火急"
    path = tmp_path / "orders.csv"
    write_export(export, path)
    report = tmp_path / "r.csv"
    assert main(["ingest", str(path), "--database", url, "--report", str(report), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "拒收 2 条" in captured.out and "row 3" in captured.err
    _, rows = _report(report)
    assert [r["placement"] for r in rows].count("rejected") == 2 and len(rows) == 5


def test_a_file_that_is_not_an_export(tmp_path, setup, capsys):
    url, _ = setup
    path = tmp_path / "orders.xlsx"
    import pandas as pd
    pd.DataFrame({"编号": ["1"], "时间": ["2026-01-01"]}).to_excel(path, index=False)
    assert main(["ingest", str(path), "--database", url, "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "not a hotline work-order export" in err and "工单编号" in err
    plain = tmp_path / "events.csv"
    plain.write_text("id,reported_at,lon,lat,category,level\n", encoding="utf-8")
    assert main(["ingest", str(plain), "--database", url, "--report", str(tmp_path / "r.csv")]) == 2
