"""The ONE alias table that recognises an office's field names, and field-map files that override it.

Offices name the same field in Chinese (网格编码, 所属社区, 户数), in pinyin initials (WGBM, SQMC,
HS) or in English. ``ALIASES[layer][canonical]`` lists, in order of preference, the names that
mean the canonical gridgeo field (see gridgeo.atlas.model) in that layer; the first alias of each entry
is also the Chinese field name written by a shapefile export, so an export imports back as is.
Names are compared without case, spaces, underscores and hyphens. ``GENERIC`` (编码/名称, BM/MC,
code/name) applies to every layer after its own entries.

A field map overrides the table. It has the same shape as ``ImportResult.mappings``: per layer,
``source field -> canonical field`` (an empty canonical ignores the field). As a TOML file::

    [grids]
    "网格序号" = "code"
    "社区" = "community_name"
    "备注" = ""          # ignore this field
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from gridgeo.errors import InputError, UsageError

# pinyin forms of the statistical division codes (行政区划编码): QX_ district, ZJ_ 镇街 street,
# CS_ 村社 community; quxian / zhenjie / cunshe carry the names in some platforms' exports
_DISTRICT_CODE = ("区县编码", "区划代码", "区县代码", "行政区划代码", "QXBM", "QXDM", "XZQDM", "XZQHDM",
                  "QX_XZQHBM", "区县行政区划编码", "district_code")
_DISTRICT_NAME = ("区县名称", "区名称", "行政区名称", "QXMC", "XZQMC", "quxian", "district_name")
_STREET_CODE = ("街道编码", "街道代码", "乡镇街道编码", "所属街道编码", "街道编号", "所属街道编号", "镇街编码",
                "JDBM", "JDDM", "ZJ_XZQHBM", "zhenjiebm", "street_code")
_STREET_NAME = ("街道名称", "所属街道", "街道", "乡镇街道", "镇街", "镇街名称", "街道办", "JDMC", "zhenjie",
                "street_name")
_COMMUNITY_CODE = ("社区编码", "社区代码", "所属社区编码", "社区编号", "所属社区编号", "居委会编码", "村社编码",
                   "村居编码", "SQBM", "SQDM", "SQBH", "CS_XZQHBM", "cunshebm", "community_code")
_COMMUNITY_NAME = ("所属社区", "社区名称", "社区", "居委会", "村社", "村社名称", "村居", "SQMC", "cunshe",
                   "community_name")
_COUNTS = {
    "households": ("户数", "住户数", "总户数", "HS", "ZHS", "households"),
    "population": ("人口", "人口数", "总人口", "人数", "RK", "RKS", "population"),
    "enterprises": ("企业数", "企业", "法人单位数", "QYS", "enterprises"),
}

# layer -> canonical field -> aliases (first = Chinese name used by exports; at most 5 characters
# so it fits a .dbf field name in GBK)
_PROVISIONAL = ("临时编码", "provisional")  # a provisional code (gridgeo.atlas.importing.codeless)

ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "district": {
        "code": ("区县编码",) + _DISTRICT_CODE[1:],
        "name": _DISTRICT_NAME,
        "provisional": _PROVISIONAL,
    },
    "streets": {
        "code": _STREET_CODE,
        "name": _STREET_NAME,
        "district_code": _DISTRICT_CODE,
        "district_name": _DISTRICT_NAME,
        "provisional": _PROVISIONAL,
    },
    "communities": {
        "code": _COMMUNITY_CODE,
        "name": ("社区名称",) + tuple(a for a in _COMMUNITY_NAME if a != "社区名称"),
        "street_code": _STREET_CODE,
        "street_name": _STREET_NAME,
        "district_code": _DISTRICT_CODE,
        "district_name": _DISTRICT_NAME,
        "provisional": _PROVISIONAL,
    },
    "grids": {
        "code": ("网格编码", "网格编号", "网格代码", "网格序号", "网格号", "网格标识码", "网格唯一编码",
                 "网格统一编码", "网格ID", "WGBM", "WGBH", "WGDM", "WGID", "gridcode", "grid_code", "grid_id"),
        "name": ("网格名称", "网格", "WGMC", "gridname", "grid_name"),
        "community_code": _COMMUNITY_CODE,
        "community_name": _COMMUNITY_NAME,
        "street_code": _STREET_CODE,
        "street_name": _STREET_NAME,
        **_COUNTS,
        "grid_worker": ("网格员", "网格员姓名", "专职网格员", "WGY", "grid_worker"),
        "party_branch": ("党支部", "网格党支部", "DZB", "party_branch"),
        "provisional": _PROVISIONAL,
    },
    "legacy": {
        "code": ("编码", "网格编码", "WGBM", "BM"),
        "name": ("名称", "网格名称", "WGMC", "MC"),
        "layer": ("图层", "部门", "网格类型", "类型", "TC", "layer"),
    },
    "units": {
        "code": ("单元编码", "楼栋编码", "楼栋编号", "建筑编码", "小区编码", "LDBM", "DYBM", "unit_code"),
        "name": ("单元名称", "楼栋名称", "小区名称", "建筑名称", "LDMC", "XQMC", "unit_name"),
        "kind": ("单元类型", "类型", "DYLX", "LX", "kind"),
        "address": ("地址", "详细地址", "DZ", "address"),
        **_COUNTS,
        "community_code": _COMMUNITY_CODE,
        "community_name": _COMMUNITY_NAME,
        "lon": ("经度", "lon", "lng", "longitude", "JD", "x"),
        "lat": ("纬度", "lat", "latitude", "WD", "y"),
    },
    # the service network (gridgeo.atlas.service_points): first aliases = the export's field names
    "service_points": {
        "code": ("编码", "网点编码", "网点编号", "站点编码", "阵地编码", "服务网点编码", "WDBM", "ZDBM", "point_code"),
        "name": ("名称", "网点名称", "站点名称", "阵地名称", "服务网点", "服务网点名称", "WDMC", "ZDMC", "point_name"),
        "tier": ("层级", "网点层级", "网点类型", "级别", "类型", "CJ", "JB", "WDLX", "level", "type", "tier"),
        "territory_code": ("辖区编码", "服务辖区编码", "所属辖区编码", "服务范围编码", "XQBM", "FWXQBM",
                           "territory", "territory_code", *_COMMUNITY_CODE),
        "territory_name": ("服务辖区", "所属辖区", "辖区", "服务范围", "XQMC", "territory_name", *_COMMUNITY_NAME),
        "address": ("地址", "详细地址", "网点地址", "DZ", "XXDZ", "address"),
        "staff": ("工作人员", "驻点人员", "值守人员", "人员", "负责人", "GZRY", "ZDRY", "staff"),
        "opening_hours": ("开放时间", "服务时间", "办公时间", "开放时段", "KFSJ", "FWSJ", "opening_hours", "hours"),
        "lon": ("经度", "lon", "lng", "longitude", "JD", "x"),
        "lat": ("纬度", "lat", "latitude", "WD", "y"),
    },
}
GENERIC: dict[str, tuple[str, ...]] = {
    "code": ("编码", "代码", "编号", "行政区划编码", "XZQHBM", "BM", "BH", "DM", "code", "id"),
    "name": ("名称", "MC", "areaName", "区域名称", "name"),
}
LAYERS: tuple[str, ...] = tuple(ALIASES)


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).casefold()


def canonical_fields(layer: str) -> list[str]:
    """Every canonical field the alias table knows for ``layer``."""
    _check_layer(layer)
    return list(dict.fromkeys([*ALIASES[layer], *GENERIC]))


def _check_layer(layer: str) -> None:
    if layer not in ALIASES:
        raise UsageError(f"unknown layer {layer!r}: use one of {', '.join(LAYERS)}")


def _preference(canonical: str, aliases: tuple[str, ...]) -> tuple[str, ...]:
    """Aliases in the order they are tried: the Chinese ones, the canonical name, the rest (so
    网格名称 beats an English ``Name`` beside it, and ``name`` beats a pinyin ``MC``)."""
    chinese = tuple(a for a in aliases if not a.isascii())
    return (*chinese, canonical, *(a for a in aliases if a.isascii()))


def recognise_fields(columns: list[str], layer: str, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """``{source field: canonical field}`` for the ``columns`` of a ``layer`` file.

    ``overrides`` (``{source: canonical}``, empty canonical = ignore) wins over the alias table;
    then each canonical field takes the first of its aliases present (Chinese ones first), then
    GENERIC code/name.
    Fields recognised as nothing are left out (they are kept under their own name).
    """
    _check_layer(layer)
    columns = [c for c in columns if c != "geometry"]
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for source, canonical in (overrides or {}).items():
        if source in columns:
            taken.add(source)
            if canonical:
                mapping[source] = canonical
    by_norm: dict[str, str] = {}
    for c in columns:
        by_norm.setdefault(_norm(c), c)
    for table in (ALIASES[layer], GENERIC):
        for canonical, aliases in table.items():
            if canonical in mapping.values():
                continue
            for alias in _preference(canonical, aliases):
                source = by_norm.get(_norm(alias))
                if source is not None and source not in taken:
                    mapping[source] = canonical
                    taken.add(source)
                    break
    return {c: mapping[c] for c in columns if c in mapping}


def export_names(layer: str) -> dict[str, str]:
    """``{canonical: Chinese field name}`` used by shapefile exports (first alias of each entry)."""
    _check_layer(layer)
    names = {canonical: aliases[0] for canonical, aliases in ALIASES[layer].items() if not aliases[0].isascii()}
    for canonical, aliases in GENERIC.items():
        names.setdefault(canonical, aliases[0])
    return names


def load_field_map(path: str | Path) -> dict[str, dict[str, str]]:
    """Read a field-map TOML file: ``[layer]`` tables of ``"source field" = "canonical"``.

    Raises InputError naming the file and the bad entry (unknown layer or canonical field).
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such field-map file; check the path") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a TOML field map ({exc}); write [layer] tables of "
                         '"source field" = "canonical field"') from None
    return check_field_map(data, str(path))


