"""``gridgeo ingest FILE``: load events from a CSV or GeoJSON file into the store.

Rows are validated one by one (the same rules as the API) and stored in transactions of
``--batch-size`` rows; a row is *acknowledged* once its transaction has committed, and
``--ack-file`` gets the ids of each committed batch appended (flushed and fsynced) right after
the commit, so a crash or kill loses no acknowledged event. Re-running the same file is safe:
stored ids come back as duplicates. Rejected rows go to a side file (``FILE.rejected.csv`` by
default) with the line/feature number and the reasons.

Exit status: 0 all rows accepted or duplicate; 1 some rows rejected (see the side file), the
file is unreadable or holds no rows; 2 usage errors.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import itertools
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from gridgeo.errors import InputError, UsageError
from gridgeo.services import intake


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the ingest options."""
    parser.epilog = (
        "Columns/properties: id, reported_at (ISO 8601 with zone), lon, lat (GeoJSON: Point geometry), "
        "crs, category, level (1-4), channel, text, list_type; Open311 names (service_request_id, "
        "requested_datetime, long, service_code, description) are accepted. Exit status: 0 all rows stored "
        "or already stored, 1 some rows rejected (see the side file) or unreadable file, 2 usage error.")
    parser.add_argument("file", metavar="FILE", help="events as .csv or .geojson/.json, or a hotline work-order "
                        "export (.xlsx or .csv) placed by address")
    parser.add_argument("--database", metavar="URL",
                        help="store URL (default GRIDGEO_DATABASE_URL, else SQLite in the data dir)")
    parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")
    parser.add_argument("--rejects", metavar="PATH", help="side file for rejected rows (default FILE.rejected.csv)")
    parser.add_argument("--ack-file", metavar="PATH", help="append the ids of every committed batch to PATH")
    parser.add_argument("--crs", default=None,
                        help="CRS of rows that do not say (WGS84 default; GCJ02, BD09, CGCS2000)")
    parser.add_argument("--actor", default="ingest", help="who is recorded as reporting (default ingest)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--report", metavar="F.csv",
                        help="hotline work-order exports (.xlsx, or .csv with 工单编号/来电时间/事发地址): write one row "
                             "per input row: id, placement, grid_code, method, confidence, reason")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language of the hotline summary and the report's reasons (default zh)")


def _csv_rows(path: Path, encoding: str = "utf-8-sig") -> Iterator[tuple[str, dict]]:
    with path.open("rb") as raw:
        if raw.read(3) != codecs.BOM_UTF8:
            raw.seek(0)  # also skip a UTF-8 BOM in front of GBK text (some exporters write one)
        fh = io.TextIOWrapper(raw, encoding=encoding, newline="")
        reader = csv.DictReader(fh)
        if not reader.fieldnames:
            raise InputError(f"{path}: empty CSV (no header row)")
        for row in reader:
            yield f"line {reader.line_num}", {k: v for k, v in row.items() if k is not None}


def _geojson_rows(path: Path) -> Iterator[tuple[str, dict]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc}); fix the file or export it again") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise InputError(f"{path}: not a GeoJSON FeatureCollection (no 'features' list)")
    for i, feat in enumerate(features):
        if not isinstance(feat, dict):
            yield f"feature {i}", {"__geometry_error__": f"feature: must be a GeoJSON Feature object, got {feat!r:.40}"}
            continue
        props = feat.get("properties")
        props = dict(props) if isinstance(props, dict) else {}
        geom = feat.get("geometry")
        geom = geom if isinstance(geom, dict) else {}
        if geom.get("type") == "Point" and isinstance(geom.get("coordinates"), list) and \
                len(geom["coordinates"]) >= 2:
            props.setdefault("lon", geom["coordinates"][0])
            props.setdefault("lat", geom["coordinates"][1])
        elif "lon" not in props and "long" not in props:
            props["__geometry_error__"] = f"geometry: must be a Point, got {geom.get('type')!r}"
        yield f"feature {i}", props


def _sniff_csv(path: Path) -> tuple[str, int]:
    """(encoding, number of lines) in one streaming pass: UTF-8 (BOM or not), else GB18030 (GBK)."""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    gbk = codecs.getincrementaldecoder("gb18030")()
    ok = {"utf-8-sig": True, "gb18030": True}
    lines = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            lines += chunk.count(b"\n")
            for name, dec in (("utf-8-sig", utf8), ("gb18030", gbk)):
                if ok[name]:
                    try:
                        dec.decode(chunk)
                    except UnicodeDecodeError:
                        ok[name] = False
    for name, dec in (("utf-8-sig", utf8), ("gb18030", gbk)):
        if ok[name]:
            try:
                dec.decode(b"", final=True)
                return name, lines
            except UnicodeDecodeError:
                ok[name] = False
    raise InputError(f"{path}: neither UTF-8 nor GBK/GB18030 text; save it as UTF-8 CSV")


