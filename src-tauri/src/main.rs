//! GridDesk desktop shell: one window showing the district map from engine tiles.
//!
//! Thin by design: commands pass arguments to [`griddesk::Engine`] and return its answers as DTOs
//! with typed error codes; map tiles come through the asynchronous `griddesk:` scheme.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
#![forbid(unsafe_code)]

mod analytics;
mod basemap;
#[cfg(test)]
mod bindings;
mod cases;
mod city;
mod commands;
mod error;
mod evaluation;
mod lan;
mod menu;
#[cfg(test)]
mod messages_check;
mod planning;
mod register;
mod settings;
mod setup;
mod store;
mod street;
mod sync;
mod tiles;
mod track;
mod transfer;
mod users;

use store::{Launch, OpenMode, Store};
use tauri::{Manager, RunEvent};

fn main() {
    let launched = std::time::Instant::now();
    let (centre, args) = city::take_centre_arg(std::env::args().skip(1).collect());
    let launch = Launch::parse(args, std::env::var("GRIDDESK_DB").ok());
    if launch.help {
        println!("{}\n\n{}", store::USAGE, city::USAGE);
        return;
    }
    if launch.version {
        println!("griddesk-app {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    for arg in &launch.unknown {
        eprintln!("griddesk: ignoring unknown argument {arg} (see --help)");
    }
    let db = launch.db;

    let built = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(Store::new())
        .manage(cases::SignedIn::default())
        .manage(basemap::InstallCancel::default())
        .manage(lan::Lan::default())
        .manage(transfer::ChosenExports::default())
        .manage(setup::Counties::default())
        .manage(tiles::TileTimes::new())
        .manage(analytics::Rasters::default())
        .manage(city::Cities::default())
        .manage(commands::Launched(launched))
        .manage(menu::MenuLang(std::sync::Mutex::new(menu::Lang::Zh)))
        .register_asynchronous_uri_scheme_protocol(tiles::SCHEME, tiles::handle)
        .invoke_handler(tauri::generate_handler![
            commands::store_status,
            commands::overview,
            commands::grid_at,
            commands::grid_info,
            commands::search,
            commands::tile_stats,
            commands::app_info,
            commands::test_hook_enabled,
            commands::store_health,
            commands::open_store_dialog,
            commands::new_store_dialog,
            setup::setup_counties,
            setup::setup_pick_store,
            setup::setup_pick_outline,
            setup::setup_create_district,
            setup::setup_status,
            setup::setup_propose,
            setup::setup_accept,
            setup::setup_discard,
            setup::setup_draw_boundary,
            setup::setup_departments,
            setup::setup_add_department,
            commands::sync_menu,
            commands::quit,
            transfer::transfer_datasets,
            transfer::transfer_pick,
            transfer::transfer_import,
            transfer::transfer_export,
            transfer::transfer_template,
            cases::cases_sign_in,
            cases::cases_sign_out,
            cases::cases_session,
            cases::cases_preview_intake,
            cases::cases_intake,
            cases::cases_actions,
            cases::cases_apply,
            cases::cases_queue,
            cases::cases_list,
            cases::cases_detail,
            cases::cases_thumbnail,
            cases::cases_form_tables,
            cases::cases_map_points,
            analytics::analytics_options,
            analytics::analytics_heatmap,
            analytics::analytics_choropleth,
            analytics::analytics_hotspots,
            analytics::analytics_trends,
            analytics::analytics_summary,
            analytics::analytics_cases,
            analytics::analytics_load,
            analytics::analytics_export_table,
            analytics::analytics_save_png,
            analytics::analytics_bulletin,
            planning::plan_preview,
            planning::plan_apply,
            planning::plan_undo,
            planning::plan_redo,
            planning::plan_log,
            planning::plan_grid_history,
            planning::plan_snap,
            planning::plan_propose,
            planning::plan_accept,
            planning::plan_renumber_preview,
            planning::plan_check_district,
            planning::zone_layers,
            planning::zones_in_layer,
            planning::zone_colours,
            planning::zone_assign,
            planning::zone_people,
            planning::who_is_here,
            evaluation::evaluation_table,
            evaluation::evaluation_cases,
            evaluation::evaluation_config,
            evaluation::set_evaluation_config,
            evaluation::evaluation_export,
            register::register_list,
            register::register_component,
            register::register_next_code,
            register::register_create,
            register::register_edit,
            register::register_plate_sheet,
            register::register_scan_text,
            register::register_scan_image,
            street::street_overview,
            street::street_search,
            street::street_grid_counts,
            street::street_object,
            street::street_save_object,
            street::street_verify_object,
            street::street_set_frontage,
            street::street_pick_file,
            basemap::basemap_list,
            basemap::basemap_install,
            basemap::basemap_cancel,
            basemap::basemap_remove,
            basemap::basemap_pick_file,
            basemap::place_search,
            basemap::basemap_building_cuts,
            lan::lan_status,
            lan::lan_start,
            lan::lan_stop,
            track::track_inspectors,
            track::track_day,
            sync::sync_status,
            sync::sync_now,
            sync::sync_conflicts,
            sync::sync_settle,
            street::street_import_objects,
            street::street_import_subclasses,
            street::street_add_photo,
            street::street_photo,
            street::street_preview_notice,
            street::street_send_notice,
            street::street_notices,
            street::street_notice_letters,
            street::street_export_notice,
            street::street_template,
            street::street_add_move_car,
            street::street_move_car_year,
            street::street_vendors,
            street::street_vendor,
            street::street_save_vendor,
            street::street_add_warning,
            street::street_set_ladder,
            street::street_zones,
            street::street_save_zone,
            street::street_delete_zone,
            street::street_admit,
            street::street_admission_step,
            street::street_case_hints,
            street::street_lookups,
            settings::settings_calendar,
            settings::settings_set_day,
            settings::settings_clear_day,
            settings::settings_import_calendar,
            settings::settings_calendar_template,
            settings::settings_limits,
            settings::settings_set_limit,
            planning::plan_communities,
            planning::plan_grids_as_of,
            planning::zone_person_zones,
            users::users_sign_in_screen,
            users::users_create_first_admin,
            users::users_list,
            users::users_add,
            users::users_set_active,
            users::users_set_roles,
            users::users_set_password,
            users::audit_entries,
            users::audit_check,
            city::city_status,
            city::city_open,
            city::city_close,
            city::city_statistics,
            city::city_evaluation,
            city::city_heatmap,
        ])
        .menu(|app| menu::build(app, menu::Lang::Zh, &[]))
        .on_menu_event(menu::on_event)
        .setup(move |app| {
            let (path, mode) = match db {
                Some((path, from)) => {
                    eprintln!("griddesk: store {} (from {from})", path.display());
                    (path, OpenMode::Existing)
                }
                None => {
                    let dir = app.path().app_data_dir()?;
                    std::fs::create_dir_all(&dir)?;
                    (dir.join("griddesk.sqlite"), OpenMode::Seed)
                }
            };
            Store::open(app.handle(), path, mode, true);
            if let Some(url) = centre {
                city::open_at_launch(app.handle(), url);
            }
            Ok(())
        })
        .build(tauri::generate_context!());

    let app = match built {
        Ok(app) => app,
        Err(e) => {
            eprintln!("griddesk: cannot start the window: {e}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| {
        if let RunEvent::Exit = event {
            let code = app.state::<Store>().exit_code();
            if code != 0 {
                std::process::exit(code);
            }
        }
    });
}
