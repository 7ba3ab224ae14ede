//! Work queues per role, the filtered and paged case list, and the case detail with timeline.

use super::desk::{Desk, OpenCase};
use super::machine::{ActionKind, CaseView, RequestKind};
use super::record::{AuditEntry, Flow, PhotoInfo, StageRun};
use crate::clock::ClockState;
use crate::filing::Stage;
use crate::model::{CaseKind, CaseSource, CaseStatus};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// A case waiting for the session's role.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QueueItem {
    pub id: String,
    pub kind: CaseKind,
    pub class_code: String,
    pub class_name: Option<String>,
    pub source: CaseSource,
    pub status: CaseStatus,
    pub reported_at: NaiveDateTime,
    pub location: [f64; 2],
    pub grid: Option<String>,
    pub department: Option<String>,
    pub inspector: Option<String>,
    pub supervised: bool,
    /// A request waiting for approval.
    pub request: Option<RequestKind>,
    /// What this session can do with it now.
    pub actions: Vec<ActionKind>,
    /// For an inspector: the case lies in a duty grid of theirs (by name).
    pub mine: bool,
    pub stage: Option<Stage>,
    pub clock: Option<ClockState>,
}

/// Actions that by themselves do not put a case in a role's queue.
pub fn secondary(k: ActionKind) -> bool {
    matches!(
        k,
        ActionKind::Supervise
            | ActionKind::RequestCancel
            | ActionKind::SendVerify
            | ActionKind::SelfHandle
            | ActionKind::Cancel
            | ActionKind::RejectRequest
            | ActionKind::RequestReturn
            | ActionKind::RequestExtension
            | ActionKind::RequestHangUp
    )
}

pub fn view(c: &OpenCase) -> CaseView {
    CaseView {
        status: c.status,
        department: c.department.as_deref().map(str::to_string),
        request: c.request,
    }
}

/// Filters of the case list; empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct CaseFilter {
    pub status: Vec<CaseStatus>,
    pub kind: Option<CaseKind>,
    /// A 4-digit minor class or a 2-digit major class.
    pub class_code: Option<String>,
    pub source: Vec<CaseSource>,
    /// A grid code or a prefix of one (a community's 12 or a street's 9 digits).
    pub grid: Option<String>,
    /// Department code.
    pub department: Option<String>,
    /// Only cases whose running stage is past its deadline (`true`) or not (`false`).
    pub overdue: Option<bool>,
    pub supervised: Option<bool>,
    /// First report day, inclusive (the one date rule of every case filter:
    /// `griddesk_core::dates::day_bounds`).
    pub from: Option<chrono::NaiveDate>,
    /// Last report day, inclusive.
    pub to: Option<chrono::NaiveDate>,
    /// Part of the task number or the description.
    pub text: Option<String>,
    pub offset: usize,
    /// Page size (default 50, at most 1 000).
    pub limit: usize,
}

/// One row of the case list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseRow {
    pub id: String,
    pub kind: CaseKind,
    pub class_code: String,
    pub class_name: Option<String>,
    pub source: CaseSource,
    pub status: CaseStatus,
    pub reported_at: NaiveDateTime,
    pub grid: Option<String>,
    pub description: Option<String>,
    pub department: Option<String>,
    pub supervised: bool,
    pub rework_count: u32,
    pub stage: Option<Stage>,
    pub deadline: Option<NaiveDateTime>,
    pub clock: Option<ClockState>,
}

/// A page of the case list.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CasePage {
    /// Matching cases in all pages.
    pub total: usize,
    pub offset: usize,
    pub rows: Vec<CaseRow>,
}

/// Everything the case panel shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseDetail {
    pub id: String,
    pub kind: CaseKind,
    pub class_code: String,
    pub class_name: Option<String>,
    pub component: Option<String>,
    pub source: CaseSource,
    pub status: CaseStatus,
    pub reported_at: NaiveDateTime,
    pub description: Option<String>,
    pub location: [f64; 2],
    pub grid: Option<String>,
    /// Names of the places in `flow`.
    pub street_name: Option<String>,
    pub community_name: Option<String>,
    pub department_name: Option<String>,
    /// 立案条件 / 结案条件 texts of the case's condition.
    pub filing_condition: Option<String>,
    pub closing_condition: Option<String>,
    pub flow: Flow,
    /// Stage runs, oldest first.
    pub stages: Vec<StageRun>,
    /// The timeline, oldest first.
    pub audit: Vec<AuditEntry>,
    pub photos: Vec<PhotoInfo>,
    /// The running stage's clock at the instant asked for.
    pub clock: Option<ClockState>,
    /// What the session can do now (empty without a session).
    pub actions: Vec<ActionKind>,
}

pub fn class_name(idx: &crate::index::SpatialIndex, kind: CaseKind, code: &str) -> Option<String> {
    let t = match kind {
        CaseKind::Event => &idx.code_tables.events,
        CaseKind::Component => &idx.code_tables.components,
    };
    t.get(code).map(|e| e.name.clone())
}

pub fn clock_of(desk: &Desk, id: &str, now: NaiveDateTime) -> Option<ClockState> {
    desk.open
        .get(id)
        .and_then(|c| c.run.as_ref())
        .map(|r| r.state(&desk.calendar, now))
}

/// One row of the case list as the store keeps it (the engine adds the class name and the
/// clock).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCaseRow {
    pub id: String,
    pub kind: CaseKind,
    pub class_code: String,
    pub source: CaseSource,
    pub status: CaseStatus,
    pub reported_at: NaiveDateTime,
    pub grid: Option<String>,
    pub description: Option<String>,
    pub department: Option<String>,
    pub supervised: bool,
    pub rework_count: u32,
    pub stage: Option<Stage>,
    pub deadline: Option<NaiveDateTime>,
}

/// The case list and the photos as the store keeps them: implemented by each backend.
pub trait QueueStore {
    /// The total matching `f` and the page of `f.offset`, `f.limit` (default 50, at most
    /// 1000), newest report first; `overdue`, when the filter asks for (or against) overdue
    /// cases, with the ids the workflow judges overdue.
    fn case_rows(
        &self,
        f: &CaseFilter,
        overdue: Option<(bool, &[&str])>,
    ) -> crate::error::Result<(usize, Vec<StoredCaseRow>)>;
    /// A stored photo: MIME type and bytes.
    fn photo(&self, photo_id: i64) -> crate::error::Result<(String, Vec<u8>)>;
    /// A stored photo's thumbnail.
    fn photo_thumbnail(&self, photo_id: i64) -> crate::error::Result<Vec<u8>>;
}
