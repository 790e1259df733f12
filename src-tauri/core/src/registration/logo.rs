//! Check 5: the logo for Yespo's authorization form. (Placeholder: being written.)

use super::report::{CheckId, CheckResult};
use serde::{Deserialize, Serialize};
use std::path::Path;
use ts_rs::TS;

/// What was learnt about the logo file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogoFacts {
    pub file_name: String,
    pub bytes: u64,
    pub format: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// `data:image/png;base64,...`: the logo as Yespo's form shows it (96×96).
    pub preview: Option<String>,
}

/// Check the logo file at `path`.
pub fn check_logo(path: &Path) -> CheckResult {
    CheckResult::skipped(CheckId::Logo, format!("{} was not checked", path.display()))
}
