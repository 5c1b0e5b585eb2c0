"""`pip install .` alone, in a clean virtualenv: the declared dependencies are enough.

No requirements or lock file is used: only pyproject.toml's declarations. The install must give
a working `gridgeo --help` and `--version`, import every core subpackage, run the service on
loopback, and put nothing generic into site-packages beside gridgeo and gridgeo_app.
"""

from __future__ import annotations

import importlib.metadata
import os
import socket
import subprocess
import time
import venv
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def clean_env(tmp_path_factory) -> Path:
    """A new virtualenv with `pip install <repo>` (no extras, no locks, not editable)."""
    where = tmp_path_factory.mktemp("clean-venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(where)
    py = where / "bin" / "python"
    # build from a copy of the tracked files only (no .venv, no var/), as a release would
    src = where / "src"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=REPO, capture_output=True).stdout
    if files and archive:
        src.mkdir()
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
        # the work tree may hold changes not committed yet: copy the tracked files as they are now
        for rel in files.decode().split("\0"):
            if rel and (REPO / rel).is_file():
                (src / rel).parent.mkdir(parents=True, exist_ok=True)
                (src / rel).write_bytes((REPO / rel).read_bytes())
    else:
        src = REPO
    done = subprocess.run([str(py), "-m", "pip", "install", "--quiet", str(src)], capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return where


def _run(env_dir: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(env_dir / "bin" / args[0]), *args[1:]], capture_output=True, text=True,
                          timeout=300, cwd=env_dir, **kw)


def test_help_and_version(clean_env):
    helped = _run(clean_env, "gridgeo", "--help")
    assert helped.returncode == 0, helped.stderr
    for command in ("validate", "serve", "partition", "atlas", "ingest", "users", "keys"):
        assert command in helped.stdout
    version = _run(clean_env, "gridgeo", "--version")
    assert version.stdout.strip() == f"gridgeo {importlib.metadata.version('gridgeo')}"


def test_every_core_subpackage_imports(clean_env):
    code = ("import importlib, pkgutil, gridgeo\n"
            "names = [m.name for m in pkgutil.walk_packages(gridgeo.__path__, 'gridgeo.')\n"
            "         if 'migrations' not in m.name and not m.name.endswith('__main__')]\n"
            "[importlib.import_module(n) for n in names]\n"
            "print(len(names))")
    done = _run(clean_env, "python", "-c", code)
    assert done.returncode == 0, done.stderr[-3000:]
    assert int(done.stdout.strip()) > 100
    # the UI is an extra: without it the core still imports, and the app says what is missing
    no_ui = _run(clean_env, "python", "-c", "import importlib.util as u; print(u.find_spec('streamlit'))")
    assert no_ui.stdout.strip() == "None"


def test_nothing_generic_lands_in_site_packages(clean_env):
    code = ("import importlib.metadata as m\n"
            "files = m.distribution('gridgeo').files\n"
            "tops = sorted({f.parts[0] for f in files if f.parts[0] not in ('..',) and not f.parts[0].endswith('-info')})\n"
            "print(' '.join(tops))")
    done = _run(clean_env, "python", "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["gridgeo", "gridgeo_app"]


def test_the_service_runs_from_the_clean_install(clean_env, tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDGEO_")}
    env["GRIDGEO_DATA_DIR"] = str(tmp_path)
    proc = subprocess.Popen([str(clean_env / "bin" / "gridgeo"), "serve", "--port", str(port)], env=env,
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(150):
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
                if answer.status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            proc.kill()
            pytest.fail("service did not start: " + proc.stderr.read().decode()[-2000:])
        risk = httpx.get(f"http://127.0.0.1:{port}/api/v1/risk?by=street", timeout=30)
        assert risk.status_code == 200 and len(risk.json()) > 0  # the embedded demo's streets
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_partition_runs_from_the_clean_install(clean_env, tmp_path):
    from partition_cases import strip_case

    paths = {}
    for name, gdf in strip_case().items():
        paths[name] = tmp_path / f"{name}.geojson"
        gdf.to_file(paths[name], driver="GeoJSON", engine="pyogrio")
    out = tmp_path / "out"
    done = _run(clean_env, "gridgeo", "partition", "--communities", str(paths["communities"]),
                "--legacy", str(paths["legacy"]), "--units", str(paths["units"]), "--min-households", "300",
                "--max-households", "500", "--jobs", "1", "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr[-3000:]
    import geopandas as gpd

    grids = next(p for p in out.iterdir() if p.suffix in (".geojson", ".gpkg") and "grid" in p.name)
    proposed = gpd.read_file(grids)
    assert len(proposed) == 5  # A whole, B split in three, C+D merged (tests/partition_cases.py)
