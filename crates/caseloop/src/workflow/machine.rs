//! The state machine of SPEC §4.4 as a pure function: which action is allowed to which role,
//! from which status, with which inputs, and where it leads. No store, no clock.

use super::photo::PhotoInput;
use crate::clock::TimeUnit;
use crate::message::{Message, MessageCode};
use crate::model::CaseStatus;
use crate::users::{Role, Session};
use serde::{Deserialize, Serialize};

pub use griddesk_core::flow::{ActionKind, Refusal, RequestKind};

/// A workflow action with its inputs, as the UI sends it (`{"action": "dispatch", …}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(optional_fields = nullable))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Accept {
        #[serde(default)]
        note: Option<String>,
    },
    Refuse {
        reason: String,
    },
    SendVerify {
        #[serde(default)]
        note: Option<String>,
    },
    ConfirmVerified {
        #[serde(default)]
        note: Option<String>,
    },
    VerifyNotFound {
        reason: String,
    },
    File {
        /// 立案条件 id; the class's first condition when absent.
        #[serde(default)]
        condition: Option<String>,
        #[serde(default)]
        note: Option<String>,
    },
    RequestCancel {
        reason: String,
    },
    ApproveCancel {
        #[serde(default)]
        note: Option<String>,
    },
    Cancel {
        reason: String,
    },
    Dispatch {
        /// Department code.
        department: String,
        #[serde(default)]
        note: Option<String>,
    },
    RequestReturn {
        reason: String,
    },
    ApproveReturn {
        #[serde(default)]
        note: Option<String>,
    },
    RequestExtension {
        amount: f64,
        unit: TimeUnit,
        reason: String,
    },
    ApproveExtension {
        /// Grant a different amount (in the requested unit) than asked for.
        #[serde(default)]
        amount: Option<f64>,
        #[serde(default)]
        note: Option<String>,
    },
    RequestHangUp {
        reason: String,
    },
    ApproveHangUp {
        #[serde(default)]
        note: Option<String>,
    },
    RejectRequest {
        reason: String,
    },
    Restore {
        #[serde(default)]
        note: Option<String>,
    },
    Feedback {
        #[serde(default)]
        note: Option<String>,
        /// After photos (处置后); at least one is required.
        #[serde(default)]
        photos: Vec<PhotoInput>,
    },
    CheckPass {
        #[serde(default)]
        note: Option<String>,
    },
    CheckFail {
        reason: String,
    },
    Close {
        #[serde(default)]
        note: Option<String>,
    },
    SelfHandle {
        #[serde(default)]
        note: Option<String>,
        /// After photos; at least one is required.
        #[serde(default)]
        photos: Vec<PhotoInput>,
    },
    Supervise {
        /// The instruction (批示 / 督办意见).
        note: String,
    },
}

impl Action {
    /// The kind of this action.
    pub fn kind(&self) -> ActionKind {
        use ActionKind as K;
        match self {
            Action::Accept { .. } => K::Accept,
            Action::Refuse { .. } => K::Refuse,
            Action::SendVerify { .. } => K::SendVerify,
            Action::ConfirmVerified { .. } => K::ConfirmVerified,
            Action::VerifyNotFound { .. } => K::VerifyNotFound,
            Action::File { .. } => K::File,
            Action::RequestCancel { .. } => K::RequestCancel,
            Action::ApproveCancel { .. } => K::ApproveCancel,
            Action::Cancel { .. } => K::Cancel,
            Action::Dispatch { .. } => K::Dispatch,
            Action::RequestReturn { .. } => K::RequestReturn,
            Action::ApproveReturn { .. } => K::ApproveReturn,
            Action::RequestExtension { .. } => K::RequestExtension,
            Action::ApproveExtension { .. } => K::ApproveExtension,
            Action::RequestHangUp { .. } => K::RequestHangUp,
            Action::ApproveHangUp { .. } => K::ApproveHangUp,
            Action::RejectRequest { .. } => K::RejectRequest,
            Action::Restore { .. } => K::Restore,
            Action::Feedback { .. } => K::Feedback,
            Action::CheckPass { .. } => K::CheckPass,
            Action::CheckFail { .. } => K::CheckFail,
            Action::Close { .. } => K::Close,
            Action::SelfHandle { .. } => K::SelfHandle,
            Action::Supervise { .. } => K::Supervise,
        }
    }

