"""A partition's downloads in the reader's language: the proposal's grids (GeoJSON, GeoPackage)
and the crosswalk (CSV) with catalogue column names and values (``comprehensive`` → 综治网格,
``merged`` → 整体合并, ``under_min`` → 户数不足, True → 是), Chinese by default; numbers stay
numbers and the geometry is unchanged."""

from __future__ import annotations

import pandas as pd

from gridgeo.i18n import DEFAULT_LANG, FAMILIES, layer_name, name_of, t

# columns whose values are codes of a catalogue family
VALUE_FAMILIES = {"size_status": "pp_status_", "status": "pp_status_", "population_status": "pp_status_",
                  "change": "pp_change_", "outcome": "pp_change_"}


def column_name(column: str, lang: str = DEFAULT_LANG) -> str:
    """The catalogue name of a partition column (``share_<layer>`` by the layer's name)."""
    if column.startswith("share_"):
        return t("pp_col_share", lang).format(layer=layer_name(column[len("share_"):], lang))
    return name_of("pp_col_", column, lang)


def reason_text(row: dict, bounds: dict, lang: str = DEFAULT_LANG) -> str:
    """Why a grid stays outside the band, in words (the catalogue's, by its reason code; else the
    partition's own text)."""
    code = row.get("reason_code") or ""
    if code not in FAMILIES["pp_reason_"]:
        return str(row.get("reason") or "")
    encloses = "、".join(str(x) for x in row.get("encloses", []) or [])
    return t(f"pp_reason_{code}", lang).format(households=float(row.get("households") or 0),
                                               lo=bounds["min_households"], hi=bounds["max_households"],
                                               encloses=encloses)


def localized(frame: pd.DataFrame, lang: str = DEFAULT_LANG, bounds: dict | None = None) -> pd.DataFrame:
    """``frame`` (grids or crosswalk; a GeoDataFrame stays one) with the catalogue's column names
    and values in ``lang``; the geometry column keeps its name. ``bounds`` (the run's
    ``metrics["bounds"]``): the grids' reasons in words too."""
    out = frame.copy()
    if bounds is not None and {"reason", "reason_code"} <= set(out.columns):
        out["reason"] = [reason_text(r, bounds, lang) for r in out[["reason", "reason_code", "households"]]
                         .to_dict("records")]
    for col, family in VALUE_FAMILIES.items():
        if col in out.columns:
            out[col] = [v if v is None or (not isinstance(v, str) and pd.isna(v)) else name_of(family, v, lang)
                        for v in out[col]]
    if "layer" in out.columns:
        out["layer"] = [layer_name(str(v), lang) for v in out["layer"]]
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = out[col].map({True: t("pp_yes", lang), False: t("pp_no", lang)})
    geometry = getattr(out, "_geometry_column_name", None)
    return out.rename(columns={c: column_name(str(c), lang) for c in out.columns if c != geometry})
