"""One catalogue (gridgeo.i18n): the planner's and partition page's strings, the plan rules and
their messages, edit and publish refusals, in Chinese and English."""

from __future__ import annotations

import re
import string

import pytest
from plan_helpers import A, B, atom_id, g, lattice_plan

from gridgeo.i18n import CATALOGUE, Msg, render, t
from gridgeo.plan import ops
from gridgeo.plan.errors import PlanEditError
from gridgeo.plan.integrity import RULES, rule_label, validate
from gridgeo.plan.model import SizeBand

SECTIONS = ("pl_", "pp_", "rule_", "issue_", "edit_", "refuse_", "what_")


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_entry_has_chinese_and_english_with_the_same_fields():
    keys = [k for k in CATALOGUE if k.startswith(SECTIONS)]
    assert len(keys) > 250
    for key in keys:
        entry = CATALOGUE[key]
        assert set(entry) == {"zh", "en"}, key
        assert _fields(entry["zh"]) == _fields(entry["en"]), key
        assert re.search(r"[\u4e00-\u9fff]", entry["zh"]) or key.startswith("pl_op_done"), key


def test_every_rule_has_a_name_in_both_languages():
    for rule in RULES:
        assert re.search(r"[\u4e00-\u9fff]", rule_label(rule, "zh")), rule
        assert rule_label(rule, "en") != rule_label(rule, "zh")
    assert rule_label("no_such_rule") == "no_such_rule"


def _latin_words(text: str) -> list[str]:
    """English words left in a text (grid and atom codes like r3c0 or 440311001001001 aside)."""
    return [w for w in re.findall(r"[A-Za-z]{3,}", text)]


def test_plan_issues_render_in_chinese_without_english():
    plan = ops.move_atoms(lattice_plan(SizeBand(450, 600)), [atom_id(3, 0)], g(A, 1))  # a piece cut off, all small
    issues = validate(plan)
    assert {i.rule for i in issues} >= {"non_contiguous", "under_min"}
    for issue in issues:
        zh = issue.text("zh")
        assert not _latin_words(zh), zh
        assert issue.text("en") == issue.message  # the English text is the catalogue's too
    under = next(i for i in issues if i.rule == "under_min" and i.grid == g(B, 1))
    assert under.text("zh") == f"网格 {g(B, 1)}：400 户，低于下限 450"
    assert under.as_dict()["message_zh"] == under.text("zh")


@pytest.mark.parametrize("edit,zh", [
    (lambda p: ops.move_atoms(p, [], g(A, 1)), "未选择单元；请先选择要移动的单元"),
    (lambda p: ops.merge_grids(p, g(A, 1), g(B, 2)), "分属不同社区"),
    (lambda p: ops.move_atoms(ops.lock_grid(p, g(A, 1)), [atom_id(0, 0)], g(A, 2)), "已锁定；请先解锁再编辑"),
    (lambda p: ops.apply_edit(p, {"op": "teleport", "params": {}}), "未知的编辑 teleport"),
])
def test_edit_refusals_render_in_chinese(edit, zh):
    with pytest.raises(PlanEditError) as exc:
        edit(lattice_plan())
    assert zh in render(exc.value, "zh")
    assert not re.search(r"[\u4e00-\u9fff]", str(exc.value))  # logs and the API keep English


def test_a_message_with_missing_fields_shows_its_template_instead_of_failing():
    assert Msg("issue_hole", {}).render("zh") == t("issue_hole", "zh")
    assert render("plain text", "zh") == "plain text"
