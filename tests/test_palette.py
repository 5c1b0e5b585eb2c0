"""One palette: every colour gridgeo draws with is defined in gridgeo.palette, nowhere else."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

from gridgeo import palette

ROOT = Path(__file__).resolve().parents[1]
HEX = re.compile(r"#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
# (module, literal) -> why it is not a palette colour
ALLOWED = {
    ("gridgeo_app/layers/events.py", "#000"):
        "HeatClip's canvas mask: 'destination-in' compositing keeps only its alpha, the colour is never seen",
}
EDITOR_FRONTEND = ROOT / "gridgeo_app" / "editor" / "frontend"


def _hex_literals(path: Path) -> list[tuple[int, str]]:
    """(line, literal) of every hex colour inside a string token of ``path`` (comments are not tokens)."""
    found = []
    for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if tok.type == tokenize.STRING:
            found += [(tok.start[0], m.group(0)) for m in HEX.finditer(tok.string)]
    return found


def test_no_module_but_the_palette_defines_a_hex_colour():
    offenders = []
    for package in ("gridgeo", "gridgeo_app"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel == "gridgeo/palette.py":
                continue
            offenders += [f"{rel}:{line} {lit}" for line, lit in _hex_literals(path) if (rel, lit) not in ALLOWED]
    offenders += [f"app.py:{line} {lit}" for line, lit in _hex_literals(ROOT / "app.py")]
    assert not offenders, "colours belong in gridgeo/palette.py:\n" + "\n".join(offenders)


def test_the_scan_finds_a_colour_in_code_but_not_in_comments(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text('RED = "#e02020"  # not "#123456"\nCSS = f"color: {RED}; border: 1px solid #666"\n')
    assert _hex_literals(sample) == [(1, "#e02020"), (2, "#666")]


def test_every_allowed_literal_is_still_there():
    """A whitelist entry whose literal went away must go too (no stale excuses)."""
    for rel, lit in ALLOWED:
        assert lit in {x for _line, x in _hex_literals(ROOT / rel)}, (rel, lit)


def test_the_editor_frontend_takes_its_data_colours_from_the_palette():
    """The plan editor's static script draws grids, size status and issues in colours it gets from
    Python (the editor state), never its own copies. Its UI chrome stays static: editor.css's
    toolbar/panel greys and its Material red/green for "on", "synced" and warnings (values the
    status colours happen to share) are page styling, not map colours, and are not checked."""
    meaning = {*palette.PALETTE, *palette.STATUS_COLORS.values(), *palette.SEVERITY_COLORS.values(),
               *palette.RISK_COLORS.values()}
    meaning -= {palette.WHITE, palette.BLACK}
    repeated = []
    for path in sorted(EDITOR_FRONTEND.glob("*.js")):
        text = path.read_text(encoding="utf-8").lower()
        repeated += [f"{path.name} {c}" for c in sorted(meaning) if c.lower() in text]
    assert not repeated, repeated


def test_copies_that_used_to_disagree_are_one_value_now():
    # risk levels I..IV in chart order are the risk colours, not a second list
    assert tuple(palette.RISK_COLORS[lv] for lv in (1, 2, 3, 4)) == palette.LEVEL_COLORS
    assert len(set(palette.RISK_COLORS.values())) == 5
    # the grid palette: distinct entries, none of them a risk or "no risk" colour
    assert len(set(palette.PALETTE)) == len(palette.PALETTE) == 16
    assert not set(palette.PALETTE) & set(palette.RISK_COLORS.values())
    # size status: below and above the band read differently, and neither is the ok colour
    status = palette.STATUS_COLORS
    assert len({status["under_min"], status["ok"], status["over_max"]}) == 3
    # every value is a well-formed hex colour
    for name in dir(palette):
        value = getattr(palette, name)
        values = value.values() if isinstance(value, dict) else value if isinstance(value, tuple) else [value]
        for v in values:
            if isinstance(v, str) and v.startswith("#"):
                assert re.fullmatch(r"#[0-9a-f]{6}", v), (name, v)


def test_modules_use_the_palette_values():
    from gridgeo.analysis.hotspots import GI_BINS
    from gridgeo.analysis.risk import RISK_COLORS
    from gridgeo.plan.editor_data import PALETTE
    from gridgeo.printing.poster import HOUSEHOLD_CLASSES

    assert RISK_COLORS is palette.RISK_COLORS and PALETTE is palette.PALETTE
    assert {b: c for b, (_conf, c) in GI_BINS.items()} == palette.HOTSPOT_COLORS
    assert tuple(c for _upper, c in HOUSEHOLD_CLASSES) == palette.POSTER_HOUSEHOLD_FILLS
