//! The counted indicators of SPEC §5.1–5.4 and, for one case and one period, which object
//! (grid, department, person) each case counts for. Tables and drill-downs both come from
//! [`contributions`], so a number and its list of cases cannot disagree.
//!
//! Definitions for a period P = [start, end) (all judged at `end`):
//! * 立案数: filed in P. 监督举报核实数: filed in P and a verified public report.
//! * 结案数: filed cases closed in P; 按期结案数: of those, handling on time (按期结案 = 按期处置,
//!   SPEC §4.6). A self-handled case (自行处置) that was never filed is not a filed case: it counts
//!   in no §5.1 figure of regions or departments (§5.1: 应结案数 is over filed cases), only in the
//!   positions' figures (the inspector's report, the shift leader's 结案).
//! * 超期未结案数: not closed and not cancelled by the end of P, the handling deadline in force
//!   falls in P and the handling is late at the end of P. 应结案数 = 结案数 + 超期未结案数.
//! * 处置数: handled (feedback) in P; 按期处置数: of those on time; 超期处置数 = the rest.
//!   超期未处置数: not handled nor cancelled by the end of P, deadline in P, late at the end.
//!   应处置数 = 处置数 + 超期未处置数.
//! * 返工数: handled in P with at least one failed check; 返工次数: their loops.
//! * 延期数 / 挂账数: due to handle in P with an extension / a hang-up.
//! * Departments count the cases of their department; regions the cases in their grids.
//! * 监督员: 上报数 (reported by them in P), 有效上报数 (of those, filed and never cancelled — a
//!   cancellation after P still voids the report: the evaluation reads today's state, §5.4),
//!   应核实数 / 按时核实数 (verification tasks they received in P / done on time), 应核查数 /
//!   按时核查数 (likewise for checks), 责任区立案数 (filed in P in the grids they patrol),
//!   漏报数 (of those, verified public reports).
//! * 受理员: 受理数 (accepted in P), 核实应派发数 / 核实按时派发数 (verification dispatches that
//!   started in P / on time), 核查应派发数 / 核查按时派发数.
//! * 值班长: 立案数 (filed by them in P), 按时立案数, 作废数 (of those, cancelled), 准确立案数
//!   (of those, not cancelled), 结案数 (closed by them in P), 按时结案数 (closing stage on time).
//! * 派遣员: 应派遣数 (dispatch tasks that started in P), 按时派遣数 (of those, on time),
//!   派遣数 (dispatched by them in P), 返工数 (of those, with rework), 准确派遣数 (without).

use super::input::{EvalCase, Period, Position, Stage};
use serde::Serialize;

macro_rules! indicators {
    ($($v:ident = ($key:expr, $zh:expr)),+ $(,)?) => {
        /// A counted indicator.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Indicator { $($v),+ }
        impl Indicator {
            pub const ALL: &'static [Indicator] = &[$(Indicator::$v),+];
            /// Stable key.
            pub fn key(self) -> &'static str { match self { $(Indicator::$v => $key),+ } }
            /// Chinese column header.
            pub fn zh(self) -> &'static str { match self { $(Indicator::$v => $zh),+ } }
            /// Parses a key.
            pub fn parse(s: &str) -> Option<Self> { Self::ALL.iter().copied().find(|i| i.key() == s.trim() || i.zh() == s.trim()) }
        }
    };
}

