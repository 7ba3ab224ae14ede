//! The workflow tables (`case_flow`, `case_stage`, `case_hang`, `case_audit`, `case_photo`):
//! typed rows and the reads and writes the workflow makes, always inside the caller's
//! transaction.

use super::machine::RequestKind;
use super::photo::{PhotoPhase, Prepared};
use crate::clock::{Interval, TimeLimit, TimeUnit};
use crate::error::Result;
use crate::filing::{AreaClass, Stage, Urgency};
use crate::model::{CaseKind, CaseSource, CaseStatus};
use chrono::NaiveDateTime;
use griddesk_core::dates::{format_datetime, parse_datetime};
use serde::{Deserialize, Serialize};

/// A request waiting for approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PendingRequest {
    pub kind: RequestKind,
    /// Login of who asked.
    pub by: String,
    pub at: NaiveDateTime,
    pub reason: String,
    /// For an extension: the time asked for, in seconds of the handling clock's metric.
    pub seconds: Option<i64>,
    /// For an extension: the amount and unit asked for.
    pub amount: Option<f64>,
    pub unit: Option<TimeUnit>,
}

/// The workflow record of a case (`case_flow`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Flow {
    pub case_id: String,
    pub street: Option<String>,
    pub community: Option<String>,
    pub duty_grid: Option<String>,
    /// The duty grid's inspector (监督员).
    pub inspector: Option<String>,
    /// The department the case is with, or is routed to before dispatch.
    pub department: Option<String>,
    pub area_class: AreaClass,
    /// 立案条件 id.
    pub condition: Option<String>,
    pub urgency: Urgency,
    pub address: Option<String>,
    pub reporter: Option<String>,
    pub reporter_phone: Option<String>,
    /// Login of who created the case.
    pub created_by: Option<String>,
    /// 督办 flag.
    pub supervised: bool,
    /// 返工次数: failed checks.
    pub rework_count: u32,
    /// 延期数: approved extensions.
    pub extension_count: u32,
    /// 挂账数: approved hang-ups.
    pub hangup_count: u32,
    /// 回退数: approved returns.
    pub return_count: u32,
    /// Further reports linked to this case as duplicates.
    pub duplicate_count: u32,
    pub request: Option<PendingRequest>,
    /// When the case left the loop (closed, cancelled, not accepted).
    pub closed_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// One run of a stage (`case_stage`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StageRun {
    pub id: i64,
    pub stage: Stage,
    /// 1 the first time through the stage, 2 after a rework or return, …
    pub round: u32,
    /// The department handling (处置 runs).
    pub department: Option<String>,
    pub started_at: NaiveDateTime,
    pub limit: TimeLimit,
    /// Approved extensions, seconds of the limit's metric.
    pub extension_seconds: i64,
    /// Hang-up time excluded so far, seconds of the limit's metric.
    pub hung_seconds: i64,
    /// The bundle deadline; `None` while hung.
    pub deadline: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    /// Used time at the end (hang-ups excluded), seconds of the limit's metric.
    pub used_seconds: Option<i64>,
    /// Ended within limit + extensions.
    pub on_time: Option<bool>,
    /// The action that ended the run.
    pub outcome: Option<String>,
    /// Login of who ended it.
    pub ended_by: Option<String>,
}

impl StageRun {
    /// A run just started: its clock's bundle deadline set, nothing of its end yet.
    #[allow(clippy::too_many_arguments)]
    pub fn started(
        id: i64,
        stage: Stage,
        round: u32,
        department: Option<&str>,
        at: NaiveDateTime,
        limit: TimeLimit,
        deadline: NaiveDateTime,
    ) -> Self {
        StageRun {
            id,
            stage,
            round,
            department: department.map(str::to_string),
            started_at: at,
            limit,
            extension_seconds: 0,
            hung_seconds: 0,
            deadline: Some(deadline),
            ended_at: None,
            used_seconds: None,
            on_time: None,
            outcome: None,
            ended_by: None,
        }
    }
}

/// A hang-up of a stage run within a whole [`History`].
#[derive(Debug, Clone, PartialEq)]
pub struct HangRecord {
    pub interval: Interval,
    pub reason: Option<String>,
}

/// A case's whole workflow record, written at once by [`CaseRecords::write_case_histories`] (a bulk
/// load, such as the sample's first start): the same rows the workflow's single steps write.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub flow: Flow,
    /// Stage runs in the order they started, each with its hang-ups; ids are given on writing.
    pub runs: Vec<(StageRun, Vec<HangRecord>)>,
    /// The audit trail, oldest first; sequence numbers are given on writing.
    pub audit: Vec<AuditEntry>,
}

