"""数据导入 Import: upload a district's own files (or one zip), confirm which file is which layer
and the recognised field mapping, see the validation report listed and drawn on the map (the
features a problem names in red), then import the atlas into the store and switch to it.

The work is ``gridgeo.atlas.importing.import_atlas`` and ``gridgeo.store.atlases`` (save_atlas,
use_atlas); this page only collects the choices and shows the results.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import pandas as pd
import streamlit as st

from gridgeo.access.roles import Action
from gridgeo.errors import GridgeoError
from gridgeo.i18n import render, t, word
from gridgeo_app import context as common
from gridgeo_app import event_source as data
from gridgeo_app.map_render import st_folium_cached
from gridgeo_app.screen import use_screen
from gridgeo_app.session import may, not_allowed_text

LAYERS = ("communities", "streets", "grids", "units", "legacy", "district", "service_points", "ignore")
FILE_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".xlsx", ".xlsm", ".csv")
UPLOAD_TYPES = ["zip", "shp", "shx", "dbf", "prj", "cpg", "gpkg", "geojson", "json", "xlsx", "xlsm", "csv"]
UNIT_CRS = {"": "imp_crs_auto", "GCJ02": "imp_crs_gcj02", "BD09": "imp_crs_bd09", "CGCS2000": "imp_crs_cgcs2000"}


def _layer_label(layer: str, L: str) -> str:
    return t(f"layer_kind_{layer}", L)


def _work_dir() -> Path:
    """This session's upload folder under the data dir (kept until the server's temp is cleaned)."""
    from gridgeo.store import data_dir

    if "imp_dir" not in st.session_state:
        root = data_dir() / "uploads"
        root.mkdir(parents=True, exist_ok=True)
        st.session_state["imp_dir"] = tempfile.mkdtemp(prefix="import-", dir=root)
    return Path(st.session_state["imp_dir"])


def _zip_name(info: zipfile.ZipInfo) -> str:
    """A member's name; zips made on Chinese Windows store GBK names without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gbk"):  # Linux/macOS zips: UTF-8 without the flag; Windows: GBK
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _unzip(blob: bytes, name: str, into: Path) -> None:
    """Extract a zip's files flat into ``into`` (no paths from the archive are trusted)."""
    import io
    import shutil

    from gridgeo.atlas.importing.limits import check_zip
    from gridgeo.errors import InputError
    from gridgeo.i18n import render

    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            check_zip(zf, name)  # expanded size and file count, before anything is written
            for info in zf.infolist():
                member = PurePosixPath(_zip_name(info).replace("\\", "/")).name
                if info.is_dir() or not member or member.startswith("."):
                    continue
                with zf.open(info) as src, open(into / member, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)  # streamed: never the whole member in memory
    except InputError as exc:
        st.error(render(exc, common.lang()))
    except zipfile.BadZipFile:
        st.error(t("imp_unreadable", common.lang()).format(file=name, error="not a zip archive / 不是 zip 文件"))


def save_uploads(files) -> list[Path]:
    """Write the uploaded files (zips unpacked) into this session's folder; return the data files
    (.shp, .gpkg, .geojson, .xlsx, .csv ...) found there."""
    folder = _work_dir() / hashlib.sha1("|".join(f"{f.name}:{f.size}" for f in files).encode()).hexdigest()[:12]
    if not folder.exists():
        folder.mkdir(parents=True)
        for f in files:
            blob = f.getvalue()
            if f.name.lower().endswith(".zip"):
                _unzip(blob, f.name, folder)
            else:
                (folder / PurePosixPath(f.name).name).write_bytes(blob)
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in FILE_SUFFIXES)


