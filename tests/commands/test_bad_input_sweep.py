"""Bad input through the real command line and the HTTP API: one clear line, a non-zero exit or a
4xx, nothing half-written. Each test is a case a sweep found broken (traceback-free but unclear
"unexpected error", a 500, lost reject reasons, a mangled header)."""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gridgeo.api import create_app
from gridgeo.config import Settings
from gridgeo.services.workspace import open_store

TOKEN = "sweep-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LOCAL = ("127.0.0.1", 50000)
EVENT_CSV = ("id,reported_at,lon,lat,category,level,text\n"
             "e1,2026-11-01T10:00:00+08:00,113.93,22.75,environment,2,路灯坏了\n")


def gridgeo(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the real CLI in ``cwd`` with the data dir inside it."""
    env = {**os.environ, "GRIDGEO_DATA_DIR": str(cwd / "data")}
    env.pop("GRIDGEO_DEBUG", None)
    env.pop("GRIDGEO_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "gridgeo", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def one_line_error(proc: subprocess.CompletedProcess, *must_name: str) -> str:
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr
    assert "unexpected error" not in proc.stderr, proc.stderr
    line = proc.stderr.strip().splitlines()[-1]
    for word in must_name:
        assert word in line, line
    return line


@pytest.fixture
def afile(tmp_path: Path) -> Path:
    """A regular file: paths under it cannot be created."""
    path = tmp_path / "afile"
    path.write_text("x\n")
    return path


# --- ingest ---------------------------------------------------------------------------------------

def test_ingest_unwritable_rejects_fails_before_storing(tmp_path, afile):
    (tmp_path / "ev.csv").write_text(EVENT_CSV.replace("environment", "nonsense"), encoding="utf-8")
    db = tmp_path / "ev.sqlite"
    proc = gridgeo("ingest", "ev.csv", "--quiet", "--rejects", "afile/r.csv", "--database", f"sqlite:///{db}",
                   cwd=tmp_path)
    one_line_error(proc, "--rejects", "afile/r.csv", "not a folder")
    assert not db.exists()  # checked before anything was committed, so no reasons are lost


def test_ingest_unwritable_ack_file(tmp_path, afile):
    (tmp_path / "ev.csv").write_text(EVENT_CSV, encoding="utf-8")
    proc = gridgeo("ingest", "ev.csv", "--quiet", "--ack-file", "afile/ack.txt", cwd=tmp_path)
    one_line_error(proc, "--ack-file", "afile/ack.txt")


@pytest.mark.parametrize(("url", "code", "words"), [
    ("foo://bar", 2, ("--database", "unsupported database URL", "sqlite:///")),
    ("sqlite:///afile/x.db", 1, ("--database", "afile/x.db", "cannot open the store")),
    ("postgresql+psycopg://nobody@127.0.0.1:1/x", 1, ("--database", "cannot open the store", "refused")),
])
def test_ingest_bad_database_url(tmp_path, afile, url, code, words):
    (tmp_path / "ev.csv").write_text(EVENT_CSV, encoding="utf-8")
    proc = gridgeo("ingest", "ev.csv", "--quiet", "--database", url, cwd=tmp_path)
    assert proc.returncode == code, proc.stderr
    one_line_error(proc, *words)


def test_ingest_folder_is_not_called_missing(tmp_path):
    (tmp_path / "events.csv").mkdir()
    proc = gridgeo("ingest", "events.csv", "--quiet", cwd=tmp_path)
    one_line_error(proc, "events.csv", "is a folder")


def test_ingest_bom_in_front_of_gbk_keeps_the_first_header(tmp_path):
    path = tmp_path / "bomgbk.csv"
    path.write_bytes(codecs.BOM_UTF8 + EVENT_CSV.encode("gbk"))
    proc = gridgeo("ingest", "bomgbk.csv", "--quiet", "--database", f"sqlite:///{tmp_path / 'e.sqlite'}",
                   cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    rejects = tmp_path / "bomgbk.csv.rejected.csv"
    # either stored, or rejected for a reason other than a missing id (the BOM used to eat the header)
    if rejects.exists():
        text = rejects.read_text(encoding="utf-8")
        assert "id: is required" not in text, text
        assert "路灯坏了" in text
    else:
        assert proc.returncode == 0, proc.stderr


def test_validate_bom_in_front_of_gbk(tmp_path):
    path = tmp_path / "bomgbk.csv"
    path.write_bytes(codecs.BOM_UTF8 + EVENT_CSV.encode("gbk"))
    proc = gridgeo("validate", "bomgbk.csv", "--crs", "WGS84", cwd=tmp_path)
    assert "missing required field 'id'" not in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


# --- simulate / demo-data / partition -------------------------------------------------------------

def test_simulate_infinite_rate(tmp_path):
    proc = gridgeo("simulate", "--rate", "inf", "--duration", "1", cwd=tmp_path)
    assert proc.returncode == 2
    one_line_error(proc, "--rate", "finite")


def test_simulate_bad_database_url(tmp_path):
    proc = gridgeo("simulate", "--database", "foo://x", "--duration", "1", cwd=tmp_path)
    assert proc.returncode == 2
    one_line_error(proc, "--database", "foo://x")


def test_demo_data_out_under_a_file_fails_before_generating(tmp_path, afile):
    proc = gridgeo("demo-data", "--out", "afile/atlas", cwd=tmp_path)
    assert proc.returncode == 2
    one_line_error(proc, "--out", "afile/atlas", "not a folder")
    assert "step/s" not in proc.stderr  # no progress bar: failed before generating anything


def test_demo_data_negative_seed(tmp_path):
    proc = gridgeo("demo-data", "--seed", "-1", "--out", "atlas", cwd=tmp_path)
    assert proc.returncode == 2
    one_line_error(proc, "--seed -1")
    assert not (tmp_path / "atlas").exists()


def test_partition_out_under_a_file(tmp_path, afile):
    atlas = Path(__file__).resolve().parents[2] / "data" / "boundaries"
    proc = gridgeo("partition", "--atlas", str(atlas), "--out", "afile/p", "--quiet", cwd=tmp_path)
    assert proc.returncode == 2
    one_line_error(proc, "--out", "afile/p", "not a folder")


@pytest.mark.parametrize("value", ["-1", "nan"])
def test_partition_negative_sliver(tmp_path, value):
    atlas = Path(__file__).resolve().parents[2] / "data" / "boundaries"
    proc = gridgeo("partition", "--atlas", str(atlas), "--out", "p", "--sliver", value, "--quiet", cwd=tmp_path)
    assert proc.returncode == 2
    one_line_error(proc, "--sliver")
    assert not (tmp_path / "p").exists()


def test_serve_database_under_a_file(tmp_path, afile):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = gridgeo("serve", "--port", str(port), "--database", "sqlite:///afile/x.db", cwd=tmp_path)
    assert proc.returncode == 1
    one_line_error(proc, "--database", "afile/x.db", "cannot open the store")


def test_serve_port_in_use(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = gridgeo("serve", "--port", str(port), cwd=tmp_path)
    assert proc.returncode == 1
    one_line_error(proc, f"--port {port}", "cannot listen")
    assert not (tmp_path / "data" / "gridgeo.sqlite").exists()  # failed before opening the store


def test_ctrl_c_during_ingest_loses_no_acknowledged_row(tmp_path):
    import signal
    import sqlite3
    import time

    rows = "".join(f"b{i},2026-11-01T10:00:00+08:00,113.93,22.75,environment,2,t\n" for i in range(20000))
    (tmp_path / "big.csv").write_text("id,reported_at,lon,lat,category,level,text\n" + rows, encoding="utf-8")
    db = tmp_path / "big.sqlite"
    env = {**os.environ, "GRIDGEO_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen([sys.executable, "-m", "gridgeo", "ingest", "big.csv", "--batch-size", "50",
                             "--ack-file", "ack.txt", "--database", f"sqlite:///{db}", "--quiet"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ack = tmp_path / "ack.txt"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (ack.exists() and ack.stat().st_size):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    acked = set(ack.read_text().split())
    stored = {r[0] for r in sqlite3.connect(db).execute("select id from events")}
    assert acked <= stored
    if proc.returncode != 0:  # interrupted (not finished first)
        assert proc.returncode == 130
        assert "interrupted" in err and "Traceback" not in err


# --- HTTP API -------------------------------------------------------------------------------------

@pytest.fixture
def client(tmp_path, small_grids):
    store = open_store(f"sqlite:///{tmp_path / 'api.sqlite'}", seed_default=False)
    store.publish_grid_set(small_grids, author="tester")
    with TestClient(create_app(store, Settings(api_token=TOKEN, max_body_bytes=20_000)), client=LOCAL) as c:
        yield c
    store.close()


@pytest.mark.parametrize("route", ["events", "risk", "stats"])
def test_huge_window_is_a_422_not_a_500(client, route):
    resp = client.get(f"/api/v1/{route}", params={"window": "99999999999999d"})
    assert resp.status_code == 422, resp.text
    assert "window" in resp.json()["message"]


def test_window_limit_still_allows_long_windows(client):
    assert client.get("/api/v1/events", params={"window": "3650d"}).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/events/x1", "/api/v1/plans"])
def test_malformed_json_on_typed_bodies_names_the_body(client, path):
    method = client.patch if "events/" in path else client.post
    resp = method(path, content=b"{bad", headers={**AUTH, "Content-Type": "application/json"})
    assert resp.status_code == 422
    assert resp.json()["message"].startswith("body: malformed JSON"), resp.text


def test_validate_infinite_lon_is_not_called_metres(tmp_path):
    (tmp_path / "inf.csv").write_text("id,reported_at,lon,lat,category,level,text\n"
                                      "e2,2026-11-01T10:00:00+08:00,inf,22.5,other,2,t\n"
                                      "e3,2026-11-01T10:00:00+08:00,113.93,22.75,other,2,t\n", encoding="utf-8")
    proc = gridgeo("validate", "inf.csv", "--crs", "WGS84", cwd=tmp_path)
    assert proc.returncode == 1
    out = proc.stdout + proc.stderr
    assert "feature e2: lon: must be a finite number" in out
    assert "metres" not in out and "outside China" not in out, out


@pytest.mark.parametrize(("params", "word"), [
    ({"bbox": "114,23,113,22"}, "bbox"),
    ({"start": "2026-11-02T00:00:00+08:00", "end": "2026-11-01T00:00:00+08:00"}, "after end"),
])
def test_inverted_ranges_are_a_422_not_an_empty_answer(client, params, word):
    resp = client.get("/api/v1/events", params=params)
    assert resp.status_code == 422, resp.text
    assert word in resp.json()["message"]


def test_ingest_geojson_with_non_object_features_rejects_them(tmp_path):
    (tmp_path / "weird.geojson").write_text(
        '{"type":"FeatureCollection","features":[5, "x", {"type":"Feature","geometry":null,"properties":null}]}',
        encoding="utf-8")
    proc = gridgeo("ingest", "weird.geojson", "--quiet", "--database", f"sqlite:///{tmp_path / 'e.sqlite'}",
                   cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "unexpected error" not in proc.stderr
    assert "3 rejected" in proc.stdout
    reasons = (tmp_path / "weird.geojson.rejected.csv").read_text(encoding="utf-8")
    assert "feature 0" in reasons and "must be a GeoJSON Feature object" in reasons


@pytest.mark.parametrize(("args", "flag"), [
    (["--history-days", "-1"], "--history-days"),
    (["--history-days", "1e9"], "--history-days"),
    (["--history-per-day", "-5", "--history-days", "1"], "--history-per-day"),
    (["--seed", "-1"], "--seed -1"),
])
def test_simulate_bad_history_and_seed(tmp_path, args, flag):
    proc = gridgeo("simulate", "--duration", "1", "--database", f"sqlite:///{tmp_path / 's.sqlite'}", *args,
                   cwd=tmp_path)
    assert proc.returncode == 2
    one_line_error(proc, flag)


@pytest.mark.parametrize("band", [["--min-population", "500", "--max-population", "100"],
                                  ["--max-population", "0"]])
def test_partition_inverted_population_band_is_a_usage_error(tmp_path, band):
    # an inverted band used to run for minutes instead of failing
    atlas = Path(__file__).resolve().parents[2] / "data" / "boundaries"
    proc = gridgeo("partition", "--atlas", str(atlas), "--out", "p", "--quiet", *band, cwd=tmp_path)
    assert proc.returncode == 2
    one_line_error(proc, "--max-population", "min < max")
    assert not (tmp_path / "p").exists()


def test_deeply_nested_json_is_a_400_not_a_500(client):
    body = b"[" * 9_000 + b"]" * 9_000  # 18 kB: under the fixture's 20 kB body limit
    resp = client.post("/api/v1/events", content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert resp.status_code == 400, resp.text
    assert resp.json()["message"].startswith("body:")


def test_plan_id_beyond_64_bits_is_a_404_not_a_500(client):
    resp = client.get("/api/v1/plans/99999999999999999999999")
    assert resp.status_code == 404, resp.text
    assert "99999999999999999999999" in resp.json()["message"]


@pytest.mark.parametrize("content", [b"\xc9\x00garbage", b'{"type":"FeatureCollection","features":[]}'])
def test_demo_data_unreadable_outline(tmp_path, content):
    (tmp_path / "ol").mkdir()
    (tmp_path / "ol" / "440311_gcj02.geojson").write_bytes(content)
    proc = gridgeo("demo-data", "--outline-dir", "ol", "--out", "atlas", cwd=tmp_path)
    assert proc.returncode == 1
    one_line_error(proc, "440311_gcj02.geojson", "not a GeoJSON polygon geometry")
    assert not (tmp_path / "atlas").exists()
