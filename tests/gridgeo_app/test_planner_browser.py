"""End to end in headless Chromium: on the grid editor page a planner selects an atom by
clicking it with the editor's select tool (it shows in the atom list), moves it into the
neighbouring grid with the page's button and sees the grid figures change, undoes it, selects a
grid's atoms by dragging a box with the select tool and splits the grid along a line drawn with
the editor's line tool; no request leaves localhost."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from plan_editor_helpers import atom_point, balance, editor_frame, idle, lonlat_point, pick_tool, wait_until
from plan_helpers import CELL, X0, Y0, A, atom_id, g, lattice_plan
from streamlit_server import refuse_external, streamlit_server

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _registered() -> bool:
    """True when app.py lists the planner page (then the app serves it with its offline assets)."""
    return "gridgeo_app/pages/planner.py" in (ROOT / "app.py").read_text(encoding="utf-8")


@pytest.fixture()
def planner_server(tmp_path):
    """A store with a hand-made plan, and Streamlit serving the editor on a free loopback port."""
    from gridgeo.plan.repository import PlanRepository
    from gridgeo.services.workspace import open_store

    data_dir = tmp_path / "data"
    store = open_store(f"sqlite:///{data_dir / 'gridgeo.sqlite'}")
    PlanRepository(store).create_plan("浏览器测试", lattice_plan(), author="setup")
    store.close()
    env = {"GRIDGEO_DATA_DIR": str(data_dir), "GRIDGEO_SEED_DAYS": "1"}
    script, path = (ROOT / "app.py", "/planner") if _registered() else (ROOT / "app_pages" / "planner.py", "/")
    with streamlit_server(script, tmp_path, env) as url:
        yield url + path


def _households(page) -> dict[str, int]:
    """Households per grid (last 3 code digits) from the page's figures table."""
    for table in page.locator('[data-testid="stTable"]').all():
        head = table.locator("thead").inner_text()
        if "户数" in head and "紧凑度" in head:
            headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
            col = headers.index("户数")
            out = {}
            for row in table.locator("tbody tr").all():
                cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
                out[cells[0]] = int(cells[col].replace(",", ""))
            return out
    return {}


def _wait_households(page, expected: dict[str, int], timeout_s: float = 60) -> dict[str, int]:
    deadline = time.monotonic() + timeout_s
    seen: dict[str, int] = {}
    while time.monotonic() < deadline:
        try:
            seen = _households(page)
        except Exception:  # noqa: BLE001 - the table re-renders during a rerun
            seen = {}
        if seen == expected:
            return seen
        page.wait_for_timeout(300)
    raise AssertionError(f"figures {seen} never became {expected}")


def _choose(page, label: str, option_text: str) -> None:
    """Pick an option of a Streamlit selectbox/multiselect by its label and the option's text."""
    widget = page.locator('[data-testid="stSelectbox"], [data-testid="stMultiSelect"]').filter(
        has=page.locator("label", has_text=label)).first
    widget.locator("input").first.click()
    page.locator('[role="option"]').filter(has_text=re.compile("^" + re.escape(option_text))).first.click()
    page.keyboard.press("Escape")


def test_move_an_atom_and_see_the_figures_change(planner_server, chromium_path, tmp_path):
    from playwright.sync_api import sync_playwright

    external: list[str] = []
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=chromium_path, headless=True,
            viewport={"width": 1600, "height": 1100},
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            refuse_external(context, external)
            page = context.new_page()
            page.goto(planner_server, wait_until="domcontentloaded")
            _wait_households(page, {"001": 400, "002": 400}, timeout_s=90)
            frame = editor_frame(page, 8)  # community A: 2 columns x 4 rows

            # click r1c0 (grid 001, bordering grid 002) with the select tool: it joins the atom list
            pick_tool(frame, "select")
            idle(page, frame)
            page.mouse.click(*atom_point(page, frame, atom_id(1, 0)))
            chips = page.locator('[data-testid="stMultiSelect"]').filter(has_text=f"{atom_id(1, 0)} · 001")
            chips.first.wait_for(timeout=30_000)
            idle(page, frame)
            _choose(page, "目标网格", f"{g(A, 2)[-3:]} ·")
            page.wait_for_timeout(500)
            page.get_by_role("button", name="移入目标网格").click()
            _wait_households(page, {"001": 300, "002": 500})
            wait_until(lambda: balance(frame, "pe-all", g(A, 2)) == 500, 30, "the editor to show the move")

            page.get_by_role("button", name="撤销").first.click()
            _wait_households(page, {"001": 400, "002": 400})
            wait_until(lambda: balance(frame, "pe-all", g(A, 1)) == 400, 30, "the editor to show the undo")

            # the legacy-grid brush paints the whole party grid L1 (r0c1, r1c1 here) into 002; the
            # eraser takes r0c1 out again (a gap); Ctrl+Z twice brings the plan back
            frame.select_option("#pe-active", g(A, 2))
            pick_tool(frame, "legacy")
            frame.select_option("#pe-layer", "party")
            idle(page, frame)
            page.mouse.click(*atom_point(page, frame, atom_id(0, 1)))
            assert (balance(frame, "pe-touched", g(A, 1)), balance(frame, "pe-touched", g(A, 2))) == (200, 600)
            _wait_households(page, {"001": 200, "002": 600})
            pick_tool(frame, "erase", size=1)
            idle(page, frame)
            page.mouse.click(*atom_point(page, frame, atom_id(0, 1)))
            _wait_households(page, {"001": 200, "002": 500})
            assert frame.evaluate(f"window.__pe.assign['{atom_id(0, 1)}'] === undefined")
            for _ in range(2):
                idle(page, frame)
                frame.locator("#map").focus()
                page.keyboard.press("Control+z")
            _wait_households(page, {"001": 400, "002": 400})
            pick_tool(frame, "select")

            # a box dragged with the select tool over grid 001 selects its four atoms
            idle(page, frame)
            x0, y0 = lonlat_point(page, frame, X0 + 0.0001, Y0 - 0.0001)
            x1, y1 = lonlat_point(page, frame, X0 + 2 * CELL - 0.0001, Y0 - 2 * CELL + 0.0001)
            page.mouse.move(x0, y0)
            page.mouse.down()
            page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2)
            page.mouse.move(x1, y1)
            page.mouse.up()
            picked = page.locator('[data-testid="stMultiSelect"]').first
            wait_until(lambda: picked.inner_text().count(" · 001 · ") == 4, 30, "the box selection")
            text = picked.inner_text()
            assert all(f"{atom_id(r, c)} · 001" in text for r in (0, 1) for c in (0, 1)), text

            # split grid 001 along a line drawn between its two columns with the line tool
            idle(page, frame)
            pick_tool(frame, "line")
            for lat in (Y0 - 0.00002, Y0 - 2 * CELL + 0.00005):  # inside the map's view (it fits the community)
                page.mouse.click(*lonlat_point(page, frame, X0 + CELL, lat))
                page.wait_for_timeout(200)
            page.keyboard.press("Enter")
            idle(page, frame)
            page.get_by_role("button", name="按地图上画的线拆分").click()
            _wait_households(page, {"001": 200, "002": 400, "003": 200})
            shot = tmp_path / "planner.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 20_000
        finally:
            context.close()
    if _registered():
        assert external == [], f"requests left localhost: {external[:5]}"
