"""What an operator typed as an address, normalised and split into its parts (issue 22).

:func:`normalise` makes two spellings of one place equal: full-width characters to ASCII
(NFKC), Chinese numerals before a unit word to digits (十二号 → 12号), 号楼/幢/座 → 栋, spaces
and punctuation removed. :func:`parse` then peels the administrative prefixes off the front
(省/自治区, 市, 区/县, 街道, 社区, repeated or missing, in any order), notes the qualifiers
(附近/门口/对面 …) and finds road + house number, building number and the compound text.

Pure text: no atlas here. :mod:`gridgeo.services.placement` matches the parts against the
active atlas's registers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMBER = re.compile(r"([零〇一二两三四五六七八九十百千]+)(?=号|栋|幢|座|楼|单元|室|层|弄|巷|期|区|街坊)")
_PUNCT = re.compile(r"[\s,，。.、;；:：()（）\[\]【】{}<>《》\"'“”‘’\-—_~·#/\\|*]+")
_BUILDING_WORDS = re.compile(r"([0-9]+|[A-Za-z])(?:号楼|号栋|幢|座)")
_CN_ANY = re.compile(r"[零〇一二两三四五六七八九十百千]")
_BUILDING_ANY = re.compile(r"号楼|号栋|幢|座")
# words after a place that say "near it": the weight they leave on a match
QUALIFIERS: dict[str, float] = {"斜对面": 0.8, "对面": 0.85, "附近": 0.95, "旁边": 0.95, "周边": 0.95, "一带": 0.9,
                                "边上": 0.95, "后面": 0.95, "门口": 1.0, "楼下": 1.0, "路口": 0.95}
_QUALIFIER_RE = re.compile("|".join(sorted(QUALIFIERS, key=len, reverse=True)))
_DETAIL = re.compile(r"[0-9]+(?:单元|室|户|层)|(?<=栋)[0-9]+(?:楼)?|(?<=单元)[0-9]+")
UNKNOWN = re.compile(r"^(地址|位置|事发地)?(不详|不明|未知|不清|无|暂无|空|待定|见内容)?$")
# administrative prefixes: level, pattern (the token is the whole match)
_PREFIXES: tuple[tuple[str, re.Pattern], ...] = (
    ("province", re.compile(r"^[\u4e00-\u9fff]{2,7}?(?:省|自治区|特别行政区)")),
    ("city", re.compile(r"^[\u4e00-\u9fff]{2,4}?市")),
    ("district", re.compile(r"^[\u4e00-\u9fff]{2,5}?(?:新区|区|县|旗)")),
    ("street", re.compile(r"^[\u4e00-\u9fff]{2,6}?(?:街道办事处|街道办|街道|镇|乡)")),
    ("community", re.compile(r"^[\u4e00-\u9fff]{2,6}?(?:社区居委会|社区|村委会|居委会)")),
)
_ADMIN_END = re.compile(r"[省区市县旗道办镇乡会]")
# tokens ending like a district that are places inside one (阳光小区 is not a district)
_NOT_ADMIN = re.compile(r"(小区|社区|园区|校区|景区|片区|街区|厂区|营区|宿舍区|花园区|生活区|新村|宿舍|花园|广场|大厦)$")
_ROAD = re.compile(r"([\u4e00-\u9fffA-Za-z0-9]{1,12}?(?:大道|大街|路|街|巷|弄|道))([0-9]+)(?:号院|号|弄)")
_BUILDING = re.compile(r"([0-9]+|[A-Za-z])栋")
_COMPOUND_SUFFIX = re.compile(r"(小区|社区)$")


def chinese_number(text: str) -> int:
    """十二 → 12, 一百零五 → 105, 二十 → 20, 一零五 → 105 (digits read one by one)."""
    if not any(c in _CN_UNITS for c in text):
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, num = 0, 0
    for c in text:
        if c in _CN_DIGITS:
            num = _CN_DIGITS[c]
        else:
            total += (num or 1) * _CN_UNITS[c]
            num = 0
    return total + num


def normalise(text: object) -> str:
    """One spelling of an address: NFKC (full-width → ASCII), Chinese numerals before unit words as
    digits, 号楼/幢/座 as 栋, upper-case letters, no spaces or punctuation."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    out = unicodedata.normalize("NFKC", str(text))
    out = _PUNCT.sub("", out).upper()
    if _CN_ANY.search(out):  # (the checks first: most addresses need neither substitution)
        out = _CN_NUMBER.sub(lambda m: str(chinese_number(m.group(1))), out)
    if _BUILDING_ANY.search(out):
        out = _BUILDING_WORDS.sub(lambda m: m.group(1) + "栋", out)
    return out


