"""Driving the in-browser plan editor (gridgeo_app/plan_editor) from Playwright: find its frame,
turn atoms and lon/lat into page coordinates, read the balance panel, wait for the app."""

from __future__ import annotations

import time

INSIDE_POINT = """(id) => {  // a point inside the atom (by the editor's own geometry), in iframe pixels
  const S = window.__pe, a = S.atoms[id];
  const inside = (x, y) => a.polys.some(p => { let c = false; const r = p[0];
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      if ((r[i][1] > y) !== (r[j][1] > y) && x < (r[j][0] - r[i][0]) * (y - r[i][1]) / (r[j][1] - r[i][1]) + r[i][0]) c = !c; }
    return c; });
  let best = a.center;
  for (let k = 1; k < 400 && !inside(best[0], best[1]); k++) {
    best = [a.bbox[0] + (a.bbox[2] - a.bbox[0]) * ((k * 0.618) % 1), a.bbox[1] + (a.bbox[3] - a.bbox[1]) * ((k * 0.382) % 1)];
  }
  const p = S.map.latLngToContainerPoint([best[1], best[0]]);
  const box = document.getElementById('map').getBoundingClientRect();
  return [p.x + box.left, p.y + box.top];
}"""

# Streamlit marks its app root with the script's state ("running" while a rerun executes)
SCRIPT_RUNNING = """() => { const el = document.querySelector('[data-test-script-state]');
  return !el || el.getAttribute('data-test-script-state') !== 'notRunning'; }"""

LONLAT_POINT = """([lon, lat]) => {
  const p = window.__pe.map.latLngToContainerPoint([lat, lon]);
  const box = document.getElementById('map').getBoundingClientRect();
  return [p.x + box.left, p.y + box.top];
}"""


def editor_frame(page, n_atoms: int, timeout_s: float = 120):
    """The editor's frame once it shows ``n_atoms`` atoms."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "plan_editor" not in frame.url:
                continue
            try:
                if frame.evaluate("document.querySelectorAll('path[data-atom]').length") == n_atoms:
                    return frame
            except Exception:  # noqa: BLE001 - the frame is (re)loading
                continue
        page.wait_for_timeout(300)
    raise AssertionError("the editor never showed the community's atoms")


def _offset(page) -> tuple[float, float]:
    box = page.locator('iframe[src*="plan_editor"]').bounding_box()
    return box["x"], box["y"]


def atom_point(page, frame, atom: str) -> tuple[float, float]:
    """Page coordinates of a point inside ``atom``."""
    ox, oy = _offset(page)
    x, y = frame.evaluate(INSIDE_POINT, atom)
    return ox + x, oy + y


def lonlat_point(page, frame, lon: float, lat: float) -> tuple[float, float]:
    """Page coordinates of a lon/lat on the editor's map."""
    ox, oy = _offset(page)
    x, y = frame.evaluate(LONLAT_POINT, [lon, lat])
    return ox + x, oy + y


def balance(frame, section: str, grid: str) -> int | None:
    """Households of ``grid`` in a panel section (pe-all: every grid, pe-touched: changed ones)."""
    return frame.evaluate(f"""() => {{ const td = document.querySelector('#{section} tr[data-grid="{grid}"] td.hh');
                                     return td ? +td.getAttribute('data-hh') : null; }}""")


def synced(frame) -> bool:
    """True when the browser has no op the server has not applied yet."""
    return frame.evaluate("window.__pe.queue.length === 0 && document.getElementById('pe-sync').className !== 'pending'")


def idle(page, frame=None, timeout_s: float = 60) -> None:
    """Wait until the app's script run is over (and the editor has nothing pending): latency is
    measured on a planner's click, not on one that lands while the page itself re-renders (a
    same-origin iframe shares the page's main thread)."""
    quiet = 0
    deadline = time.monotonic() + timeout_s
    while quiet < 4 and time.monotonic() < deadline:
        running = page.evaluate(SCRIPT_RUNNING)
        quiet = 0 if running or (frame is not None and not synced(frame)) else quiet + 1
        page.wait_for_timeout(150)


def wait_until(predicate, timeout_s: float = 60, what: str = "") -> None:
    """Poll ``predicate`` until it is true (exceptions while elements re-render count as false)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception:  # noqa: BLE001 - elements re-render meanwhile
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def pick_tool(frame, tool: str, size: int | None = None) -> None:
    """Choose an editor tool (brush, legacy, erase, select, lasso, line, pan) and the brush size."""
    frame.click(f'[data-tool="{tool}"]')
    if size is not None:
        frame.evaluate(f"document.getElementById('pe-size').value = {size}; "
                       "document.getElementById('pe-size').dispatchEvent(new Event('input'))")