    /// The note or reason, for the audit.
    pub fn note(&self) -> Option<&str> {
        match self {
            Action::Refuse { reason }
            | Action::VerifyNotFound { reason }
            | Action::RequestCancel { reason }
            | Action::Cancel { reason }
            | Action::RequestReturn { reason }
            | Action::RequestExtension { reason, .. }
            | Action::RequestHangUp { reason }
            | Action::RejectRequest { reason }
            | Action::CheckFail { reason } => Some(reason.as_str()),
            Action::Supervise { note } => Some(note.as_str()),
            Action::Accept { note }
            | Action::SendVerify { note }
            | Action::ConfirmVerified { note }
            | Action::File { note, .. }
            | Action::ApproveCancel { note }
            | Action::Dispatch { note, .. }
            | Action::ApproveReturn { note }
            | Action::ApproveExtension { note, .. }
            | Action::ApproveHangUp { note }
            | Action::Restore { note }
            | Action::Feedback { note, .. }
            | Action::CheckPass { note }
            | Action::Close { note }
            | Action::SelfHandle { note, .. } => note.as_deref(),
        }
        .map(str::trim)
        .filter(|s| !s.is_empty())
    }

    /// The photos carried by the action.
    pub fn photos(&self) -> &[PhotoInput] {
        match self {
            Action::Feedback { photos, .. } | Action::SelfHandle { photos, .. } => photos,
            _ => &[],
        }
    }
}

/// What the machine needs to know about a case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseView {
    pub status: CaseStatus,
    /// The department the case is with (or routed to).
    pub department: Option<String>,
    /// A request waiting for approval.
    pub request: Option<RequestKind>,
}

/// The roles that may take an action.
pub fn roles_for(kind: ActionKind) -> &'static [Role] {
    use ActionKind as K;
    use Role::*;
    match kind {
        K::Report | K::DuplicateReport => &[Inspector, Receptionist, ShiftLeader, Leader],
        K::Import => &[Admin],
        K::Accept | K::Refuse | K::SendVerify => &[Receptionist],
        K::ConfirmVerified | K::VerifyNotFound | K::CheckPass | K::CheckFail | K::SelfHandle => {
            &[Inspector]
        }
        K::File | K::ApproveCancel | K::Cancel | K::Close => &[ShiftLeader],
        K::RequestCancel => &[Receptionist, Dispatcher],
        K::Dispatch | K::ApproveReturn | K::ApproveExtension | K::ApproveHangUp | K::Restore => {
            &[Dispatcher]
        }
        K::RejectRequest => &[Dispatcher, ShiftLeader],
        K::RequestReturn | K::RequestExtension | K::RequestHangUp | K::Feedback => &[Department],
        K::Supervise => &[Dispatcher, Leader],
    }
}

