//! The TypeScript side of the IPC boundary, generated from the Rust types with `ts-rs`.
//!
//! Every type that a command takes or returns, or that an event carries, is listed in `roots!`;
//! [`export`] has `ts-rs` write it and every type it refers to, one file per type, into
//! `ui/src/generated/` together with an `index.ts` that re-exports them all. The files are
//! committed: `scripts/gen-ts.sh` rewrites them, and the test `generated_typescript_is_current`
//! fails while they differ from what the Rust types produce now, and
//! `every_command_type_is_generated` while a command uses a type that is not generated.
//!
//! Conventions: `u64`/`i64` are `number` ([`config`]; no value crossing the boundary comes near
//! 2^53), chrono dates and times are `string` (ts-rs `chrono-impl`), `Option<T>` is `T | null`,
//! serde's `rename_all`, `tag`, `untagged`, `flatten` and `skip_serializing_if` are honoured
//! (ts-rs `serde-compat`). What the web view receives has every field (serde writes them all).
//! Arguments built per call that serde lets the UI leave out (`#[serde(default)]` options of an
//! action, an edit, a new or changed component, proposal options) are `field?: T | null`
//! (`#[ts(optional_fields = nullable)]` on the type); filters, which the UI keeps as state, are
//! sent whole. A field whose serde form is not its Rust type (`#[serde(with = …)]`: GeoJSON
//! geometries, base64 bytes) names its TypeScript type with `#[ts(type = …)]`.
//!
//! Not generated yet: the error shape (`ErrorDto`, its codes), hand-written in `ui/src/api.ts`
//! and referred to from here by `import("../api").ErrorDto`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::{Config, ExportError, TS};

/// Where the generated files live, from the repository root.
pub const GENERATED_DIR: &str = "ui/src/generated";

/// The command that rewrites them.
pub const REGENERATE: &str = "scripts/gen-ts.sh";

/// How the types are written: large integers as `number`, files into `dir`.
pub fn config(dir: &Path) -> Config {
    Config::new().with_large_int("number").with_out_dir(dir)
}