def file_table(paths: list[Path], L: str) -> pd.DataFrame:
    """One row per file: its name, the layer its name or content points to, the legacy department, the CRS."""
    from gridgeo.atlas.importing.discover import place  # by name, and an area file by its content

    rows = []
    for p in paths:
        layer, slug = place(p) or ("ignore", None)
        rows.append({t("imp_col_file", L): p.name, t("imp_col_layer", L): _layer_label(layer, L),
                     t("imp_legacy_name", L): slug or "", t("imp_col_crs", L): ""})
    return pd.DataFrame(rows)


def sources_of(table: pd.DataFrame, paths: list[Path], L: str) -> tuple[dict, dict]:
    """``import_atlas`` sources and per-layer CRS from the (edited) file table."""
    by_label = {_layer_label(k, L): k for k in LAYERS}
    by_name = {p.name: p for p in paths}
    sources: dict = {}
    crs: dict = {}
    for _, row in table.iterrows():
        layer = by_label.get(row[t("imp_col_layer", L)], "ignore")
        path = by_name.get(row[t("imp_col_file", L)])
        if layer == "ignore" or path is None:
            continue
        slug = str(row[t("imp_legacy_name", L)] or "").strip() or None
        given = str(row[t("imp_col_crs", L)] or "").strip()
        if layer == "legacy":
            sources.setdefault("legacy", []).append((slug, path) if slug else path)
        elif layer in ("units", "service_points"):
            sources.setdefault(layer, []).append(path)
        else:
            sources[layer] = path
        if given:
            crs[slug if layer == "legacy" and slug else layer] = given
    return sources, crs


def run_import(sources: dict, crs: dict, field_map: dict, name: str, L: str):
    """``import_atlas`` with a progress bar; None (and one error line) when the files cannot be read."""
    from gridgeo.atlas.importing import import_atlas

    bar = st.progress(0.0, text=t("imp_progress", L).format(pct=0))

    def progress(_stage: str, frac: float) -> None:
        frac = min(max(float(frac), 0.0), 1.0)
        bar.progress(frac, text=t("imp_progress", L).format(pct=round(frac * 100)))

    try:
        result = import_atlas(sources, name=name, crs=crs or None, field_map=field_map or None, progress=progress)
    except GridgeoError as exc:
        bar.empty()
        st.error(render(exc, L))
        return None
    bar.progress(1.0, text=t("imp_progress", L).format(pct=100))
    return result


def mapping_table(result, L: str) -> pd.DataFrame:
    """The recognised field mapping of every layer, one row per source field, in Chinese."""
    from gridgeo.atlas.importing.fields import export_names

    rows = []
    for layer, mapping in result.mappings.items():
        names = export_names(layer) if layer in LAYERS else {}
        frame = getattr(result.atlas, layer, None) if result.atlas is not None else None
        columns = list(mapping) + [c for c in (frame.columns if frame is not None else [])
                                   if c != "geometry" and c not in mapping.values() and c not in names]
        for source in dict.fromkeys(columns):
            target = mapping.get(source, "")
            col = target or source
            sample = ""
            if frame is not None and col in frame.columns and frame[col].notna().any():
                sample = str(frame[col].dropna().iloc[0])
            rows.append({t("imp_col_layer", L): _layer_label(layer, L), t("imp_col_source", L): source,
                         t("imp_col_target", L): names.get(target, target) if target else "",
                         t("imp_col_sample", L): sample, "_layer": layer})
    return pd.DataFrame(rows, columns=[t("imp_col_layer", L), t("imp_col_source", L), t("imp_col_target", L),
                                       t("imp_col_sample", L), "_layer"])


def field_map_of(edited: pd.DataFrame, L: str) -> dict[str, dict[str, str]]:
    """``{layer: {source: canonical}}`` from the edited mapping table (empty = ignore the field)."""
    from gridgeo.atlas.importing.fields import canonical_fields, export_names

    out: dict[str, dict[str, str]] = {}
    for _, row in edited.iterrows():
        layer = row["_layer"]
        back = {v: k for k, v in export_names(layer).items()} | {c: c for c in canonical_fields(layer)}
        target = str(row[t("imp_col_target", L)] or "").strip()
        out.setdefault(layer, {})[row[t("imp_col_source", L)]] = back.get(target, target)
    return out


