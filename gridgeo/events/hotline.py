"""Hotline work orders (12345 and service-hall exports) as events without a position (issue 22).

A daily export has 工单编号, 来电时间 (local time, no zone), 诉求人, 联系电话, 事发地址, 诉求内容,
诉求类别 (words), 紧急程度 (紧急/较急/一般 or I–IV), 承办单位. :func:`recognise_columns` finds
those columns by an alias table (Chinese, pinyin initials, pinyin, English) as the atlas import
does; :func:`work_order_events` turns the rows into event dicts (the schema's fields, no
``lon``/``lat`` yet) plus the address, with one reason per row that cannot be used.

Category and urgency words are mapped by tables (:data:`DEFAULT_CATEGORY_WORDS`,
:data:`DEFAULT_URGENCY_WORDS`); ``GRIDGEO_HOTLINE_TABLES`` names a JSON file
``{"categories": {word: slug}, "urgency": {word: level}, "channels": {word: channel}}`` whose
entries are added over the defaults.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from gridgeo.errors import InputError
from gridgeo.events.safe_text import text_problem
from gridgeo.events.schema import PHONE_RE, categories
from gridgeo.i18n import Msg

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("工单编号", "工单号", "工单编码", "受理编号", "GDBH", "gongdanbianhao", "order_id", "work_order_id", "ticket_id", "id"),
    "called_at": ("来电时间", "受理时间", "登记时间", "来件时间", "LDSJ", "laidianshijian", "call_time", "called_at",
                  "reported_at", "created_at"),
    "reporter_name": ("诉求人", "来电人", "来电人姓名", "反映人", "联系人", "SQR", "suqiuren", "caller", "reporter_name"),
    "reporter_phone": ("联系电话", "来电号码", "来电电话", "电话", "手机号码", "LXDH", "lianxidianhua", "phone",
                       "reporter_phone"),
    "address": ("事发地址", "事发地点", "发生地址", "诉求地址", "地址", "SFDZ", "shifadizhi", "address", "location"),
    "text": ("诉求内容", "来电内容", "工单内容", "反映内容", "内容", "SQNR", "suqiuneirong", "content", "description", "text"),
    "category": ("诉求类别", "诉求类型", "问题类别", "事项类别", "类别", "SQLB", "suqiuleibie", "category", "type"),
    "urgency": ("紧急程度", "紧急度", "缓急程度", "JJCD", "jinjichengdu", "urgency", "priority", "level"),
    "handler": ("承办单位", "办理单位", "承办部门", "CBDW", "chengbandanwei", "handler", "department"),
    "channel": ("来源", "渠道", "受理渠道", "来源渠道", "LY", "laiyuan", "channel", "source"),
}
REQUIRED = ("id", "called_at", "address")

DEFAULT_CATEGORY_WORDS: dict[str, str] = {
    "邻里纠纷": "neighbour_dispute", "邻里": "neighbour_dispute", "劳资纠纷": "labour", "欠薪": "labour",
    "拖欠工资": "labour", "劳资": "labour", "物业纠纷": "property", "物业": "property", "安全生产": "work_safety",
    "安全隐患": "work_safety", "治安秩序": "public_order", "治安": "public_order", "环境噪音": "environment",
    "噪音扰民": "environment", "噪音": "environment", "环境污染": "environment", "市容环境": "environment",
    "城中村": "urban_village", "土地整备": "land", "土地": "land", "越级信访": "petition", "信访": "petition",
    "其他": "other",
}
DEFAULT_URGENCY_WORDS: dict[str, int] = {
    "特急": 1, "紧急": 1, "特别紧急": 1, "红": 1, "红色": 1, "I": 1, "1": 1, "一级": 1,
    "较急": 2, "加急": 2, "橙": 2, "橙色": 2, "II": 2, "2": 2, "二级": 2,
    "一般": 3, "普通": 3, "黄": 3, "黄色": 3, "III": 3, "3": 3, "三级": 3,
    "不急": 4, "缓办": 4, "蓝": 4, "蓝色": 4, "IV": 4, "4": 4, "四级": 4,
}
DEFAULT_CHANNEL_WORDS: dict[str, str] = {"12345": "hotline", "热线": "hotline", "电话": "hotline",
                                         "服务大厅": "hall", "大厅": "hall", "窗口": "hall", "网格员": "grid_worker"}
DEFAULT_LEVEL = 3  # a blank urgency
FALLBACK_CATEGORY = "other"


@dataclass(frozen=True)
class Tables:
    """The word tables of the import: category words → slug, urgency words → level 1-4, channel words."""

    categories: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CATEGORY_WORDS))
    urgency: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_URGENCY_WORDS))
    channels: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CHANNEL_WORDS))


@lru_cache(maxsize=4)
def load_tables(path: str | None) -> Tables:
    """The default tables with the JSON file's entries over them (InputError naming the file when unusable)."""
    tables = Tables()
    if not path:
        return tables
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        for key in ("categories", "urgency", "channels"):
            extra = data.get(key, {})
            if not isinstance(extra, dict):
                raise ValueError(f"{key} must be an object")
            getattr(tables, key).update({_word(k): (int(v) if key == "urgency" else str(v)) for k, v in extra.items()})
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise InputError(Msg("hl_err_tables", {"file": path, "problem": str(exc)})) from None
    return tables


def _word(text: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).upper()


def _norm_header(name: object) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).casefold()


