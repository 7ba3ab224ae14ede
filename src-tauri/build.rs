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
    "plan_preview",
    "plan_apply",
    "plan_undo",
    "plan_redo",
    "plan_log",
    "plan_grid_history",
    "plan_snap",
    "plan_propose",
    "plan_accept",
    "plan_renumber_preview",
    "plan_check_district",
    "zone_layers",
    "zones_in_layer",
    "zone_colours",
    "zone_assign",
    "zone_people",
    "who_is_here",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .unwrap_or_else(|e| panic!("tauri build step failed: {e:#}"));
}
