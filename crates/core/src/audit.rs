//! The audit log: who changed what, when, in which role, with the value before and after
//! (docs/trust.md). Case actions, component edits, planning edits and sign-ins keep their own
//! append-only tables; every other change — imports, responsibility zones, people, settings,
//! the calendar, time limits, users — is one [`AuditEntry`]. The store seals every audit row
//! into a hash chain when it commits ("Tamper evidence"), and [`AuditCheck`] is what checking
//! that chain finds.

use crate::users::{Role, Session};
use serde::{Deserialize, Serialize};

/// Refuses an edit based on values someone else changed since they were read (docs/trust.md,
/// "Stale edits"): `seen` is what the form showed (`None`: the caller does not say, and the
/// edit is not checked), `now` what the store holds inside the edit's transaction. Values
/// are compared as the JSON both were shown as.
pub fn unchanged_since<T: Serialize + ?Sized>(
    thing: crate::message::Thing,
    key: &str,
    seen: Option<&T>,
    now: &T,
) -> crate::error::Result<()> {
    let Some(seen) = seen else {
        return Ok(());
    };
    let json = |v: &T| {
        serde_json::to_value(v)
            .map_err(|e| crate::error::Error::Internal(format!("{}: {e}", thing.key())))
    };
    if json(seen)? == json(now)? {
        Ok(())
    } else {
        Err(crate::error::Error::ChangedSince {
            thing,
            key: key.to_string(),
        })
    }
}

/// One change, as recorded: the acting user and role, the kind of change, what it was made to
/// (a grid code, a layer, a login, a file…), and the state before and after as JSON (`None`:
/// nothing there — a creation's before, a deletion's after).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "AuditLogEntry"))]
pub struct AuditEntry {
    /// Position in the log (0 until stored).
    pub seq: i64,
    /// Local time, `YYYY-MM-DD HH:MM:SS`.
    pub at: String,
    pub login: String,
    /// The role the user acted in; `None` for the engine itself (first-start seeding).
    pub role: Option<Role>,
    /// What kind of change: `import`, `zone.assign`, `calendar.edit`, `user.create`, … (the
    /// keys are listed in docs/trust.md).
    pub action: String,
    /// What it was made to.
    pub subject: String,
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub before: Option<serde_json::Value>,
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub after: Option<serde_json::Value>,
}

impl AuditEntry {
    /// An entry for `session` now.
    pub fn by(session: &Session, action: &str, subject: impl Into<String>) -> Self {
        Self {
            seq: 0,
            at: crate::dates::format_datetime(&chrono::Local::now().naive_local()),
            login: session.login.clone(),
            role: Some(session.role),
            action: action.to_string(),
            subject: subject.into(),
            before: None,
            after: None,
        }
    }

    /// An entry written by the engine itself (no user), e.g. first-start seeding.
    pub fn engine(action: &str, subject: impl Into<String>) -> Self {
        Self {
            seq: 0,
            at: crate::dates::format_datetime(&chrono::Local::now().naive_local()),
            login: "griddesk".into(),
            role: None,
            action: action.to_string(),
            subject: subject.into(),
            before: None,
            after: None,
        }
    }

    /// With the state before.
    pub fn before(mut self, v: impl Serialize) -> Self {
        self.before = serde_json::to_value(v).ok().filter(|v| !v.is_null());
        self
    }

    /// With the state after.
    pub fn after(mut self, v: impl Serialize) -> Self {
        self.after = serde_json::to_value(v).ok().filter(|v| !v.is_null());
        self
    }
}

/// Which audit rows to list (all fields optional; newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditQuery {
    pub login: Option<String>,
    /// Action key or its prefix before a dot (`zone` matches `zone.assign`).
    pub action: Option<String>,
    /// Substring of the subject.
    pub subject: Option<String>,
    /// At most this many (default 200, at most 10 000).
    pub limit: Option<u32>,
}

/// A place where the sealed audit no longer matches what was sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuditBreak {
    /// Rows `first..=last` of a table, sealed together by one commit, are no longer what was
    /// sealed: one of them was changed or deleted, or a row was slipped in among them.
    Changed {
        table: String,
        first: i64,
        last: i64,
    },
    /// A seal does not follow from the one before it (seals edited, removed or reordered).
    SealBroken { seal: i64 },
    /// A row no seal covers (written behind GridDesk's back).
    Unsealed { table: String, row: i64 },
}

impl std::fmt::Display for AuditBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditBreak::Changed { table, first, last } if first == last => {
                write!(f, "{table} row {first} was changed or deleted after it was sealed")
            }
            AuditBreak::Changed { table, first, last } => write!(
                f,
                "{table} rows {first}–{last} were changed, deleted or added to after they were sealed"
            ),
            AuditBreak::SealBroken { seal } => {
                write!(f, "seal {seal} does not follow from the seal before it")
            }
            AuditBreak::Unsealed { table, row } => {
                write!(f, "{table} row {row} was written without a seal")
            }
        }
    }
}

/// What checking the audit's hash chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditCheck {
    /// Seals checked.
    pub seals: i64,
    /// The last seal's hash (hex): write it down to notice a rewrite of the whole chain.
    pub head: String,
    /// Every break found, in chain order (at most 1 000 listed).
    pub breaks: Vec<AuditBreak>,
    /// Breaks found in all.
    pub total_breaks: i64,
}

impl AuditCheck {
    /// Whether the chain is whole.
    pub fn ok(&self) -> bool {
        self.total_breaks == 0
    }
}