def compound_key(name: object) -> str:
    """The key a compound name is matched on: normalised, without a building and a trailing 小区."""
    text = normalise(name)
    text = _BUILDING.split(text)[0] if _BUILDING.search(text) else text
    return _COMPOUND_SUFFIX.sub("", text)


@dataclass
class Address:
    """The parts of one typed address (all normalised)."""

    raw: str
    text: str  # normalised, prefixes and qualifiers removed
    admin: dict[str, list[str]] = field(default_factory=dict)  # level -> tokens as typed (normalised)
    weight: float = 1.0  # product of the qualifiers' weights
    qualifiers: tuple[str, ...] = ()
    road: str | None = None  # the text in front of the house number (may hold more than the road)
    number: str | None = None
    building: str | None = None
    compound: str = ""  # the text where a compound name is expected (see :func:`parse`)

    @property
    def unknown(self) -> bool:
        """True when nothing placeable was typed (blank, 地址不详, 不明 ...)."""
        return bool(UNKNOWN.match(self.text)) and not self.admin


def _strip_prefixes(text: str) -> tuple[str, dict[str, list[str]]]:
    """Administrative prefixes peeled off the front, any order, repeats allowed."""
    admin: dict[str, list[str]] = {}
    while text and _ADMIN_END.search(text, 0, 16):  # (a suffix within reach, else no prefix)
        found = [(m.end(), level, m.group(0)) for level, pattern in _PREFIXES if (m := pattern.match(text))
                 and not (level == "district" and _NOT_ADMIN.search(m.group(0)))]
        if not found:
            break
        end, level, token = min(found)  # the shortest: 锦城区牛市口社区 is 锦城区 + 牛市口社区, not a city 锦城区牛市
        admin.setdefault(level, []).append(token)
        text = text[end:]
    return text, admin


def parse(raw: object) -> Address:
    """The parts of an address as typed: prefixes, qualifiers, road + number, building, compound.

    The compound text is what lies between the road + house number (or the start) and the
    building number (or the end), unit/room/floor details dropped."""
    text = normalise(raw)
    quals = tuple(_QUALIFIER_RE.findall(text))
    weight = 1.0
    for q in quals:
        weight *= QUALIFIERS[q]
    text = _QUALIFIER_RE.sub("", text)
    text, admin = _strip_prefixes(text)
    text = _DETAIL.sub("", text)
    addr = Address(raw="" if raw is None else str(raw), text=text, admin=admin, weight=weight, qualifiers=quals)
    rest = text
    road = _ROAD.search(rest)
    if road:
        addr.road, addr.number = road.group(1), road.group(2)
        rest = rest[:road.start()] + "|" + rest[road.end():]
    buildings = list(_BUILDING.finditer(rest))
    if buildings:
        b = buildings[-1]
        addr.building = b.group(1)
        rest = rest[:b.start()]
    parts = [p for p in rest.split("|") if p]
    addr.compound = _COMPOUND_SUFFIX.sub("", parts[-1]) if parts else ""
    return addr


def road_suffixes(road: str) -> list[str]:
    """The road text and each shorter tail of it, longest first (the typed road may carry words in
    front: 阳光花园旁幸福路 → 幸福路 is one of the tails)."""
    return [road[i:] for i in range(len(road) - 1)]
