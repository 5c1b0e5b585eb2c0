"""What a partition run is given: the layers (:class:`PartitionInputs`) and the settings
(:class:`PartitionOptions`), with the checks that turn bad ones into one-line errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from gridgeo.atlas.model import COUNT_COLUMNS, DEFAULT_MAX_HOUSEHOLDS, DEFAULT_MIN_HOUSEHOLDS
from gridgeo.errors import InputError, UsageError
from gridgeo.partition.chunks import DEFAULT_HALO_M

Progress = Callable[[str, float], None]  # (stage message, fraction done 0..1)
CHUNK_BY = ("street", "community", None)


@dataclass(frozen=True, eq=False)
class PartitionInputs:
    """The layers of one run, all WGS84 GeoDataFrames.

    ``communities`` (code, geometry), ``legacy`` (code, layer, geometry; several layers told apart
    by ``layer``) and ``units`` (households, population, enterprises; points or areas).
    Optional: ``current`` (code + geometry: today's grids, made a layer of the refinement so every
    atom lies in one of them, see ``gridgeo.plan.start``), ``previous`` (earlier grids whose codes
    to keep) and ``extra_lines`` (lines noded into the refinement, e.g. roads).
    """

    communities: gpd.GeoDataFrame
    legacy: gpd.GeoDataFrame
    units: gpd.GeoDataFrame
    current: gpd.GeoDataFrame | None = None
    previous: gpd.GeoDataFrame | None = None
    extra_lines: np.ndarray | None = None


@dataclass(frozen=True)
class PartitionOptions:
    """How to partition: the size band, the legacy layers used, the solver's seed and the work split.

    ``min_households``/``max_households`` (and optionally ``min_population``/``max_population``)
    bound every grid; ``primary_layer`` is the legacy layer changes are measured against (None:
    the one whose grids most often fit the band); ``layers`` restricts the legacy layers (None:
    all). ``sliver_m2`` and ``repair`` steer the overlay, ``split_crowded`` cuts atoms above the
    band between their units. ``n_jobs`` sizes the default engine; ``chunk_by`` ("street",
    "community" or None for one whole refinement) and ``halo_m`` chunk the refinement and the
    apportioning (:mod:`gridgeo.partition.chunks`).
    """

    min_households: float = DEFAULT_MIN_HOUSEHOLDS
    max_households: float = DEFAULT_MAX_HOUSEHOLDS
    min_population: float | None = None
    max_population: float | None = None
    primary_layer: str | None = None
    layers: tuple[str, ...] | None = None
    seed: int = 0
    sliver_m2: float = 100.0
    repair: str = "auto"
    split_crowded: bool = True
    n_jobs: int = 1
    chunk_by: str | None = "street"
    halo_m: float = DEFAULT_HALO_M

    def __post_init__(self) -> None:
        if self.layers is not None:  # a list from a caller: stored as a tuple, so the options stay hashable
            object.__setattr__(self, "layers", tuple(self.layers))

    @property
    def band(self) -> tuple[float, float]:
        """The households band as floats (lo, hi)."""
        return float(self.min_households), float(self.max_households)

    def check(self) -> None:
        """One-line UsageError for a setting no run can use."""
        lo, hi = self.band
        if not (0 <= lo < hi):
            raise UsageError(f"--min-households {lo:g} must be >= 0 and below --max-households {hi:g}")
        lo_p, hi_p = self.min_population, self.max_population
        if lo_p is not None and hi_p is not None and not (0 <= float(lo_p) < float(hi_p)):
            raise UsageError(f"--min-population {lo_p:g} must be >= 0 and below --max-population {hi_p:g}")
        if self.chunk_by not in CHUNK_BY:
            raise UsageError(f"chunk_by must be street, community or None, not {self.chunk_by!r}")


def _require(gdf: pd.DataFrame, cols: tuple[str, ...], what: str) -> None:
    missing = [c for c in cols if c not in gdf.columns]
    if missing:
        raise InputError(f"{what}: missing field(s) {', '.join(missing)}; add them (needs {', '.join(cols)})")
    if len(gdf) == 0:
        raise InputError(f"{what}: no features; give a layer with features")


def check_inputs(inputs: PartitionInputs) -> None:
    """The minimal checks the partition needs of its layers, as one-line InputError."""
    communities, legacy, units = inputs.communities, inputs.legacy, inputs.units
    _require(communities, ("code",), "communities")
    _require(legacy, ("code", "layer"), "legacy")
    _require(units, ("households",), "units")
    for name, gdf in (("communities", communities), ("legacy", legacy), ("units", units)):
        if gdf.crs is None:
            raise InputError(f"{name}: no CRS; give the layer in WGS84 (EPSG:4326)")
        bad = gdf.geometry.isna() | gdf.geometry.is_empty
        if bad.any():
            raise InputError(f"{name}: feature {int(np.flatnonzero(bad.to_numpy())[0]) + 1} has no geometry; "
                             "fix or drop it")
    if communities["code"].duplicated().any():
        dup = communities.loc[communities["code"].duplicated(), "code"].iloc[0]
        raise InputError(f"communities: code {dup} used twice; give each community its own code")
    for col in COUNT_COLUMNS:
        if col in units.columns:
            v = pd.to_numeric(units[col], errors="coerce")
            if (v < 0).any() or (v.isna() & units[col].notna()).any():
                raise InputError(f"units: field {col} has a negative or non-numeric value; write counts >= 0")
    if inputs.current is not None:
        _require(inputs.current, ("code",), "current grids")


def select_layers(legacy: gpd.GeoDataFrame, options: PartitionOptions) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The legacy features of the layers the run uses (``options.layers``) and those layers' names;
    UsageError for an unknown layer or primary layer."""
    legacy = legacy.copy()
    legacy["layer"] = legacy["layer"].astype(str)
    if options.layers:
        unknown = sorted(set(options.layers) - set(legacy["layer"]))
        if unknown:
            raise UsageError(f"legacy layer(s) {', '.join(unknown)} not in the legacy data; it holds "
                             f"{', '.join(sorted(legacy['layer'].unique()))}")
        legacy = legacy[legacy["layer"].isin(options.layers)]
    all_layers = sorted(legacy["layer"].unique())
    if options.primary_layer is not None and options.primary_layer not in all_layers:
        raise UsageError(f"--primary-layer {options.primary_layer}: no such legacy layer; choose one of "
                         f"{', '.join(all_layers)}")
    return legacy, all_layers
