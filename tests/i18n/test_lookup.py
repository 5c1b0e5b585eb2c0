"""The one lookup: languages, a missing key (strict in tests, logged once and shown in production),
the bound translator and family names."""

from __future__ import annotations

import logging

import pytest

from gridgeo.i18n import CATALOGUE, Msg, lookup, name_of, render, t, translator, word


def test_languages_and_fallback():
    assert t("page_map", "zh") == "地图" and t("page_map", "en") == "Map"
    assert t("page_map", "fr") == "地图"  # an unknown language falls back to Chinese
    assert translator("en")("page_map") == "Map"


def test_a_missing_key_raises_in_strict_mode(monkeypatch):
    monkeypatch.setenv("GRIDGEO_I18N_STRICT", "1")
    with pytest.raises(KeyError, match="no_such_key"):
        t("no_such_key", "en")
    with pytest.raises(KeyError):
        Msg("no_such_key").render("zh")


def test_a_missing_key_is_logged_once_and_shown_in_production(monkeypatch, caplog):
    monkeypatch.setenv("GRIDGEO_I18N_STRICT", "0")
    monkeypatch.setattr(lookup, "_logged", set())
    with caplog.at_level(logging.WARNING, logger="gridgeo.i18n.lookup"):
        assert t("no_such_key_either", "zh") == "no_such_key_either"
        assert t("no_such_key_either", "en") == "no_such_key_either"
    assert [r.getMessage() for r in caplog.records].count(
        "gridgeo.i18n: no catalogue key 'no_such_key_either'; showing the key") == 1


def test_family_names_and_words():
    assert name_of("status_", "accepted", "en") == "accepted" and name_of("status_", "accepted") == "已受理"
    assert name_of("pp_layer_", "my_own_layer") == "my_own_layer"  # a code outside the family shows as itself
    with pytest.raises(KeyError):
        name_of("no_such_family_", "x")
    assert render(word("fld_", "street_code"), "zh") == render(Msg("fld_street_code"), "zh")
    assert word("fld_", "WGBM") == "WGBM"


def test_the_catalogue_refuses_a_key_defined_in_two_areas(monkeypatch):
    from gridgeo.i18n import catalogue
    from gridgeo.i18n.catalogue import app, domain

    monkeypatch.setattr(domain, "STRINGS", {**domain.STRINGS, "page_map": CATALOGUE["page_map"]})
    with pytest.raises(ValueError, match="page_map"):
        catalogue._merge()
    assert app.STRINGS["page_map"]["zh"] == "地图"


def test_the_package_imports_nothing_from_gridgeo_but_config():
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "gridgeo" / "i18n"
    imported = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    outside = {m for m in imported if m.startswith("gridgeo") and not m.startswith("gridgeo.i18n")}
    assert outside == {"gridgeo.config"}, outside


@pytest.mark.parametrize("value,strict", [(None, False), ("", False), ("0", False), ("false", False), ("1", True),
                                          ("yes", True)])
def test_strict_mode_is_a_setting(value, strict):
    from gridgeo.config import Settings

    assert Settings.from_env({} if value is None else {"GRIDGEO_I18N_STRICT": value}).i18n_strict is strict
