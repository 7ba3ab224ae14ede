//! The crate order of `docs/architecture.md`, checked on the workspace's manifests through
//! `cargo metadata`: every crate may depend only on the crates below it, nothing below the API
//! crate (`griddesk`, which holds `Engine`) depends on it, nothing below the shells knows a GUI
//! toolkit, only the SQLite backend uses rusqlite and only the PostgreSQL backend a
//! PostgreSQL driver.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Each workspace crate and the workspace crates it may depend on (normal and build
/// dependencies; tests may use more). The order, bottom to top.
const ORDER: &[(&str, &[&str])] = &[
    ("griddesk-core", &[]),
    ("griddesk-store", &["griddesk-core"]),
    ("griddesk-spatial", &["griddesk-core"]),
    (
        "griddesk-io",
        &["griddesk-core", "griddesk-store", "griddesk-spatial"],
    ),
    (
        "griddesk-caseloop",
        &[
            "griddesk-core",
            "griddesk-store",
            "griddesk-spatial",
            "griddesk-io",
        ],
    ),
    (
        "griddesk-planning",
        &["griddesk-core", "griddesk-spatial", "griddesk-io"],
    ),
    (
        "griddesk-zones",
        &["griddesk-core", "griddesk-spatial", "griddesk-io"],
    ),
    (
        "griddesk-analytics",
        &["griddesk-core", "griddesk-spatial", "griddesk-caseloop"],
    ),
    (
        "griddesk-registers",
        &["griddesk-core", "griddesk-spatial", "griddesk-io"],
    ),
    (
        "griddesk-basemap",
        &["griddesk-core", "griddesk-spatial", "griddesk-io"],
    ),
    // Upward sync's rules (docs/centre.md, "Sync"): the backends implement its traits.
    ("griddesk-sync", &["griddesk-core", "griddesk-store"]),
    (
        "griddesk-store-sqlite",
        &[
            "griddesk-core",
            "griddesk-store",
            "griddesk-spatial",
            "griddesk-io",
            "griddesk-caseloop",
            "griddesk-planning",
            "griddesk-zones",
            "griddesk-analytics",
            "griddesk-registers",
            "griddesk-basemap",
            "griddesk-sync",
        ],
    ),
    // The city centre's PostgreSQL/PostGIS backend, beside the SQLite one (docs/centre.md).
    (
        "griddesk-store-postgres",
        &[
            "griddesk-core",
            "griddesk-store",
            "griddesk-spatial",
            "griddesk-io",
            "griddesk-caseloop",
            "griddesk-planning",
            "griddesk-zones",
            "griddesk-analytics",
            "griddesk-registers",
            "griddesk-basemap",
            "griddesk-sync",
        ],
    ),
    (
        "griddesk-sample",
        &[
            "griddesk-core",
            "griddesk-store",
            "griddesk-spatial",
            "griddesk-io",
            "griddesk-caseloop",
            "griddesk-planning",
            "griddesk-zones",
            "griddesk-analytics",
            "griddesk-registers",
            "griddesk-basemap",
            "griddesk-store-sqlite",
        ],
    ),
    (
        "griddesk",
        &[
            "griddesk-core",
            "griddesk-store",
            "griddesk-spatial",
            "griddesk-io",
            "griddesk-caseloop",
            "griddesk-planning",
            "griddesk-zones",
            "griddesk-analytics",
            "griddesk-registers",
            "griddesk-basemap",
            "griddesk-store-sqlite",
            "griddesk-store-postgres",
            "griddesk-sample",
            "griddesk-sync",
        ],
    ),
    ("griddesk-station", &["griddesk"]),
    (
        "griddesk-cli",
        &[
            "griddesk",
            "griddesk-station",
            "griddesk-store-postgres",
            "griddesk-sync",
        ],
    ),
    ("griddesk-app", &["griddesk", "griddesk-station"]),
];

/// The domain crates: they decide, and reach the store only through the traits they declare.
const DOMAIN: &[&str] = &[
    "griddesk-caseloop",
    "griddesk-planning",
    "griddesk-zones",
    "griddesk-analytics",
    "griddesk-registers",
    "griddesk-basemap",
    "griddesk-sync",
];

