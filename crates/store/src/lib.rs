//! GridDesk store traits: the seam between the code that decides and the backend that keeps.
//! Imports and seeding write the district's core tables through [`ModelStore`]; the domain crates
//! declare the operations on their own tables beside their code (ports) and the backends
//! implement them (`griddesk-store-sqlite` today, PostgreSQL/PostGIS for a city centre). No SQL
//! and no driver type appears here.
#![forbid(unsafe_code)]

pub mod district_rows;

use griddesk_core::codetable::CodeTables;
use griddesk_core::model::{Case, Community, Component, District, DutyGrid, Grid, Street};
use griddesk_core::Result;

/// Writes into the district's core tables inside one transaction of a [`ModelStore`].
pub trait ModelSink {
    /// Inserts or replaces the district (outline, code, name).
    fn put_district(&self, d: &District) -> Result<()>;
    /// Replaces the CJ/T 214 code tables.
    fn put_code_tables(&self, t: &CodeTables) -> Result<()>;
    /// Sets a metadata value.
    fn set_meta(&self, key: &str, value: &str) -> Result<()>;
    fn insert_street(&self, s: &Street) -> Result<()>;
    fn insert_community(&self, c: &Community) -> Result<()>;
    fn insert_grid(&self, g: &Grid) -> Result<()>;
    fn insert_duty_grid(&self, d: &DutyGrid) -> Result<()>;
    fn insert_component(&self, c: &Component) -> Result<()>;
    fn insert_case(&self, c: &Case) -> Result<()>;
    /// Says that about `rows` rows of `table` are about to be inserted in this write (a large
    /// import). A backend may then put off keeping that table's secondary indexes until the
    /// write ends and build them once, sorted, before it commits; uniqueness is still checked
    /// row by row. Without the hint every row keeps every index as it goes.
    fn expect_rows(&self, table: BulkTable, rows: usize) -> Result<()> {
        let _ = (table, rows);
        Ok(())
    }
}

/// Case texts kept out of memory (the descriptions of a million cases would cost about 80 MB
/// in every window), read from the store in blocks when they are needed: a file written, the
/// sample's histories seeded.
pub trait CaseTexts {
    /// The descriptions of the cases `ids`, in their order: `None` for a case without one (or
    /// not in the store).
    fn case_descriptions(&self, ids: &[&str]) -> Result<Vec<Option<String>>>;
}

/// The tables a large import fills ([`ModelSink::expect_rows`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkTable {
    Cases,
    Components,
}

/// A store whose core tables can be written in one transaction: committed when `f` returns
/// `Ok`, rolled back otherwise (a failed import leaves nothing behind).
pub trait ModelStore {
    fn write_model(&mut self, f: &mut dyn FnMut(&dyn ModelSink) -> Result<()>) -> Result<()>;
}

/// A number that changes whenever another connection commits: another process on the same
/// file, another station's writer on a shared server. The engine compares it with the number
/// it loaded at and rebuilds its indexes when they differ, instead of assuming it is the only
/// writer. A connection's own commits do not change it (the engine already follows those).
pub trait Generation {
    fn external_generation(&self) -> Result<u64>;
}

/// The audit log of changes that have no table of their own (imports, zones, settings, the
/// calendar, users…), and the check of the hash chain that seals every audit table
/// (docs/trust.md). Implemented by each backend on its transaction handle, so that a change
/// and its audit row commit together.
pub trait AuditStore {
    /// Appends an entry (its `seq` is ignored); returns the stored `seq`.
    fn record_audit(&self, e: &griddesk_core::audit::AuditEntry) -> Result<i64>;
    /// Entries matching `q`, newest first.
    fn audit_entries(
        &self,
        q: &griddesk_core::audit::AuditQuery,
    ) -> Result<Vec<griddesk_core::audit::AuditEntry>>;
    /// Recomputes the hash chain over every sealed audit row and reports each break.
    fn check_audit(&self) -> Result<griddesk_core::audit::AuditCheck>;
}
