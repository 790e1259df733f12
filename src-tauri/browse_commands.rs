//! Browse commands: thin wrappers over `yespo_core::browse`, on the active account's session.

use crate::commands::logged;
use crate::AppState;
use yespo_core::browse::account::{self, AccountOverview};
use yespo_core::browse::contacts::{self, ContactDetail, ContactPage, ContactQuery};
use yespo_core::yespo::YespoClient;
use yespo_core::{AppError, AppResult, ErrorCode};

/// The id and client of `account`, or of the active account.
async fn client_of(state: &AppState, account: Option<String>) -> AppResult<(String, YespoClient)> {
    let id = match account {
        Some(id) => id,
        None => yespo_core::login::accounts_view(&state.sessions)?.active.ok_or_else(|| {
            AppError::new(ErrorCode::AuthRequired, "No account is selected: add or choose one on Accounts")
        })?,
    };
    let client = state.sessions.client(&id).await?;
    Ok((id, client))
}

/// The Account panel: organisation, balance, subscription categories, fields, senders.
#[tauri::command]
pub async fn account_overview(
    state: tauri::State<'_, AppState>,
    account: Option<String>,
) -> AppResult<AccountOverview> {
    let (_, client) = logged("account_overview", client_of(&state, account).await)?;
    Ok(account::overview(&client).await)
}

/// Rows of the Contacts list `view` for `query` (cached 500-row pages of the active account).
#[tauri::command]
pub async fn contacts_rows(
    state: tauri::State<'_, AppState>,
    view: u64,
    query: ContactQuery,
    start: u64,
    count: usize,
) -> AppResult<ContactPage> {
    let (account, client) = logged("contacts_rows", client_of(&state, None).await)?;
    logged("contacts_rows", state.contacts.rows(&client, &account, view, &query, start, count).await)
}

/// Forgets the cached pages of `query` (the list's Refresh).
#[tauri::command]
pub fn contacts_refresh(state: tauri::State<'_, AppState>, query: ContactQuery) -> AppResult<()> {
    let account = yespo_core::login::accounts_view(&state.sessions)?.active.unwrap_or_default();
    state.contacts.refresh(&account, &query);
    Ok(())
}

/// One contact in full, for the detail pane.
#[tauri::command]
pub async fn contact_detail(state: tauri::State<'_, AppState>, id: i64) -> AppResult<ContactDetail> {
    let (_, client) = logged("contact_detail", client_of(&state, None).await)?;
    logged("contact_detail", contacts::detail(&client, id).await)
}
