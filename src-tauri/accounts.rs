//! Account and login commands: thin wrappers over `yespo_core::login`.

use crate::AppState;
use serde::Serialize;
use tauri::{AppHandle, Manager};
use tauri_plugin_opener::OpenerExt;
use tokio_util::sync::CancellationToken;
use yespo_core::login::{self, Account, NewAccount};
use yespo_core::{AppError, AppResult, ErrorCode};

/// The account list as the UI sees it: no secret is ever in it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountsView {
    pub accounts: Vec<Account>,
    pub active: Option<String>,
}

/// A login started: where the browser should go, and whether it could be opened for the user.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginStarted {
    pub authorize_url: String,
    pub browser_opened: bool,
}

fn logged<T>(command: &str, result: AppResult<T>) -> AppResult<T> {
    if let Err(error) = &result {
        tracing::warn!(command, code = %error.code, message = %error.message, "command failed");
    }
    result
}

#[tauri::command]
pub fn accounts_list(state: tauri::State<'_, AppState>) -> AppResult<AccountsView> {
    let file = logged("accounts_list", state.login.accounts.load())?;
    Ok(AccountsView { accounts: file.accounts, active: file.active })
}

#[tauri::command]
pub async fn account_add(state: tauri::State<'_, AppState>, input: NewAccount) -> AppResult<Account> {
    logged("account_add", login::add_account(&state.login, &input).await)
}

#[tauri::command]
pub fn account_select(state: tauri::State<'_, AppState>, id: String) -> AppResult<()> {
    logged("account_select", login::select_account(&state.login, &id))
}

#[tauri::command]
pub async fn account_logout(state: tauri::State<'_, AppState>, id: String) -> AppResult<Account> {
    logged("account_logout", login::log_out(&state.login, &id).await)
}

#[tauri::command]
pub async fn account_remove(state: tauri::State<'_, AppState>, id: String) -> AppResult<()> {
    logged("account_remove", login::remove_account(&state.login, &id).await)
}

/// Check the account's credentials against Yespo now (`v2/version`, `account/info`).
#[tauri::command]
pub async fn account_verify(state: tauri::State<'_, AppState>, id: String) -> AppResult<Account> {
    let account = logged("account_verify", state.login.accounts.get(&id))?;
    logged("account_verify", login::verify_connection(&state.login, &account).await)
}

/// Bind the listener, then open the system browser at the authorize URL. The URL is returned
/// too: the UI always shows it (copy, open again), in case the browser did not open.
#[tauri::command]
pub async fn login_start(app: AppHandle, state: tauri::State<'_, AppState>, id: String) -> AppResult<LoginStarted> {
    let account = logged("login_start", state.login.accounts.get(&id))?;
    // One login at a time: a new one cancels the previous (and frees its port).
    if let Some(previous) = state.login_cancel.lock().await.take() {
        previous.cancel();
    }
    *state.pending_login.lock().await = None;
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let pending = logged("login_start", login::begin_login(&account).await)?;
    let url = pending.authorize_url.clone();
    *state.pending_login.lock().await = Some(pending);
    *state.login_url.lock().await = Some(url.clone());
    *state.login_cancel.lock().await = Some(CancellationToken::new());
    let browser_opened = match app.opener().open_url(url.clone(), None::<&str>) {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(%error, "the system browser could not be opened; the user can copy the link");
            false
        }
    };
    Ok(LoginStarted { authorize_url: url, browser_opened })
}

/// Wait for the login started by `login_start` to finish (at most 5 minutes).
#[tauri::command]
pub async fn login_wait(app: AppHandle, state: tauri::State<'_, AppState>) -> AppResult<Account> {
    let pending =
        state.pending_login.lock().await.take().ok_or_else(|| AppError::validation("No login is in progress"))?;
    let cancel = state.login_cancel.lock().await.clone().unwrap_or_default();
    let result = pending.finish(&state.login, login::LOGIN_TIMEOUT, &cancel).await;
    if result.is_ok() {
        if let Some(window) = app.get_webview_window("main") {
            let _ = window.unminimize();
            let _ = window.set_focus();
        }
    }
    match &result {
        Err(e) if e.code == ErrorCode::Cancelled => result,
        _ => logged("login_wait", result),
    }
}

/// Open the login page in the system browser again (the user closed the tab, or it never opened).
#[tauri::command]
pub async fn login_reopen(app: AppHandle, state: tauri::State<'_, AppState>) -> AppResult<()> {
    let url = state.login_url.lock().await.clone().ok_or_else(|| AppError::validation("No login is in progress"))?;
    app.opener().open_url(url, None::<&str>).map_err(|e| {
        AppError::internal("The browser could not be opened; copy the link instead").with_details(e.to_string())
    })
}

/// Stop waiting for the browser and free the port.
#[tauri::command]
pub async fn login_cancel(state: tauri::State<'_, AppState>) -> AppResult<()> {
    if let Some(token) = state.login_cancel.lock().await.take() {
        token.cancel();
    }
    *state.pending_login.lock().await = None;
    Ok(())
}