indicators!(
    Filed = ("filed", "立案数"),
    PublicVerified = ("public_verified", "监督举报核实数"),
    DueClose = ("due_close", "应结案数"),
    Closed = ("closed", "结案数"),
    ClosedOnTime = ("closed_on_time", "按期结案数"),
    OverdueOpen = ("overdue_open", "超期未结案数"),
    DueHandle = ("due_handle", "应处置数"),
    Handled = ("handled", "处置数"),
    HandledOnTime = ("handled_on_time", "按期处置数"),
    HandledLate = ("handled_late", "超期处置数"),
    OverdueUnhandled = ("overdue_unhandled", "超期未处置数"),
    Rework = ("rework", "返工数"),
    ReworkLoops = ("rework_loops", "返工次数"),
    Extended = ("extended", "延期数"),
    Hung = ("hung", "挂账数"),
    Reports = ("reports", "上报数"),
    ValidReports = ("valid_reports", "有效上报数"),
    DueVerify = ("due_verify", "应核实数"),
    VerifiedOnTime = ("verified_on_time", "按时核实数"),
    DueCheck = ("due_check", "应核查数"),
    CheckedOnTime = ("checked_on_time", "按时核查数"),
    AreaFiled = ("area_filed", "责任区立案数"),
    Missed = ("missed", "漏报数"),
    Accepted = ("accepted", "受理数"),
    DueVerifySend = ("due_verify_send", "核实应派发数"),
    VerifySentOnTime = ("verify_sent_on_time", "核实按时派发数"),
    DueCheckSend = ("due_check_send", "核查应派发数"),
    CheckSentOnTime = ("check_sent_on_time", "核查按时派发数"),
    FiledBy = ("filed_by", "立案数"),
    FiledOnTime = ("filed_on_time", "按时立案数"),
    CancelledAfterFiling = ("cancelled", "作废数"),
    AccurateFiling = ("accurate_filing", "准确立案数"),
    ClosedBy = ("closed_by", "结案数"),
    ClosedOnTimeBy = ("closed_on_time_by", "按时结案数"),
    DueDispatch = ("due_dispatch", "应派遣数"),
    DispatchedOnTime = ("dispatched_on_time", "按时派遣数"),
    Dispatched = ("dispatched", "派遣数"),
    DispatchRework = ("dispatch_rework", "返工数"),
    AccurateDispatch = ("accurate_dispatch", "准确派遣数"),
);

/// Number of indicators.
pub const N: usize = Indicator::ALL.len();

/// What a case counts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// The region of the case: its grid (or the district only, without a grid).
    Region(Option<u32>),
    Department(u32),
    Person(Position, u32),
}

/// Handling is judged with the case's hang-ups; other stages have no clock stops.
fn on_time(s: &Stage, c: &EvalCase) -> bool {
    let hangups = if std::ptr::eq(s, &c.handle) {
        &c.hangups[..]
    } else {
        &[]
    };
    s.on_time(hangups) == Some(true)
}

