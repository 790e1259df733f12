//! Browse commands: thin wrappers over `yespo_core::browse`, on the active account's session.

use crate::commands::logged;
use crate::AppState;
use yespo_core::browse::account::{self, AccountOverview};
use yespo_core::yespo::YespoClient;
use yespo_core::{AppError, AppResult, ErrorCode};

/// The client of `account`, or of the active account.
async fn client_of(state: &AppState, account: Option<String>) -> AppResult<YespoClient> {
    let id = match account {
        Some(id) => id,
        None => yespo_core::login::accounts_view(&state.sessions)?.active.ok_or_else(|| {
            AppError::new(ErrorCode::AuthRequired, "No account is selected: add or choose one on Accounts")
        })?,
    };
    state.sessions.client(&id).await
}

/// The Account panel: organisation, balance, subscription categories, fields, senders.
#[tauri::command]
pub async fn account_overview(
    state: tauri::State<'_, AppState>,
    account: Option<String>,
) -> AppResult<AccountOverview> {
    let client = logged("account_overview", client_of(&state, account).await)?;
    Ok(account::overview(&client).await)
}
