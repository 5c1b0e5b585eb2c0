"""Write an atlas the way offices exchange it; what is written imports back as the same atlas.

- ``gpkg``: one GeoPackage ``<name>.gpkg`` with a layer per atlas layer (English field names);
- ``geojson``: ``<layer>.geojson`` files plus ``meta.json``, laid out like data/boundaries;
- ``shp``: ``<layer>.shp`` per layer, text in GBK with a ``.cpg`` and Chinese field names (the
  first alias of each field in gridgeo.atlas.importing.fields), unit kinds in Chinese (物业小区);
- ``xlsx``: ``<name>.xlsx``, a register with one sheet per layer (Chinese headers); units carry
  经度/纬度 (WGS84) and import back, area layers carry their attributes and area only.

Every file is written to a temporary folder first and moved into place when all succeeded.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from gridgeo.atlas.importing.fields import export_names
from gridgeo.atlas.model import UNIT_KINDS, Atlas
from gridgeo.errors import InputError, UsageError

FORMATS: tuple[str, ...] = ("gpkg", "shp", "geojson", "xlsx")
SHEETS: dict[str, str] = {"district": "区", "streets": "街道", "communities": "社区", "grids": "网格",
                          "legacy": "部门网格", "units": "基础单元", "service_points": "服务网点"}


def _chinese(layer: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Fields renamed to their Chinese export names; unit kinds as Chinese words."""
    names = export_names(layer)
    out = frame.rename(columns={c: names[c] for c in frame.columns if c in names})
    if layer == "units" and names.get("kind") in out.columns:
        out[names["kind"]] = out[names["kind"]].map(lambda k: UNIT_KINDS.get(k, k))
    return out


def _write_layers(atlas: Atlas, tmp: Path, fmt: str, name: str) -> list[str]:
    written: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for layer, frame in atlas.all_layers().items():
            if not len(frame):
                continue
            if fmt == "gpkg":
                frame.to_file(tmp / f"{name}.gpkg", layer=layer, driver="GPKG", engine="pyogrio")
                written = [f"{name}.gpkg"]
            elif fmt == "geojson":
                frame.to_file(tmp / f"{layer}.geojson", driver="GeoJSON", engine="pyogrio")
                written.append(f"{layer}.geojson")
            elif fmt == "shp":
                kinds = {"Point" if t in ("Point", "MultiPoint") else "Polygon" for t in frame.geom_type.dropna()}
                if len(kinds) > 1:
                    raise InputError(f"{layer}: mixes points and polygons, which a shapefile cannot hold; "
                                     "export as gpkg or geojson")
                _chinese(layer, frame).to_file(tmp / f"{layer}.shp", driver="ESRI Shapefile", engine="pyogrio",
                                               encoding="GBK")
                (tmp / f"{layer}.cpg").write_text("GBK", encoding="ascii")
                written.append(f"{layer}.shp")
    return written


def _write_xlsx(atlas: Atlas, path: Path, metric_crs: str) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for layer, frame in atlas.all_layers().items():
            table = pd.DataFrame(_chinese(layer, frame).drop(columns="geometry"))
            if layer in ("units", "service_points"):
                points = frame.geometry.representative_point()
                table["经度"], table["纬度"] = points.x.round(7), points.y.round(7)
            elif len(frame):
                table["面积(平方米)"] = frame.to_crs(metric_crs).area.round(1).to_numpy()
            table.to_excel(writer, sheet_name=SHEETS[layer], index=False)


def export_atlas(atlas: Atlas, fmt: str, out: str | Path, name: str) -> list[Path]:
    """Write ``atlas`` as ``fmt`` (gpkg, shp, geojson, xlsx) into the folder ``out``; return the
    files written. Existing files of the same names are replaced only when all were written."""
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt}: use one of {', '.join(FORMATS)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export.", dir=out))
    try:
        if fmt == "xlsx":
            _write_xlsx(atlas, tmp / f"{name}.xlsx", atlas.meta.get("metric_crs") or "EPSG:4547")
            names = [f"{name}.xlsx"]
        else:
            names = _write_layers(atlas, tmp, fmt, name)
            if fmt == "geojson":
                meta = {k: v for k, v in atlas.meta.items() if k != "columns"}
                (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2, default=str),
                                               encoding="utf-8")
                names.append("meta.json")
        for part in sorted(tmp.iterdir()):
            os.replace(part, out / part.name)
        return [out / n for n in names]
    except OSError as exc:
        raise InputError(f"--out {out}: cannot write ({exc.strerror or exc}); give a folder you can write to") from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.FieldError, pyogrio.errors.GeometryError) as exc:
        raise InputError(f"--out {out}: cannot write the {fmt} files ({exc}); try another format") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