/// Calls `emit(object, indicator, amount)` for everything case `c` counts for in period `p`;
/// `grid_inspector` gives the inspector responsible for a grid.
pub fn contributions(
    c: &EvalCase,
    p: &Period,
    grid_inspector: &[Option<u32>],
    emit: &mut impl FnMut(Counted, Indicator, u32),
) {
    use Indicator as I;
    let end = p.end;
    let filed = p.contains(c.file.end);
    // §5.1 figures are over filed cases: a self-handled case never filed closes outside them.
    let closed_filed = p.contains(c.close.end) && c.file.end.is_some();
    let closed_any = p.contains(c.close.end);
    let closed_by_end = c.close.end.is_some_and(|e| e < end);
    let cancelled = c.cancelled_at.is_some_and(|e| e < end);
    let deadline_in = p.contains(c.handle.effective_deadline());
    let late_at_end = c.handle.late_at(end, &c.hangups);
    let overdue_open = !closed_by_end
        && !cancelled
        && deadline_in
        && late_at_end
        && c.file.end.is_some_and(|f| f < end);
    let handled = p.contains(c.handle.end);
    let handled_on_time = handled && on_time(&c.handle, c);
    let overdue_unhandled =
        c.handle.end.is_none_or(|e| e >= end) && !cancelled && deadline_in && late_at_end;
    let due_handle = handled || overdue_unhandled;

    // Regions and departments share §5.1: judge once, count for both.
    let mut base: [(Indicator, u32); 12] = [(I::Filed, 0); 12];
    let mut nb = 0;
    let mut e = |i, n| {
        base[nb] = (i, n);
        nb += 1;
    };
    if filed {
        e(I::Filed, 1);
        if c.public_verified {
            e(I::PublicVerified, 1);
        }
    }
    if closed_filed || overdue_open {
        e(I::DueClose, 1);
    }
    if closed_filed {
        e(I::Closed, 1);
        if handled_on_time || on_time(&c.handle, c) {
            e(I::ClosedOnTime, 1);
        }
    }
    if overdue_open {
        e(I::OverdueOpen, 1);
    }
    if due_handle {
        e(I::DueHandle, 1);
        if c.extensions > 0 {
            e(I::Extended, 1);
        }
        if c.hang_count > 0 || !c.hangups.is_empty() {
            e(I::Hung, 1);
        }
    }
    if handled {
        e(I::Handled, 1);
        e(
            if handled_on_time {
                I::HandledOnTime
            } else {
                I::HandledLate
            },
            1,
        );
        if c.reworks > 0 {
            e(I::Rework, 1);
            e(I::ReworkLoops, c.reworks);
        }
    }
    if overdue_unhandled {
        e(I::OverdueUnhandled, 1);
    }
    for &(i, n) in &base[..nb] {
        emit(Counted::Region(c.grid), i, n);
        if let Some(d) = c.department {
            emit(Counted::Department(d), i, n);
        }
    }

    // 监督员.
    if let Some(r) = c.reporter {
        if p.contains(Some(c.reported_at)) {
            let who = Counted::Person(Position::Inspector, r);
            emit(who, I::Reports, 1);
            if c.file.end.is_some() && c.cancelled_at.is_none() {
                emit(who, I::ValidReports, 1);
            }
        }
    }
    for (stage, due, ok) in [
        (&c.verify, I::DueVerify, I::VerifiedOnTime),
        (&c.check, I::DueCheck, I::CheckedOnTime),
    ] {
        if let Some(s) = stage {
            if let (Some(h), true) = (s.holder, p.contains(s.start)) {
                let who = Counted::Person(Position::Inspector, h);
                emit(who, due, 1);
                if on_time(s, c) && s.done_by(end) {
                    emit(who, ok, 1);
                }
            }
        }
    }
    if filed {
        if let Some(Some(ins)) = c.grid.and_then(|g| grid_inspector.get(g as usize)) {
            let who = Counted::Person(Position::Inspector, *ins);
            emit(who, I::AreaFiled, 1);
            if c.public_verified {
                emit(who, I::Missed, 1);
            }
        }
    }

    // 受理员.
    if let (Some(h), true) = (c.accept.holder, p.contains(c.accept.end)) {
        emit(Counted::Person(Position::Receptionist, h), I::Accepted, 1);
    }
    for (stage, due, ok) in [
        (&c.verify_send, I::DueVerifySend, I::VerifySentOnTime),
        (&c.check_send, I::DueCheckSend, I::CheckSentOnTime),
    ] {
        if let Some(s) = stage {
            if let (Some(h), true) = (s.holder, p.contains(s.start)) {
                let who = Counted::Person(Position::Receptionist, h);
                emit(who, due, 1);
                if on_time(s, c) && s.done_by(end) {
                    emit(who, ok, 1);
                }
            }
        }
    }

    // 值班长.
    if let (Some(h), true) = (c.file.holder, filed) {
        let who = Counted::Person(Position::ShiftLeader, h);
        emit(who, I::FiledBy, 1);
        if on_time(&c.file, c) {
            emit(who, I::FiledOnTime, 1);
        }
        emit(
            who,
            if cancelled {
                I::CancelledAfterFiling
            } else {
                I::AccurateFiling
            },
            1,
        );
    }
    if let (Some(h), true) = (c.close.holder, closed_any) {
        let who = Counted::Person(Position::ShiftLeader, h);
        emit(who, I::ClosedBy, 1);
        if on_time(&c.close, c) {
            emit(who, I::ClosedOnTimeBy, 1);
        }
    }

    // 派遣员.
    if let Some(h) = c.dispatch.holder {
        let who = Counted::Person(Position::Dispatcher, h);
        if p.contains(c.dispatch.start) {
            emit(who, I::DueDispatch, 1);
            if on_time(&c.dispatch, c) && c.dispatch.done_by(end) {
                emit(who, I::DispatchedOnTime, 1);
            }
        }
        if p.contains(c.dispatch.end) {
            emit(who, I::Dispatched, 1);
            emit(
                who,
                if c.reworks > 0 {
                    I::DispatchRework
                } else {
                    I::AccurateDispatch
                },
                1,
            );
        }
    }
}