def _rows(path: Path) -> tuple[Iterator[tuple[str, dict]], int]:
    """The rows of the file (streamed for CSV) and the expected count for the progress bar."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        encoding, lines = _sniff_csv(path)
        return _csv_rows(path, encoding), max(lines - 1, 0)
    if suffix in (".geojson", ".json"):
        rows = list(_geojson_rows(path))
        return iter(rows), len(rows)
    raise InputError(f"{path}: unsupported file type {suffix!r}; give a .csv or .geojson file")


def _write_rejects(path: Path, rejected: list[tuple[str, dict, str]]) -> None:
    fields: list[str] = ["where", "reason"]
    for _, row, _ in rejected:
        fields.extend(k for k in row if k not in fields and not k.startswith("__"))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            for where, row, reason in rejected:
                writer.writerow({**{k: v for k, v in row.items() if not k.startswith("__")},
                                 "where": where, "reason": reason})
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _check_arguments(args: argparse.Namespace, path: Path) -> None:
    """Usage errors (exit 2) and a missing or wrong input file (exit 1), before anything is opened."""
    from gridgeo.geo.crs import normalize_crs_name

    if args.report:
        raise UsageError(f"--report: only for hotline work-order exports; {path} is not one "
                         "(its header has no 工单编号, 来电时间 and 事发地址)")
    if args.crs:
        try:
            normalize_crs_name(args.crs)
        except ValueError as exc:
            raise UsageError(f"--crs: {exc}") from None
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a .csv or .geojson file")
    if not path.is_file():
        raise InputError(f"{path}: no such file")


def _open_ack(args: argparse.Namespace):
    """The --ack-file opened for appending (None without one); InputError when it cannot be."""
    from gridgeo.commands._checks import ensure_parent_dir

    if not args.ack_file:
        return None
    ensure_parent_dir(args.ack_file, "--ack-file")
    try:
        return open(args.ack_file, "a", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"--ack-file {args.ack_file}: cannot open for appending ({exc.strerror}); "
                         "give a file you can write to") from None


class _Tally:
    """What the ingest did so far: counts by result, rows read and the rejected rows with reasons."""

    def __init__(self) -> None:
        self.counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
        self.n_rows = 0
        self.rejected: list[tuple[str, dict, str]] = []

    def reject(self, where: str, row: dict, reason: str) -> None:
        self.rejected.append((where, row, reason))
        self.counts["rejected"] += 1


def _ingest_chunk(store, chunk: list[tuple[str, dict]], args: argparse.Namespace, tally: _Tally, ack) -> None:
    """One batch through intake (committed before it returns); acknowledged ids to ``ack``."""
    batch, wheres = [], []
    for where, row in chunk:
        if "__geometry_error__" in row:
            tally.reject(where, row, row["__geometry_error__"])
            continue
        batch.append({**row, "crs": args.crs} if args.crs and not row.get("crs") else row)
        wheres.append(where)
    results = intake.add_events(store, batch, actor=args.actor)
    acked = []
    for where, row, res in zip(wheres, batch, results, strict=True):
        if res["result"] == "rejected":
            tally.reject(where, row, "; ".join(f"{e['field']}: {e['message']}" for e in res["errors"]))
        else:
            tally.counts[res["result"]] += 1
            acked.append(res["id"])
    if ack and acked:
        ack.write("".join(f"{i}\n" for i in acked))
        ack.flush()
        os.fsync(ack.fileno())


def run(args: argparse.Namespace) -> int:
    """Ingest the file; print a summary line; see the module docstring for exit codes."""
    from tqdm import tqdm

    from gridgeo.commands import ingest_hotline
    from gridgeo.commands._checks import ensure_parent_dir, open_store_checked

    path = Path(args.file)
    if args.batch_size < 1:
        raise UsageError(f"--batch-size {args.batch_size}: use a positive number")
    if path.is_file() and ingest_hotline.is_work_order_file(path):  # a 12345 / service-hall export (issue 22)
        return ingest_hotline.run(args)
    _check_arguments(args, path)
    rows, expected = _rows(path)
    rejects_path = Path(args.rejects) if args.rejects else path.with_name(path.name + ".rejected.csv")
    ensure_parent_dir(rejects_path, "--rejects")  # before any commit: reasons must not be lost
    ack = _open_ack(args)
    tally = _Tally()
    try:
        with open_store_checked(args.database) as store, \
                tqdm(total=expected, unit="row", desc=f"ingest {path.name}", file=sys.stderr,
                     disable=args.quiet, mininterval=0.5) as bar:
            while chunk := list(itertools.islice(rows, args.batch_size)):
                tally.n_rows += len(chunk)
                _ingest_chunk(store, chunk, args, tally, ack)
                bar.update(len(chunk))
                bar.set_postfix(tally.counts, refresh=False)
    finally:
        if ack:
            ack.close()
    if tally.rejected:
        _write_rejects(rejects_path, tally.rejected)
    if tally.n_rows == 0:
        raise InputError(f"{path}: no event rows in the file; nothing was ingested (check that it is the right file)")
    counts = tally.counts
    note = f" (reasons in {rejects_path})" if tally.rejected else ""
    print(f"ingest {path}: {tally.n_rows:,} rows: {counts['accepted']:,} accepted, {counts['duplicate']:,} "
          f"duplicate, {counts['rejected']:,} rejected{note}")
    return 1 if tally.rejected else 0
