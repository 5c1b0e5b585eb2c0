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


def file_rows(paths: list[Path], L: str) -> tuple[dict, dict]:
    """Step 1's table: per file its name, a layer selectbox (preset from its name and content), the
    legacy department and the CRS; returns ``import_atlas`` sources and per-layer CRS."""
    from gridgeo.atlas.importing.discover import place  # by name, and an area file by its content

    widths = [3, 2, 2, 2]  # no header row (③ 检查 in view at 1080p): the text boxes say what they take
    sources: dict = {}
    crs: dict = {}
    for p in paths:
        guess, slug = _placed(p, place)
        c_file, c_layer, c_slug, c_crs = st.columns(widths, vertical_alignment="center")
        c_file.markdown(p.name)
        key = hashlib.sha1(p.name.encode()).hexdigest()[:10]
        layer = c_layer.selectbox(t("imp_file_layer", L).format(file=p.name), LAYERS, index=LAYERS.index(guess),
                                  key=f"imp_layer_{key}", format_func=lambda k: _layer_label(k, L),
                                  label_visibility="collapsed")
        slug = c_slug.text_input(t("imp_legacy_name", L), value=slug or "", key=f"imp_slug_{key}",
                                 placeholder=t("imp_legacy_name", L),
                                 label_visibility="collapsed", disabled=layer != "legacy").strip() or None
        given = c_crs.text_input(t("imp_col_crs", L), key=f"imp_crs_{key}", label_visibility="collapsed",
                                 placeholder=t("imp_col_crs", L)).strip()
        if layer == "ignore":
            continue
        if layer == "legacy":
            sources.setdefault("legacy", []).append((slug, p) if slug else p)
        elif layer in ("units", "service_points"):
            sources.setdefault(layer, []).append(p)
        else:
            sources[layer] = p
        if given:
            crs[slug if layer == "legacy" and slug else layer] = given
    return sources, crs


def _placed(path: Path, place) -> tuple[str, str | None]:
    """The layer a file's name and content point to (cached per file: reading it is not free)."""
    cache = st.session_state.setdefault("imp_placed", {})
    ident = f"{path}:{path.stat().st_mtime}"
    if ident not in cache:
        try:
            cache[ident] = place(path) or ("ignore", None)
        except GridgeoError:
            cache[ident] = ("ignore", None)
    return cache[ident]


def layer_paths(sources: dict) -> dict[str, list[Path]]:
    """The files of each chosen layer (legacy and units may have several), in hierarchy order."""
    out: dict[str, list[Path]] = {}
    for layer in ("district", "streets", "communities", "grids", "units", "service_points", "legacy"):
        value = sources.get(layer)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        out[layer] = [item[1] if isinstance(item, tuple) else item for item in items]
    return out


def run_import(sources: dict, crs: dict, field_map: dict, name: str, L: str, skip_invalid: bool = False):
    """``import_atlas`` with a progress bar; None (and one error line) when the files cannot be read."""
    from gridgeo.atlas.importing import import_atlas

    bar = st.progress(0.0, text=t("imp_progress", L).format(pct=0))

    def progress(_stage: str, frac: float) -> None:
        frac = min(max(float(frac), 0.0), 1.0)
        bar.progress(frac, text=t("imp_progress", L).format(pct=round(frac * 100)))

    try:
        result = import_atlas(sources, name=name, crs=crs or None, field_map=field_map or None, progress=progress,
                              skip_invalid=skip_invalid)
    except GridgeoError as exc:
        bar.empty()
        st.error(render(exc, L))
        return None
    bar.progress(1.0, text=t("imp_progress", L).format(pct=100))
    return result


def _where(file: object, L: str) -> str:
    """A problem's file as the page shows it: its name, or a derived layer in the page language."""
    import re

    text = str(file or "")
    hit = re.fullmatch(r"(\w+) \(derived from (.+)\)", text)
    if hit:
        return t("imp_derived_src", L).format(layer=_layer_label(hit.group(1), L), file=hit.group(2))
    return Path(text).name if text else ""


