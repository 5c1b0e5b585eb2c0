"""Keys the code builds at run time, listed family by family.

``FAMILIES[prefix]`` are the codes that follow the prefix: ``"status_"`` + ``"accepted"`` is the key
``status_accepted``. Code that builds a key from a code (``t(f"status_{code}")``, ``word("fld_",
col)``, ``name_of("pp_change_", change)``) uses a family listed here; the tests check that every
member is in the catalogue, that the families backed by a domain list (statuses, categories,
rules, roles, ...) match it, and that every other catalogue key is named literally somewhere.
"""

from __future__ import annotations

FAMILIES: dict[str, tuple[str, ...]] = {
    # events (gridgeo.events, gridgeo.analysis)
    "level_": ("1", "2", "3", "4"),
    "risk_label_": ("0", "1", "2", "3", "4"),  # gridgeo.analysis.risk.RISK_COLORS: 0 = no open case
    "status_": ("reported", "accepted", "resolved", "confirmed", "feedback", "escalated", "rejected"),
    "cat_": ("neighbour_dispute", "labour", "property", "work_safety", "public_order", "environment",
             "urban_village", "land", "petition", "other"),
    "channel_": ("app", "hotline", "grid_worker", "volunteer", "hall"),
    "list_type_": ("immediate", "staged", "explained"),
    "gi_bin_": ("3", "2", "1", "0", "-1", "-2", "-3"),  # gridgeo.analysis.hotspots.BIN_ORDER
    # the app's shell, map and login (gridgeo_app)
    "role_": ("admin", "planner", "district", "street", "community", "grid_worker", "intake", "viewer"),
    "layer_": ("grids", "communities", "streets"),  # the vector-tile outlines of gridgeo_app.maps
    "basemap_": ("offline", "osm", "amap"),
    "playback_": ("last24", "day"),
    "wall_switch_": ("today", "24h"),
    # the service network (gridgeo.services.escalation, gridgeo.analysis.halls)
    "tier_": ("station", "community", "street", "district"),
    "deadline_": ("accept", "resolve"),
    "rating_": ("satisfied", "fair", "unsatisfied"),  # gridgeo.events.rating.RATINGS
    # the hotline import's placement methods (gridgeo.services.placement)
    "hl_method_": ("building", "compound", "road_number", "community", "street", "none", "other_district",
                   "manual_point", "manual_unit"),  # the wall's figures window (gridgeo_app.pages.wall)
    "wall_window_": ("today", "24h"),
    "layer_kind_": ("communities", "streets", "grids", "units", "legacy", "district", "service_points", "ignore"),  # the import page's LAYERS
    # the grid editor (gridgeo.plan, gridgeo_app.plan_panels)
    "rule_": ("unknown_atom", "duplicate", "unassigned", "unknown_grid", "empty_grid", "outside_community",
              "non_contiguous", "hole", "under_min", "over_max", "population_under_min", "population_over_max",
              "totals", "atom_overlap", "community_gap"),
    "issue_": ("under_min", "over_max"),
    "what_": ("households", "population", "enterprises"),  # gridgeo.atlas.model.COUNT_COLUMNS
    "pl_op_": ("move_atoms", "unassign_atoms", "merge_grids", "split_grid", "rename_grid", "assign_staff", "lock_grid",
               "unlock_grid", "paint_legacy_grid"),
    "pl_size_": ("ok", "under_min", "over_max"),
    "pl_start_": ("current", "proposal"),
    "pl_col_": ("rule", "severity", "message", "grid", "version", "base_version", "author", "created_at",
                "comment", "published_at", "grid_set_version", "households", "errors", "status",
                "households_before", "households_after", "households_change", "atoms_before", "atoms_after",
                "atoms_in", "atoms_out", "fields", "at", "actor", "action", "detail", "plan_id"),
    "pl_diff_": ("added", "removed", "changed", "attributes"),
    "pl_bal_": ("grids", "households", "population", "mean_households", "min_households", "max_households",
                "cv_households", "share_within_band"),
    "pl_sev_": ("error", "warning"),
    "pl_action_": ("create", "save", "save_refused", "publish"),
    "pl_legend_": ("ok", "under_min", "over_max", "error", "warning"),
    # the partition page (gridgeo.partition)
    "pp_stage_": ("refine", "apportion", "regionalize", "assemble", "done"),
    "pp_layer_": ("party", "comprehensive", "urban", "epidemic", "enclosure"),
    "pp_reason_": ("atom_over_max", "no_feasible_split", "no_feasible_merge", "population_out_of_band",
                   "community_under_min", "out_of_band", "encloses_grid"),
    "pp_status_": ("ok", "under_min", "over_max", "encloses"),
    "pp_change_": ("kept", "merged", "split", "reshaped"),
    "pp_dl_lang_": ("zh", "en"),  # the language of the partition page's downloads
    "pp_col_": ("code", "name", "layer", "community", "households", "population", "enterprises", "area_m2",
                "polsby_popper", "size_status", "status", "population_status", "within_bounds", "reason",
                "change", "atoms", "parts", "legacy_code", "grid_code", "area_share", "household_share",
                "outcome", "ari_households", "mean_largest_share", "legacy_grids", "kept_whole", "merged", "split",
                "kept_or_merged_share", "already_in_band", "reason_code"),
    # import and validation (gridgeo.atlas)
    "lyr_": ("district", "streets", "communities", "grids", "units", "legacy", "service_points"),
    "kind1_": ("district", "streets", "communities", "grids", "legacy", "units", "events", "feature", "parent"),
    "kinds_": ("district", "streets", "communities", "grids", "legacy", "units", "events"),
    "fld_": ("code", "name", "id", "district_code", "street_code", "community_code", "district_name", "street_name",
             "community_name", "households", "population", "enterprises", "kind", "layer", "lon", "lat", "address",
             "grid_worker", "party_branch", "reported_at", "category", "level", "tier", "territory_code",
             "territory_name", "staff", "opening_hours"),
    "colw_": ("lon", "lat", "code"),
    "fldw_": ("district_name", "street_name", "community_name"),
    "lim_": ("features", "vertices", "vertices_one", "zip_bytes", "zip_files"),  # gridgeo.atlas.importing.limits
    "chk_": ("stray_row", "overlap", "gap", "outside_parent", "invalid_geometry", "null_geometry", "empty_geometry",
             "geometry_type", "missing_field", "empty_field", "duplicate_code", "code_length", "code_prefix",
             "unknown_parent", "bad_count", "outside_china", "lonlat_swapped", "empty_layer", "missing_layer",
             "unreadable", "crs_mismatch", "event_field"),
    "gvr_": ("self-intersection", "ring self-intersection", "too few points in geometry component",
             "hole lies outside shell", "nested holes", "interior is disconnected", "nested shells",
             "duplicate rings", "invalid coordinate", "ring is not closed", "invalid geometry"),
    "geom_": ("Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
              "GeometryCollection"),
}
