"""Put the read layers together into one Atlas: parents, derived layers, units, legacy, validation."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from gridgeo.atlas.importing.derive import derive_parents
from gridgeo.atlas.importing.multipart import merge_parts
from gridgeo.atlas.importing.parents import assign_parent, complete_codes
from gridgeo.atlas.importing.result import (
    REJECT_COLUMNS,
    ImportResult,
    base_meta,
    repair,
    require,
    validate_imported,
)
from gridgeo.atlas.importing.sources import LayerRead, read_source
from gridgeo.atlas.importing.units import check_unit_crs, is_table, read_unit_table
from gridgeo.atlas.model import COUNT_COLUMNS, REQUIRED_COLUMNS, UNIT_KINDS, Atlas, atlas_metric_crs
from gridgeo.atlas.validation import Problem
from gridgeo.atlas.validation.kinds import field_word, one
from gridgeo.geo.crs import WGS84
from gridgeo.i18n import Msg, Seq, word

_KIND_SLUGS = {v: k for k, v in UNIT_KINDS.items()}
_HELPER_FIELDS = ("district_name", "street_name", "community_name")  # _row/_file: dropped by the pipeline


def _lyr(layer: str) -> Msg:
    """A layer's name at the head of a summary line ("communities", 社区)."""
    return Msg(f"lyr_{layer}")


def _fields(mapping: dict[str, str]) -> Seq | Msg:
    """"源字段→code, ..." with the canonical fields in the page language."""
    pairs = tuple(Msg("sum_map", {"src": s, "dst": field_word(c)}) for s, c in mapping.items())
    return Seq(pairs) if pairs else Msg("sum_none")


class _Log:
    """Summary lines (catalogue messages, and their English), problems and mappings collected
    while assembling."""

    def __init__(self) -> None:
        self.summary: list[str] = []
        self.lines: list[Msg] = []
        self.problems: list[Problem] = []
        self.mappings: dict[str, dict[str, str]] = {}
        self.sources: dict[str, str] = {}
        self.rows: dict[str, dict] = {}  # per layer: merges and repaired rows, for the accounting

    def add(self, line: Msg) -> None:
        """One summary line: kept as a message for the page and in English for the CLI and meta."""
        self.lines.append(line)
        self.summary.append(line.render("en"))

    def read(self, layer: str, r: LayerRead, label: Msg | None = None) -> None:
        """Note one file read for ``layer`` (mappings of several files of a layer are merged)."""
        self.mappings.setdefault(layer, {}).update(r.mapping)
        self.sources[layer] = str(r.path)
        self.add(Msg("sum_read", {"layer": label or _lyr(layer), "n": f"{len(r.frame):,}", "file": r.path.name,
                                  "notes": Seq((r.crs_note, *r.notes), Msg("sep_semi")), "fields": _fields(r.mapping)}))


def _fixed(frame: gpd.GeoDataFrame, kind: str, log: _Log) -> gpd.GeoDataFrame:
    frame, n = repair(frame, kind)
    if n:
        log.add(Msg("sum_repaired", {"layer": _lyr(kind), "n": f"{n:,}"}))
    if kind != "legacy":
        frame, merges = merge_parts(frame)
        log.rows[kind] = {"merges": merges, "repaired": n}
        if merges:
            log.add(merged_line(kind, merges))
    return frame


def merged_line(kind: str, merges: list) -> Msg:
    """"grids: 4 rows were parts of 2 features (...): merged into one multipolygon each"."""
    shown = Seq(tuple(Msg("sum_merge_one", {"code": m.code, "rows": ", ".join(map(str, (m.row, *m.merged)))})
                      for m in merges[:5]))
    return Msg("sum_merged", {"layer": _lyr(kind), "rows": f"{sum(len(m.merged) + 1 for m in merges):,}",
                              "n": f"{len(merges):,}", "list": shown, "more": " ..." if len(merges) > 5 else ""})


def _hierarchy(reads: dict[str, LayerRead], log: _Log) -> tuple[gpd.GeoDataFrame, ...]:
    """(district, streets, communities): given or derived, each with its parent code."""
    comm = reads["communities"]
    communities = _fixed(comm.frame, "communities", log)
    require(communities, "code", comm.path, "communities")
    if "streets" in reads:
        streets = _fixed(reads["streets"].frame, "streets", log)
        require(streets, "code", reads["streets"].path, "streets")
        communities, how, probs = assign_parent(communities, streets, "communities", "street_code",
                                                "street_name", str(comm.path), _source(comm, "street_name"))
        log.problems += probs
        log.add(_parent_line("communities", "streets", how))
    else:
        streets = derive_parents(communities, "streets", "street_code", "street_name", "district_code", "街道")
        log.sources["streets"] = f"streets (derived from {comm.path.name})"
        communities["street_code"] = communities.get("street_code", pd.Series(index=communities.index, dtype=object)
                                                     ).fillna(communities["code"].str[:9])
        log.add(Msg("sum_streets_derived", {"n": f"{len(streets):,}"}))
    if "district" in reads:
        district = _named_district(_fixed(reads["district"].frame, "district", log))
        streets, how, probs = assign_parent(streets, district, "streets", "district_code", "district_name",
                                            log.sources.get("streets", "streets"))
        log.problems += probs
        log.add(_parent_line("streets", "district", how))
    else:
        if "district_name" not in streets.columns and "district_name" in communities.columns:
            streets["district_name"] = streets["code"].map(
                dict(zip(communities["code"].str[:9], communities["district_name"], strict=True)))
        district = derive_parents(streets, "district", "district_code", "district_name", None, "区")
        log.sources["district"] = f"district (derived from {comm.path.name})"
        streets["district_code"] = streets.get("district_code", pd.Series(index=streets.index, dtype=object)
                                               ).fillna(streets["code"].str[:6])
        log.add(Msg("sum_district_derived", {"n": f"{len(district):,}"}))
    return district, streets, communities


