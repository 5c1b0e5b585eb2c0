"""Names of levels, statuses, categories, channels and list types come from the catalogue only;
the domain modules keep the codes, and each registered family matches the domain's list."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from gridgeo.access.roles import ROLES
from gridgeo.analysis.hotspots import BIN_ORDER
from gridgeo.atlas.model import COUNT_COLUMNS
from gridgeo.events import lifecycle, schema
from gridgeo.events.rating import RATINGS
from gridgeo.i18n import (
    CATALOGUE,
    FAMILIES,
    category_name,
    channel_name,
    level_name,
    list_type_name,
    status_name,
)
from gridgeo.plan.integrity import RULES
from gridgeo.plan.ops import OPERATIONS

CJK = re.compile(r"[\u4e00-\u9fff]")
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("family,codes", [
    ("level_", ("1", "2", "3", "4")),
    ("status_", lifecycle.STATUSES),
    ("cat_", tuple(c.code for c in schema.DEFAULT_CATEGORIES)),
    ("channel_", schema.CHANNELS),
    ("list_type_", schema.LIST_TYPES),
    ("rule_", RULES),
    ("role_", tuple(ROLES)),
    ("pl_op_", tuple(OPERATIONS)),
    ("what_", COUNT_COLUMNS),
    ("gi_bin_", tuple(str(b) for b in BIN_ORDER)),
    ("rating_", tuple(RATINGS)),
])
def test_family_matches_the_domain_list(family, codes):
    assert set(FAMILIES[family]) == {str(c) for c in codes}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_domain_names_come_from_the_catalogue(lang):
    for level in (1, 2, 3, 4):
        assert level_name(level, lang) == CATALOGUE[f"level_{level}"][lang]
    for status in lifecycle.STATUSES:
        assert status_name(status, lang) == CATALOGUE[f"status_{status}"][lang]
    for cat in schema.DEFAULT_CATEGORIES:
        assert schema.category_label(cat.code, lang) == category_name(cat.code, lang) == CATALOGUE[f"cat_{cat.code}"][lang]
    for channel in schema.CHANNELS:
        assert channel_name(channel, lang) == CATALOGUE[f"channel_{channel}"][lang]
    for list_type in schema.LIST_TYPES:
        assert list_type_name(list_type, lang) == CATALOGUE[f"list_type_{list_type}"][lang]
    assert level_name(1, "zh") == "I级（红）" and status_name("accepted", "zh") == "已受理"


def test_unknown_category_shows_its_slug():
    assert category_name("flood") == "flood"


@pytest.mark.parametrize("module", ["gridgeo/events/lifecycle.py", "gridgeo/events/schema.py",
                                    "gridgeo/events/dispatch.py", "gridgeo/analysis/risk.py"])
def test_domain_modules_hold_no_chinese_names(module):
    """Docstrings may explain the Chinese terms; no string value in the code is a Chinese name."""
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    names = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
             and id(n) not in docstrings and CJK.search(n.value)]
    assert not names, names


def test_the_service_lists_names_from_the_catalogue():
    from gridgeo.api.routers.events import list_categories

    out = json.loads(list_categories().body)
    assert out["channels"] == {c: CATALOGUE[f"channel_{c}"]["zh"] for c in schema.CHANNELS}
    assert out["list_types"]["staged"] == "阶段性"
    assert out["categories"][1] == {"code": "labour", "zh": "劳资纠纷", "en": "Labour and wages"}
    assert out["statuses"] == list(lifecycle.STATUSES)
