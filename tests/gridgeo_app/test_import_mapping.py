"""The import page's field mapping faults (gridgeo_app.import_mapping), said in the page language."""

from __future__ import annotations

from gridgeo_app.import_mapping import faults, target_label


def test_two_fields_on_one_target_and_a_missing_grid_code_are_errors_in_chinese():
    errors, notes = faults("grids", {"BSM": "code", "网格名称": "code", "社区": "community_code"}, "zh")
    assert errors == ["网格：字段 “BSM”、“网格名称” 都对应到“网格编码”。一个目标字段只能对应一个源字段，"
                      "请把其中一个改为其他字段或“（不对应）”。"] and not notes
    errors, _ = faults("grids", {"BSM": "", "网格名称": "name"}, "zh")
    assert errors and "未识别出编码字段" in errors[0] and "网格编码" in errors[0]


def test_a_layer_whose_code_can_be_derived_gets_a_note_not_an_error():
    errors, notes = faults("communities", {"MC": "name"}, "zh")
    assert not errors and "临时编码" in notes[0]
    errors, notes = faults("legacy", {"MC": "name"}, "en")
    assert not errors and "numbered in file order" in notes[0]
    assert faults("streets", {"JDBM": "code", "JDMC": "name"}, "zh") == ([], [])


def test_targets_read_as_the_layer_names_them():
    assert target_label("grids", "code", "zh") == "网格编码"
    assert target_label("communities", "street_code", "zh") == "街道编码"
    assert target_label("grids", "", "zh") == "（不对应）"
    assert target_label("grids", "code", "en") == "code"
