"""A readable summary of a partition run (Markdown), from its metrics, in the reader's language
(Chinese by default; every sentence from the catalogue, gridgeo/i18n/catalogue/partition.py,
keys ``pp_md_*``)."""

from __future__ import annotations

from gridgeo.i18n import DEFAULT_LANG, layer_name, name_of, t
from gridgeo.partition.localize import reason_text


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _doctor(info: dict, lang: str) -> str:
    if info.get("doctor", "run") != "run":
        return t("pp_md_doctor_skipped", lang)
    return t("pp_md_doctor", lang).format(clean=t("pp_yes" if info.get("doctor_clean") else "pp_no", lang))


def _head(m: dict, lang: str) -> list[str]:
    b = m["bounds"]
    hh, pp = m.get("households", {}), m.get("polsby_popper", {})
    change = "、".join(f"{name_of('pp_change_', k, lang)} {v}" for k, v in sorted(m["change"].items()))
    return [
        f"# {t('pp_md_title', lang)}", "",
        "- " + t("pp_md_grids", lang).format(grids=m["grids"], communities=m["communities"], atoms=m["atoms"]),
        "- " + t("pp_md_band", lang).format(lo=b["min_households"], hi=b["max_households"], n=m["within_bounds"],
                                              share=_pct(m["share_within_bounds"])),
        "- " + t("pp_md_households", lang).format(median=hh.get("median", 0), lo=hh.get("min", 0), hi=hh.get("max", 0)),
        "- " + t("pp_md_compact", lang).format(median=pp.get("median", 0), p25=pp.get("p25", 0), lo=pp.get("min", 0)),
        "- " + t("pp_md_primary", lang).format(layer=layer_name(m["primary_layer"], lang), seed=m["seed"]),
        "- " + t("pp_md_change", lang).format(change=change),
        "- " + t("pp_md_totals", lang).format(hh_in=m["totals_in"].get("households", 0),
                                                hh_out=m["totals_out"].get("households", 0),
                                                pop_in=m["totals_in"].get("population", 0),
                                                pop_out=m["totals_out"].get("population", 0)),
        "- " + t("pp_md_enclaves", lang).format(n=len(m.get("enclaves", []))),
        "- " + t("pp_md_time", lang).format(s=m["timings"].get("total_s", 0)),
    ]


def _preservation(m: dict, lang: str) -> list[str]:
    cols = ["pp_col_layer", "pp_col_legacy_grids", "pp_col_kept_whole", "pp_col_merged", "pp_col_split",
            "pp_col_ari_households", "pp_col_mean_largest_share"]
    lines = ["", f"## {t('pp_md_preservation', lang)}", "",
             "| " + " | ".join(t(c, lang) for c in cols) + " |", "|---|---:|---:|---:|---:|---:|---:|"]
    for layer, p in m["preservation"].items():
        lines.append(f"| {layer_name(layer, lang)} | {p.get('legacy_grids', 0)} | {p.get('kept_whole', 0)} | "
                     f"{p.get('merged', 0)} | {p.get('split', 0)} | {p['ari_households']:.3f} | "
                     f"{p['mean_largest_share']:.3f} |")
    fit = m["preservation"].get(m["primary_layer"], {}).get("already_in_band")
    if fit:
        lines += ["", t("pp_md_fit", lang).format(layer=layer_name(m["primary_layer"], lang), n=fit["legacy_grids"],
                                                  kept=fit.get("kept", 0), merged=fit.get("merged", 0),
                                                  split=fit.get("split", 0))]
    return lines


def _repairs(m: dict, lang: str) -> list[str]:
    r = m.get("refinement", {})
    lines = ["", f"## {t('pp_md_repairs', lang)}", "",
             "- " + t("pp_md_atoms", lang).format(atoms=r.get("atoms"), faces=r.get("faces"),
                                                    slivers=r.get("slivers_merged"), m2=r.get("sliver_m2"),
                                                    cut=r.get("crowded_atoms_cut", 0))]
    comm = r.get("communities", {})
    lines.append("- " + t("pp_md_communities", lang).format(
        doctor=_doctor(comm, lang), n=comm.get("overlaps", 0), m2=comm.get("overlap_m2", 0),
        repaired=t("pp_yes" if comm.get("repaired") else "pp_no", lang))
        + (f" — {comm['method']}" if comm.get("method") else ""))
    for layer, info in r.get("layers", {}).items():
        lines.append(f"- {layer_name(layer, lang)}: " + t("pp_md_layer", lang).format(
            doctor=_doctor(info, lang), n=info.get("overlaps"), m2=info.get("overlap_m2"),
            largest=info.get("largest_overlap_m2"), gaps=info.get("gap_m2", 0),
            repaired=t("pp_yes" if info.get("repaired") else "pp_no", lang))
            + (f" — {info['method']}" if info.get("method") else ""))
    return lines


def summary_markdown(m: dict, max_infeasible: int = 20, lang: str = DEFAULT_LANG) -> str:
    """Markdown summary in ``lang``: grids, bounds, compactness, preservation per layer, repairs,
    the grids outside the band, time."""
    inf = m.get("infeasible", [])
    lines = [*_head(m, lang), *_preservation(m, lang), *_repairs(m, lang),
             "", f"## {t('pp_md_outside', lang).format(n=len(inf))}", ""]
    if not inf:
        lines.append(t("pp_none", lang))
    for row in inf[:max_infeasible]:
        lines.append("- " + t("pp_md_outside_row", lang).format(
            code=row["code"], households=row["households"], status=name_of("pp_status_", row["status"], lang))
            + f" {reason_text(row, m['bounds'], lang)}")
    if len(inf) > max_infeasible:
        lines.append("- " + t("pp_md_more", lang).format(n=len(inf) - max_infeasible))
    return "\n".join(lines) + "\n"