/// Calls `f` once per root type of the boundary (the arguments and answers of every command in
/// `main.rs`, and the payloads of the `menu` event). Their dependencies follow from them.
macro_rules! roots {
    ($visit:ident) => {{
        use crate::{analytics, cases, commands, evaluation, menu, planning, register};
        use crate::{settings, tiles, transfer};
        use griddesk::analytics as ga;
        use griddesk::{clock, engine, filing, intake, io, model, qr, users, workflow, zones};
        // commands.rs, tiles.rs, menu.rs
        $visit!(commands::StoreStatusDto);
        $visit!(engine::Overview);
        $visit!(engine::GridInfo);
        $visit!(engine::SearchHit);
        $visit!(tiles::TileStatsDto);
        $visit!(commands::AppInfoDto);
        $visit!(commands::StoreHealthDto);
        $visit!(menu::Lang);
        $visit!(menu::LayerItem);
        $visit!(menu::MenuAction);
        // transfer.rs
        $visit!(transfer::DatasetDto);
        $visit!(transfer::Mode);
        $visit!(transfer::FileOptions);
        $visit!(io::ImportReport);
        $visit!(io::TemplateFormat);
        // cases.rs
        $visit!(cases::SignInDto);
        $visit!(users::Session);
        $visit!(users::Role);
        $visit!(intake::IntakeRequest);
        $visit!(intake::IntakePreview);
        $visit!(intake::OnDuplicate);
        $visit!(intake::IntakeOutcome);
        $visit!(workflow::ActionKind);
        $visit!(workflow::Action);
        $visit!(workflow::Transitioned);
        $visit!(workflow::QueueItem);
        $visit!(workflow::CaseFilter);
        $visit!(workflow::CasePage);
        $visit!(workflow::CaseDetail);
        $visit!(cases::FormTablesDto);
        $visit!(workflow::CasePoint);
        // analytics.rs
        $visit!(analytics::OptionsDto);
        $visit!(ga::CaseFilter);
        $visit!(analytics::HeatmapDto);
        $visit!(ga::choropleth::BreakMethod);
        $visit!(ga::choropleth::Choropleth);
        $visit!(ga::hotspots::Hotspots);
        $visit!(ga::trends::Bucket);
        $visit!(ga::trends::Trends);
        $visit!(ga::summary::GroupBy);
        $visit!(ga::summary::SummaryRow);
        $visit!(analytics::DrillDto);
        $visit!(ga::load::LoadBalance);
        $visit!(analytics::TableKind);
        $visit!(analytics::TableFormat);
        // evaluation.rs
        $visit!(evaluation::TableDto);
        $visit!(ga::evaluation::TableKind);
        $visit!(ga::evaluation::EvaluationConfig);
        // planning.rs
        $visit!(griddesk::planning::Edit);
        $visit!(griddesk::planning::Preview);
        $visit!(griddesk::planning::Applied);
        $visit!(griddesk::planning::EditSummary);
        $visit!(griddesk::planning::GridHistory);
        $visit!(griddesk::planning::SnapHit);
        $visit!(griddesk::planning::ProposalOptions);
        $visit!(griddesk::planning::Proposal);
        $visit!(griddesk::planning::ChangeSet);
        $visit!(griddesk::planning::GuardReport);
        $visit!(zones::LayerInfo);
        $visit!(zones::ZoneSummary);
        $visit!(planning::LayerColoursDto);
        $visit!(zones::AssignReport);
        $visit!(zones::PersonRef);
        $visit!(zones::Responsibility);
        $visit!(griddesk::planning::CommunityItem);
        $visit!(griddesk::planning::GridsAsOf);
        $visit!(planning::PersonZonesDto);
        // users.rs
        $visit!(crate::users::SignInScreenDto);
        $visit!(users::NewUser);
        $visit!(users::User);
        $visit!(users::RoleChange);
        $visit!(griddesk::audit::AuditEntry);
        $visit!(griddesk::audit::AuditQuery);
        $visit!(griddesk::audit::AuditCheck);
        // street.rs
        $visit!(crate::street::StreetFile);
        $visit!(crate::street::ListFormat);
        $visit!(griddesk::street::RegisterOverview);
        $visit!(griddesk::basemaps::BasemapList);
        $visit!(griddesk::basemaps::BasemapSnap);
        $visit!(griddesk::basemaps::BuildingCut);
        $visit!(griddesk::basemaps::InstallOptions);
        $visit!(griddesk::basemaps::InstallProgress);
        $visit!(griddesk::basemaps::basemap::BasemapInfo);
        $visit!(griddesk::basemaps::basemap::Place);
        // lan.rs
        $visit!(crate::lan::LanOptions);
        $visit!(crate::lan::LanStatus);
        // track.rs
        $visit!(griddesk::track::TrackInspector);
        $visit!(griddesk::track::PatrolTrack);
        // sync.rs
        $visit!(griddesk::sync::SyncStatus);
        $visit!(griddesk::sync::SyncReportView);
        $visit!(griddesk::sync::SyncConflictView);
        $visit!(griddesk::sync::SyncStage);
        $visit!(griddesk::sync::SettleChoice);
        $visit!(griddesk::street::ObjectDetail);
        $visit!(griddesk::street::RegisterImport);
        $visit!(griddesk::street::NoticeDraft);
        $visit!(griddesk::street::NoticePreview);
        $visit!(griddesk::street::NoticeRecipient);
        $visit!(griddesk::street::VendorRow);
        $visit!(griddesk::street::VendorDetail);
        $visit!(griddesk::street::ZoneRow);
        $visit!(griddesk::street::MoveCarInput);
        $visit!(griddesk::street::MoveCarYear);
        $visit!(griddesk::street::registers::ObjectQuery);
        $visit!(griddesk::street::registers::ObjectPage);
        $visit!(griddesk::street::registers::ObjectEdit);
        $visit!(griddesk::street::registers::StreetHint);
        $visit!(griddesk::street::registers::Notice);
        $visit!(griddesk::street::registers::VendorEdit);
        $visit!(griddesk::street::registers::WarningInput);
        $visit!(griddesk::street::registers::VendingZone);
        $visit!(griddesk::street::registers::AdmissionStatus);
        $visit!(griddesk::street::registers::rules::Ladder);
        $visit!(griddesk::street::registers::store::PersonLookup);
        // register.rs
        $visit!(register::RegisterQuery);
        $visit!(register::RegisterPage);
        $visit!(register::ComponentDetail);
        $visit!(griddesk::register::ComponentRecord);
        $visit!(griddesk::register::NewComponent);
        $visit!(griddesk::register::ComponentEdit);
        $visit!(register::SheetFormat);
        $visit!(qr::Scan);
        $visit!(model::ComponentState);
        // settings.rs
        $visit!(settings::CalendarYear);
        $visit!(clock::calendar::CalendarDay);
        $visit!(model::CaseKind);
        $visit!(filing::Stage);
        $visit!(filing::AreaClass);
        $visit!(clock::TimeLimit);
        $visit!(filing::FilingCondition);
        $visit!(griddesk::workflow::LimitEdit);
        // setup.rs
        $visit!(io::outlines::CountyEntry);
        $visit!(griddesk::setup::NewDistrict);
        $visit!(griddesk::setup::OutlineSource);
        $visit!(griddesk::setup::SetupStatus);
        $visit!(griddesk::setup::DistrictProposal);
        $visit!(griddesk::setup::DrawnBoundary);
        $visit!(users::Department);
        // city.rs (the city view of a centre)
        $visit!(crate::city::CityStatusDto);
        $visit!(crate::city::CityHeatmapDto);
        $visit!(griddesk::city::CityOverview);
        $visit!(griddesk::city::CityFigures);
    }};
}

