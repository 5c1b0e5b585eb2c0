"""The two commands of the README: `make run` serves the app; the CLI entry point answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from streamlit_server import free_port

REPO = Path(__file__).resolve().parents[2]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback only)
        return response.status, response.read().decode("utf-8", "replace")


@pytest.mark.slow
def test_make_run_serves_the_app_on_the_default_data(tmp_path):
    port = free_port()
    env = {**os.environ, "GRIDGEO_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"], cwd=REPO, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/_stcore/health")
                break
            except OSError:
                time.sleep(0.5)
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert status == 200 and body.strip() == "ok"
        status, page = _get(f"http://127.0.0.1:{port}/")
        assert status == 200 and "<html" in page.lower()
        status, _ = _get(f"http://127.0.0.1:{port}/app/static/vendor/leaflet/dist/leaflet.js")
        assert status == 200, "offline map assets are served by the app itself"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_cli_entry_points_list_the_subcommands():
    for argv in (["gridgeo", "--help"], [sys.executable, "-m", "gridgeo", "--help"]):
        exe = REPO / ".venv" / "bin" / "gridgeo" if argv[0] == "gridgeo" else None
        proc = subprocess.run([str(exe), *argv[1:]] if exe else argv, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        for name in ("validate", "demo-data"):
            assert name in proc.stdout


def test_cli_usage_error_exits_2():
    proc = subprocess.run([sys.executable, "-m", "gridgeo", "validate"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
