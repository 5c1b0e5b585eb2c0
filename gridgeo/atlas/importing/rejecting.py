"""``--skip-invalid``: store the rows that pass, reject the rest with their file, row and reason.

Each feature carries its file and file row (``_file``/``_row``, see gridgeo.atlas.importing.multipart)
through the import. A problem that is an error about one feature rejects the rows it came from; the
atlas is then assembled again without them (a grid whose community was rejected is then rejected in
turn, as naming an unknown community), until no feature has an error. Problems about a whole layer
(a missing code field) still stop the import. Geometry make_valid repairs is repaired, not rejected.

``write_rejects`` writes the rejected rows of each area file in that file's own format (WGS84, the
file's own fields, ``<stem>.rejected<suffix>``) next to the CSV listing (file, row, field, value,
reason), so the office can fix them and import them again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gridgeo.atlas.importing.multipart import FILE, ROW
from gridgeo.atlas.importing.sources import LayerRead
from gridgeo.atlas.importing.units import REJECT_COLUMNS
from gridgeo.atlas.io import read_layer
from gridgeo.atlas.validation import Problem, feature_labels
from gridgeo.i18n import Msg, Seq

AREA_LAYERS = ("district", "streets", "communities", "grids")
MAX_PASSES = 6
_SUFFIX_DRIVERS = {".shp": "ESRI Shapefile", ".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG"}


def _positions(frame: pd.DataFrame, kind: str) -> dict[str | int, list[int]]:
    """Positions of the features a problem's ``feature`` label names (a code, or a 1-based row)."""
    out: dict[str | int, list[int]] = {}
    for i, label in enumerate(feature_labels(frame, kind)):
        out.setdefault(label, []).append(i)
    return out


def bad_rows(result, errors: list[Problem]) -> dict[tuple[str, int], Problem]:
    """(file, file row) -> the first error about it, for errors about one feature of an area layer."""
    out: dict[tuple[str, int], Problem] = {}
    cache: dict[str, dict] = {}
    for problem in errors:
        layer = result.layer_of(problem)
        if problem.feature is None or layer not in AREA_LAYERS:
            continue
        frame = getattr(result.atlas, layer)
        if ROW not in frame.columns:
            continue
        where = cache.setdefault(layer, _positions(frame, layer))
        for i in where.get(problem.feature, []):
            key = (str(frame[FILE].iloc[i]), int(frame[ROW].iloc[i]))
            out.setdefault(key, problem)
    return out


def without(reads: dict[str, LayerRead], bad: dict[tuple[str, int], Problem]) -> dict[str, LayerRead]:
    """The reads with the ``bad`` rows left out (the LayerReads are copied, not changed)."""
    out = {}
    for layer, read in reads.items():
        frame = read.frame
        keys = list(zip(frame[FILE].astype(str), frame[ROW].astype(int), strict=True))
        keep = [k not in bad for k in keys]
        out[layer] = LayerRead(read.path, frame[keep], read.mapping, read.encoding, read.crs_note, read.notes)
    return out


def reject_table(bad: dict[tuple[str, int], Problem], reads: dict[str, LayerRead]) -> pd.DataFrame:
    """The rejects listing: file, row, field (the code field), value (the code), reason (en, zh)."""
    where: dict[tuple[str, int], tuple[str, str]] = {}  # (file, row) -> (code field, code): one pass
    for read in reads.values():
        field = next((s for s, c in read.mapping.items() if c == "code"), "")
        codes = read.frame["code"] if "code" in read.frame.columns else pd.Series(None, index=read.frame.index)
        for file, row, code in zip(read.frame[FILE].astype(str), read.frame[ROW].astype(int), codes, strict=True):
            if (file, row) in bad:
                where[(file, row)] = (field, "" if code is None or pd.isna(code) else str(code))
    rows = []
    for (file, row), problem in sorted(bad.items()):
        field, value = where.get((file, row), ("", ""))
        hint_zh = problem.hint_text("zh")
        rows.append({"file": file, "row": row, "field": field, "value": value,
                     "reason": problem.message + (f" — {problem.hint}" if problem.hint else ""),
                     "reason_zh": problem.text("zh") + (f" — {hint_zh}" if hint_zh else "")})
    return pd.DataFrame(rows, columns=list(REJECT_COLUMNS))


def skip_rows(result, reads: dict[str, LayerRead], assemble: Callable[[dict], object]):
    """Assemble again without the rows that have errors until none has; the result's ``rejects``
    holds them (with the unit rows a register rejected), and ``rejected`` maps (file, row) -> Problem."""
    bad: dict[tuple[str, int], Problem] = {}
    for _ in range(MAX_PASSES):
        found = bad_rows(result, result.errors)
        if not found:
            break
        bad.update({k: v for k, v in found.items() if k not in bad})
        result = assemble(without(reads, bad))
    result.rejected = bad
    if bad:
        table = reject_table(bad, reads)
        result.rejects = pd.concat([t for t in (result.rejects, table) if len(t)], ignore_index=True)
    return result