/// The statuses an action starts from.
pub fn statuses_for(kind: ActionKind) -> &'static [CaseStatus] {
    use ActionKind as K;
    use CaseStatus::*;
    match kind {
        K::Report | K::Import => &[],
        K::DuplicateReport => &[
            Reported,
            Accepted,
            Verifying,
            Filed,
            Handling,
            Hung,
            Checking,
            ToClose,
            SelfHandled,
        ],
        K::Accept | K::Refuse | K::SelfHandle => &[Reported],
        K::SendVerify | K::File => &[Accepted],
        K::ConfirmVerified | K::VerifyNotFound => &[Verifying],
        K::RequestCancel | K::ApproveCancel | K::Cancel => &[Accepted, Filed],
        K::Dispatch => &[Filed],
        K::RequestReturn
        | K::ApproveReturn
        | K::RequestExtension
        | K::ApproveExtension
        | K::RequestHangUp
        | K::ApproveHangUp
        | K::Feedback => &[Handling],
        K::RejectRequest => &[Accepted, Filed, Handling],
        K::Restore => &[Hung],
        K::CheckPass | K::CheckFail => &[Checking],
        K::Close => &[ToClose, SelfHandled],
        K::Supervise => &[
            Reported,
            Accepted,
            Verifying,
            Filed,
            Handling,
            Hung,
            Checking,
            ToClose,
            SelfHandled,
        ],
    }
}

/// The request an approval decides on.
fn request_decided(kind: ActionKind) -> Option<RequestKind> {
    match kind {
        ActionKind::ApproveCancel => Some(RequestKind::Cancel),
        ActionKind::ApproveReturn => Some(RequestKind::Return),
        ActionKind::ApproveExtension => Some(RequestKind::Extension),
        ActionKind::ApproveHangUp => Some(RequestKind::HangUp),
        _ => None,
    }
}

/// The request an action files.
pub fn request_made(kind: ActionKind) -> Option<RequestKind> {
    match kind {
        ActionKind::RequestCancel => Some(RequestKind::Cancel),
        ActionKind::RequestReturn => Some(RequestKind::Return),
        ActionKind::RequestExtension => Some(RequestKind::Extension),
        ActionKind::RequestHangUp => Some(RequestKind::HangUp),
        _ => None,
    }
}

/// The status an action leads to from `from` (before checking roles and inputs).
pub fn target(kind: ActionKind, from: CaseStatus) -> CaseStatus {
    use ActionKind as K;
    use CaseStatus::*;
    match kind {
        K::Accept | K::ConfirmVerified => Accepted,
        K::Refuse => NotAccepted,
        K::SendVerify => Verifying,
        K::VerifyNotFound | K::ApproveCancel | K::Cancel => Cancelled,
        K::File | K::ApproveReturn => Filed,
        K::Dispatch | K::Restore | K::CheckFail => Handling,
        K::ApproveHangUp => Hung,
        K::Feedback => Checking,
        K::CheckPass => ToClose,
        K::Close => Closed,
        K::SelfHandle => SelfHandled,
        K::Report | K::Import => Reported,
        K::DuplicateReport
        | K::RequestCancel
        | K::RequestReturn
        | K::RequestExtension
        | K::ApproveExtension
        | K::RequestHangUp
        | K::RejectRequest
        | K::Supervise => from,
    }
}

fn text_given(s: &str) -> bool {
    !s.trim().is_empty()
}