def check_field_map(data: dict, source: str = "field map") -> dict[str, dict[str, str]]:
    """Check a field map (``{layer: {source: canonical}}``) and return it with text values."""
    out: dict[str, dict[str, str]] = {}
    for layer, table in data.items():
        if layer not in ALIASES:
            raise InputError(f"{source}: unknown layer [{layer}]; use {', '.join(LAYERS)}")
        if not isinstance(table, dict):
            raise InputError(f"{source}: [{layer}] must be a table of \"source field\" = \"canonical field\"")
        known = canonical_fields(layer)
        for src, canonical in table.items():
            if not isinstance(canonical, str) or (canonical and canonical not in known):
                raise InputError(f"{source}: [{layer}] {src!r} = {canonical!r}: not a field gridgeo knows; "
                                 f"use one of {', '.join(known)} or \"\" to ignore it")
        _one_source_each(table, layer, source)
        out[layer] = {str(k): v for k, v in table.items()}
    return out


def _one_source_each(table: dict, layer: str, source: str) -> None:
    """InputError (a catalogue message) when two source fields of a layer map to one field."""
    from gridgeo.i18n import Msg, word

    seen: dict[str, str] = {}
    for src, canonical in table.items():
        if canonical and canonical in seen:
            raise InputError(Msg("err_map_twice", {"source": source, "layer": word("lyr_", layer),
                                                   "a": seen[canonical], "b": str(src),
                                                   "field": word("fld_", canonical)}))
        seen.setdefault(canonical, str(src))
