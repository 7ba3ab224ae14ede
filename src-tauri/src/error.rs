//! The one error shape the web view sees: a stable `code` to branch on, a `detail` (message
//! code and typed parameters) the UI says in the user's language, and the engine's English
//! `message` for logs and tooltips.

use griddesk::message::{Message, MessageCode, Reason};
use serde::Serialize;

/// Error categories that belong to the shell rather than the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShellErrorKind {
    /// The store is still opening, or failed to open; there is no engine to ask.
    NotReady,
    /// A window, menu or dialog operation failed.
    Window,
    /// A case-loop command needs a signed-in user and nobody is.
    NotSignedIn,
    /// The station's network service cannot listen where it was asked to.
    LanListen,
}

impl ShellErrorKind {
    /// The message a shell error of this kind shows.
    pub fn message_code(self) -> MessageCode {
        match self {
            ShellErrorKind::NotReady => MessageCode::NotReady,
            ShellErrorKind::Window => MessageCode::WindowFailed,
            ShellErrorKind::NotSignedIn => MessageCode::NotSignedIn,
            ShellErrorKind::LanListen => MessageCode::LanListenFailed,
        }
    }
}

/// `code` is an engine [`griddesk::ErrorKind`] or a [`ShellErrorKind`], both kebab-case strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ErrorCode {
    Engine(griddesk::ErrorKind),
    Shell(ShellErrorKind),
}

/// What a failed command returns to the UI.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorDto {
    /// The category to branch on.
    pub code: ErrorCode,
    /// The English sentence (logs, tooltips; never shown as the message in the Chinese UI).
    pub message: String,
    /// What went wrong, as a message code with typed parameters.
    pub detail: Message,
    /// For `topology-refused`: every problem the guard found, with its geometry as GeoJSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<griddesk::planning::GuardReport>,
}

impl ErrorDto {
    pub fn shell(kind: ShellErrorKind, message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::Shell(kind),
            message: message.into(),
            detail: Message::new(kind.message_code()),
            report: None,
        }
    }

    pub fn not_ready() -> Self {
        Self::shell(ShellErrorKind::NotReady, "no store is open")
    }
}

/// A bad argument from the UI, with its message.
pub(crate) fn invalid(reason: Reason) -> ErrorDto {
    griddesk::Error::Invalid(reason).into()
}

impl From<griddesk::Error> for ErrorDto {
    fn from(e: griddesk::Error) -> Self {
        let code = ErrorCode::Engine(e.kind());
        let message = e.to_string();
        let detail = e.message();
        let report = match e {
            griddesk::Error::TopologyRefused(report) => Some(*report),
            _ => None,
        };
        Self {
            code,
            message,
            detail,
            report,
        }
    }
}

impl From<tauri::Error> for ErrorDto {
    fn from(e: tauri::Error) -> Self {
        Self::shell(ShellErrorKind::Window, e.to_string())
    }
}

impl std::fmt::Display for ErrorDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Runs `f` on the blocking pool (engine work, native dialogs) and waits for it; a task that
/// could not finish is a window error.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ErrorDto> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| ErrorDto::shell(ShellErrorKind::Window, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_kebab_strings() {
        let engine = ErrorDto::from(griddesk::Error::StoreTooNew {
            path: "a.gdb".into(),
            found: 9,
            supported: 8,
        });
        let shell = ErrorDto::not_ready();
        let a = serde_json::to_value(&engine).unwrap_or_default();
        let b = serde_json::to_value(&shell).unwrap_or_default();
        assert_eq!(a["code"], "store-too-new");
        assert_eq!(a["detail"]["code"], "store-too-new");
        assert_eq!(a["detail"]["params"]["found"]["int"], 9);
        assert_eq!(b["code"], "not-ready");
        assert_eq!(b["message"], "no store is open");
        assert_eq!(b["detail"]["code"], "not-ready");
    }
}
