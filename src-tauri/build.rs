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
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri build step failed: {e:#}"));
}
