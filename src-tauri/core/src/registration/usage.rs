//! Check 6: which of this app's accounts use the Client ID, and whether their logins are well.

use super::report::{CheckId, CheckResult, Finding, Verdict};
use crate::login::accounts::{Account, AccountAuth, LoginState};
use crate::login::sessions::SessionWarning;

/// A refresh token this close to its end earns a warning (Yespo's live 30 days).
const REFRESH_SOON_SECS: u64 = 3 * 86_400;

/// Look through `accounts` for `client_id`; `now` in Unix seconds.
pub fn check_usage(client_id: &str, accounts: &[Account], warnings: &[SessionWarning], now: u64) -> CheckResult {
    let id = client_id.trim();
    if id.is_empty() {
        return CheckResult::skipped(CheckId::Usage, "No Client ID was given.");
    }
    let mut findings = Vec::new();
    let mut users = Vec::new();
    let mut fixes = Vec::new();
    for account in accounts {
        let AccountAuth::OAuth { client_id: theirs, .. } = &account.auth else { continue };
        if theirs.trim() != id {
            if theirs.trim().eq_ignore_ascii_case(id) {
                findings.push(Finding::new(
                    Verdict::Warn,
                    format!("\"{}\" has almost this Client ID: it differs in letter case.", account.name),
                ));
            }
            continue;
        }
        users.push(account.name.clone());
        let warning = warnings.iter().find(|w| w.account_id == account.id);
        let refresh_left = account.refresh_expires_at.map(|t| t.saturating_sub(now));
        let (verdict, state) = match account.state {
            LoginState::Connected if warning.is_some() => (
                Verdict::Warn,
                format!("logged in, but {}", warning.map(|w| w.error.message.as_str()).unwrap_or_default()),
            ),
            LoginState::Connected if refresh_left == Some(0) => {
                fixes.push(format!("log in again to \"{}\"", account.name));
                (Verdict::Warn, "its login has expired (the refresh token's 30 days are over)".to_string())
            }
            LoginState::Connected if refresh_left.is_some_and(|s| s < REFRESH_SOON_SECS) => (
                Verdict::Warn,
                format!(
                    "logged in; the login ends in {} h unless the app is used before then",
                    refresh_left.unwrap_or(0) / 3600
                ),
            ),
            LoginState::Connected => (Verdict::Pass, "logged in and healthy".to_string()),
            LoginState::NeedsLogin => {
                fixes.push(format!("log in again to \"{}\"", account.name));
                (Verdict::Warn, "Yespo no longer accepts its login: it needs to log in again".to_string())
            }
            LoginState::LoggedOut | LoginState::Unknown => (Verdict::Pass, "not logged in".to_string()),
        };
        findings.push(Finding::new(verdict, format!("\"{}\" uses it: {state}.", account.name)));
    }
    let summary = match users.len() {
        0 => "No account in this app uses this Client ID.".to_string(),
        1 => format!("Used by 1 account: {}.", users[0]),
        n => format!("Used by {n} accounts: {}.", users.join(", ")),
    };
    let fix = (!fixes.is_empty()).then(|| {
        let mut text = fixes.join("; ");
        text[..1].make_ascii_uppercase();
        format!("{text} (Accounts).")
    });
    let mut result = CheckResult::from_findings(CheckId::Usage, summary, fix, findings);
    result.verdict = result.verdict.max(Verdict::Pass);
    result
}
