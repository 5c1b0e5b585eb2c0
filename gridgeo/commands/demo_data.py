"""`gridgeo demo-data`: regenerate the synthetic default dataset inside the real outline."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tqdm import tqdm

from gridgeo.atlas import DEFAULT_DATA_DIR
from gridgeo.commands._checks import check_dir_creatable
from gridgeo.demo_data import OUTLINE_FILE, generate_atlas, write_atlas
from gridgeo.errors import InputError, UsageError

STEPS = ("streets", "communities", "grids and basic units", "legacy layers")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=DEFAULT_DATA_DIR,
                        help="folder to write the atlas into (default: data/boundaries)")
    parser.add_argument("--outline-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help=f"folder holding {OUTLINE_FILE} (the real GCJ-02 outline)")
    parser.add_argument("--seed", type=int, default=20241, help="random seed (default 20241)")


def run(args: argparse.Namespace) -> int:
    if args.seed < 0:
        raise UsageError(f"--seed {args.seed}: use a number of 0 or more")
    check_dir_creatable(args.out, "--out")
    outline = args.outline_dir / OUTLINE_FILE
    if not outline.exists():
        raise InputError(f"{outline}: outline not found; copy ../shared/data/boundaries/440311.geojson there")
    started = time.perf_counter()
    with tqdm(total=len(STEPS) + 1, desc="demo-data", unit="step") as bar:
        def progress(step: str) -> None:
            bar.set_postfix_str(step)
            bar.update(1)

        atlas = generate_atlas(args.outline_dir, seed=args.seed, progress=progress)
        bar.set_postfix_str("writing")
        write_atlas(atlas, args.out)
        bar.update(1)
    counts = ", ".join(f"{k} {v}" for k, v in atlas.meta["counts"].items())
    totals = ", ".join(f"{k} {v:,}" for k, v in atlas.meta["totals"].items())
    print(f"wrote {args.out} in {time.perf_counter() - started:.1f} s: {counts}; {totals}")
    return 0
