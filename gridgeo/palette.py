"""Every colour gridgeo draws with, in one place.

The maps (Streamlit pages, folium layers, the plan editor), the printed sheets (matplotlib) and
the review charts import their colours from here; no other module defines a hex colour of its
own (tests/test_palette.py checks that). Names say what a colour *means*; where two roles share
a value they are still two names, so one can change without the other.

Core module: plain constants, no folium, no streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

WHITE = "#ffffff"
BLACK = "#000000"

# --- risk / warning levels (red I, orange II, yellow III, blue IV; 0 = no open cases) --------
NO_RISK_COLOR = "#c8c8c8"  # neutral grey: grids without open cases
RISK_COLORS: dict[int, str] = {
    0: NO_RISK_COLOR,
    1: "#e02020",  # red, I
    2: "#f58220",  # orange, II
    3: "#f5d000",  # yellow, III
    4: "#2a7fd4",  # blue, IV
}
LEVEL_COLORS: tuple[str, ...] = tuple(RISK_COLORS[level] for level in (1, 2, 3, 4))  # levels I..IV in order
PROBLEM_COLOR = RISK_COLORS[1]  # atlas problems on the map: the level-I red

# --- hot spots (Gi* bins): diverging ColorBrewer RdBu, grey in the middle -------------------
HOTSPOT_COLORS: dict[int, str] = {
    3: "#b2182b", 2: "#ef8a62", 1: "#fdcbb0", 0: "#ececec", -1: "#c6dbef", -2: "#6baed6", -3: "#2166ac",
}

# --- events heat map: a sequential purple ramp (ColorBrewer Purples), stop -> colour ---------
HEAT_GRADIENT: dict[float, str] = {0.3: "#bcbddc", 0.55: "#9e9ac8", 0.8: "#6a51a3", 1.0: "#3f007d"}
EVENT_MARKER_LINE = WHITE  # the ring around an event's circle marker

# --- grid size against the households band (planner, plan editor, partition page) -----------
# blue below the band, green within, red above: one diverging reading everywhere
STATUS_COLORS: dict[str, str] = {"ok": "#2e7d32", "under_min": "#1565c0", "over_max": "#c62828", "empty": "#757575"}
STATUS_FALLBACK = "#333333"  # a status without a colour of its own

# --- how a proposed grid relates to the legacy ones (partition page) --------------------------
CHANGE_COLORS: dict[str, str] = {"kept": "#1565c0", "merged": "#6a1b9a", "split": "#ef6c00", "reshaped": "#757575"}
CHANGE_FALLBACK = "#9e9e9e"

# --- plan checks and plan diffs ------------------------------------------------------------
SEVERITY_COLORS: dict[str, str] = {"error": "#d32f2f", "warning": "#f57c00"}
CUT_LINE = SEVERITY_COLORS["error"]  # the line drawn to cut atoms
DIFF_COLORS: dict[str, str] = {"added": "#2e7d32", "removed": "#c62828", "changed": "#f9a825", "attributes": "#1565c0"}
DIFF_FALLBACK = "#333333"
MOVED_LINE, MOVED_FILL = "#6a1b9a", "#ab47bc"  # atoms that moved between grids

# --- categorical fills of grids in a plan (Set3, then Paired, then Set2's tan) ----------------
# neighbouring grids get different entries (gridgeo.plan.editor_data.grid_palette); the last one
# is also the fill of a grid without a stored colour
PALETTE: tuple[str, ...] = (
    "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5",
    "#bc80bd", "#ccebc5", "#ffed6f", "#a6cee3", "#b2df8a", "#fdbf6f", "#cab2d6", "#e5c494",
)
UNASSIGNED_FILL = WHITE  # atoms in no grid
ATOM_LINE = "#607d8b"
SELECTED_LINE = BLACK
UNIT_DOT = "#37474f"  # housing units / buildings as dots

# --- households per grid, sequential greens of the printed poster (light so labels read) -----
POSTER_HOUSEHOLD_FILLS: tuple[str, ...] = ("#f7fcf5", "#d9f0d3", "#a6dba0", "#5aae61")

# --- the atlas layers on light maps -----------------------------------------------------------
LAYER_COLORS: dict[str, str] = {"streets": "#1f4e79", "communities": "#2e7d32", "grids": "#6b7c93"}
COMMUNITY_OUTLINE = LAYER_COLORS["communities"]
LEGACY_OUTLINE = "#6d4c41"  # the legacy grids beside a partition proposal
PROPOSAL_LINE = "#37474f"  # edges of the proposed grids
HIGHLIGHT = "#ff5722"  # a polygon under the mouse
SELECTION = "#00e5ff"  # polygons picked in a search

# --- map chrome, light and dark (the wall) ---------------------------------------------------
LIGHT_BACKGROUND = "#eef1f5"
DARK_BACKGROUND = "#0b1626"
INK = "#1d2a3a"  # text, legends and the focused grid on light maps
INK_DARK = "#e8eef7"  # text and legends on dark maps
OUTLINE = "#34495e"  # district / street outlines on light maps
OUTLINE_DARK = "#7fb2ff"  # the same on dark maps
AREA_LINE = "#555555"  # thin outlines of grids and communities under a fill, light maps
AREA_LINE_DARK = "#3a5575"
PLAYBACK_LINE = "#777777"  # the playback's time line on light maps (dark: AREA_LINE_DARK)
PLAYBACK_DOT_LINE = "#333333"  # ring of a playback event on light maps
PLAYBACK_DOT_LINE_DARK = INK_DARK
WALL_NONE_COLOR = "#1b2c44"  # the wall's grids without open cases: drawn and listed in this colour
FLASH_COLOR = WHITE  # outline of a grid whose level just rose
STEADY_COLOR = "#fffffe"  # a distinct stroke value: WallFrameStyle flashes only FLASH_COLOR outlines
SWATCH_BORDER = "#666666"  # border of a legend's fill swatch
SWATCH_MARKED = "#111111"  # border of a marked (in-band) swatch


@dataclass(frozen=True)
class WallTheme:
    """The city wall's dark page (CSS in gridgeo_app/pages/wall.py)."""

    page: str = "#07111f"
    text: str = INK_DARK
    title: str = WHITE
    fresh_bg: str = "#0f3a24"
    fresh_border: str = "#2e9d5b"
    stale_bg: str = "#7a1010"
    stale_border: str = "#ff4d4d"
    panel: str = "#0f2038"
    panel_open: str = "#132a47"  # the open-cases tiles, a shade lighter than the day's figures
    panel_border: str = "#1f3b63"
    label: str = "#9fc3ff"
    new_case: str = "#ff6b6b"
    bar: str = "#4f9dff"
    note: str = "#8aa4c8"
    live: str = "#57d98b"  # the "live" mark when the stream is connected


