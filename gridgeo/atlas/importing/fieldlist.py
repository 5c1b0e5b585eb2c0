"""The fields of an office's file before it is imported, with a sample value each: what the import
page offers to map, field by field, even when the alias table recognises none of them."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pyogrio

from gridgeo.atlas.importing.units import is_table

SAMPLE_ROWS = 20


def _vector_attributes(path: Path) -> pd.DataFrame:
    from gridgeo.atlas.io import _shapefile_encoding_unknown

    encodings: list[str | None] = [None]
    if path.suffix.lower() == ".shp" and _shapefile_encoding_unknown(path):
        encodings = ["UTF-8", "GB18030"]
    for encoding in encodings:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                opts = {"encoding": encoding} if encoding else {}
                return pyogrio.read_dataframe(path, read_geometry=False, max_features=SAMPLE_ROWS, **opts)
        except UnicodeDecodeError:
            continue
        except Exception:  # noqa: BLE001 - unreadable: the import says why in its own words
            break
    return pd.DataFrame()


def _table_attributes(path: Path) -> pd.DataFrame:
    from gridgeo.atlas.importing.units import register_sheet
    from gridgeo.atlas.io import read_table

    try:
        return read_table(path, register_sheet(path)).head(SAMPLE_ROWS)
    except Exception:  # noqa: BLE001 - unreadable: the import says why in its own words
        return pd.DataFrame()


def file_fields(path: str | Path) -> dict[str, str]:
    """``{field: sample value}`` of a vector file or a register table, in file order (the first
    non-blank value of the first rows; "" when all are blank); {} for a file that cannot be read."""
    path = Path(path)
    frame = _table_attributes(path) if is_table(path) else _vector_attributes(path)
    out: dict[str, str] = {}
    for col in frame.columns:
        if str(col) == "geometry":
            continue
        values = [v for v in frame[col].tolist() if v is not None and not (isinstance(v, float) and pd.isna(v))
                  and str(v).strip()]
        sample = values[0] if values else ""
        if isinstance(sample, float) and sample.is_integer():
            sample = int(sample)
        out[str(col)] = str(sample).strip()
    return out
