//! What a registration check finds: one [`CheckResult`] per check (a verdict, what was seen, the
//! fix in one sentence, details) and the [`Report`] that gathers them, with its Markdown, plain
//! text and JSON forms. Nothing here ever holds the client secret or a token.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A check's outcome, worst last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Not run (nothing to check, or it needs a step the user has not taken yet).
    Skipped,
    Pass,
    Warn,
    Fail,
}

impl Verdict {
    /// The word shown next to a check.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Skipped => "Not run",
            Verdict::Pass => "Pass",
            Verdict::Warn => "Warning",
            Verdict::Fail => "Fail",
        }
    }
}

/// Which check a result belongs to, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    CallbackUrl,
    Credentials,
    RoundTrip,
    Rights,
    Logo,
    Usage,
}

impl CheckId {
    pub const ALL: [CheckId; 6] = [
        CheckId::CallbackUrl,
        CheckId::Credentials,
        CheckId::RoundTrip,
        CheckId::Rights,
        CheckId::Logo,
        CheckId::Usage,
    ];

    /// The check's title.
    pub fn title(self) -> &'static str {
        match self {
            CheckId::CallbackUrl => "Callback URL",
            CheckId::Credentials => "Client ID and Client Secret",
            CheckId::RoundTrip => "Login round trip",
            CheckId::Rights => "Access rights",
            CheckId::Logo => "Authorization-form logo",
            CheckId::Usage => "Where this app is used",
        }
    }
}

/// One line of what a check saw, with its own verdict (the check's is the worst of them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Finding {
    pub verdict: Verdict,
    pub text: String,
}

impl Finding {
    pub fn new(verdict: Verdict, text: impl Into<String>) -> Finding {
        Finding { verdict, text: text.into() }
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    pub id: CheckId,
    pub title: String,
    pub verdict: Verdict,
    /// What was seen, in one sentence.
    pub summary: String,
    /// What to do about it, in one sentence (`None` when nothing needs doing).
    pub fix: Option<String>,
    /// Every line the check saw.
    pub findings: Vec<Finding>,
    /// A value the user may want to copy (the exact Callback URL to register).
    pub copy: Option<String>,
    /// Data of this check for the screen (the rights matrix, the logo's preview...).
    pub data: Option<CheckData>,
}

impl CheckResult {
    /// A result whose verdict is the worst of `findings` (`Skipped` for none).
    pub fn from_findings(id: CheckId, summary: impl Into<String>, fix: Option<String>, findings: Vec<Finding>) -> Self {
        let verdict = findings.iter().map(|f| f.verdict).max().unwrap_or(Verdict::Skipped);
        CheckResult {
            id,
            title: id.title().to_string(),
            verdict,
            summary: summary.into(),
            fix,
            findings,
            copy: None,
            data: None,
        }
    }

    /// A check that did not run, and why.
    pub fn skipped(id: CheckId, why: impl Into<String>) -> Self {
        CheckResult {
            id,
            title: id.title().to_string(),
            verdict: Verdict::Skipped,
            summary: why.into(),
            fix: None,
            findings: Vec::new(),
            copy: None,
            data: None,
        }
    }

    pub fn with_copy(mut self, copy: impl Into<String>) -> Self {
        self.copy = Some(copy.into());
        self
    }

    pub fn with_data(mut self, data: CheckData) -> Self {
        self.data = Some(data);
        self
    }
}

/// What some checks carry besides their findings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CheckData {
    Rights(super::rights::RightsMatrix),
    Logo(super::logo::LogoFacts),
    RoundTrip(super::round_trip::RoundTripFacts),
}
