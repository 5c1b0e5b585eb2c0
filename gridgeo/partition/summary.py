"""A readable summary of a partition run (Markdown), from its metrics."""

from __future__ import annotations


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def summary_markdown(m: dict, max_infeasible: int = 20) -> str:
    """Markdown summary: grids, bounds, compactness, preservation per layer, infeasibilities, time."""
    b = m["bounds"]
    hh, pp = m.get("households", {}), m.get("polsby_popper", {})
    lines = [
        "# 网格划分方案 Partition proposal",
        "",
        f"- grids 网格: **{m['grids']}** in {m['communities']} communities, from {m['atoms']} atoms",
        f"- band 户数区间: {b['min_households']:g}–{b['max_households']:g} households; "
        f"within bounds 达标: **{m['within_bounds']} ({_pct(m['share_within_bounds'])})**",
        f"- households per grid: median {hh.get('median', 0):.0f} (min {hh.get('min', 0):.0f}, "
        f"max {hh.get('max', 0):.0f})",
        f"- Polsby–Popper compactness: median {pp.get('median', 0):.3f} (p25 {pp.get('p25', 0):.3f}, "
        f"min {pp.get('min', 0):.3f})",
        f"- primary layer 主图层: {m['primary_layer']} ({m['primary_layer_reason']}); seed {m['seed']}",
        f"- change vs primary layer: {', '.join(f'{k} {v}' for k, v in sorted(m['change'].items()))}",
        f"- totals conserved: households {m['totals_in'].get('households', 0):,.0f} in → "
        f"{m['totals_out'].get('households', 0):,.0f} out; population "
        f"{m['totals_in'].get('population', 0):,.0f} → {m['totals_out'].get('population', 0):,.0f}",
        f"- grids enclosing another grid 包围其他网格: {len(m.get('enclaves', []))}",
        f"- run time: {m['timings'].get('total_s', 0):.1f} s",
        "",
        "## Legacy preservation 原有网格保留",
        "",
        "| layer | legacy grids | kept whole | merged whole | split | ARI (households) | mean largest share |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for layer, p in m["preservation"].items():
        lines.append(f"| {layer} | {p.get('legacy_grids', 0)} | {p.get('kept_whole', 0)} | {p.get('merged', 0)} | "
                     f"{p.get('split', 0)} | {p['ari_households']:.3f} | {p['mean_largest_share']:.3f} |")
    fit = m["preservation"].get(m["primary_layer"], {}).get("already_in_band")
    if fit:
        lines += ["", f"Primary layer {m['primary_layer']}: {fit['legacy_grids']} legacy grids already fit the band; "
                  f"{fit.get('kept', 0)} kept whole, {fit.get('merged', 0)} merged whole with a neighbour, "
                  f"{fit.get('split', 0)} split (to bring neighbours into the band)."]
    r = m.get("refinement", {})
    lines += ["", "## Repairs 修复", "",
              f"- atoms: {r.get('atoms')} from {r.get('faces')} faces; {r.get('slivers_merged')} slivers below "
              f"{r.get('sliver_m2')} m² merged; {r.get('crowded_atoms_cut', 0)} atoms above max cut between "
              "their basic units"]
    def doctor(info: dict) -> str:
        if info.get("doctor", "run") != "run":
            return "maup.doctor not run (overlaps measured directly)"
        return f"maup.doctor clean={info.get('doctor_clean')}"

    comm = r.get("communities", {})
    lines.append(f"- communities: {doctor(comm)}, {comm.get('overlaps', 0)} overlaps "
                 f"({comm.get('overlap_m2', 0)} m²), repaired={comm.get('repaired')}"
                 + (f" — {comm['method']}" if comm.get("method") else ""))
    for layer, info in r.get("layers", {}).items():
        lines.append(f"- {layer}: {doctor(info)}, {info.get('overlaps')} overlaps "
                     f"({info.get('overlap_m2')} m², largest {info.get('largest_overlap_m2')} m²), gaps "
                     f"{info.get('gap_m2', 0)} m²; repaired={info.get('repaired')}"
                     + (f" — {info['method']}" if info.get("method") else ""))
    inf = m.get("infeasible", [])
    lines += ["", f"## Outside the band or enclosing 未达标或包围网格 ({len(inf)})", ""]
    if not inf:
        lines.append("none")
    for row in inf[:max_infeasible]:
        lines.append(f"- {row['code']}: {row['households']:.0f} households, {row['status']} "
                     f"[{row['reason_code']}] {row['reason']}")
    if len(inf) > max_infeasible:
        lines.append(f"- … {len(inf) - max_infeasible} more in metrics.json")
    return "\n".join(lines) + "\n"