/// One audit entry (`case_audit`), append-only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEntry {
    pub seq: i64,
    pub case_id: String,
    pub at: NaiveDateTime,
    /// Login.
    pub actor: String,
    /// Role key.
    pub role: String,
    /// Action key ([`super::ActionKind`]).
    pub action: String,
    pub from_status: Option<CaseStatus>,
    pub to_status: CaseStatus,
    pub note: Option<String>,
    /// The action's inputs (department, amounts, photo ids…).
    pub detail: Option<serde_json::Value>,
}

/// A photo's metadata (the bytes are fetched separately).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PhotoInfo {
    pub id: i64,
    pub phase: PhotoPhase,
    pub added_at: NaiveDateTime,
    pub added_by: Option<String>,
    pub name: Option<String>,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub size: usize,
}

/// The `cases` row fields the workflow needs.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseCore {
    pub id: String,
    pub kind: CaseKind,
    pub class_code: String,
    pub component: Option<String>,
    pub source: CaseSource,
    pub reported_at: NaiveDateTime,
    pub status: CaseStatus,
    pub description: Option<String>,
    pub location: [f64; 2],
    pub grid: Option<String>,
}

pub fn dt(s: Option<String>) -> Result<Option<NaiveDateTime>> {
    s.as_deref().map(parse_datetime).transpose()
}

pub fn fmt(t: &Option<NaiveDateTime>) -> Option<String> {
    t.as_ref().map(format_datetime)
}

pub const FLOW_COLS: &str = "case_id, street, community, duty_grid, inspector, department, area_class, condition,
    urgency, address, reporter, reporter_phone, created_by, supervised, rework_count, extension_count,
    hangup_count, return_count, duplicate_count, request_kind, request_by, request_at, request_reason,
    request_seconds, closed_at, updated_at, request_amount, request_unit";

pub const RUN_COLS: &str = "id, stage, round, department, started_at, limit_amount, limit_unit,
    extension_seconds, hung_seconds, deadline, ended_at, used_seconds, on_time, outcome, ended_by";

/// What this module keeps in the store: implemented by each backend (`griddesk-store-sqlite`).
pub trait CaseRecords {
    fn read_core(&self, id: &str) -> Result<Option<CaseCore>>;
    fn read_flow(&self, id: &str) -> Result<Option<Flow>>;
    /// Inserts or replaces a flow row.
    fn write_flow(&self, f: &Flow) -> Result<()>;
    /// Every stage run of a case, in order.
    fn runs(&self, id: &str) -> Result<Vec<StageRun>>;
    /// The running stage run of a case, if any.
    fn running(&self, id: &str) -> Result<Option<StageRun>>;
    /// How many runs of `stage` the case has had.
    fn rounds(&self, id: &str, stage: Stage) -> Result<u32>;
    /// Starts a stage run (its started fields, [`StageRun::started`]); returns its id.
    fn start_run(&self, case_id: &str, run: &StageRun) -> Result<i64>;
    /// Ends a stage run.
    fn end_run(
        &self,
        id: i64,
        at: NaiveDateTime,
        used_seconds: i64,
        on_time: bool,
        outcome: &str,
        by: &str,
    ) -> Result<()>;
    /// Updates the clock of a running stage run.
    fn set_run_clock(
        &self,
        id: i64,
        extension_seconds: i64,
        hung_seconds: i64,
        deadline: Option<NaiveDateTime>,
    ) -> Result<()>;
    /// The hang-ups of a stage run.
    fn hangs(&self, stage_id: i64) -> Result<Vec<Interval>>;
    fn start_hang(
        &self,
        case_id: &str,
        stage_id: i64,
        at: NaiveDateTime,
        reason: Option<&str>,
    ) -> Result<()>;
    fn end_hang(&self, stage_id: i64, at: NaiveDateTime) -> Result<()>;
    /// Sets a case's status in `cases`.
    fn set_status(&self, id: &str, status: CaseStatus) -> Result<()>;
    /// Appends an audit entry; returns its sequence number.
    #[allow(clippy::too_many_arguments)]
    fn append_audit(
        &self,
        case_id: &str,
        at: NaiveDateTime,
        actor: &str,
        role: &str,
        action: &str,
        from: Option<CaseStatus>,
        to: CaseStatus,
        note: Option<&str>,
        detail: Option<&serde_json::Value>,
    ) -> Result<i64>;
    /// The audit trail of a case, oldest first.
    fn audit(&self, id: &str) -> Result<Vec<AuditEntry>>;
    /// Writes whole histories at once (a bulk load): each case's runs (with their hang-ups),
    /// audit trail and flow row; ids and sequence numbers follow the slices' order, as if each
    /// row had been written by the workflow's single steps in that order.
    fn write_case_histories(&self, hs: &[History]) -> Result<()>;
    /// Stores photos; returns their ids.
    fn insert_photos(
        &self,
        case_id: &str,
        photos: &[Prepared],
        at: NaiveDateTime,
        by: &str,
    ) -> Result<Vec<i64>>;
    /// Photo metadata of a case.
    fn photos(&self, id: &str) -> Result<Vec<PhotoInfo>>;
}