def recognise_columns(columns: list[str]) -> dict[str, str]:
    """Canonical field → the file's column, for every field of :data:`ALIASES` the header holds."""
    by_norm = {_norm_header(c): c for c in columns}
    found: dict[str, str] = {}
    for canonical, aliases in ALIASES.items():
        hit = next((by_norm[_norm_header(a)] for a in aliases if _norm_header(a) in by_norm), None)
        if hit is not None and hit not in found.values():
            found[canonical] = hit
    return found


def is_work_order_header(columns: list[str]) -> bool:
    """True when the header is a work-order export's (工单编号, 来电时间 and 事发地址 or their aliases)."""
    found = recognise_columns(columns)
    return all(k in found for k in REQUIRED)


def category_of(word: object, tables: Tables) -> str:
    """The category slug of a category word: the table, a configured slug or label, a table word
    inside it (longest first), else ``other``."""
    text = _word(word) if isinstance(word, str) else ""
    if not text:
        return FALLBACK_CATEGORY
    if text in tables.categories:
        return tables.categories[text]
    for c in categories():
        if text in (c.code.upper(), _word(c.zh)):
            return c.code
    for key in sorted(tables.categories, key=len, reverse=True):
        if key in text:
            return tables.categories[key]
    return FALLBACK_CATEGORY


def level_of(word: object, tables: Tables) -> int | None:
    """The level (1 most urgent .. 4) of an urgency word; DEFAULT_LEVEL when blank, None when unknown."""
    text = _word(word) if isinstance(word, str) else ""
    if not text or text == "NAN":
        return DEFAULT_LEVEL
    text = text.removesuffix("级")
    return tables.urgency.get(text, tables.urgency.get(text + "级"))


def _phone(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    m = PHONE_RE.search(unicodedata.normalize("NFKC", value))
    return m.group(0).strip() if m and sum(ch.isdigit() for ch in m.group(0)) >= 5 else None


def _one_time(text: str, tz) -> str | None:
    """One time as ISO 8601 with its zone (a local time read in ``tz``), None when it is no time."""
    try:
        t = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        return None
    if pd.isna(t):
        return None
    return (t.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward") if t.tzinfo is None
            else t.tz_convert(tz)).isoformat()


def local_times(values: pd.Series, tz) -> pd.Series:
    """ISO 8601 times with the zone: local times (no zone) read in ``tz``, zoned ones converted; None
    where a value is no time. The usual export (2026-11-02 08:30:00) is read in one vectorised
    pass; any other mix of spellings one value at a time."""
    text = values.astype(str).str.strip()
    try:
        parsed = pd.to_datetime(text, errors="raise", format="ISO8601")
        if getattr(parsed.dt, "tz", None) is None:
            parsed = parsed.dt.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward")
        else:
            parsed = parsed.dt.tz_convert(tz)
        out = [None if pd.isna(t) else t.isoformat() for t in parsed]
    except (ValueError, TypeError, OverflowError):
        out = [_one_time(t, tz) if t and t not in ("nan", "None", "NaT") else None for t in text]
    return pd.Series(out, index=values.index, dtype=object)


@dataclass
class WorkOrder:
    """One usable row: the event (no position yet) and the address typed."""

    where: str
    event: dict
    address: str


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


def work_order_events(table: pd.DataFrame, tz, tables: Tables, first_row: int = 2
                      ) -> tuple[list[WorkOrder], list[tuple[str, str, Msg]]]:
    """(usable work orders, rejected rows as (where, id, reason)) of an export table. ``where`` is
    "row N" (Excel numbering, ``first_row`` for the first data row)."""
    cols = recognise_columns(list(table.columns))
    missing = [ALIASES[k][0] for k in REQUIRED if k not in cols]
    if missing:
        raise InputError(Msg("hl_err_columns", {"file": "", "missing": "、".join(missing)}))
    frame = pd.DataFrame({k: table[c] for k, c in cols.items()})
    times = local_times(frame["called_at"], tz)
    known = "/".join(sorted({k for k in tables.urgency if not k.isdigit()}, key=len))
    good: list[WorkOrder] = []
    bad: list[tuple[str, str, Msg]] = []
    for k, (row, when) in enumerate(zip(frame.to_dict("records"), times, strict=True)):
        where = f"row {k + first_row}"
        wid = _text(row.get("id"))
        level = level_of(row.get("urgency"), tables)
        problem = next((p for p in map(text_problem, (wid, _text(row.get("address")))) if p), None)
        if not wid:
            bad.append((where, "", Msg("hl_err_no_id", {"where": where})))
        elif problem:
            bad.append((where, wid, Msg("hl_err_text", {"where": where, "problem": problem})))
        elif when is None:
            bad.append((where, wid, Msg("hl_err_time", {"where": where, "value": _text(row.get("called_at"))})))
        elif level is None:
            bad.append((where, wid, Msg("hl_err_urgency", {"where": where, "value": _text(row.get("urgency")),
                                                           "known": known})))
        else:
            channel = _text(row.get("channel"))
            event = {"id": wid, "reported_at": when, "category": category_of(row.get("category"), tables),
                     "level": level, "channel": next((v for w, v in tables.channels.items() if w in channel), "hotline"),
                     "text": _text(row.get("text"))[:4000], "reporter_name": _text(row.get("reporter_name"))[:64] or None,
                     "reporter_phone": _phone(row.get("reporter_phone"))}
            good.append(WorkOrder(where, event, _text(row.get("address"))))
    return good, bad
