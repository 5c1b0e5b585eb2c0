"""The import page's field mapping: per layer, one dropdown per source field of its files (read
before any check, so a field the alias table does not recognise, e.g. a grid code under ``BSM``,
can be picked), and the mapping's faults said in place in the page language (a blanked code, two
fields on one target) instead of a failed check."""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from gridgeo.i18n import render, t, word

NONE = ""  # the dropdown's "not mapped" entry
CODE_DERIVED = ("district", "streets", "communities")  # a missing code is derived or provisional
CODE_NUMBERED = ("legacy",)  # a missing code is numbered in file order


def target_label(layer: str, canonical: str, L: str) -> str:
    """A canonical field as the page shows it (网格编码, 社区名称 ...); the blank entry as （不对应）."""
    from gridgeo.atlas.importing.fields import export_names

    if canonical == NONE:
        return t("imp_map_none", L)
    if L == "zh":
        name = export_names(layer).get(canonical)
        if name:
            return name
    return render(word("fld_", canonical), L)


@st.cache_data(show_spinner=False, max_entries=64)
def _fields_of(path: str, mtime: float) -> dict[str, str]:
    from gridgeo.atlas.importing.fieldlist import file_fields

    return file_fields(path)


def layer_fields(paths: list[Path]) -> dict[str, str]:
    """``{field: sample}`` of a layer's files together (first file's sample wins)."""
    out: dict[str, str] = {}
    for p in paths:
        for field, sample in _fields_of(str(p), p.stat().st_mtime).items():
            if field not in out or not out[field]:
                out[field] = sample
    return out


def _key(layer: str, paths: list[Path], field: str) -> str:
    digest = hashlib.sha1("|".join([layer, *(p.name for p in paths), field]).encode()).hexdigest()[:12]
    return f"imp_map_{layer}_{digest}"


def faults(layer: str, chosen: dict[str, str], L: str) -> tuple[list[str], list[str]]:
    """(errors that stop the check, notes) of one layer's mapping, in the page language."""
    from gridgeo.atlas.importing.fields import canonical_fields

    label = t(f"layer_kind_{layer}", L)
    errors: list[str] = []
    by_target: dict[str, list[str]] = {}
    for source, target in chosen.items():
        if target != NONE:
            by_target.setdefault(target, []).append(source)
    for target, sources in by_target.items():
        if len(sources) > 1:
            errors.append(t("imp_map_twice", L).format(layer=label, fields="、".join(f"“{s}”" for s in sources),
                                                       field=target_label(layer, target, L)))
    notes: list[str] = []
    if "code" in canonical_fields(layer) and "code" not in by_target:
        code = target_label(layer, "code", L)
        if layer in CODE_DERIVED:
            notes.append(t("imp_map_no_code_derived", L).format(layer=label, field=code))
        elif layer in CODE_NUMBERED:
            notes.append(t("imp_map_no_code_numbered", L).format(layer=label, field=code))
        else:
            errors.append(t("imp_map_no_code", L).format(layer=label, field=code))
    return errors, notes


def _dropdowns(layer: str, paths: list[Path], fields: dict[str, str], recognised: dict[str, str],
               L: str) -> dict[str, str]:
    from gridgeo.atlas.importing.fields import canonical_fields

    options = [NONE, *canonical_fields(layer)]
    chosen: dict[str, str] = {}
    cols = st.columns(3)
    for i, (field, sample) in enumerate(fields.items()):
        default = recognised.get(field, NONE)
        chosen[field] = cols[i % 3].selectbox(
            field, options, index=options.index(default) if default in options else 0,
            key=_key(layer, paths, field), format_func=lambda c, lyr=layer: target_label(lyr, c, L),
            help=t("imp_map_sample", L).format(value=sample or t("imp_map_blank", L)))
    return chosen


def mapping_section(layer_paths: dict[str, list[Path]], L: str) -> tuple[dict[str, dict[str, str]], bool]:
    """Per layer an expander of dropdowns (open when the layer needs a look); returns the field map
    for ``import_atlas`` (every mapped field, and the recognised ones the clerk blanked) and
    whether it can be checked (no layer with an error)."""
    from gridgeo.atlas.importing.fields import recognise_fields

    field_map: dict[str, dict[str, str]] = {}
    ok = True
    for layer, paths in layer_paths.items():
        fields = layer_fields(paths)
        label = t(f"layer_kind_{layer}", L)
        files = "、".join(p.name for p in paths)
        if not fields:
            st.caption(t("imp_map_unread", L).format(layer=label, file=files))
            continue
        recognised = recognise_fields(list(fields), layer)
        keys = [_key(layer, paths, f) for f in fields]
        current = {f: st.session_state.get(k, recognised.get(f, NONE)) for f, k in zip(fields, keys, strict=True)}
        errors, notes = faults(layer, current, L)
        title = t("imp_map_layer", L).format(layer=label, file=files, n=len(fields))
        opened = st.session_state.setdefault("imp_map_open", set())
        if errors or notes:
            opened.add(layer)  # once a layer needed a look it stays open while the clerk fixes it
        with st.expander(title, expanded=layer in opened):
            chosen = _dropdowns(layer, paths, fields, recognised, L)
            errors, notes = faults(layer, chosen, L)
            for text in errors:
                st.error(text)
            for text in notes:
                st.info(text)
        ok = ok and not errors
        layer_map = {f: c for f, c in chosen.items() if c != NONE}
        layer_map |= {f: NONE for f in recognised if chosen.get(f) == NONE}  # blanked: not the alias table's pick
        field_map[layer] = layer_map
    return field_map, ok
