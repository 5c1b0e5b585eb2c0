"""``gridgeo ingest FILE.xlsx|FILE.csv`` for a hotline work-order export (issue 22).

:func:`is_work_order_file` recognises the export by its columns (the alias table of
:mod:`gridgeo.events.hotline`); :func:`run` reads it, converts local times with the configured
zone, places each order by its address (:mod:`gridgeo.services.hotline`) in batches with a
progress bar, writes ``--report`` (id, placement, grid_code, method, confidence, reason; one row
per input row) and prints the placed / queued / rejected summary.

Exit status: 0 every row placed or queued (or already imported); 1 some rows rejected, the file
is unreadable or holds no rows; 2 usage errors.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from pathlib import Path

from gridgeo.errors import InputError
from gridgeo.events.hotline import is_work_order_header, load_tables, work_order_events
from gridgeo.i18n import Msg

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def _header(path: Path) -> list[str]:
    from gridgeo.atlas.io import read_table

    if path.suffix.lower() == ".csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                with path.open(encoding=encoding, newline="") as fh:
                    return next(csv.reader(fh), [])
            except UnicodeDecodeError:
                continue
        return []
    return list(read_table(path).columns)


def is_work_order_file(path: Path) -> bool:
    """True for a .xlsx (any workbook is read as a work-order export) or a .csv whose header is one."""
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return True
    return suffix == ".csv" and path.is_file() and is_work_order_header(_header(path))


def _write_report(path: Path, rows: list[dict]) -> None:
    """The report, written whole or not at all (a temporary file renamed)."""
    from gridgeo.services.hotline import REPORT_COLUMNS

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(REPORT_COLUMNS))
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _read(path: Path, settings):
    from gridgeo.atlas.io import read_table

    table = read_table(path)
    try:
        return work_order_events(table, settings.tz, load_tables(settings.hotline_tables))
    except InputError as exc:
        msg = getattr(exc, "msg", None)
        if isinstance(msg, Msg) and msg.key == "hl_err_columns":
            raise InputError(Msg("hl_err_columns", {**msg.params, "file": str(path)})) from None
        raise


def run(args: argparse.Namespace) -> int:
    """Import the work-order export; print the summary; see the module docstring for exit codes."""
    from tqdm import tqdm

    from gridgeo.commands._checks import ensure_parent_dir, open_store_checked
    from gridgeo.config import get_settings
    from gridgeo.services.hotline import place_work_orders

    path, settings = Path(args.file), get_settings()
    lang = getattr(args, "lang", None) or "zh"
    report_path = Path(args.report) if getattr(args, "report", None) else None
    if report_path:
        ensure_parent_dir(report_path, "--report")
    orders, bad = _read(path, settings)
    n_rows = len(orders) + len(bad)
    if n_rows == 0:
        raise InputError(f"{path}: no work-order rows in the file; nothing was ingested (check that it is the right file)")
    rows: dict[str, dict] = {where: {"id": wid, "placement": "rejected", "grid_code": "", "method": "", "confidence": "",
                                     "reason": msg.render(lang)} for where, wid, msg in bad}
    counts = {"placed": 0, "queued": 0, "rejected": len(bad)}
    store = open_store_checked(args.database)
    try:
        with tqdm(total=n_rows, unit="row", desc=f"ingest {path.name}", file=sys.stderr, disable=args.quiet,
                  mininterval=0.5) as bar:
            bar.update(len(bad))
            for start in range(0, len(orders), args.batch_size):
                chunk = orders[start:start + args.batch_size]
                for out in place_work_orders(store, chunk, actor=args.actor, settings=settings, lang=lang):
                    counts[out.placement] += 1
                    rows[out.where] = out.report_row()
                bar.update(len(chunk))
                bar.set_postfix(counts, refresh=False)
    finally:
        store.close()
    if report_path:
        _write_report(report_path, [rows[w] for w in sorted(rows, key=lambda w: int(w.split()[-1]))])
    print(Msg("hl_summary", {"file": str(path), "n": f"{n_rows:,}", **{k: f"{v:,}" for k, v in counts.items()}})
          .render(lang))
    for _where, _, msg in bad[:5]:
        print(f"  {msg.render(lang)}", file=sys.stderr)
    return 1 if counts["rejected"] else 0
