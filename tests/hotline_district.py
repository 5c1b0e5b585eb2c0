"""A district's register and a hotline work-order export generated from it, with the true grid of
every order (issue 22). Shared by tests/services, tests/api, tests/commands and the benchmark.

The district (锦城区, 510199, around 104.07°E 30.60°N) is a lattice of 250 m grid cells: 6
communities of 4 x 4 grids in 2 streets. Compounds (小区) have 1-6 buildings (楼栋) inside one grid
cell, a few span two grids; each compound has a road + house number. The register has the
columns of an office's 楼栋台账: 楼栋编码 小区名称 地址 经度 纬度 (as the atlas's units: code,
name, address, community_code, point).

:func:`work_orders` writes every kind of address the issue lists, each row with its ``kind``,
``true_grid`` (None when no single grid is right) and ``placeable`` (a correct grid can be found
with confidence from the address alone).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, box

from gridgeo.atlas.model import Atlas

DISTRICT_CODE, DISTRICT_NAME = "510199", "锦城区"
CITY = "成都市"
X0, Y0 = 104.05, 30.58
CELL = 0.0025  # degrees (about 250 m)
COLS, ROWS = 12, 8  # grid cells; communities are 4 x 4 blocks (3 x 2), streets are the block rows
STREETS = ("蓉南街道", "锦河街道")
COMMUNITIES = ("桂溪社区", "锦华社区", "川师社区", "莲桂社区", "琉璃社区", "牛市口社区")
ROADS = ("锦江路", "蜀都大道", "人民南路", "天府街", "红星路", "玉林巷", "科华北路", "桐梓林路", "抚琴西路", "青龙街")
PREFIXES = ("阳光", "锦绣", "金色", "翠湖", "碧桂", "龙城", "华府", "和平", "东方", "银河", "滨江", "紫荆", "书香",
            "枫林", "春天", "明珠", "中央", "海棠", "丽景", "世纪", "水岸", "星河", "蓝湾", "御景", "恒大", "雅居",
            "香榭", "芙蓉", "天鹅", "凤凰")
SUFFIXES = ("花园", "家园", "名城", "雅苑", "公馆", "新村", "华庭", "佳园")
TYPO = {"花": "化", "园": "圆", "家": "佳", "名": "明", "雅": "亚", "苑": "院", "公": "宫", "新": "心", "华": "化",
        "庭": "廷", "佳": "家"}
CATEGORY_WORDS = ("邻里纠纷", "劳资纠纷", "物业纠纷", "噪音扰民", "安全生产", "治安", "城中村", "其他", "市容环境")
URGENCY_WORDS = ("紧急", "较急", "一般", "I", "II", "III", "IV", "Ⅱ")
WORK_ORDER_COLUMNS = ("工单编号", "来电时间", "诉求人", "联系电话", "事发地址", "诉求内容", "诉求类别", "紧急程度", "承办单位")


@dataclass
class Compound:
    """One compound of the register: name, road + number, its buildings' grid and point."""

    name: str
    road: str
    number: int
    community: int
    buildings: list[tuple[str, str, float, float]] = field(default_factory=list)  # (no, grid, lon, lat)

    @property
    def grids(self) -> set[str]:
        return {b[1] for b in self.buildings}


@dataclass
class District:
    """The generated atlas and the truth about its compounds."""

    atlas: Atlas
    compounds: list[Compound]


