"""``gridgeo atlas recode NAME --layer LAYER --from FILE``: the office's codes for provisional ones.

FILE is a two-column table (.csv or .xlsx; the first row is a header): a feature's provisional code
or its name -> the official code. The layer's features take their new codes (``provisional`` becomes
False); their children follow: parent-code fields, and children's codes built on the old code
(a provisional grid 510199001P01P01 under a recoded community) get the new prefix.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gridgeo.atlas.importing.codeless import PROVISIONAL
from gridgeo.atlas.importing.sources import text_codes
from gridgeo.atlas.io import read_table
from gridgeo.atlas.model import Atlas, is_division_code
from gridgeo.atlas.validation.kinds import PARENTS
from gridgeo.errors import InputError, UsageError

RECODE_LAYERS = ("district", "streets", "communities", "grids")


def read_recode_table(path: str | Path) -> dict[str, str]:
    """{name or provisional code: official code} from the first two columns of ``path``."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file; give the two-column table (name or provisional code, code)")
    table = read_table(path)
    if table.shape[1] < 2:
        raise InputError(f"{path}: needs two columns (name or provisional code, official code); it has "
                         f"{table.shape[1]}")
    keys, codes = text_codes(table.iloc[:, 0]), text_codes(table.iloc[:, 1])
    return {k: c for k, c in zip(keys, codes, strict=True) if k and c}


def _children(layer: str) -> list[tuple[str, str]]:
    """(child layer, its parent-code column) of every layer directly under ``layer``."""
    return [(kind, col) for kind, (parent, col) in PARENTS.items() if parent == layer]


def _follow(atlas: Atlas, layer: str, renames: dict[str, str]) -> None:
    """Children of ``layer`` take the new codes in their parent field, and as their code prefix."""
    for kind, col in _children(layer):
        frame = getattr(atlas, kind)
        if not len(frame) or col not in frame.columns:
            continue
        frame = frame.copy()
        frame[col] = frame[col].map(lambda c: renames.get(c, c))
        flags = frame[PROVISIONAL].fillna(False).astype(bool) if PROVISIONAL in frame.columns else [False] * len(frame)
        moved = {}
        for code, provisional in zip(frame["code"], flags, strict=True):
            old = next((o for o in renames if provisional and isinstance(code, str) and code.startswith(o)
                        and code != o), None)
            if old is not None:
                moved[code] = renames[old] + code[len(old):]
        frame["code"] = [moved.get(c, c) for c in frame["code"]]
        setattr(atlas, kind, frame)
        if moved:
            _follow(atlas, kind, moved)


def recode(atlas: Atlas, layer: str, table: dict[str, str]) -> tuple[Atlas, int, list[str]]:
    """The atlas with ``layer``'s features recoded from ``table``; (atlas, how many, keys matching
    no feature). UsageError names a new code that does not have the layer's form."""
    if layer not in RECODE_LAYERS:
        raise UsageError(f"--layer {layer}: use one of {', '.join(RECODE_LAYERS)}")
    frame = getattr(atlas, layer).copy()
    renames: dict[str, str] = {}
    by_name = dict(zip(frame["name"].astype(str), frame["code"], strict=True)) if "name" in frame else {}
    codes = set(frame["code"])
    unknown = []
    for key, new in table.items():
        old = key if key in codes else by_name.get(key)
        if old is None:
            unknown.append(key)
            continue
        if not is_division_code(layer, new):
            raise UsageError(f"{key} -> {new}: not a {layer} code of the division form; check the table")
        renames[old] = new
    frame["code"] = frame["code"].map(lambda c: renames.get(c, c))
    if PROVISIONAL in frame.columns:
        frame[PROVISIONAL] = frame[PROVISIONAL].astype(bool) & ~frame["code"].isin(set(renames.values()))
    setattr(atlas, layer, frame)
    _follow(atlas, layer, renames)
    return atlas, len(renames), unknown


def recoded_counts(atlas: Atlas) -> dict[str, int]:
    """Provisional features left per layer."""
    return {k: int(pd.Series(getattr(atlas, k).get(PROVISIONAL, pd.Series(dtype=bool))).fillna(False).astype(bool).sum())
            for k in RECODE_LAYERS}
