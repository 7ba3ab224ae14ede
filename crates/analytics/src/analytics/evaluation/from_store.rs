//! Builds an [`EvalInput`] from what the case loop recorded (`cases`, `case_flow`,
//! `case_stage`, `case_hang`, `app_user`/`user_role`, `department`) and the regions of the
//! index (street, community, unit grid, duty grid).
//!
//! Every stage comes from a stage run (`case_stage`): who ended it (`ended_by`), when it
//! started and ended, the bundle deadline in force and the on-time judgement the workflow made
//! on its working-time clock. Which run stands for which stage:
//!
//! * 受理 accept: the `accept` run ended by `accept` (a refused report was not accepted).
//! * 核实派发 verify send: the `file`-stage run a receptionist ended with `send_verify`.
//! * 核实 verify / 核查 check: the last `verify` / `check` run; its holder is who ended it, or,
//!   while it runs, the duty-grid inspector the task waits on.
//! * 立案 file: the run ended by `file`, else the running one (no holder yet).
//! * 派遣 dispatch: the last run ended by `dispatch`, else the running one.
//! * 处置 handle: the last `handle` run if it runs or ended with feedback (`feedback`, or
//!   `import` for imported history), with its department.
//! * 结案 close: the run ended by `close`; for an imported closed case without one, the
//!   closing time of its flow.
//! * 核查派发 check send: none — feedback starts the check directly in this workflow.
//!
//! The handling deadline is the run's bundle deadline (limit + approved extensions, finished
//! hang-ups excluded); only a still-open hang-up is passed as a clock stop. Rework (返工次数),
//! extension, hang-up and return counts are the flow's counters. A public report (hotline,
//! app, QR code, media) counts as 监督举报核实 once an inspector confirmed it (`confirm_verified`).
//! The reporter of a patrol case is its creator when that user is an inspector.

use super::input::{EvalInput, Period, Person, Position};
use crate::analytics::columns::ClassKey;
use crate::clock::{TimeLimit, WorkCalendar};
use crate::error::Result;
use crate::index::SpatialIndex;
use crate::model::{CaseSource, CaseStatus};
use chrono::NaiveDateTime;
use griddesk_core::dates::parse_datetime;
use std::collections::HashMap;

/// Staff by login and by name (duty grids name their inspector).
pub struct Staff {
    pub people: Vec<Person>,
    pub by_login: HashMap<String, u32>,
    pub by_name: HashMap<String, u32>,
}

impl Staff {
    pub fn find(&self, who: &str) -> Option<u32> {
        self.by_login
            .get(who)
            .or_else(|| self.by_name.get(who))
            .copied()
    }
}

pub fn position_of(role: &str) -> Option<Position> {
    match role {
        "inspector" => Some(Position::Inspector),
        "receptionist" => Some(Position::Receptionist),
        "shift_leader" => Some(Position::ShiftLeader),
        "dispatcher" => Some(Position::Dispatcher),
        _ => None,
    }
}

/// One `case_stage` row.
pub struct Run {
    pub id: i64,
    pub stage: String,
    pub department: Option<String>,
    pub start: NaiveDateTime,
    pub limit: Option<TimeLimit>,
    pub extension_seconds: i64,
    pub hung_seconds: i64,
    pub deadline: Option<NaiveDateTime>,
    pub end: Option<NaiveDateTime>,
    pub on_time: Option<bool>,
    pub outcome: Option<String>,
    pub ended_by: Option<String>,
}

/// The `cases` and `case_flow` fields one evaluation case needs.
pub struct Core {
    pub id: String,
    pub class: Option<ClassKey>,
    pub source: CaseSource,
    pub reported_at: NaiveDateTime,
    pub status: Option<CaseStatus>,
    pub grid: Option<String>,
    pub has_flow: bool,
    pub department: Option<String>,
    pub created_by: Option<String>,
    pub inspector: Option<String>,
    pub reworks: u32,
    pub extensions: u32,
    pub hangs: u32,
    pub returns: u32,
    pub closed_at: Option<NaiveDateTime>,
}

pub fn dt(s: Option<String>) -> Result<Option<NaiveDateTime>> {
    s.as_deref().map(parse_datetime).transpose()
}

/// Whether a source is a report by the public (监督举报).
pub fn is_public(s: CaseSource) -> bool {
    matches!(
        s,
        CaseSource::Hotline12319
            | CaseSource::Hotline12345
            | CaseSource::Public
            | CaseSource::QrCode
            | CaseSource::Media
    )
}

/// The last input built, with what it was built from.
#[derive(Debug)]
pub struct Cached {
    pub period: Period,
    pub generation: u64,
    pub audit_seq: i64,
    pub input: std::sync::Arc<EvalInput>,
}

/// What this module keeps in the store: implemented by each backend (`griddesk-store-sqlite`).
pub trait EvaluationStore {
    /// The last audit entry's sequence number (0 when there is none): a cached evaluation
    /// input is stale once it moves.
    fn audit_position(&self) -> Result<i64>;
    /// Users holding an evaluated role, each under their first such role (their counts in any
    /// other position are kept too), then the duty-grid inspectors without an account.
    fn staff(&self, index: &SpatialIndex) -> Result<Staff>;
    /// The evaluation input of `period` from the case-loop tables: every case reported before its
    /// end that had not left the loop before its start.
    fn input_from_store(
        &self,
        index: &SpatialIndex,
        cal: &WorkCalendar,
        period: &Period,
    ) -> Result<EvalInput>;
}
