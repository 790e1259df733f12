//! The one error type that crosses IPC.
//!
//! It serialises as `{"code": "...", "message": "...", "details": "..."}`; `details` is left out
//! when there is none. The `code` is a small closed set: only add a variant when the UI really
//! branches on it (GitButler's rule, see anchors.md A.3). Everything else is `internal`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of failure this is, as far as the UI cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Input was wrong; the message says which field and why.
    Validation,
    /// The network or the server failed (connect, timeout, 5xx).
    Network,
    /// No credentials at all: the user has to log in.
    AuthRequired,
    /// Credentials were there but no longer work: log in again.
    AuthExpired,
    /// Logged in, but the account or app lacks the right for this.
    Forbidden,
    /// Too many requests; try again later (`retryAfterSecs` says when, if known).
    RateLimited,
    /// The same write was sent twice within a minute; Yespo refused the repeat.
    DuplicateRequest,
    /// The OS keychain could not be reached or is locked.
    KeychainUnavailable,
    /// The thing asked for does not exist.
    NotFound,
    /// The user (or the app) cancelled the operation: nothing to show.
    Cancelled,
    /// A bug or an unexpected condition.
    Internal,
}

impl ErrorCode {
    /// The wire name, the same string serde writes.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Validation => "validation",
            ErrorCode::Network => "network",
            ErrorCode::AuthRequired => "auth_required",
            ErrorCode::AuthExpired => "auth_expired",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::DuplicateRequest => "duplicate_request",
            ErrorCode::KeychainUnavailable => "keychain_unavailable",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Internal => "internal",
        }
    }

    /// Every code, for tests and for the UI's list of known codes.
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::Validation,
        ErrorCode::Network,
        ErrorCode::AuthRequired,
        ErrorCode::AuthExpired,
        ErrorCode::Forbidden,
        ErrorCode::RateLimited,
        ErrorCode::DuplicateRequest,
        ErrorCode::KeychainUnavailable,
        ErrorCode::NotFound,
        ErrorCode::Cancelled,
        ErrorCode::Internal,
    ];
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error a person can read (`message`) and the UI can branch on (`code`).
///
/// `details` is for the "details" pane: technical text such as an HTTP body. It must never hold
/// a secret; values of [`crate::Secret`] cannot end up here by formatting, because they print as
/// `<redacted>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, ts_rs::TS)]
#[error("{code}: {message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// For `rate_limited`: seconds until a retry may work, when the server said.
    #[serde(default, rename = "retryAfterSecs", skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
    /// For `forbidden`: the Yespo right that would allow the call (what to tick in Yespo).
    #[serde(default, rename = "missingRight", skip_serializing_if = "Option::is_none")]
    pub missing_right: Option<String>,
}

/// Longest `details` kept; raw bodies can be large and the pane is for a glance.
pub const MAX_DETAILS_CHARS: usize = 4000;

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError { code, message: message.into(), details: None, retry_after_secs: None, missing_right: None }
    }

    /// Attaches technical details, cut to [`MAX_DETAILS_CHARS`] characters.
    pub fn with_details(mut self, details: impl Into<String>) -> Self {
        let details: String = details.into();
        self.details = Some(truncate_chars(&details, MAX_DETAILS_CHARS));
        self
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Validation, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn keychain_unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::KeychainUnavailable, message)
    }

    /// A call whose account session ended under it: logged out, removed, changed or logged in
    /// anew. Nothing it obtained is kept.
    pub fn session_ended() -> Self {
        Self::new(
            ErrorCode::AuthRequired,
            "This account was logged out, removed or changed while the request ran. Log in (or check the account) and try again.",
        )
    }
}

fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}… ({} more characters)", &text[..cut], text[cut..].chars().count()),
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serialises_as_code_message_and_optional_details() {
        let plain = AppError::validation("Client ID must not be empty");
        assert_eq!(
            serde_json::to_value(&plain).unwrap(),
            json!({"code": "validation", "message": "Client ID must not be empty"})
        );
        let detailed = AppError::new(ErrorCode::RateLimited, "Too many requests").with_details("HTTP 429");
        assert_eq!(
            serde_json::to_value(&detailed).unwrap(),
            json!({"code": "rate_limited", "message": "Too many requests", "details": "HTTP 429"})
        );
    }

    #[test]
    fn every_code_has_its_snake_case_wire_name() {
        let expected = [
            "validation",
            "network",
            "auth_required",
            "auth_expired",
            "forbidden",
            "rate_limited",
            "duplicate_request",
            "keychain_unavailable",
            "not_found",
            "cancelled",
            "internal",
        ];
        for (code, name) in ErrorCode::ALL.iter().zip(expected) {
            assert_eq!(serde_json::to_value(code).unwrap(), json!(name));
            assert_eq!(code.as_str(), name);
            let back: ErrorCode = serde_json::from_value(json!(name)).unwrap();
            assert_eq!(back, *code);
        }
    }

    #[test]
    fn round_trips_through_json() {
        let error = AppError::keychain_unavailable("locked").with_details("NoStorageAccess");
        let text = serde_json::to_string(&error).unwrap();
        let back: AppError = serde_json::from_str(&text).unwrap();
        assert_eq!(back, error);
    }

    #[test]
    fn unknown_codes_are_rejected_on_input() {
        let bad = serde_json::from_value::<AppError>(json!({"code": "teapot", "message": "x"}));
        assert!(bad.is_err());
    }

    #[test]
    fn long_details_are_truncated_on_a_char_boundary() {
        let long = "é".repeat(MAX_DETAILS_CHARS + 10);
        let error = AppError::internal("x").with_details(long);
        let details = error.details.unwrap();
        assert!(details.starts_with(&"é".repeat(MAX_DETAILS_CHARS)));
        assert!(details.ends_with("(10 more characters)"), "{details}");
    }

    #[test]
    fn display_names_the_code() {
        assert_eq!(AppError::not_found("No such contact").to_string(), "not_found: No such contact");
    }
}