def target_options(layers: list[str]) -> list[str]:
    """Every canonical field of the layers, as their Chinese names (what the mapping cell offers)."""
    from gridgeo.atlas.importing.fields import canonical_fields, export_names

    options: list[str] = [""]
    for layer in layers:
        names = export_names(layer)
        options += [names.get(c, c) for c in canonical_fields(layer)]
    return list(dict.fromkeys(options))


def problems_table(result, L: str) -> pd.DataFrame:
    """The validation problems in a table, headers and texts in the page language."""
    rows = [{t("imp_col_where", L): Path(str(p.file)).name if p.file else "",
             t("imp_col_feature", L): "" if p.feature is None else str(p.feature),
             t("category", L): render(word("chk_", p.check), L) if p.check else "",
             t("imp_col_problem", L): p.text(L), t("imp_col_hint", L): p.hint_text(L)}
            for p in result.problems]
    return pd.DataFrame(rows, columns=[t("imp_col_where", L), t("imp_col_feature", L), t("category", L),
                                       t("imp_col_problem", L), t("imp_col_hint", L)])


def flagged_by_layer(result, L: str) -> dict:
    """Per atlas layer, the features the problems name, with the problem text in ``L`` (for the map)."""
    from gridgeo.atlas.validation import feature_labels
    from gridgeo_app.layers import flagged_features

    if result.atlas is None:
        return {}
    out = {}
    for layer in ("district", "streets", "communities", "grids", "legacy", "units"):
        mine = [p for p in result.problems if p.feature is not None and result.layer_of(p) == layer]
        if not mine:
            continue
        frame = flagged_features(getattr(result.atlas, layer), layer, {p.feature for p in mine})
        text = {str(p.feature): p.text(L) for p in mine}
        labels = pd.Series(feature_labels(frame, layer), index=frame.index, dtype=object).astype(str)
        out[layer] = frame.assign(problem=labels.map(text).fillna(""))
    return out


def preview(result, L: str) -> None:
    """The imported layers on a map, features with problems in red (legend included)."""
    from gridgeo_app.layers import import_preview_map

    if result.atlas is None:
        return
    names = {"district": t("layer_district", L), "streets": t("layer_streets", L),
             "communities": t("layer_communities", L), "grids": t("layer_grids", L),
             "code": t("code", L), "name": t("name", L)}
    m = import_preview_map(result.atlas.layers(), flagged_by_layer(result, L), names,
                           t("imp_problem_layer", L), t("imp_col_problem", L), t("legend_title", L))
    st_folium_cached(m, key="import_map", height=560, returned_objects=[])


def counts_line(atlas, L: str) -> str:
    """How many features of each layer were imported, and the metric CRS their areas are in."""
    from gridgeo.atlas.model import atlas_metric_crs
    from gridgeo.geo.metric import area_m2

    parts = [t("imp_count", L).format(layer=_layer_label(k, L), n=len(getattr(atlas, k)))
             for k in ("streets", "communities", "grids", "legacy", "units", "service_points") if len(getattr(atlas, k))]
    crs = atlas_metric_crs(atlas)
    km2 = float(area_m2(atlas.district, crs).sum()) / 1e6 if len(atlas.district) else 0.0
    parts.append(t("imp_area", L).format(km2=km2, crs=crs))
    return " · ".join(parts)


def summary_lines(result, L: str) -> list[str]:
    """The import summary in the page language (results made without messages: their English)."""
    msgs = getattr(result, "summary_msgs", None)
    return [m.render(L) for m in msgs] if msgs else list(result.summary)