def account(result, reads: dict[str, LayerRead]) -> list[Msg]:
    """One line per area layer read: rows read, stored, merged into which, repaired, rejected why."""
    lines = []
    rejected = getattr(result, "rejected", {}) or {}
    for layer in AREA_LAYERS:
        if layer not in reads:
            continue
        frame = getattr(result.atlas, layer)
        files = set(reads[layer].frame[FILE].astype(str))
        merges = (result.rows.get(layer) or {}).get("merges", [])
        repaired = (result.rows.get(layer) or {}).get("repaired", 0)
        why = Counter(p.check for (f, _), p in rejected.items() if f in files)
        merged = sum(len(m.merged) for m in merges)
        parts = [Msg("sum_rows_stored", {"n": f"{len(frame):,}"})]
        if merged:
            parts.append(Msg("sum_rows_merged", {"n": f"{merged:,}", "into": f"{len(merges):,}"}))
        if repaired:
            parts.append(Msg("sum_rows_repaired", {"n": f"{repaired:,}"}))
        if why:
            parts.append(Msg("sum_rows_rejected", {"n": f"{sum(why.values()):,}", "why": Seq(tuple(
                Msg("sum_why", {"check": Msg(f"chk_{c}"), "n": n}) for c, n in why.most_common()))}))
        lines.append(Msg("sum_rows", {"layer": Msg(f"lyr_{layer}"), "n": f"{len(reads[layer].frame):,}",
                                      "parts": Seq(tuple(parts), Msg("sep_semi"))}))
    return lines


def finish(result, reads: dict[str, LayerRead], notes: list[Msg] = (), strays: dict | None = None):
    """The result with the row fields dropped, the ``strays`` (rows of another schema) among the
    rejects, and ``notes`` and the accounting lines added to its summary."""
    if strays:
        result.rejected = {**strays, **(result.rejected or {})}
        table = reject_table(strays, reads)
        result.rejects = pd.concat([t for t in (result.rejects, table) if len(t)], ignore_index=True)
        notes = [*notes, *_stray_lines(strays, reads)]
    for line in [*notes, *account(result, reads)]:
        result.summary_msgs.append(line)
        result.summary.append(line.render("en"))
    strip_rows(result.atlas)
    result.atlas.meta["summary"] = list(result.summary)
    return result


def _stray_lines(strays: dict, reads: dict[str, LayerRead]) -> list[Msg]:
    lines = []
    for layer, read in reads.items():
        rows = sorted(r for (f, r) in strays if f in set(read.frame[FILE].astype(str)))
        if rows:
            lines.append(Msg("sum_strays", {"layer": Msg(f"lyr_{layer}"), "n": f"{len(rows):,}",
                                            "rows": ", ".join(map(str, rows[:10])) + (" ..." if len(rows) > 10 else "")}))
    return lines


def strip_rows(atlas) -> None:
    """Drop the import's own row fields from every layer of ``atlas`` (in place)."""
    for name, frame in atlas.layers().items():
        drop = [c for c in (ROW, FILE) if c in frame.columns]
        if drop:
            setattr(atlas, name, frame.drop(columns=drop))


def write_rejects(result, listing: Path, crs: dict[str, str] | None = None) -> list[Path]:
    """Write the rejects listing (CSV) and, for each area file with rejected rows, those rows in
    the file's own format next to it; return the files written."""
    written = [listing]
    result.rejects.to_csv(listing, index=False, encoding="utf-8-sig")
    rejected = getattr(result, "rejected", {}) or {}
    by_file: dict[str, list[int]] = {}
    for file, row in rejected:
        by_file.setdefault(file, []).append(row)
    for file, rows in by_file.items():
        src = Path(file)
        driver = _SUFFIX_DRIVERS.get(src.suffix.lower())
        if driver is None:
            continue
        layer = next((k for k, v in (result.atlas.meta.get("sources") or {}).items() if v == file), None)
        raw = read_layer(src, kind=layer, crs=(crs or {}).get(layer or ""))
        out = listing.with_name(f"{src.stem}.rejected{src.suffix}")
        part = gpd.GeoDataFrame(raw.iloc[[r - 1 for r in sorted(rows)]], crs=raw.crs)
        text = {"encoding": raw.attrs.get("encoding") or "UTF-8"} if driver == "ESRI Shapefile" else {}
        part.to_file(out, driver=driver, engine="pyogrio", **text)
        written.append(out)
    return written
