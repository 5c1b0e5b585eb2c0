"""``gridgeo ingest``: summary, side file of rejects, idempotent re-runs, GeoJSON, and no acknowledged
event lost when the process is killed mid-way."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from gridgeo.cli import main
from gridgeo.services.workspace import open_store

FIELDS = ["id", "reported_at", "lon", "lat", "crs", "category", "level", "channel", "text"]


def rows(n, start=0):
    t = datetime.now(UTC) - timedelta(days=1)
    return [{"id": f"r{i}", "reported_at": (t + timedelta(seconds=i)).isoformat(), "lon": 113.905 + (i % 3) * 0.01,
             "lat": 22.705, "crs": "", "category": "property", "level": 4, "channel": "hall", "text": f"第{i}件"}
            for i in range(start, start + n)]


def write_csv(path, data):
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(data)
    return path


@pytest.fixture
def store_of(store_url, small_grids):
    st = open_store(store_url, seed_default=False)
    st.publish_grid_set(small_grids, author="tester")
    st.close()
    return store_url


def test_csv_ingest_summary_rejects_and_rerun(tmp_path, store_of, capsys):
    data = rows(30)
    data[5]["lat"] = "nan"
    data[7]["category"] = "ufo"
    data[9]["reported_at"] = "2024-05-01 10:00"  # no zone
    path = write_csv(tmp_path / "events.csv", data)
    ack = tmp_path / "ack.txt"
    code = main(["ingest", str(path), "--database", store_of, "--batch-size", "7", "--ack-file", str(ack),
                 "--quiet"])
    out = capsys.readouterr().out
    assert code == 1
    assert "30 rows: 27 accepted, 0 duplicate, 3 rejected" in out
    with (tmp_path / "events.csv.rejected.csv").open(encoding="utf-8") as fh:
        rejected = list(csv.DictReader(fh))
    assert [(r["where"], r["id"], r["reason"].split(":")[0]) for r in rejected] == [
        ("line 7", "r5", "lat"), ("line 9", "r7", "category"), ("line 11", "r9", "reported_at")]
    assert len(ack.read_text().split()) == 27
    st = open_store(store_of, seed_default=False)
    frame = st.events_frame()
    assert len(frame) == 27 and set(frame["grid_code"]) == {"440311001001001", "440311001001002", "440311001002001"}
    st.close()
    code = main(["ingest", str(path), "--database", store_of, "--quiet"])
    assert "27 duplicate, 3 rejected" in capsys.readouterr().out


def test_geojson_ingest_with_declared_crs(tmp_path, store_of, capsys):
    from gridgeo.geo.crs import wgs84_to_gcj02

    glon, glat = wgs84_to_gcj02(113.915, 22.705)
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(glon), float(glat)]},
                 "properties": {k: v for k, v in r.items() if k not in ("lon", "lat", "crs")}} for r in rows(3)]
    features.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []},
                     "properties": {"id": "poly"}})
    path = tmp_path / "events.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    code = main(["ingest", str(path), "--database", store_of, "--crs", "GCJ02", "--quiet"])
    assert code == 1 and "4 rows: 3 accepted, 0 duplicate, 1 rejected" in capsys.readouterr().out
    st = open_store(store_of, seed_default=False)
    assert set(st.events_frame()["grid_code"]) == {"440311001001002"}  # converted before assignment
    st.close()
    reasons = (tmp_path / "events.geojson.rejected.csv").read_text(encoding="utf-8")
    assert "feature 3" in reasons and "must be a Point" in reasons


def test_gbk_csv_is_read(tmp_path, store_of, capsys):
    path = tmp_path / "gbk.csv"
    data = rows(2)
    with path.open("w", encoding="gbk", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(data)
    assert main(["ingest", str(path), "--database", store_of, "--quiet"]) == 0
    assert "2 accepted" in capsys.readouterr().out
    st = open_store(store_of, seed_default=False)
    assert st.get_event("r1")["text"] == "第1件"
    st.close()


def test_user_errors_are_one_line(tmp_path, capsys):
    env = {**os.environ, "GRIDGEO_DATA_DIR": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "gridgeo", "ingest", str(tmp_path / "missing.csv")],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 1 and r.stderr.strip().count("\n") == 0 and "no such file" in r.stderr
    (tmp_path / "x.txt").write_text("a")
    assert main(["ingest", str(tmp_path / "x.txt")]) == 1
    err = capsys.readouterr().err
    assert "unsupported file type" in err and err.strip().count("\n") == 0
    assert main(["ingest", str(tmp_path / "x.txt"), "--batch-size", "0"]) == 2
    assert "--batch-size" in capsys.readouterr().err
    (tmp_path / "binary.csv").write_bytes(b"id,lon\n\xff\xff\x80,1\n")
    assert main(["ingest", str(tmp_path / "binary.csv")]) == 1
    assert "neither UTF-8 nor GBK" in capsys.readouterr().err
    (tmp_path / "bad.geojson").write_text("{not json")
    assert main(["ingest", str(tmp_path / "bad.geojson")]) == 1
    assert "not valid JSON" in capsys.readouterr().err


def test_kill_mid_ingest_loses_no_acknowledged_event(tmp_path, small_grids):
    url = f"sqlite:///{tmp_path / 'kill.sqlite'}"
    st = open_store(url, seed_default=False)
    st.publish_grid_set(small_grids, author="tester")
    st.close()
    path = write_csv(tmp_path / "big.csv", rows(30000))
    ack = tmp_path / "ack.txt"
    proc = subprocess.Popen([sys.executable, "-m", "gridgeo", "ingest", str(path), "--database", url,
                             "--batch-size", "50", "--ack-file", str(ack), "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and (not ack.exists() or len(ack.read_text().split()) < 500):
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    acked = ack.read_text().split()
    assert 500 <= len(acked) < 30000, "the ingest was not killed mid-way"
    st = open_store(url, seed_default=False)
    stored = set(st.events_frame()["id"])
    st.close()
    assert set(acked) <= stored  # every acknowledged event survived the kill
    assert len(stored) % 50 == 0  # whole transactions only


def test_a_file_without_rows_is_an_error(tmp_path):
    """An empty FeatureCollection (or a CSV with only a header) ingests nothing and says so: exit 1."""
    import json
    import subprocess
    import sys

    for name, text in (("empty.geojson", json.dumps({"type": "FeatureCollection", "features": []})),
                       ("header.csv", "id,reported_at,lon,lat,category,level\n")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "gridgeo", "ingest", str(path), "--database", f"sqlite:///{tmp_path / 'e.sqlite'}"],
            capture_output=True, text=True, timeout=120,
        )
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "no event rows" in proc.stderr and str(path) in proc.stderr and "Traceback" not in proc.stderr