WALL = WallTheme()


@dataclass(frozen=True)
class LiveMark:
    """The live / not-live mark of the light pages (/map, /planner) that follow the change stream."""

    on: str = "#1a8f4c"
    off: str = "#8a8f98"


LIVE_MARK = LiveMark()


@dataclass(frozen=True)
class PrintInk:
    """The greys and lines of the printed sheets (poster, review map, cartography helpers)."""

    text: str = "#333333"  # body text, grid edges of the poster
    title: str = "#222222"  # north arrow, scale bar text
    label: str = "#111111"  # place labels; street boundaries on the review map
    muted: str = "#555555"  # notes; community boundaries on the review map
    faint: str = "#999999"  # table rules, labels of neighbouring communities
    swatch_edge: str = "#666666"
    grid_edge: str = "#9a9a9a"  # the review map's grid edges
    header_fill: str = "#e8e8e8"  # table header cells
    neighbour_fill: str = "#f2f2f2"  # communities around the printed one
    neighbour_edge: str = "#bbbbbb"
    community: str = "#b2182b"  # the printed community's boundary
    district: str = BLACK
    paper: str = WHITE


PRINT = PrintInk()

# the placement queue's map (gridgeo_app.pages.queue): grid outlines and the candidate places
QUEUE_GRID_LINE = "#7f8c8d"
QUEUE_CANDIDATE = "#1f6fd1"

# halls and stations on the map (gridgeo_app.layers.halls): overdue share of the open cases →
# green, amber, red; grey without open cases
HALL_OVERDUE_COLOURS: tuple[tuple[float, str], ...] = ((0.1, "#2e7d32"), (0.3, "#f9a825"), (float("inf"), "#c62828"))
HALL_IDLE = "#78909c"
