//! The one error shape the web view sees: a stable `code` to branch on and a `message` to show.

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
    pub code: ErrorCode,
    pub message: String,
    /// For `topology-refused`: every problem the guard found, with its geometry as GeoJSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<griddesk::planning::GuardReport>,
}

impl ErrorDto {
    pub fn shell(kind: ShellErrorKind, message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::Shell(kind),
            message: message.into(),
            report: None,
        }
    }

    pub fn not_ready() -> Self {
        Self::shell(ShellErrorKind::NotReady, "no store is open")
    }
}

impl From<griddesk::Error> for ErrorDto {
    fn from(e: griddesk::Error) -> Self {
        let code = ErrorCode::Engine(e.kind());
        let message = e.to_string();
        let report = match e {
            griddesk::Error::TopologyRefused(report) => Some(*report),
            _ => None,
        };
        Self {
            code,
            message,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_kebab_strings() {
        let engine = ErrorDto {
            code: ErrorCode::Engine(griddesk::ErrorKind::StoreTooNew),
            message: "m".into(),
            report: None,
        };
        let shell = ErrorDto::not_ready();
        let a = serde_json::to_value(&engine).unwrap_or_default();
        let b = serde_json::to_value(&shell).unwrap_or_default();
        assert_eq!(a["code"], "store-too-new");
        assert_eq!(b["code"], "not-ready");
        assert_eq!(b["message"], "no store is open");
    }
}
