//! Versioned schema migrations. `PRAGMA user_version` holds the applied version; each entry in
//! [`MIGRATIONS`] moves the schema one version forward inside the caller's transaction.

/// `PRAGMA application_id` of a GridDesk store ("GRID").
pub const APPLICATION_ID: i64 = 0x4752_4944;

/// Migration `i` upgrades a store from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_foundation.sql"),
    include_str!("migrations/0002_case_loop.sql"),
    include_str!("migrations/0003_zones.sql"),
    include_str!("migrations/0004_planning.sql"),
    include_str!("migrations/0005_planner_role.sql"),
    include_str!("migrations/0006_sign_in_log.sql"),
    include_str!("migrations/0007_audit.sql"),
    include_str!("migrations/0008_registers.sql"),
    include_str!("migrations/0009_basemaps.sql"),
    include_str!("migrations/0010_station.sql"),
    include_str!("migrations/0011_station_phone.sql"),
    include_str!("migrations/0012_patrol_track.sql"),
    include_str!("migrations/0013_sync.sql"),
];

/// The schema version this build writes and understands.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}
