//! Account, login and session commands: thin wrappers over `yespo_core::login`. The state they
//! use (the sessions registry, the login in progress) lives in the core, held in `AppState`.

use crate::commands::logged;
use crate::AppState;
use serde::Serialize;
use std::sync::atomic::Ordering;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager};
use tauri_plugin_opener::OpenerExt;
use yespo_core::login::{self, Account, AccountEdit, AccountsView, LoginStarted, NewAccount, SessionsStatus};
use yespo_core::{AppError, AppResult};

/// A login started (or reused), and whether a browser page was opened for it now.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginStartedView {
    #[serde(flatten)]
    pub login: LoginStarted,
    pub browser_opened: bool,
}

#[tauri::command(async)]
pub fn accounts_list(state: tauri::State<'_, AppState>) -> AppResult<AccountsView> {
    logged("accounts_list", login::accounts_view(&state.sessions))
}

#[tauri::command]
pub async fn account_add(state: tauri::State<'_, AppState>, input: NewAccount) -> AppResult<Account> {
    logged("account_add", login::add_account(&state.sessions, &input).await)
}

#[tauri::command]
pub async fn account_edit(state: tauri::State<'_, AppState>, id: String, edit: AccountEdit) -> AppResult<Account> {
    state.browse.forget_account(&id);
    logged("account_edit", login::edit_account(&state.sessions, &id, &edit).await)
}

#[tauri::command(async)]
pub fn account_select(state: tauri::State<'_, AppState>, id: String) -> AppResult<()> {
    logged("account_select", login::select_account(state.sessions.env(), &id))
}

#[tauri::command]
pub async fn account_logout(state: tauri::State<'_, AppState>, id: String) -> AppResult<Account> {
    // What was read with the old login is not shown to the next one.
    state.browse.forget_account(&id);
    logged("account_logout", state.sessions.log_out(&id).await)
}

#[tauri::command]
pub async fn account_remove(state: tauri::State<'_, AppState>, id: String) -> AppResult<()> {
    state.browse.forget_account(&id);
    logged("account_remove", state.sessions.remove(&id).await)
}

/// Check the account's credentials against Yespo now (`v2/version`, `account/info`).
#[tauri::command]
pub async fn account_verify(state: tauri::State<'_, AppState>, id: String) -> AppResult<Account> {
    logged("account_verify", state.sessions.verify(&id).await)
}

/// Start a login (or reuse the one already waiting for this account) and open the system
/// browser for a new one. The URL is returned too: the UI shows it (copy, open again).
#[tauri::command]
pub async fn login_start(app: AppHandle, state: tauri::State<'_, AppState>, id: String) -> AppResult<LoginStartedView> {
    let login = logged("login_start", state.logins.start(&id).await)?;
    let browser_opened = !login.reused && open_in_browser(&app, &login.authorize_url);
    Ok(LoginStartedView { login, browser_opened })
}

/// The login waiting for the browser, if any (after the window was reloaded).
#[tauri::command]
pub async fn login_status(state: tauri::State<'_, AppState>) -> AppResult<Option<LoginStarted>> {
    Ok(state.logins.in_progress().await)
}

/// Wait for the login `login_id` (at most 5 minutes); the window comes to the front after it.
#[tauri::command]
pub async fn login_wait(
    app: AppHandle,
    state: tauri::State<'_, AppState>,
    login_id: Option<u64>,
) -> AppResult<Account> {
    let account = logged("login_wait", state.logins.wait(login_id).await)?;
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
    Ok(account)
}

/// Open the login page in the system browser again (the user closed the tab, or it never opened).
#[tauri::command]
pub async fn login_reopen(app: AppHandle, state: tauri::State<'_, AppState>) -> AppResult<()> {
    let url = logged("login_reopen", state.logins.authorize_url().await)?;
    app.opener().open_url(url, None::<&str>).map_err(|e| {
        AppError::internal("The browser could not be opened; copy the link instead").with_details(e.to_string())
    })
}

/// Stop waiting for the browser; returns once the port is free.
#[tauri::command]
pub async fn login_cancel(state: tauri::State<'_, AppState>) -> AppResult<()> {
    state.logins.cancel().await;
    Ok(())
}

/// Follow the sessions' status (warnings, background changes to accounts): the current one at
/// once, then every change. Only the newest watcher is fed: a reloaded window watches anew.
#[tauri::command(async)]
pub fn sessions_watch(state: tauri::State<'_, AppState>, on_change: Channel<SessionsStatus>) {
    let mut status = state.sessions.status();
    let generation = state.status_watchers.fetch_add(1, Ordering::SeqCst) + 1;
    let watchers = state.status_watchers.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            let current = status.borrow_and_update().clone();
            if watchers.load(Ordering::SeqCst) != generation || on_change.send(current).is_err() {
                return;
            }
            if status.changed().await.is_err() {
                return;
            }
        }
    });
}

fn open_in_browser(app: &AppHandle, url: &str) -> bool {
    match app.opener().open_url(url, None::<&str>) {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(%error, "the system browser could not be opened; the user can copy the link");
            false
        }
    }
}
