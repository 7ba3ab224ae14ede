//! Bulk import of historical cases from CSV, with a progress callback.
//!
//! Columns (header names; any order): `lon`, `lat`, `kind` (`event`/`component` or 事件/部件),
//! `class_code`, `source` (key or Chinese label), `reported_at` (`YYYY-MM-DD HH:MM:SS`) are
//! required; `id` (task number; assigned `YYYY-NNNNNNN` when empty), `status` (default
//! `closed`), `component`, `description`, `address`, `reporter`, `department` (code),
//! `closed_at`, `condition` are optional. Each case gets its workflow record (placed and routed
//! like an intake) and one `import` audit entry; a closed case with `closed_at` also gets a
//! finished 处置 run from report to closing, judged against its limit, so that evaluation sees
//! it; an open case gets the running clock of its current stage from its report time (a hung
//! case a hang-up from then). Rejects name file, line and field, as in [`crate::io`]; with rejects nothing is written
//! unless `valid_only` is set.

use crate::code::{ClassCode, ComponentCode};
use crate::io::Rejects;
use crate::model::{CaseKind, CaseSource, CaseStatus};
use chrono::NaiveDateTime;
use serde::Serialize;

/// What a historical import did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryReport {
    pub file: String,
    pub imported: usize,
    /// The first rejects and their total.
    pub rejects: Rejects,
    /// Cases outside every grid (imported without one).
    pub unlocated: usize,
    pub dry_run: bool,
}

pub struct Row {
    pub line: u64,
    pub id: Option<String>,
    pub location: [f64; 2],
    pub kind: CaseKind,
    pub class: ClassCode,
    pub source: CaseSource,
    pub reported_at: NaiveDateTime,
    pub status: CaseStatus,
    pub component: Option<ComponentCode>,
    pub description: Option<String>,
    pub address: Option<String>,
    pub reporter: Option<String>,
    pub department: Option<String>,
    pub closed_at: Option<NaiveDateTime>,
    pub condition: Option<String>,
}