def report(result, L: str) -> None:
    """The summary lines, the problems, the rejected rows of the unit register."""
    st.subheader(t("imp_summary", L))
    if result.atlas is not None:
        st.markdown(counts_line(result.atlas, L))
    with st.expander(t("imp_details", L)):
        st.markdown("\n".join(f"- {line}" for line in summary_lines(result, L)) or "-")
    st.subheader(t("imp_report", L))
    if result.problems:
        st.warning(t("imp_problems", L).format(n=len(result.problems)))
        st.dataframe(problems_table(result, L), hide_index=True, width="stretch")
    else:
        st.success(t("imp_no_problems", L))
    if result.rejects is not None and len(result.rejects):
        n = result.rejects["row"].nunique() if "row" in result.rejects else len(result.rejects)
        st.info(t("imp_rejects", L).format(n=n))
        heads = {"file": t("imp_col_file", L), "row": t("imp_col_row", L), "field": t("imp_col_source", L),
                 "value": t("imp_col_value", L), "reason": t("imp_col_reason", L)}
        rejects = result.rejects.assign(file=result.rejects["file"].map(lambda f: Path(str(f)).name))
        if "reason_zh" in rejects:  # the reason in the page language
            rejects = rejects.assign(reason=rejects["reason_zh"] if L == "zh" else rejects["reason"])
            rejects = rejects.drop(columns="reason_zh")
        table = rejects.rename(columns=heads).fillna("")
        st.dataframe(table, hide_index=True, width="stretch")
        st.download_button(t("imp_rejects_download", L), table.to_csv(index=False).encode("utf-8-sig"),
                           file_name="rejects.csv", mime="text/csv", key="imp_rejects_csv")


def store_and_use(result, name: str, files: list[str], L: str) -> None:
    """Save the atlas as a new version, make it active (publishes its grids), switch every page."""
    from gridgeo.store.atlases import save_atlas, use_atlas

    try:
        version = save_atlas(data.store(), result.atlas, name, source={"uploaded": files})
        use_atlas(data.store(), name)
    except GridgeoError as exc:
        st.error(render(exc, L))
        return
    common.forget_active_atlas()
    st.session_state.pop("imp_result", None)
    st.success(t("imp_done", L).format(name=name, version=version))


def stored_atlases(L: str) -> None:
    """The atlases in the store, and a switch to another one."""
    from gridgeo.store.atlases import list_atlases, use_atlas

    table = list_atlases(data.store())
    if not len(table):
        return
    st.subheader(t("imp_stored", L))
    yes_no = {True: t("yes", L), False: t("no", L)}
    shown = pd.DataFrame({
        t("imp_col_name", L): table["name"], t("imp_col_version", L): table["version"],
        t("imp_col_saved", L): data.local_time(table["saved_at"], "%Y-%m-%d %H:%M"),
        t("imp_col_active", L): table["active"].map(yes_no), t("imp_col_streets", L): table["n_streets"],
        t("imp_col_communities", L): table["n_communities"], t("imp_col_grids", L): table["n_grids"],
        t("imp_col_units", L): table["n_units"], t("imp_col_demo", L): table["is_demo"].map(yes_no)})
    st.dataframe(shown, hide_index=True, width="stretch")
    names = list(dict.fromkeys(table["name"]))
    col_pick, col_go = st.columns([3, 1])
    pick = col_pick.selectbox(t("imp_col_name", L), names, key="imp_switch_name")
    if not may(Action.CHANGE_ATLAS):  # only admin and district logins change the atlas
        col_go.caption(not_allowed_text(Action.CHANGE_ATLAS, L))
    elif col_go.button(t("imp_use", L), key="imp_switch"):
        try:
            use_atlas(data.store(), pick)
        except GridgeoError as exc:
            st.error(render(exc, L))
            return
        common.forget_active_atlas()
        st.success(t("imp_switched", L).format(name=pick))


