//! The closed-loop case workflow (SPEC §4.4): states, transitions, roles, stage clocks, audit.
//!
//! # States and transitions
//! ```text
//! REPORTED ─accept (受理员)──────────► ACCEPTED      REPORTED ─refuse (受理员)─► NOT_ACCEPTED
//! REPORTED ─self_handle (监督员, after photo)─► SELF_HANDLED ─close (值班长)─► CLOSED
//! ACCEPTED ─send_verify (受理员)─► VERIFYING ─confirm_verified (监督员)─► ACCEPTED
//!                                            └verify_not_found (监督员)─► CANCELLED
//! ACCEPTED ─file (值班长)─► FILED ─dispatch (派遣员, department)─► HANDLING
//! ACCEPTED | FILED ─cancel (值班长) or request_cancel (受理员/派遣员) + approve_cancel (值班长)─► CANCELLED
//! HANDLING ─request_return (部门) + approve_return (派遣员)─► FILED           (回退数 + 1)
//! HANDLING ─request_extension (部门) + approve_extension (派遣员)─► HANDLING  (deadline += granted)
//! HANDLING ─request_hang_up (部门) + approve_hang_up (派遣员)─► HUNG ─restore (派遣员)─► HANDLING
//! HANDLING ─feedback (部门, after photo)─► CHECKING ─check_pass (监督员)─► TO_CLOSE ─close (值班长)─► CLOSED
//! CHECKING ─check_fail (监督员)─► HANDLING                                     (返工次数 + 1)
//! any open state ─supervise (派遣员/领导, note)─► same state, 督办 flag set
//! ```
//! Requests wait for a decision (`reject_request` refuses one); a department cannot feed back
//! or ask again while one waits; any other change of status lets a waiting request lapse.
//! [`machine::check`] is the single place the rules live: every action names its roles, the
//! statuses it starts from and its required inputs; a refusal is a typed [`Refusal`] and leaves
//! the case, its stages and its audit untouched (the write happens after all checks, in one
//! transaction).
//!
//! # What is stored, for evaluation (SPEC §5)
//! * `cases.status` — the current state.
//! * `case_flow` — one row per case: place (street, community, duty grid, inspector), area
//!   class, department, filing condition, urgency, the 督办 flag, and the counters
//!   `rework_count` (返工次数; 返工数 = cases with `rework_count > 0`), `extension_count` (延期数),
//!   `hangup_count` (挂账数), `return_count` (回退数), `duplicate_count`, the waiting request,
//!   and `closed_at`.
//! * `case_stage` — one row per *run* of a stage (受理 accept, 核实 verify, 立案 file, 派遣
//!   dispatch, 处置 handle, 核查 check, 结案 close): `started_at`, the limit (`limit_amount`,
//!   `limit_unit`), `extension_seconds`, `hung_seconds`, the bundle `deadline` (SPEC §4.6:
//!   start + limit through the work calendar + approved extensions, hang-ups excluded),
//!   `ended_at`, `used_seconds`, **`on_time`** (`used ≤ limit + extensions`), `outcome` (the
//!   action that ended it), `ended_by`, and for 处置 runs the `department`. A rework or a return
//!   starts a new run with `round + 1`. So: 按期处置 = the last `handle` run has `on_time = 1`;
//!   按时核实/核查/立案/派遣 = the `verify`/`check`/`file`/`dispatch` runs' `on_time`;
//!   超时倍数 = `(used_seconds − limit) / limit`; 超期未结案 = a running run whose `deadline` is
//!   before the evaluation instant; 准确派遣 = `handle` runs whose department never changed.
//! * `case_hang` — hang-up intervals per run (挂账 time, excluded from the clock).
//! * `case_audit` — append-only (SQLite triggers refuse UPDATE and DELETE): who (login and
//!   role), when, action, from → to status, note, and the inputs as JSON.
//! * `case_photo` — before/after photos with thumbnails.

pub mod apply;
pub mod desk;
pub mod machine;
pub mod photo;
pub mod queue;
pub mod record;

pub use apply::{stage_of, Transitioned};
pub use desk::Desk;
pub use machine::{Action, ActionKind, CaseView, Refusal, RequestKind};
pub use photo::{PhotoInput, PhotoPhase};
pub use queue::{CaseDetail, CaseFilter, CasePage, CaseRow, QueueItem};
pub use record::{AuditEntry, Flow, PendingRequest, PhotoInfo, StageRun};

use crate::model::{CaseStatus, CaseSummary, Component};

/// A change to the engine's in-memory index that a case-loop write implies.
#[derive(Debug, Clone)]
pub enum IndexEdit {
    /// A new case (intake).
    Insert(CaseSummary),
    /// A status change of the case at this position.
    Status {
        pos: u32,
        id: Box<str>,
        status: CaseStatus,
    },
    /// A new or edited component.
    Component(Component),
}
