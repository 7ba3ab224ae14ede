//! The centre's versioned migrations (`migrations/*.sql`). `centre_schema` holds one row per
//! applied migration; each runs in the migrator's one transaction, under an advisory lock, so
//! two processes migrating at once apply each migration once, and a failure applies none.
//! After the migrations the station grants and row-level security policies, and the triggers
//! that bump the generation counters, are put on every table again (`griddesk_secure_tables()`,
//! `griddesk_watch_tables()`), so a table a later migration adds is covered.

use crate::error::{Error, Result};

/// Migration `i` moves the centre from version `i` to `i + 1`: (file name, SQL).
pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_schema.sql",
        include_str!("../migrations/0001_schema.sql"),
    ),
    (
        "0002_stations.sql",
        include_str!("../migrations/0002_stations.sql"),
    ),
    (
        "0003_generation.sql",
        include_str!("../migrations/0003_generation.sql"),
    ),
    (
        "0004_audit_seal.sql",
        include_str!("../migrations/0004_audit_seal.sql"),
    ),
    (
        "0005_station_phone.sql",
        include_str!("../migrations/0005_station_phone.sql"),
    ),
    (
        "0006_plan_deferrable.sql",
        include_str!("../migrations/0006_plan_deferrable.sql"),
    ),
    (
        "0007_patrol_track.sql",
        include_str!("../migrations/0007_patrol_track.sql"),
    ),
    ("0008_sync.sql", include_str!("../migrations/0008_sync.sql")),
    (
        "0009_sync_settle.sql",
        include_str!("../migrations/0009_sync_settle.sql"),
    ),
    (
        "0010_sync_station_numbers.sql",
        include_str!("../migrations/0010_sync_station_numbers.sql"),
    ),
    (
        "0011_sync_table_generation.sql",
        include_str!("../migrations/0011_sync_table_generation.sql"),
    ),
];

/// The schema version this build writes and understands.
pub fn current_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// An arbitrary key for `pg_advisory_xact_lock`: "GRID" + "CNTR".
const MIGRATION_LOCK: i64 = 0x4752_4944_434E_5452;

/// The applied version: 0 for a database without `centre_schema`.
pub(crate) fn version(c: &mut postgres::Client) -> Result<i64> {
    let exists: bool = c
        .query_one(
            "SELECT to_regclass('public.centre_schema') IS NOT NULL",
            &[],
        )
        .map_err(|e| Error::of(e, "reading the centre's schema version", None))?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let v: Option<i32> = c
        .query_one("SELECT max(version) FROM centre_schema", &[])
        .map_err(|e| Error::of(e, "reading the centre's schema version", None))?
        .get(0);
    Ok(i64::from(v.unwrap_or(0)))
}

/// Brings the database up to [`current_version`]: PostGIS must be there; a newer schema is
/// refused untouched.
pub(crate) fn migrate(c: &mut postgres::Client) -> Result<()> {
    let mut tx = c
        .transaction()
        .map_err(|e| Error::of(e, "starting the migration", None))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(|e| Error::of(e, "waiting for another migrator", None))?;
    let postgis: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis')",
            &[],
        )
        .map_err(|e| Error::of(e, "looking for PostGIS", None))?
        .get(0);
    if !postgis {
        let database: String = tx
            .query_one("SELECT current_database()::text", &[])
            .map_err(|e| Error::of(e, "naming the database", None))?
            .get(0);
        return Err(Error::PostgisMissing { database });
    }
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS centre_schema (
             version    integer PRIMARY KEY,
             file       text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .map_err(|e| Error::of(e, "creating the schema version table", None))?;
    let found: i64 = {
        let v: Option<i32> = tx
            .query_one("SELECT max(version) FROM centre_schema", &[])
            .map_err(|e| Error::of(e, "reading the centre's schema version", None))?
            .get(0);
        i64::from(v.unwrap_or(0))
    };
    if found > current_version() {
        return Err(Error::SchemaTooNew {
            found,
            supported: current_version(),
        });
    }
    for (i, (file, sql)) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(sql)
            .map_err(|source| Error::Migration { file, source })?;
        let v = i as i32 + 1;
        tx.execute(
            "INSERT INTO centre_schema (version, file) VALUES ($1, $2)",
            &[&v, file],
        )
        .map_err(|source| Error::Migration { file, source })?;
    }
    tx.batch_execute("SELECT griddesk_secure_tables()")
        .map_err(|e| Error::of(e, "granting the station roles their tables", None))?;
    tx.batch_execute("SELECT griddesk_watch_tables()")
        .map_err(|e| Error::of(e, "putting the generation triggers on every table", None))?;
    tx.commit()
        .map_err(|e| Error::of(e, "committing the migration", None))
}
