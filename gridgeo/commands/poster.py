"""`gridgeo poster`: the 一格一图 A3 PDF poster of one community's grids."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from gridgeo.atlas.load import DEFAULT_DATA_DIR, load_atlas
from gridgeo.commands._checks import ensure_parent_dir
from gridgeo.errors import InputError, UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--community", help="12-digit community code (see --list)")
    parser.add_argument("--out", type=Path, help="PDF file to write, e.g. poster.pdf")
    parser.add_argument("--atlas", type=Path, default=DEFAULT_DATA_DIR,
                        help="atlas folder (default: the embedded data/boundaries)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the poster (default zh)")
    parser.add_argument("--list", action="store_true", help="print the community codes and names, then exit")


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder (nothing half-written)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise InputError(f"--out {path}: cannot write there ({exc.strerror}); give a path you can write to") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; give it the usual mode
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"--out {path}: cannot write the file ({exc.strerror}); "
                         "give a path you can write to") from None


def run(args: argparse.Namespace) -> int:
    from gridgeo.printing.poster import community_codes, community_poster

    atlas = load_atlas(args.atlas)
    codes = community_codes(atlas)
    if args.list:
        for row in codes.itertuples():
            print(f"{row.code}  {row.street} {row.name}")
        return 0
    if not args.community:
        raise UsageError("--community CODE is required (list the codes with `gridgeo poster --list`)")
    if not args.out:
        raise UsageError("--out FILE.pdf is required")
    code = args.community.strip()
    if code not in set(codes["code"]):
        raise InputError(f"--community {code}: unknown community code in {args.atlas}; "
                         "list the codes with `gridgeo poster --list`")
    if args.out.suffix.lower() != ".pdf":
        raise UsageError(f"--out {args.out}: the poster is a PDF; give a file name ending in .pdf")
    ensure_parent_dir(args.out, "--out")
    data = community_poster(atlas, code, lang=args.lang)
    _write_atomic(args.out, data)
    name = codes.set_index("code").loc[code, "name"]
    print(f"wrote {args.out}: {name} ({code}), A3 landscape, {len(data) / 1024:.0f} KiB")
    return 0
