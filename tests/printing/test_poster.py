"""一格一图: the A3 poster of a community's grids, through the library and `gridgeo poster`, read back."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from gridgeo.atlas.load import load_default_atlas
from gridgeo.errors import InputError
from gridgeo.printing.cartography import PAGE_SIZES_MM
from gridgeo.printing.poster import community_poster, poster_grids

ROOT = Path(__file__).resolve().parents[2]
PT_PER_MM = 72 / 25.4


def _cli(*args: str) -> subprocess.CompletedProcess:
    """The real command line in a child process."""
    return subprocess.run([sys.executable, "-m", "gridgeo", "poster", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=180)


def _main(capsys, *args: str) -> subprocess.CompletedProcess:
    """The same command through gridgeo.cli.main in this process (faster, for the error cases)."""
    from gridgeo.cli import main

    code = main(["poster", *args])
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out.out, out.err)


@pytest.fixture(scope="module")
def atlas():
    return load_default_atlas()


def _smallest_community(atlas) -> str:
    return str(atlas.grids.groupby("community_code").size().idxmin())


def test_cli_writes_an_a3_landscape_poster_with_every_grid_worker_and_households(atlas, tmp_path):
    code = _smallest_community(atlas)
    out = tmp_path / "sub" / "poster.pdf"
    done = _cli("--community", code, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert str(out) in done.stdout
    reader = PdfReader(out)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(PAGE_SIZES_MM["A3"][0] * PT_PER_MM, abs=1)
    assert float(box.height) == pytest.approx(PAGE_SIZES_MM["A3"][1] * PT_PER_MM, abs=1)
    text = reader.pages[0].extract_text()
    name = atlas.communities.set_index("code").loc[code, "name"]
    assert f"{name} 一格一图" in text
    grids = atlas.grids[atlas.grids["community_code"] == code]
    for row in grids.itertuples():      # the table lists every grid with its worker and households
        assert row.name in text and row.grid_worker in text and f"{int(row.households):,}" in text
    assert f"{int(grids['households'].sum()):,}" in text     # the total row
    for label in ("图例", "网格界线", "社区界线", "户数 300–399", "网格一览", "北", "比例尺 1:", "演示数据"):
        assert label in text, label
    assert not list(out.parent.glob(".poster.pdf.*"))       # no temporary file left behind


def test_unknown_community_is_one_line_naming_it_and_how_to_list(tmp_path, capsys):
    out = tmp_path / "p.pdf"
    done = _main(capsys, "--community", "440311999999", "--out", str(out))
    assert done.returncode == 1 and not out.exists()
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "440311999999" in lines[0] and "gridgeo poster --list" in lines[0]


def test_unwritable_out_is_one_line_and_nothing_written(atlas, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = _main(capsys, "--community", _smallest_community(atlas), "--out", str(blocker / "p.pdf"))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--out" in lines[0] and "not a folder" in lines[0]
    done = _main(capsys, "--community", _smallest_community(atlas), "--out", str(tmp_path / "p.png"))
    assert done.returncode == 2 and ".pdf" in done.stderr


def test_list_prints_every_community_code_and_name(atlas, capsys):
    done = _main(capsys, "--list")
    assert done.returncode == 0
    lines = done.stdout.strip().splitlines()
    assert len(lines) == len(atlas.communities)
    first = atlas.communities.sort_values("code").iloc[0]
    assert lines[0].startswith(first["code"]) and first["name"] in lines[0]


def test_library_uses_a_given_grid_set_and_refuses_an_empty_community(atlas):
    code = _smallest_community(atlas)
    grids = atlas.grids.copy()
    grids.loc[grids["community_code"] == code, "grid_worker"] = "测试员"
    text = PdfReader(io.BytesIO(community_poster(atlas, code, grids=grids, dpi=50))).pages[0].extract_text()
    assert "测试员" in text
    with pytest.raises(InputError, match="no grids"):
        poster_grids(atlas, code, grids=grids[grids["community_code"] != code])