def problems_table(result, L: str) -> pd.DataFrame:
    """The validation problems in a table, headers and texts in the page language."""
    rows = [{t("imp_col_where", L): _where(p.file, L),
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


def focus_of(result, index: int | None):
    """The features of the problem at ``index`` of the list (None: no pick, or no single feature)."""
    from gridgeo_app.layers import flagged_features

    if index is None or result.atlas is None or not 0 <= index < len(result.problems):
        return None
    problem = result.problems[index]
    layer = result.layer_of(problem)
    if problem.feature is None or layer is None:
        return None
    frame = flagged_features(getattr(result.atlas, layer), layer, {problem.feature})
    return frame if len(frame) else None


def preview(result, L: str, index: int | None = None) -> None:
    """The imported layers on a map, features with problems in red (legend included); the problem
    picked in the list outlined and centred."""
    from gridgeo_app.layers import import_preview_map

    if result.atlas is None:
        return
    focus = focus_of(result, index)
    if index is not None and focus is None:
        st.caption(t("imp_problem_nofeature", L))
    names = {"district": t("layer_district", L), "streets": t("layer_streets", L),
             "communities": t("layer_communities", L), "grids": t("layer_grids", L),
             "code": t("code", L), "name": t("name", L)}
    m = import_preview_map(result.atlas.layers(), flagged_by_layer(result, L), names,
                           t("imp_problem_layer", L), t("imp_col_problem", L), t("legend_title", L),
                           focus=focus, focus_name=t("imp_focus", L))
    st_folium_cached(m, key=f"import_map_{index if focus is not None else 'all'}", height=560,
                     returned_objects=[])


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


def report(result, L: str) -> int | None:
    """The summary lines, the problems (a list to pick from), the rejected rows; the picked problem's
    position in ``result.problems`` (None when none is picked)."""
    st.subheader(t("imp_summary", L))
    if result.atlas is not None:
        st.markdown(counts_line(result.atlas, L))
    with st.expander(t("imp_details", L)):
        st.markdown("\n".join(f"- {line}" for line in summary_lines(result, L)) or "-")
    st.subheader(t("imp_report", L))
    picked = None
    if result.problems:
        st.warning(t("imp_problems", L).format(n=len(result.problems)))
        st.caption(t("imp_pick_problem", L))
        event = st.dataframe(problems_table(result, L), hide_index=True, width="stretch", on_select="rerun",
                             selection_mode="single-row",
                             key=f"imp_problem_list_{id(result)}")  # a new check starts unpicked
        rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
        picked = int(rows[0]) if rows else None
    else:
        st.success(t("imp_no_problems", L))
    if result.rejects is not None and len(result.rejects):
        rejects_section(result, L)
    return picked


def rejects_section(result, L: str) -> None:
    """The rejected rows in a table, downloadable as the CSV listing and as a zip of the rows in
    their files' own format (what ``--skip-invalid`` writes), to fix and import again."""
    n = result.rejects[["file", "row"]].drop_duplicates().shape[0] if "row" in result.rejects else len(result.rejects)
    st.info(t("imp_rejects", L).format(n=n))
    heads = {"file": t("imp_col_file", L), "row": t("imp_col_row", L), "field": t("imp_col_source", L),
             "value": t("imp_col_value", L), "reason": t("imp_col_reason", L)}
    rejects = result.rejects.assign(file=result.rejects["file"].map(lambda f: Path(str(f)).name))
    if "reason_zh" in rejects:  # the reason in the page language
        rejects = rejects.assign(reason=rejects["reason_zh"] if L == "zh" else rejects["reason"])
        rejects = rejects.drop(columns="reason_zh")
    table = rejects.rename(columns=heads).fillna("")
    st.dataframe(table, hide_index=True, width="stretch")
    col_csv, col_zip = st.columns(2)
    col_csv.download_button(t("imp_rejects_download", L), table.to_csv(index=False).encode("utf-8-sig"),
                            file_name="rejects.csv", mime="text/csv", key="imp_rejects_csv")
    blob = rejects_zip(result)
    if blob:
        col_zip.download_button(t("imp_rejects_files", L), blob, file_name="rejects.zip", mime="application/zip",
                                key="imp_rejects_zip")


def rejects_zip(result) -> bytes | None:
    """The rejects files (each in its input's format) and the CSV listing, zipped; None if none."""
    import io

    from gridgeo.atlas.importing.rejecting import write_rejects

    with tempfile.TemporaryDirectory() as tmp:
        try:
            written = write_rejects(result, Path(tmp) / "rejects.csv")
        except (GridgeoError, OSError, ValueError):
            return None
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(Path(tmp).rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(tmp).as_posix())
        return buf.getvalue() if written else None


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


def uploader_css(L: str) -> str:
    """Streamlit 1.67's drop zone has no option for its language: its button says "Upload" and its
    hint "200MB per file • ZIP, SHP ...". Both are hidden here and the catalogue's text shown in
    their place (CSS ``content``); the widget's label and the uploaded file chips are untouched."""
    mb = st.get_option("server.maxUploadSize")
    drop, limit = t("imp_drop_hint", L), t("imp_upload_limit", L).format(mb=mb)
    browse = t("imp_browse", L)
    zone = '[data-testid="stFileUploaderDropzone"]'
    inst = '[data-testid="stFileUploaderDropzoneInstructions"]'
    button = f'{zone} [data-testid="stBaseButton-secondary"]'
    return (f'{inst} > div > span, {inst} > div > small {{display: none;}}'
            f'{inst} > div::before {{content: "{drop}"; display: block;}}'
            f'{inst} > div::after {{content: "{limit}"; display: block; font-size: 0.8em; opacity: 0.7;}}'
            f'{button} [data-testid="stMarkdownContainer"] {{display: none;}}'
            f'{button} [data-has-shortcut]::after {{content: "{browse}"; margin-left: 0.4rem;}}')


def choose_files(L: str) -> tuple | None:
    """Step 1: the upload and, per file, its layer (None until files are uploaded); also the
    column beside the files where step 2 (the field mapping) goes."""
    files = st.file_uploader(t("imp_upload", L), type=UPLOAD_TYPES, accept_multiple_files=True, key="imp_files")
    if not files:
        return None
    paths = save_uploads(files)
    left, right = st.columns(2, gap="medium")  # files beside their fields: ③ 检查 stays in view at 1080p
    with left:
        st.subheader(t("imp_files", L), help=t("imp_files_help", L))
        sources, crs = file_rows(paths, L)
    return paths, sources, crs, right


def _signature(sources: dict, crs: dict, field_map: dict, skip: bool) -> str:
    return repr((sorted((k, str(v)) for k, v in sources.items()), sorted(crs.items()),
                 sorted((k, sorted(v.items())) for k, v in field_map.items()), skip))


def check_and_import(paths: list[Path], sources: dict, crs: dict, beside, name: str, L: str) -> None:
    """Steps 2-4: the field mapping (a dropdown per source field), check (import without storing),
    the report with the problems listed and drawn, import."""
    from gridgeo_app.import_mapping import mapping_section

    registers = [k for k in ("units", "service_points") if k in sources and k not in crs]
    if registers:  # registers picked on AMap/Baidu tools: say which
        picked = st.selectbox(t("imp_units_crs", L), list(UNIT_CRS), key="imp_units_crs",
                              format_func=lambda k: t(UNIT_CRS[k], L))
        if picked:
            crs.update(dict.fromkeys(registers, picked))
    if "communities" not in sources:
        st.info(t("imp_need_communities", L))
        return
    with beside:
        st.subheader(t("imp_fields", L), help=t("imp_fields_help", L))
        field_map, mapping_ok = mapping_section(layer_paths(sources), L)
    col_go, col_skip = st.columns([1, 5], vertical_alignment="center")
    skip = col_skip.checkbox(t("imp_skip_invalid", L), key="imp_skip_invalid")
    signature = _signature(sources, crs, field_map, skip)
    if not mapping_ok:
        col_go.button(t("imp_check", L), type="primary", key="imp_check", disabled=True)
        st.error(t("imp_map_fix_first", L))
    elif col_go.button(t("imp_check", L), type="primary", key="imp_check"):
        st.session_state["imp_result"] = (run_import(sources, crs, field_map, name, L, skip), name, signature)
    held = st.session_state.get("imp_result")
    if not held or held[0] is None:
        return
    result, name, checked = held
    if checked != signature:
        st.warning(t("imp_stale", L))
    picked = report(result, L)
    preview(result, L, picked)
    accept = bool(result.warnings) and not result.errors and st.checkbox(t("imp_accept_warnings", L),
                                                                         key="imp_accept")
    if not result.storable(accept_warnings=accept):
        st.error(t("imp_blocked", L))
        return
    if not may(Action.CHANGE_ATLAS):
        st.info(not_allowed_text(Action.CHANGE_ATLAS, L))
    elif st.button(t("imp_do_import", L), type="primary", key="imp_go", disabled=checked != signature):
        store_and_use(result, name, [p.name for p in paths], L)


def page() -> None:
    """The page: intro, the current atlas, upload and layers, check, report and map, import, stored atlases."""
    L = common.lang()
    common.assets_warning()
    use_screen(uploader_css(L))  # compact top: ③ 检查 in view at 1080p; the drop zone in the page language
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
