//! The case loop's vocabulary (§4.4): what can be done to a case, the requests that wait for
//! approval, and why a transition is refused. Data only: the state machine that decides is in
//! the case-loop crate.

use crate::message::{self, Message, MessageCode, Reason};
use crate::model::{keyed_enum, CaseStatus};
use crate::users::Role;
use serde::{Deserialize, Serialize};

keyed_enum!(
    /// A request by the department (or a cancellation request) waiting for approval.
    RequestKind {
        /// 延期 (dispatcher approves)
        Extension = ("extension", "延期申请"),
        /// 回退 (dispatcher approves)
        Return = ("return", "回退申请"),
        /// 挂账 / 缓办 (dispatcher approves)
        HangUp = ("hang_up", "挂账申请"),
        /// 作废 (shift leader approves)
        Cancel = ("cancel", "作废申请"),
    }
);

keyed_enum!(
    /// What can be done to a case (the audit's `action` column uses these keys).
    ActionKind {
        /// 上报: a new case (intake).
        Report = ("report", "上报"),
        /// A further report of an open case, linked as a duplicate (no new case).
        DuplicateReport = ("duplicate_report", "重复上报"),
        /// 历史导入: a historical case imported in bulk.
        Import = ("import", "历史导入"),
        Accept = ("accept", "受理"),
        Refuse = ("refuse", "不受理"),
        SendVerify = ("send_verify", "派发核实"),
        ConfirmVerified = ("confirm_verified", "核实属实"),
        VerifyNotFound = ("verify_not_found", "核实不属实"),
        File = ("file", "立案"),
        RequestCancel = ("request_cancel", "申请作废"),
        ApproveCancel = ("approve_cancel", "作废审批通过"),
        Cancel = ("cancel", "作废"),
        Dispatch = ("dispatch", "派遣"),
        RequestReturn = ("request_return", "申请回退"),
        ApproveReturn = ("approve_return", "回退审批通过"),
        RequestExtension = ("request_extension", "申请延期"),
        ApproveExtension = ("approve_extension", "延期审批通过"),
        RequestHangUp = ("request_hang_up", "申请挂账"),
        ApproveHangUp = ("approve_hang_up", "挂账审批通过"),
        RejectRequest = ("reject_request", "驳回申请"),
        Restore = ("restore", "挂账恢复"),
        Feedback = ("feedback", "处理反馈"),
        CheckPass = ("check_pass", "核查通过"),
        CheckFail = ("check_fail", "核查不通过(返工)"),
        Close = ("close", "结案"),
        SelfHandle = ("self_handle", "自行处置"),
        Supervise = ("supervise", "督办"),
    }
);

/// Why a transition was refused. The case is left unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    /// This role may not take this action.
    #[error("{} may not {}; allowed: {}", role.zh(), action.zh(), list(allowed.iter().map(|r| r.zh())))]
    RoleNotAllowed {
        action: ActionKind,
        role: Role,
        allowed: Vec<Role>,
    },
    /// The case is not in a status this action starts from.
    #[error("cannot {} a case that is {}; only from: {}", action.zh(), status.zh(), list(allowed.iter().map(|s| s.zh())))]
    WrongStatus {
        action: ActionKind,
        status: CaseStatus,
        allowed: Vec<CaseStatus>,
    },
    /// A required input is missing (`reason`, `department`, `after_photo`, …).
    #[error("{} needs `{field}`", action.zh())]
    MissingInput { action: ActionKind, field: String },
    /// An input is present but invalid.
    #[error("{}: `{field}` {message}", action.zh())]
    InvalidInput {
        action: ActionKind,
        field: String,
        message: Reason,
    },
    /// A 专业部门 user acting on another department's case.
    #[error("this case is with department {}, not {}", case_department.as_deref().unwrap_or("(none)"), your_department.as_deref().unwrap_or("(none)"))]
    NotYourDepartment {
        case_department: Option<String>,
        your_department: Option<String>,
    },
    /// The department named does not exist or is disabled.
    #[error("department `{code}` does not exist or is disabled")]
    UnknownDepartment { code: String },
    /// A request is already waiting for approval.
    #[error("{} is not possible while a {} is waiting for approval", action.zh(), pending.zh())]
    RequestPending {
        action: ActionKind,
        pending: RequestKind,
    },
    /// There is no request of this kind to decide on.
    #[error("{}: no {} is waiting", action.zh(), list(expected.iter().map(|k| k.zh())))]
    NoPendingRequest {
        action: ActionKind,
        expected: Vec<RequestKind>,
    },
    /// The acting user is unknown, disabled or does not hold the role.
    #[error("user `{login}` may not act as {}: {why}", role.zh())]
    NotAuthorised {
        login: String,
        role: Role,
        why: Reason,
    },
}

impl Refusal {
    /// The refusal as a message for the UI.
    pub fn message(&self) -> Message {
        use MessageCode as C;
        match self {
            Refusal::RoleNotAllowed {
                action,
                role,
                allowed,
            } => Message::new(C::RefusedRole)
                .term("action", *action)
                .term("role", *role)
                .terms("allowed", allowed.iter().copied()),
            Refusal::WrongStatus {
                action,
                status,
                allowed,
            } => Message::new(C::RefusedStatus)
                .term("action", *action)
                .term("status", *status)
                .terms("allowed", allowed.iter().copied()),
            Refusal::MissingInput { action, field } => Message::new(C::RefusedMissingInput)
                .term("action", *action)
                .with("field", message::field(field)),
            Refusal::InvalidInput {
                action,
                field,
                message,
            } => Message::new(C::RefusedInvalidInput)
                .term("action", *action)
                .with("field", message::field(field))
                .nested("reason", message.message.clone()),
            Refusal::NotYourDepartment {
                case_department,
                your_department,
            } => Message::new(C::RefusedNotYourDepartment)
                .text("case_department", case_department.as_deref().unwrap_or("—"))
                .text("your_department", your_department.as_deref().unwrap_or("—")),
            Refusal::UnknownDepartment { code } => {
                Message::new(C::RefusedUnknownDepartment).text("code", code)
            }
            Refusal::RequestPending { action, pending } => Message::new(C::RefusedRequestPending)
                .term("action", *action)
                .term("pending", *pending),
            Refusal::NoPendingRequest { action, expected } => {
                Message::new(C::RefusedNoPendingRequest)
                    .term("action", *action)
                    .terms("expected", expected.iter().copied())
            }
            Refusal::NotAuthorised { login, role, why } => Message::new(C::RefusedNotAuthorised)
                .text("login", login)
                .term("role", *role)
                .nested("reason", why.message.clone()),
        }
    }
}

#[doc(hidden)]
pub fn list<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.collect::<Vec<_>>().join("、")
}