/// Every file under `dir`, by its path relative to `dir` with `/` separators.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.filter_map(|e| e.ok()) {
            let path = e.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if let (Ok(rel), Ok(bytes)) = (path.strip_prefix(root), std::fs::read(&path)) {
                let rel: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.insert(rel.join("/"), bytes);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Writes every boundary type, one `<Name>.ts` per type, and `index.ts` re-exporting them all
/// into `dir` (which should be empty); returns the files written, as [`read_tree`] reads them.
pub fn export(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>, ExportError> {
    let cfg = config(dir);
    macro_rules! export_one {
        ($t:ty) => {
            <$t as TS>::export_all(&cfg)?
        };
    }
    roots!(export_one);
    let mut index = String::from(
        "// Generated by src-tauri/src/bindings.rs (scripts/gen-ts.sh). Do not edit this file \
         manually.\n",
    );
    for file in read_tree(dir).keys() {
        let Some(module) = file.strip_suffix(".ts") else {
            continue;
        };
        let name = module.rsplit('/').next().unwrap_or(module);
        index.push_str(&format!("export type {{ {name} }} from './{module}';\n"));
    }
    std::fs::write(dir.join("index.ts"), index)?;
    Ok(read_tree(dir))
}

/// Every type reachable from the roots, by the file it is written to. Two Rust types with
/// different declarations that would share a file (the same TypeScript name) make this an
/// error naming both: ts-rs would quietly write only one of them.
pub fn files() -> Result<BTreeMap<PathBuf, String>, String> {
    use std::any::TypeId;
    use std::collections::HashSet;

    struct Walk {
        cfg: Config,
        seen: HashSet<TypeId>,
        by_path: BTreeMap<PathBuf, (String, String)>,
        clashes: Vec<String>,
    }
    impl ts_rs::TypeVisitor for Walk {
        fn visit<T: TS + 'static + ?Sized>(&mut self) {
            let Some(path) = T::output_path() else {
                return;
            };
            if !self.seen.insert(TypeId::of::<T>()) {
                return;
            }
            let name = std::any::type_name::<T>().to_string();
            let decl = T::decl(&self.cfg);
            match self.by_path.get(&path) {
                Some((other_name, other_decl)) if *other_decl != decl => {
                    self.clashes.push(format!(
                        "{other_name} and {name} are both written to {}: give one a \
                         `#[ts(rename = \"…\")]`",
                        path.display()
                    ))
                }
                Some(_) => {}
                None => {
                    self.by_path.insert(path, (name, decl));
                }
            }
            T::visit_dependencies(self);
        }
    }

    let mut walk = Walk {
        cfg: config(Path::new(GENERATED_DIR)),
        seen: HashSet::new(),
        by_path: BTreeMap::new(),
        clashes: Vec::new(),
    };
    macro_rules! visit_one {
        ($t:ty) => {
            ts_rs::TypeVisitor::visit::<$t>(&mut walk)
        };
    }
    roots!(visit_one);
    if walk.clashes.is_empty() {
        Ok(walk
            .by_path
            .into_iter()
            .map(|(p, (name, _))| (p, name))
            .collect())
    } else {
        Err(walk.clashes.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    /// Where two versions of a file part: the line number and both lines.
    fn first_difference(committed: &[u8], fresh: &[u8]) -> String {
        let (a, b) = (
            String::from_utf8_lossy(committed),
            String::from_utf8_lossy(fresh),
        );
        let (mut a_lines, mut b_lines) = (a.lines(), b.lines());
        for n in 1.. {
            match (a_lines.next(), b_lines.next()) {
                (Some(x), Some(y)) if x == y => continue,
                (None, None) => break,
                (x, y) => {
                    return format!(
                        "line {n} is\n      {}\n    and the Rust types make it\n      {}",
                        x.unwrap_or("(end of file)"),
                        y.unwrap_or("(end of file)")
                    )
                }
            }
        }
        "line endings differ".into()
    }

    /// No two boundary types share a TypeScript name (ts-rs would quietly keep one of them).
    #[test]
    fn every_boundary_type_has_its_own_name() {
        let files = files().unwrap_or_else(|clashes| panic!("{clashes}"));
        assert!(files.len() > 50, "only {} types", files.len());
    }

    /// The named types in the signature of every `#[tauri::command]` of the shell's sources
    /// (arguments the web view sends, and the answer), by command.
    fn command_types() -> Vec<(String, Vec<String>)> {
        const NOT_SENT: &[&str] = &["State", "AppHandle", "Request", "Result", "Option", "Vec"];
        // `ErrorDto` is still hand-written; chrono's dates are `string`.
        const PLAIN: &[&str] = &["String", "ErrorDto", "NaiveDate", "NaiveDateTime"];
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut out = Vec::new();
        for (file, text) in read_tree(&src) {
            let text = String::from_utf8_lossy(&text);
            for part in text.split("#[tauri::command]").skip(1) {
                let sig = part.split_once(" {\n").map_or(part, |(sig, _)| sig);
                let name = sig
                    .split_once("fn ")
                    .and_then(|(_, rest)| rest.split_once('('))
                    .map_or("?", |(n, _)| n.trim());
                let (params, answer) = sig
                    .split_once('(')
                    .map(|(_, rest)| rest.rsplit_once(')').unwrap_or((rest, "")))
                    .unwrap_or_default();
                let mut types: Vec<String> = Vec::new();
                let sent = params
                    .split(",\n")
                    .filter_map(|p| p.split_once(':').map(|(_, t)| t.trim()))
                    .filter(|t| {
                        !NOT_SENT
                            .iter()
                            .any(|n| t.starts_with(n) || t.contains("tauri::"))
                    });
                for t in sent.chain(std::iter::once(answer)) {
                    let idents = t
                        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                        .filter_map(|w| w.rsplit("::").next())
                        .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()))
                        .filter(|w| !NOT_SENT.contains(w) && !PLAIN.contains(w));
                    types.extend(idents.map(str::to_string));
                }
                out.push((format!("{file}: {name}"), types));
            }
        }
        out
    }

    /// Every type a command takes or returns is generated (listed in `roots!` or reached from a
    /// root), so that no TypeScript type of the boundary is written by hand again.
    #[test]
    fn every_command_type_is_generated() {
        let generated: std::collections::BTreeSet<String> = files()
            .unwrap_or_else(|clashes| panic!("{clashes}"))
            .into_values()
            .filter_map(|rust| rust.rsplit("::").next().map(str::to_string))
            .collect();
        let commands = command_types();
        assert!(
            commands.len() > 70,
            "only {} commands found",
            commands.len()
        );
        let intake = commands.iter().find(|(c, _)| c == "cases.rs: cases_intake");
        assert_eq!(
            intake.map(|(_, t)| t.join(" ")).as_deref(),
            Some("IntakeRequest OnDuplicate IntakeOutcome"),
            "the signature reader"
        );
        let missing: Vec<String> = commands
            .iter()
            .flat_map(|(cmd, types)| {
                types
                    .iter()
                    .filter(|t| !generated.contains(*t))
                    .map(move |t| format!("{cmd} uses {t}"))
            })
            .collect();
        assert!(
            missing.is_empty(),
            "types of commands that are not generated (add them to `roots!` in \
             src-tauri/src/bindings.rs):\n  {}",
            missing.join("\n  ")
        );
    }

    /// The committed `ui/src/generated/` is exactly what the Rust types produce now.
    #[test]
    fn generated_typescript_is_current() {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let fresh = export(tmp.path()).expect("the bindings export");
        let committed_dir = repo_root().join(GENERATED_DIR);
        let committed = read_tree(&committed_dir);
        let mut stale = Vec::new();
        for (name, text) in &fresh {
            match committed.get(name) {
                None => stale.push(format!("{GENERATED_DIR}/{name} is missing")),
                Some(old) if old != text => stale.push(format!(
                    "{GENERATED_DIR}/{name} is stale: {}",
                    first_difference(old, text)
                )),
                Some(_) => {}
            }
        }
        for name in committed.keys().filter(|n| !fresh.contains_key(*n)) {
            stale.push(format!(
                "{GENERATED_DIR}/{name} is no longer generated (a type was renamed or removed)"
            ));
        }
        assert!(
            stale.is_empty(),
            "the TypeScript types of the IPC boundary differ from the Rust types:\n  {}\n\
             Run `{REGENERATE}` and commit {GENERATED_DIR}/ (then fix what `npx tsc --noEmit` \
             in ui/ reports).",
            stale.join("\n  ")
        );
    }

    /// Rewrites `ui/src/generated/` (what `scripts/gen-ts.sh` runs).
    #[test]
    #[ignore = "writes into the source tree; run by scripts/gen-ts.sh"]
    fn write_generated_typescript() {
        let tmp = tempfile::tempdir().expect("a temporary folder");
        let files = export(tmp.path()).expect("the bindings export");
        let dir = repo_root().join(GENERATED_DIR);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).expect("remove the old generated files");
        }
        std::fs::create_dir_all(&dir).expect("create the generated folder");
        for (name, bytes) in &files {
            let path = dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("create a generated folder");
            }
            std::fs::write(&path, bytes).expect("write a generated file");
        }
        println!("wrote {} files into {}", files.len(), dir.display());
    }
}
