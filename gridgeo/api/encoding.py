"""The one JSON encoder of the HTTP layer.

:func:`jsonable` turns what the store and the plan code hand back (numpy scalars, pandas
timestamps and missing values, datetimes, NaN) into plain JSON values; :func:`records` turns a
DataFrame into row dicts with integer columns as ints (a nullable integer column arrives from
pandas as float, ``6.0``); :class:`JSONOut` is the response class every endpoint answers with.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

import numpy as np
import orjson
import pandas as pd
from starlette.responses import JSONResponse

_PLAIN = (str, int, bool, type(None))
INT_COLUMNS = frozenset({
    "id", "version", "base_version", "head_version", "published_version", "published_grid_set",
    "grid_set_version", "plan_id", "n_grids", "level", "households", "count",
})


def jsonable(value: Any) -> Any:
    """A JSON-ready copy of ``value``: datetimes as ISO 8601, NaN/NaT/NA as null, numpy as Python."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _column(values: pd.Series, as_int: bool) -> list:
    """Plain Python values of one column: missing as None, whole floats of an int column as int."""
    missing = values.isna().to_numpy()
    if as_int and values.dtype.kind == "f":
        whole = values[~missing]
        if (whole == whole.round()).all():
            return [None if m else int(v) for v, m in zip(values.tolist(), missing, strict=True)]
    if not missing.any():
        return values.tolist()
    return [None if m else v for v, m in zip(values.tolist(), missing, strict=True)]


def records(frame: pd.DataFrame, ints: frozenset[str] | set[str] = INT_COLUMNS) -> list[dict]:
    """Row dicts of ``frame`` with missing values as None and the ``ints`` columns as ints
    (column by column with ``tolist``: a per-cell pandas conversion was the bulk of /risk)."""
    names = [str(c) if not isinstance(c, str) else c for c in frame.columns]
    columns = [_column(frame.iloc[:, i], name in ints) for i, name in enumerate(names)]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)] if names else \
        [{} for _ in range(len(frame))]


_ORJSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def dumps(content: Any) -> bytes:
    """UTF-8 JSON bytes of ``content``; text that cannot be UTF-8 (lone surrogates) is escaped.

    orjson first (NaN/Infinity as null, numpy as numbers; pandas values through
    :func:`jsonable`); whatever it refuses (lone surrogates, integers over 64 bits) goes through
    :func:`jsonable` and the standard library as before."""
    try:
        return orjson.dumps(content, default=_fallback, option=_ORJSON_OPTIONS)
    except (orjson.JSONEncodeError, TypeError):
        pass
    value = jsonable(content)
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def _fallback(value: Any) -> Any:
    """orjson's hook for types it does not know (pandas timestamps and missing values, ...)."""
    out = jsonable(value)
    if out is value:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
    return out


class JSONOut(JSONResponse):
    """The JSON response of every endpoint (see :func:`dumps`)."""

    def render(self, content: Any) -> bytes:
        """Encode ``content`` with :func:`dumps`."""
        return dumps(content)