def choose_files(L: str) -> tuple[list[Path], pd.DataFrame] | None:
    """Step 1: the upload and the file → layer table (None until files are uploaded)."""
    files = st.file_uploader(t("imp_upload", L), type=UPLOAD_TYPES, accept_multiple_files=True, key="imp_files")
    if not files:
        return None
    paths = save_uploads(files)
    st.subheader(t("imp_files", L))
    st.caption(t("imp_files_help", L))
    table = file_table(paths, L)
    edited = st.data_editor(
        table, hide_index=True, width="stretch", key=f"imp_file_table_{len(paths)}",
        disabled=[t("imp_col_file", L)],
        column_config={t("imp_col_layer", L): st.column_config.SelectboxColumn(
            options=[_layer_label(k, L) for k in LAYERS], required=True)})
    return paths, edited


def check_and_import(paths: list[Path], files: pd.DataFrame, name: str, L: str) -> None:
    """Steps 2-4: check (import without storing), correct the mapping, see the report, import."""
    sources, crs = sources_of(files, paths, L)
    registers = [k for k in ("units", "service_points") if k in sources and k not in crs]
    if registers:  # registers picked on AMap/Baidu tools: say which
        picked = st.selectbox(t("imp_units_crs", L), list(UNIT_CRS), key="imp_units_crs",
                              format_func=lambda k: t(UNIT_CRS[k], L))
        if picked:
            crs.update(dict.fromkeys(registers, picked))
    if "communities" not in sources:
        st.info(t("imp_need_communities", L))
        return
    field_map = st.session_state.get("imp_field_map", {})
    if st.button(t("imp_check", L), type="primary", key="imp_check"):
        st.session_state["imp_result"] = (run_import(sources, crs, field_map, name, L), name)
    held = st.session_state.get("imp_result")
    if not held or held[0] is None:
        return
    result, name = held
    st.subheader(t("imp_fields", L))
    st.caption(t("imp_fields_help", L))
    table = mapping_table(result, L)
    edited = st.data_editor(
        table, hide_index=True, width="stretch", key="imp_mapping",
        disabled=[t("imp_col_layer", L), t("imp_col_source", L), t("imp_col_sample", L)],
        column_config={"_layer": None, t("imp_col_target", L): st.column_config.SelectboxColumn(
            options=target_options(list(result.mappings)))})
    changed = edited[edited[t("imp_col_target", L)].fillna("") != table[t("imp_col_target", L)].fillna("")]
    if len(changed):  # only corrections override the alias table (unlisted fields keep their names)
        merged = {k: dict(v) for k, v in field_map.items()}
        for layer, pairs in field_map_of(changed, L).items():
            merged.setdefault(layer, {}).update(pairs)
        st.session_state["imp_field_map"] = merged
    report(result, L)
    preview(result, L)
    accept = bool(result.warnings) and not result.errors and st.checkbox(t("imp_accept_warnings", L),
                                                                         key="imp_accept")
    if not result.storable(accept_warnings=accept):
        st.error(t("imp_blocked", L))
        return
    if not may(Action.CHANGE_ATLAS):
        st.info(not_allowed_text(Action.CHANGE_ATLAS, L))
    elif st.button(t("imp_do_import", L), type="primary", key="imp_go"):
        store_and_use(result, name, [p.name for p in paths], L)


def page() -> None:
    """The page: intro, the current atlas, upload and layers, check, report and map, import, stored atlases."""
    L = common.lang()
    common.assets_warning()
    use_screen()  # compact top: the ③ 检查 button stays in view at 1080p with a district's files listed
    st.title(t("imp_title", L))
    common.atlas_caption()
    st.caption(t("imp_intro", L))
    if data.is_demo():
        st.warning(t("imp_demo_store", L))
    name = st.text_input(t("imp_name", L), key="imp_name").strip()
    chosen = choose_files(L)
    if chosen is not None:
        if not name:
            st.info(t("imp_need_name", L))
        else:
            check_and_import(*chosen, name, L)
    stored_atlases(L)


page()