/// Checks an action against the rules and returns the status it leads to.
///
/// Order of checks: role, status, pending request, department binding, inputs. `after_photos`
/// counts after photos already attached in the running handling stage (the action's own photos
/// are counted here).
pub fn check(view: &CaseView, session: &Session, action: &Action) -> Result<CaseStatus, Refusal> {
    let kind = action.kind();
    let roles = roles_for(kind);
    if !roles.contains(&session.role) {
        return Err(Refusal::RoleNotAllowed {
            action: kind,
            role: session.role,
            allowed: roles.to_vec(),
        });
    }
    let from = statuses_for(kind);
    if !from.contains(&view.status) {
        return Err(Refusal::WrongStatus {
            action: kind,
            status: view.status,
            allowed: from.to_vec(),
        });
    }
    // Requests: one at a time; approvals need theirs; the department waits for the decision.
    if let Some(made) = request_made(kind) {
        let _ = made;
        if let Some(p) = view.request {
            return Err(Refusal::RequestPending {
                action: kind,
                pending: p,
            });
        }
    }
    if let Some(needed) = request_decided(kind) {
        if view.request != Some(needed) {
            return Err(Refusal::NoPendingRequest {
                action: kind,
                expected: vec![needed],
            });
        }
    }
    if kind == ActionKind::RejectRequest {
        let expected: &[RequestKind] = match session.role {
            Role::ShiftLeader => &[RequestKind::Cancel],
            _ => &[
                RequestKind::Extension,
                RequestKind::Return,
                RequestKind::HangUp,
            ],
        };
        if !view.request.is_some_and(|r| expected.contains(&r)) {
            return Err(Refusal::NoPendingRequest {
                action: kind,
                expected: expected.to_vec(),
            });
        }
    }
    if kind == ActionKind::Feedback {
        if let Some(p) = view.request {
            return Err(Refusal::RequestPending {
                action: kind,
                pending: p,
            });
        }
    }
    if session.role == Role::Department
        && (session.department.is_none() || session.department != view.department)
    {
        return Err(Refusal::NotYourDepartment {
            case_department: view.department.clone(),
            your_department: session.department.clone(),
        });
    }
    let missing = |field: &str| Refusal::MissingInput {
        action: kind,
        field: field.to_string(),
    };
    match action {
        Action::Refuse { reason }
        | Action::VerifyNotFound { reason }
        | Action::RequestCancel { reason }
        | Action::Cancel { reason }
        | Action::RequestReturn { reason }
        | Action::RequestHangUp { reason }
        | Action::RejectRequest { reason }
        | Action::CheckFail { reason }
            if !text_given(reason) =>
        {
            return Err(missing("reason"))
        }
        Action::Supervise { note } if !text_given(note) => return Err(missing("note")),
        Action::Dispatch { department, .. } if !text_given(department) => {
            return Err(missing("department"))
        }
        Action::RequestExtension { amount, reason, .. } => {
            if !text_given(reason) {
                return Err(missing("reason"));
            }
            if !amount.is_finite() || *amount <= 0.0 {
                return Err(Refusal::InvalidInput {
                    action: kind,
                    field: "amount".into(),
                    message: Message::new(MessageCode::MustBePositive)
                        .en("must be a positive number"),
                });
            }
        }
        Action::ApproveExtension {
            amount: Some(amount),
            ..
        } if !amount.is_finite() || *amount <= 0.0 => {
            return Err(Refusal::InvalidInput {
                action: kind,
                field: "amount".into(),
                message: Message::new(MessageCode::MustBePositive).en("must be a positive number"),
            })
        }
        Action::Feedback { photos, .. } | Action::SelfHandle { photos, .. }
            if !photos
                .iter()
                .any(|p| p.phase == super::photo::PhotoPhase::After) =>
        {
            return Err(missing("after_photo"))
        }
        _ => {}
    }
    Ok(target(kind, view.status))
}

/// The actions a session could take on a case now (inputs aside), for the UI's buttons.
pub fn available(view: &CaseView, session: &Session) -> Vec<ActionKind> {
    ActionKind::ALL
        .iter()
        .copied()
        .filter(|&k| {
            !matches!(
                k,
                ActionKind::Report | ActionKind::Import | ActionKind::DuplicateReport
            )
        })
        .filter(|&k| roles_for(k).contains(&session.role))
        .filter(|&k| statuses_for(k).contains(&view.status))
        .filter(|&k| match request_decided(k) {
            Some(r) => view.request == Some(r),
            None => true,
        })
        .filter(|&k| request_made(k).is_none() || view.request.is_none())
        .filter(|&k| k != ActionKind::Feedback || view.request.is_none())
        .filter(|&k| {
            k != ActionKind::RejectRequest
                || match session.role {
                    Role::ShiftLeader => view.request == Some(RequestKind::Cancel),
                    _ => view.request.is_some_and(|r| r != RequestKind::Cancel),
                }
        })
        .filter(|_| {
            session.role != Role::Department
                || (session.department.is_some() && session.department == view.department)
        })
        .collect()
}
