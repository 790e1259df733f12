//! "Forget everything": every account with its secrets in the keychain, the upload history and
//! the remembered mappings, the settings, and what was cached of any account. The logs stay (they
//! hold no secret, and they are how a support question gets answered); the preview says so.

use crate::browse::Browse;
use crate::error::AppResult;
use crate::login::Sessions;
use crate::settings::SettingsStore;
use crate::tokens::imports::Imports;
use serde::Serialize;
use ts_rs::TS;

/// What forgetting would remove, for the confirmation.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ForgetPreview {
    /// The accounts' names; their Client Secrets, API keys and tokens go from the keychain too.
    pub accounts: Vec<String>,
    /// Upload jobs in the history.
    pub uploads: usize,
    /// The files removed (those that exist now).
    pub files: Vec<String>,
    /// An upload is running: forgetting is refused until it is cancelled.
    pub upload_running: bool,
    /// What stays.
    pub logs_kept_in: String,
}

/// What would go.
pub fn preview(
    sessions: &Sessions,
    imports: &Imports,
    settings: &SettingsStore,
    log_dir: &str,
) -> AppResult<ForgetPreview> {
    let accounts = sessions.env().accounts.load()?.accounts.into_iter().map(|a| a.name).collect();
    let uploads = if imports.journal_path().exists() { imports.history()?.len() } else { 0 };
    let files = [sessions.env().accounts.path().to_path_buf(), settings.path().to_path_buf()]
        .into_iter()
        .chain(imports.files())
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    Ok(ForgetPreview {
        accounts,
        uploads,
        files,
        upload_running: imports.any_running(),
        logs_kept_in: log_dir.to_string(),
    })
}

/// Forget it all. Accounts go one by one (each with its secrets; a keychain that refuses stops
/// here with that account and those after it still there, and says so).
pub async fn forget_everything(
    sessions: &Sessions,
    imports: &Imports,
    settings: &SettingsStore,
    browse: &Browse,
) -> AppResult<()> {
    // First, so a running upload stops everything before anything is gone.
    imports.forget_all()?;
    for account in sessions.env().accounts.load()?.accounts {
        browse.forget_account(&account.id);
        sessions.remove(&account.id).await?;
    }
    match std::fs::remove_file(sessions.env().accounts.path()) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            tracing::warn!(error = %e, "the empty account list could not be removed")
        }
        _ => {}
    }
    settings.forget()?;
    tracing::info!("everything was forgotten: accounts, their secrets, the upload history, the settings");
    Ok(())
}