/// The crates that may use rusqlite directly (tests may use it to damage a store the way a disk
/// would): the SQLite backend alone, which also reads and writes GeoPackage files for io.
const RUSQLITE_USERS: &[&str] = &["griddesk-store-sqlite"];

/// The crates that may use a PostgreSQL driver: the centre's backend alone, which holds every
/// line of the centre's SQL.
const POSTGRES_USERS: &[&str] = &["griddesk-store-postgres"];
const POSTGRES_DRIVERS: &[&str] = &["postgres", "tokio-postgres"];

/// Crates that may depend on a GUI toolkit or web view: the desktop shell only.
const SHELLS: &[&str] = &["griddesk-app"];
const GUI: &[&str] = &["tauri", "wry", "tao", "webkit2gtk", "gtk"];

/// Each workspace package's normal and build dependencies, by name.
fn workspace_deps() -> BTreeMap<String, BTreeSet<String>> {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata is JSON");
    let mut map = BTreeMap::new();
    for p in meta["packages"].as_array().expect("packages") {
        let name = p["name"].as_str().expect("name").to_string();
        let deps = p["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .filter(|d| d["kind"].as_str() != Some("dev"))
            .map(|d| d["name"].as_str().expect("dependency name").to_string())
            .collect();
        map.insert(name, deps);
    }
    map
}

#[test]
fn every_crate_depends_only_on_crates_below_it() {
    let deps = workspace_deps();
    let order: BTreeMap<&str, &[&str]> = ORDER.iter().copied().collect();
    let members: BTreeSet<&str> = deps.keys().map(String::as_str).collect();
    let listed: BTreeSet<&str> = order.keys().copied().collect();
    assert_eq!(
        members, listed,
        "every workspace crate has its place in the order (and only those)"
    );
    for (name, ds) in &deps {
        let allowed = order[name.as_str()];
        for d in ds.iter().filter(|d| members.contains(d.as_str())) {
            assert!(
                allowed.contains(&d.as_str()),
                "{name} depends on {d}, which is not below it in the crate order"
            );
        }
    }
    // Below means below: the allowed lists themselves form no loop.
    for (i, (name, allowed)) in ORDER.iter().enumerate() {
        for a in *allowed {
            let at = ORDER.iter().position(|(n, _)| n == a).expect("listed");
            assert!(at < i, "{name} may depend on {a}, listed above it");
        }
    }
}

#[test]
fn no_domain_crate_knows_a_store_backend() {
    let deps = workspace_deps();
    for name in DOMAIN {
        let ds = &deps[*name];
        for backend in [
            "griddesk-store-sqlite",
            "rusqlite",
            "postgres",
            "tokio-postgres",
        ] {
            assert!(!ds.contains(backend), "{name} depends on {backend}");
        }
    }
}

#[test]
fn nothing_below_the_api_crate_knows_the_engine() {
    let deps = workspace_deps();
    for (name, ds) in &deps {
        if ![
            "griddesk",
            "griddesk-station",
            "griddesk-cli",
            "griddesk-app",
        ]
        .contains(&name.as_str())
        {
            assert!(!ds.contains("griddesk"), "{name} depends on the API crate");
        }
    }
}

#[test]
fn only_the_listed_crates_use_rusqlite_or_postgres_and_only_the_shell_a_gui() {
    let deps = workspace_deps();
    for (name, ds) in &deps {
        if ds.contains("rusqlite") {
            assert!(
                RUSQLITE_USERS.contains(&name.as_str()),
                "{name} uses rusqlite directly; SQL belongs in griddesk-store-sqlite"
            );
        }
        for driver in POSTGRES_DRIVERS {
            if ds.contains(*driver) {
                assert!(
                    POSTGRES_USERS.contains(&name.as_str()),
                    "{name} uses {driver} directly; SQL belongs in griddesk-store-postgres"
                );
            }
        }
        if !SHELLS.contains(&name.as_str()) {
            for g in GUI {
                assert!(!ds.contains(*g), "{name} depends on the GUI crate {g}");
            }
        }
    }
}