def _grid_code(col: int, row: int) -> str:
    community = (row // 4) * 3 + col // 4
    serial = (row % 4) * 4 + col % 4 + 1
    return f"{DISTRICT_CODE}{row // 4 + 1:03d}{community + 1:03d}{serial:03d}"


def _community_code(k: int) -> str:
    return f"{DISTRICT_CODE}{k // 3 + 1:03d}{k + 1:03d}"


def _areas() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    def cell(c0, r0, c1, r1):
        return box(X0 + c0 * CELL, Y0 + r0 * CELL, X0 + c1 * CELL, Y0 + r1 * CELL)

    grids = [{"code": _grid_code(c, r), "name": f"第{(r % 4) * 4 + c % 4 + 1}网格",
              "community_code": _community_code((r // 4) * 3 + c // 4), "street_code": f"{DISTRICT_CODE}{r // 4 + 1:03d}",
              "geometry": cell(c, r, c + 1, r + 1)} for c in range(COLS) for r in range(ROWS)]
    comms = [{"code": _community_code(k), "name": COMMUNITIES[k], "street_code": f"{DISTRICT_CODE}{k // 3 + 1:03d}",
              "geometry": cell((k % 3) * 4, (k // 3) * 4, (k % 3) * 4 + 4, (k // 3) * 4 + 4)} for k in range(6)]
    streets = [{"code": f"{DISTRICT_CODE}{s + 1:03d}", "name": STREETS[s], "district_code": DISTRICT_CODE,
                "geometry": cell(0, s * 4, COLS, s * 4 + 4)} for s in range(2)]
    district = [{"code": DISTRICT_CODE, "name": DISTRICT_NAME, "geometry": cell(0, 0, COLS, ROWS)}]
    return tuple(gpd.GeoDataFrame(x, geometry="geometry", crs="EPSG:4326")
                 for x in (district, streets, comms, grids))


def make_district(n_compounds: int = 120, seed: int = 7, split_every: int = 10) -> District:
    """The atlas (areas, grids and a building register as units) and its compounds; every
    ``split_every``-th compound spans two neighbouring grids."""
    rng = random.Random(seed)
    names = [p + s for p in PREFIXES for s in SUFFIXES]
    rng.shuffle(names)
    compounds, units, used_numbers = [], [], set()
    for k in range(n_compounds):
        col, row = rng.randrange(COLS - 1), rng.randrange(ROWS)
        road = ROADS[k % len(ROADS)]
        top = max(400, 2 * n_compounds // len(ROADS))
        number = rng.randrange(1, top)
        while (road, number) in used_numbers:
            number = rng.randrange(1, top)
        used_numbers.add((road, number))
        name = names[k % len(names)] + (f"{k // len(names) + 1}期" if k >= len(names) else "")  # big registers: phases
        comp = Compound(name, road, number, (row // 4) * 3 + col // 4)
        cells = [(col, row), (col + 1, row)] if k % split_every == split_every - 1 else [(col, row)]
        for b in range(1, rng.randint(2, 6) + 1):
            c, r = cells[(b - 1) % len(cells)]
            lon = X0 + (c + rng.uniform(0.2, 0.8)) * CELL
            lat = Y0 + (r + rng.uniform(0.2, 0.8)) * CELL
            comp.buildings.append((str(b), _grid_code(c, r), lon, lat))
            units.append({"code": f"{DISTRICT_CODE}B{k:04d}{b:02d}", "name": comp.name, "kind": "compound",
                          "households": 60, "population": 150, "enterprises": 0,
                          "address": f"{CITY}{DISTRICT_NAME}{road}{number}号{comp.name}{b}栋",
                          "community_code": _community_code((r // 4) * 3 + c // 4), "geometry": Point(lon, lat)})
        compounds.append(comp)
    district, streets, comms, grids = _areas()
    unit_frame = gpd.GeoDataFrame(units, geometry="geometry", crs="EPSG:4326")
    legacy = gpd.GeoDataFrame({"code": [], "name": [], "layer": []}, geometry=[], crs="EPSG:4326")
    atlas = Atlas(district=district, streets=streets, communities=comms, grids=grids, legacy=legacy,
                  units=unit_frame, meta={"name": "jincheng-test"})
    return District(atlas, compounds)


_FULL = str.maketrans("0123456789", "０１２３４５６７８９")
_CN = "零一二三四五六七八九"


def _cn(n: int) -> str:
    """12 → 十二, 5 → 五, 20 → 二十, 105 → 一百零五."""
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n % 10] if n % 10 else "")
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if not rest else ("零" + _CN[rest] if rest < 10 else _cn(rest) if rest >= 20 else "一" + _cn(rest))
    return _CN[n // 100] + "百" + tail


def _typo(name: str, names: set[str], rng: random.Random) -> str | None:
    """The name with one character replaced by a look-alike, when that is no other compound's name."""
    spots = [i for i, ch in enumerate(name) if ch in TYPO]
    rng.shuffle(spots)
    for i in spots:
        typed = name[:i] + TYPO[name[i]] + name[i + 1:]
        if typed not in names and not any(n != name and _close(typed, n) for n in names):
            return typed
    return None


def _close(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) <= 1


def _prefix(comp: Compound, rng: random.Random) -> str:
    """Administrative prefixes as operators type them: none, some, all, repeated."""
    street, community = STREETS[comp.community // 3], COMMUNITIES[comp.community]
    return rng.choice(("", f"{DISTRICT_NAME}", f"四川省{CITY}{DISTRICT_NAME}{street}", f"{CITY}{CITY}{DISTRICT_NAME}",
                       f"{street}{community}", f"{DISTRICT_NAME}{DISTRICT_NAME}{street}", f"{CITY}{street}"))


def _address(kind: str, comp: Compound, rng: random.Random, names: set[str]) -> tuple[str, str | None, bool]:
    """(address, true grid or None, placeable) of one kind for a compound."""
    b_no, b_grid, _, _ = rng.choice(comp.buildings)
    pre = _prefix(comp, rng)
    grids = comp.grids
    named = [k for k, name in enumerate(COMMUNITIES) if name in pre]
    if named:  # the community typed in front narrows a compound that straddles a community border
        grids = {g for g in grids if g.startswith(_community_code(named[0]))} or grids
    single = grids.pop() if len(grids) == 1 else None
    unit = rng.choice(("", f"{rng.randint(1, 4)}单元{rng.randint(1, 30)}0{rng.randint(1, 4)}室", "2单元", "1201室"))
    if kind == "building":
        return f"{pre}{comp.name}{b_no}栋{unit}", b_grid, True
    if kind == "road_building":
        return f"{pre}{comp.road}{comp.number}号{b_no}号楼", b_grid, True
    if kind == "full_width":
        return f"{pre}{comp.road}{comp.number}号{comp.name}{b_no}栋{unit}".translate(_FULL), b_grid, True
    if kind == "chinese_numeral":
        word = rng.choice(("栋", "号楼", "幢"))
        return f"{pre}{comp.name}{_cn(int(b_no))}{word}{rng.choice(('', '门口', '附近'))}", b_grid, True
    if kind == "compound":
        return f"{pre}{comp.name}{rng.choice(('', '小区', '门口', '附近'))}", single, single is not None
    if kind == "road_number":
        return f"{pre}{comp.road}{_cn(comp.number) if comp.number < 100 and rng.random() < 0.3 else comp.number}号", \
            single, single is not None
    if kind == "typo":
        typed = _typo(comp.name, names, rng)
        if typed is None:
            return f"{pre}{comp.name}{b_no}栋", b_grid, True
        return f"{pre}{typed}{b_no}栋", b_grid, True
    if kind == "typo_compound":  # a typo and no building: the compound at x0.9, placed when in one grid
        typed = _typo(comp.name, names, rng) or comp.name
        return f"{pre}{typed}", single, single is not None
    if kind == "unknown_number":  # a road of the register with a house number it does not hold
        return f"{comp.road}{comp.number + 1000}号", None, False
    if kind == "across":  # 对面: across the road may be another grid; not placed with confidence
        return f"{comp.name}斜对面", None, False
    raise ValueError(kind)


KINDS = ("building", "road_building", "full_width", "chinese_numeral", "compound", "road_number", "typo",
         "typo_compound", "unknown_number", "across", "community", "other_district", "unknown", "unregistered")


def work_orders(district: District, n: int = 400, seed: int = 11, start: datetime | None = None) -> pd.DataFrame:
    """A work-order export of ``n`` rows (the issue's columns) over every kind of address, cycling
    through :data:`KINDS`; extra columns ``kind``, ``true_grid``, ``placeable`` are the truth."""
    rng = random.Random(seed)
    names = {c.name for c in district.compounds}
    start = start or datetime(2026, 11, 2, 8, 0)
    rows = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        comp = rng.choice(district.compounds)
        if kind == "community":
            k = rng.randrange(6)
            address, grid, placeable = rng.choice((f"{STREETS[k // 3]}{COMMUNITIES[k]}", f"{COMMUNITIES[k]}附近",
                                                   f"{DISTRICT_NAME}{COMMUNITIES[k]}")), None, False
        elif kind == "other_district":
            address, grid, placeable = (f"{CITY}武侯区浆洗街道{comp.name}{rng.randint(1, 6)}栋", None, False)
        elif kind == "unregistered":  # a place the register does not hold
            address, grid, placeable = f"{DISTRICT_NAME}幸福里{rng.randint(1, 9)}栋{rng.choice(('', '附近'))}", None, False
        elif kind == "unknown":
            address, grid, placeable = rng.choice(("地址不详", "", "不详", "  ")), None, False
        else:
            address, grid, placeable = _address(kind, comp, rng, names)
        when = start + timedelta(minutes=7 * i)
        rows.append({"工单编号": f"GD{20261102}{i:05d}", "来电时间": when.strftime("%Y-%m-%d %H:%M:%S"),
                     "诉求人": rng.choice(("张三丰", "李四", "王小明", "赵敏")),
                     "联系电话": f"138{rng.randint(10_000_000, 99_999_999)}", "事发地址": address,
                     "诉求内容": f"反映{address or '某处'}的问题", "诉求类别": rng.choice(CATEGORY_WORDS),
                     "紧急程度": rng.choice(URGENCY_WORDS), "承办单位": "锦城区网格办",
                     "kind": kind, "true_grid": grid, "placeable": placeable})
    return pd.DataFrame(rows)


def write_export(frame: pd.DataFrame, path) -> None:
    """The export as the hotline system writes it (only the issue's columns), .xlsx or .csv."""
    out = frame[list(WORK_ORDER_COLUMNS)]
    if str(path).endswith(".xlsx"):
        out.to_excel(path, index=False)
    else:
        out.to_csv(path, index=False, encoding="utf-8-sig")


def grid_of(lon: float, lat: float) -> str | None:
    """The true grid of a point of the generated district (None outside)."""
    col, row = int(np.floor((lon - X0) / CELL)), int(np.floor((lat - Y0) / CELL))
    return _grid_code(col, row) if 0 <= col < COLS and 0 <= row < ROWS else None
