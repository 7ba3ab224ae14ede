//! Generates the Tauri context and the access-control manifest for the shell's own commands, so
//! that the capability file in `capabilities/` must name every command the web view may call.

const COMMANDS: &[&str] = &[
    "store_status",
    "overview",
    "grid_at",
    "grid_info",
    "search",
    "tile_stats",
    "app_info",
    "open_store_dialog",
    "new_store_dialog",
    "sync_menu",
    "quit",
    "cases_sign_in",
    "cases_sign_out",
    "cases_session",
    "cases_preview_intake",
    "cases_intake",
    "cases_actions",
    "cases_apply",
    "cases_queue",
    "cases_list",
    "cases_detail",
    "cases_thumbnail",
    "cases_form_tables",
    "cases_map_points",
    "analytics_options",
    "analytics_heatmap",
    "analytics_choropleth",
    "analytics_hotspots",
    "analytics_trends",
    "analytics_summary",
    "analytics_cases",
    "analytics_load",
    "analytics_export_table",
    "analytics_save_png",
    "analytics_bulletin",
    "register_list",
    "register_component",
    "register_next_code",
    "register_create",
    "register_edit",
    "register_import",
    "register_plate_sheet",
    "register_scan_text",
    "register_scan_image",
    "settings_calendar",
    "settings_set_day",
    "settings_clear_day",
    "settings_import_calendar",
    "settings_limits",
    "settings_set_limit",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri build step failed: {e:#}"));
}
