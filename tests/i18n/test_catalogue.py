"""The one catalogue: every key used exists in zh and en, every key is used, the translations are
well formed, and the keys built at run time are registered families."""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

import pytest

from gridgeo.i18n import CATALOGUE, FAMILIES

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE_DIR = ROOT / "gridgeo" / "i18n" / "catalogue"
# calls whose first argument is a catalogue key; and those whose first argument is a family prefix
KEY_CALLS = {"t", "tr", "Msg", "_refuse"}
FAMILY_CALLS = {"word", "name_of"}
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
# The English of these import messages is the command line's line (the full path, the flag to use);
# the Chinese, shown on the import page, names the file only.
CLI_ONLY_PLACEHOLDERS = {
    "src_crs_given": {"layer"}, "src_crs_prj": {"name"}, "src_crs_file": {"name"},
    "err_gk_no_zone": {"file", "flag", "path"}, "err_degrees_unknown": {"file", "flag", "path"},
    "err_no_crs": {"file", "flag", "path"}, "err_no_field": {"file", "path"}, "err_no_column": {"file", "path"},
    "lyr_legacy_named": {"words", "slugs"},
    "err_map_twice": {"source"}, "err_limit": {"file", "path", "setting"},
}


def _sources() -> list[Path]:
    files = [*(ROOT / "gridgeo").rglob("*.py"), *(ROOT / "gridgeo_app").rglob("*.py"), ROOT / "app.py"]
    return [p for p in files if CATALOGUE_DIR not in p.parents]


@lru_cache(maxsize=1)
def _scan() -> tuple[frozenset[str], tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """Every string literal of the code, the literal keys passed to a lookup (with where), and the
    constant prefixes of keys built at run time (with where)."""
    literals: set[str] = set()
    keys: list[tuple[str, str]] = []
    prefixes: list[tuple[str, str]] = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            arg, where = node.args[0], f"{path.relative_to(ROOT)}:{node.lineno}"
            if func in KEY_CALLS and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                keys.append((arg.value, where))
            elif func in KEY_CALLS and isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
                prefixes.append((arg.values[0].value, where))
            elif func in FAMILY_CALLS and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                prefixes.append((arg.value, where))
    return frozenset(literals), tuple(keys), tuple(prefixes)


def test_every_key_looked_up_in_the_code_exists():
    _, keys, _ = _scan()
    assert len(keys) > 500  # the scan sees the call sites
    missing = sorted({f"{key} ({where})" for key, where in keys if key not in CATALOGUE})
    assert not missing, f"keys looked up but not in the catalogue: {missing}"


def test_every_key_built_at_run_time_is_a_registered_family():
    _, _, prefixes = _scan()
    assert len(prefixes) > 20
    unregistered = sorted({f"{prefix!r} ({where})" for prefix, where in prefixes if prefix not in FAMILIES})
    assert not unregistered, f"keys built from these prefixes are not in catalogue/families.py: {unregistered}"


def test_every_family_member_is_in_the_catalogue_and_every_family_is_used():
    _, _, prefixes = _scan()
    literals = _scan()[0]
    built = {prefix for prefix, _ in prefixes}
    for family, members in FAMILIES.items():
        assert members and len(set(members)) == len(members), family
        assert not [m for m in members if family + m not in CATALOGUE], family
        assert family in built or family in literals, f"family {family!r} is built nowhere"


def test_every_catalogue_key_is_used():
    literals, _, _ = _scan()
    dynamic = {family + member for family, members in FAMILIES.items() for member in members}
    unused = sorted(k for k in CATALOGUE if k not in literals and k not in dynamic)
    assert not unused, f"catalogue keys nothing uses (delete them or register their family): {unused}"


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_entry_has_both_languages(key):
    entry = CATALOGUE[key]
    assert set(entry) == {"zh", "en"}, key
    assert entry["zh"].strip() and entry["en"].strip(), key


def test_no_chinese_string_is_plain_english():
    """A zh string may be codes, units and placeholders, but not English words."""
    english = {}
    for key, entry in CATALOGUE.items():
        bare = PLACEHOLDER.sub("", entry["zh"])
        if bare.isascii() and re.search(r"[A-Za-z]{2,}", bare):
            english[key] = entry["zh"]
    assert not english, english


def test_placeholders_match_between_languages():
    wrong = {}
    for key, entry in CATALOGUE.items():
        zh, en = (set(PLACEHOLDER.findall(entry[lang])) for lang in ("zh", "en"))
        if zh ^ en != CLI_ONLY_PLACEHOLDERS.get(key, set()):
            wrong[key] = (sorted(zh), sorted(en))
    assert not wrong, wrong