def _named_district(district: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A district read without names (or named by its code) named from GB/T 2260 (510107 → 武侯区)."""
    from gridgeo.atlas.divisions import county_name

    if "code" not in district.columns:
        return district
    names = district["name"] if "name" in district.columns else pd.Series(None, index=district.index, dtype=object)
    blank = [not isinstance(n, str) or not n.strip() or n.strip() == str(c) for n, c in zip(names, district["code"], strict=True)]
    if not any(blank):
        return district
    filled = [county_name(c) or n if b else n for n, c, b in zip(names, district["code"], blank, strict=True)]
    return district.assign(name=filled)


def _parent_line(layer: str, parent: str, how: Msg) -> Msg:
    """"communities: parent street by code prefix for 12"."""
    return Msg("sum_parent", {"layer": _lyr(layer), "parent": one(parent), "how": how})


def _source(read: LayerRead, canonical: str) -> str | None:
    return next((s for s, c in read.mapping.items() if c == canonical), None)


def _grids(read: LayerRead | None, communities: gpd.GeoDataFrame, log: _Log) -> gpd.GeoDataFrame:
    if read is None:
        log.add(Msg("sum_no_grids"))
        return gpd.GeoDataFrame(columns=list(REQUIRED_COLUMNS["grids"]) + ["geometry"], geometry="geometry", crs=WGS84)
    grids = _fixed(read.frame, "grids", log)
    require(grids, "code", read.path, "grids")
    grids, how, probs = assign_parent(grids, communities, "grids", "community_code", "community_name",
                                      str(read.path), _source(read, "community_name"))
    log.problems += probs
    grids, completed = complete_codes(grids, "grids", "community_code")
    line = _parent_line("grids", "communities", how)
    log.add(Msg("sum_completed", {"line": line, "n": f"{completed:,}"}) if completed else line)
    street_of = dict(zip(communities["code"], communities["street_code"], strict=True))
    grids["street_code"] = grids["community_code"].map(street_of)
    if "name" not in grids.columns:
        grids["name"] = grids["code"]
    return grids


def _units(paths: list[Path], crs: dict, fmap: dict, communities: gpd.GeoDataFrame, log: _Log
           ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    frames, rejects = [], []
    check_unit_crs(crs.get("units"))
    for path in paths:
        if is_table(path):
            frame, mapping, rej, note = read_unit_table(path, crs.get("units"), fmap.get("units"))
            rejects.append(rej)
            nbad = rej["row"].nunique() if len(rej) else 0
            log.add(Msg("sum_units_table", {"n": f"{len(frame):,}", "file": path.name, "note": note,
                                            "fields": _fields(mapping), "bad": f"{nbad:,}"}))
            log.mappings.setdefault("units", {}).update(mapping)
            log.sources["units"] = str(path)
        else:
            read = read_source(path, "units", crs.get("units"), fmap.get("units"))
            log.read("units", read)
            frame = read.frame
        frames.append(frame)
    rejected = pd.concat(rejects, ignore_index=True) if rejects else pd.DataFrame(columns=list(REJECT_COLUMNS))
    if not frames:
        return gpd.GeoDataFrame(columns=list(REQUIRED_COLUMNS["units"]) + ["geometry"], geometry="geometry",
                                crs=WGS84), rejected
    units = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WGS84)
    units, how, probs = assign_parent(units, communities, "units", "community_code", "community_name",
                                      log.sources.get("units", "units"))
    log.problems += probs
    log.add(_parent_line("units", "communities", how))
    return _unit_defaults(units, log), rejected


def _unit_defaults(units: gpd.GeoDataFrame, log: _Log) -> gpd.GeoDataFrame:
    if "name" not in units.columns:
        units["name"] = None
    units["name"] = units["name"].fillna(units["code"])
    if "kind" not in units.columns:
        units["kind"] = "compound"
        log.add(Msg("sum_no_kind"))
    units["kind"] = [_KIND_SLUGS.get(k, k) if isinstance(k, str) else "compound" for k in units["kind"]]
    for col in COUNT_COLUMNS:
        if col not in units.columns:
            units[col] = 0
            log.add(Msg("sum_no_count", {"col": field_word(col)}))
    return units


def _legacy(items: list[tuple[str | None, Path]], crs: dict, fmap: dict, log: _Log) -> gpd.GeoDataFrame:
    frames = []
    for slug, path in items:
        read = read_source(path, "legacy", crs.get(slug or "") or crs.get("legacy"), fmap.get("legacy"))
        frame = read.frame
        if slug or "layer" not in frame.columns:
            frame["layer"] = slug or path.stem
        if "code" not in frame.columns:
            frame["code"] = [f"{frame['layer'].iloc[0]}-{i + 1:04d}" for i in range(len(frame))]
            read.notes.append(Msg("src_no_code"))
        if "name" not in frame.columns:
            frame["name"] = frame["code"]
        names = (slug,) if slug else tuple(map(str, pd.unique(frame["layer"])))
        log.read("legacy", read, Msg("lyr_legacy_named", {"slugs": Seq(names),
                                                          "words": Seq(tuple(word("pp_layer_", n) for n in names))}))
        frames.append(_fixed(frame, "legacy", log))
    if not frames:
        return gpd.GeoDataFrame(columns=list(REQUIRED_COLUMNS["legacy"]) + ["geometry"], geometry="geometry", crs=WGS84)
    log.sources["legacy"] = ", ".join(str(p) for _, p in items)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WGS84)


def _clean(frame: gpd.GeoDataFrame, kind: str) -> gpd.GeoDataFrame:
    """Required fields first, helper name fields dropped, a fresh index."""
    frame = frame.drop(columns=[c for c in _HELPER_FIELDS if c in frame.columns])
    first = [c for c in REQUIRED_COLUMNS[kind] if c in frame.columns]
    order = first + [c for c in frame.columns if c not in first and c != "geometry"] + ["geometry"]
    return gpd.GeoDataFrame(frame[order].reset_index(drop=True), geometry="geometry", crs=WGS84)


def _area_line(atlas: Atlas, metric: str) -> Msg:
    parts = []
    for layer in ("district", "streets", "communities", "grids"):
        frame = getattr(atlas, layer)
        if len(frame):
            parts.append(Msg("sum_area_part", {"layer": _lyr(layer), "n": f"{len(frame):,}",
                                               "km2": f"{frame.to_crs(metric).area.sum() / 1e6:,.2f}"}))
    return Msg("sum_areas", {"crs": metric, "parts": Seq(tuple(parts))})


def _service_points(paths: list[Path], crs: dict, fmap: dict, atlas: Atlas, log: _Log) -> None:
    """The service-point files read into ``atlas.service_points`` (tiers and named territories
    resolved); their row problems go to the log."""
    from gridgeo.atlas.importing.service_points import LAYER, place_service_points, read_service_points

    frames = []
    for path in paths:
        read, problems = read_service_points(path, crs.get(LAYER), fmap.get(LAYER))
        for col in ("code", "tier"):
            require(read.frame, col, path, LAYER)
        log.read(LAYER, read)
        frame, more = place_service_points(read, atlas.layers())
        log.problems += problems + more
        frames.append(frame)
    if frames:
        atlas.service_points = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=WGS84)


def assemble(reads: dict[str, LayerRead], unit_paths: list[Path], legacy_items: list, *, name: str,
             crs: dict, fmap: dict, tick, point_paths: list[Path] = ()) -> ImportResult:
    """Build the atlas from the read layers and validate it (see import_atlas)."""
    log = _Log()
    for layer, read in reads.items():
        log.read(layer, read)
    tick("parents", 0.5)
    district, streets, communities = _hierarchy(reads, log)
    grids = _grids(reads.get("grids"), communities, log)
    tick("units", 0.6)
    units, rejects = _units(unit_paths, crs, fmap, communities, log)
    legacy = _legacy(legacy_items, crs, fmap, log)
    atlas = Atlas(district=_clean(district, "district"), streets=_clean(streets, "streets"),
                  communities=_clean(communities, "communities"), grids=_clean(grids, "grids"),
                  legacy=_clean(legacy, "legacy"), units=_clean(units, "units"), meta=base_meta(name))
    _service_points(list(point_paths), crs, fmap, atlas, log)
    if len(rejects):
        log.add(Msg("sum_rejects", {"rows": f"{rejects['row'].nunique():,}", "cells": f"{len(rejects):,}"}))
    metric = atlas_metric_crs(atlas)
    log.add(_area_line(atlas, metric))
    tick("validate", 0.75)
    problems = log.problems + validate_imported(atlas, log.sources)
    atlas.meta.update(metric_crs=metric, sources=log.sources, summary=list(log.summary),
                      counts={k: int(len(v)) for k, v in atlas.all_layers().items()})
    tick("done", 1.0)
    return ImportResult(atlas=atlas, problems=problems, summary=log.summary, summary_msgs=log.lines,
                        mappings=log.mappings, rows=log.rows,
                        rejects=rejects.sort_values(["file", "row"], kind="stable").reset_index(drop=True))


def rejects_rows(result: ImportResult) -> int:
    """Number of distinct rejected rows."""
    return int(result.rejects[["file", "row"]].drop_duplicates().shape[0]) if len(result.rejects) else 0

