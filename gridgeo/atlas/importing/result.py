"""What an import gives back (:class:`ImportResult`) and the small steps that assembling the
atlas and the import pipeline share: validation of the whole atlas, geometry repair, provenance
and the required-field check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gridgeo.atlas.model import Atlas
from gridgeo.atlas.validation import Problem, repair_geometries, validate_atlas
from gridgeo.errors import InputError
from gridgeo.i18n import Msg, word

Progress = Callable[[str, float], None]
AREA_LAYERS = ("district", "streets", "communities", "grids")
# checks that describe imperfect geometry rather than broken data: importable with accept_warnings
WARNING_CHECKS = frozenset({"gap", "overlap", "outside_parent"})
REJECT_COLUMNS = ("file", "row", "field", "value", "reason")


@dataclass
class ImportResult:
    """What import_atlas found: the atlas (WGS84), validation problems, summary lines (English text
    in ``summary``, the same lines as catalogue messages in ``summary_msgs`` for the page), the field
    mapping per layer ({source field: canonical}) and the rejected unit rows."""

    atlas: Atlas | None
    problems: list[Problem] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    summary_msgs: list[Msg] = field(default_factory=list)
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(REJECT_COLUMNS)))

    @property
    def errors(self) -> list[Problem]:
        """Problems that forbid storing the atlas."""
        return [p for p in self.problems if p.check not in WARNING_CHECKS]

    @property
    def warnings(self) -> list[Problem]:
        """Problems that may be accepted explicitly (gaps, overlaps, parts outside the parent)."""
        return [p for p in self.problems if p.check in WARNING_CHECKS]

    @property
    def ok(self) -> bool:
        """True when the atlas has no errors (it may still have warnings)."""
        return self.atlas is not None and not self.errors

    def layer_of(self, problem: Problem) -> str | None:
        """The atlas layer a problem is about (from its file), e.g. to highlight it on a map."""
        sources = (self.atlas.meta.get("sources") or {}) if self.atlas is not None else {}
        return next((layer for layer, src in sources.items() if src == problem.file), None)

    def storable(self, accept_warnings: bool = False) -> bool:
        """True when the atlas may be stored: no errors, and no warnings unless accepted."""
        return self.ok and (accept_warnings or not self.warnings)


def validate_imported(atlas: Atlas, sources: dict[str, str]) -> list[Problem]:
    """The whole atlas through gridgeo.atlas.validation (grids, legacy and units may be absent)."""
    return validate_atlas(atlas, sources=sources, optional=("grids", "legacy", "units"))


def repair(frame: gpd.GeoDataFrame, kind: str) -> tuple[gpd.GeoDataFrame, int]:
    """Fix invalid polygons with make_valid (counted in the summary)."""
    return repair_geometries(frame, kind)


def base_meta(name: str) -> dict:
    """Provenance fields every imported atlas carries."""
    return {"name": name, "synthetic": False, "crs": "EPSG:4326",
            "imported_at": datetime.now(UTC).isoformat(timespec="seconds")}


def require(frame: gpd.GeoDataFrame, col: str, path: Path, layer: str) -> None:
    """InputError when a layer lacks a field it cannot do without."""
    if col not in frame.columns:
        raise InputError(Msg("err_no_field", {"path": str(path), "file": Path(path).name, "col": word("fld_", col), "layer": word("lyr_", layer)}))
