//! Browse commands: thin wrappers over `yespo_core::browse`, on the active account's session.

use crate::commands::logged;
use crate::AppState;
use std::collections::HashMap;
use tauri::ipc::Channel;
use tauri::AppHandle;
use tauri_plugin_opener::OpenerExt;
use yespo_core::browse::account::{self, AccountOverview};
use yespo_core::browse::contacts::{self, ContactDetail, ContactPage, ContactSource};
use yespo_core::browse::email_preview::ImageFailure;
use yespo_core::browse::export::{ExportProgress, ExportSource};
use yespo_core::browse::messages::{
    EmailPreview, EmailWithImages, MessageKind, MessagePage, MessageRow, PushView, ReadBudget, SmsView,
};
use yespo_core::browse::segments::{SegmentList, SegmentQuery};
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

/// Rows of the contact list `view` for `source` (cached 500-row pages of the active account).
#[tauri::command]
pub async fn contacts_rows(
    state: tauri::State<'_, AppState>,
    view: u64,
    source: ContactSource,
    start: u64,
    count: usize,
) -> AppResult<ContactPage> {
    let (account, client) = logged("contacts_rows", client_of(&state, None).await)?;
    logged("contacts_rows", state.browse.contacts.rows(&client, &account, view, &source, start, count).await)
}

/// Forgets the cached pages of `source` (the list's Refresh).
#[tauri::command(async)]
pub fn contacts_refresh(state: tauri::State<'_, AppState>, source: ContactSource) -> AppResult<()> {
    state.browse.contacts.refresh(&active_id(&state)?, &source);
    Ok(())
}

fn active_id(state: &AppState) -> AppResult<String> {
    Ok(yespo_core::login::accounts_view(&state.sessions)?.active.unwrap_or_default())
}

/// One contact in full, for the detail pane.
#[tauri::command]
pub async fn contact_detail(state: tauri::State<'_, AppState>, id: i64) -> AppResult<ContactDetail> {
    let (_, client) = logged("contact_detail", client_of(&state, None).await)?;
    logged("contact_detail", contacts::detail(&client, id).await)
}

/// The active account's segments matching `query` (read once, then searched here).
#[tauri::command]
pub async fn segments_list(state: tauri::State<'_, AppState>, query: SegmentQuery) -> AppResult<SegmentList> {
    let (account, client) = logged("segments_list", client_of(&state, None).await)?;
    logged("segments_list", state.browse.segments.list(&client, &account, &query).await)
}

#[tauri::command(async)]
pub fn segments_refresh(state: tauri::State<'_, AppState>) -> AppResult<()> {
    state.browse.segments.refresh(&active_id(&state)?);
    Ok(())
}

/// Rows of the `kind` messages matching `search` (each page read once: reads are counted).
#[tauri::command]
pub async fn messages_rows(
    state: tauri::State<'_, AppState>,
    kind: MessageKind,
    search: String,
    start: u64,
    count: usize,
) -> AppResult<MessagePage> {
    let (account, client) = logged("messages_rows", client_of(&state, None).await)?;
    logged("messages_rows", state.browse.messages.rows(&client, &account, kind, &search, start, count).await)
}

/// Forgets the cached message searches, or one message (`id`), of the active account.
#[tauri::command(async)]
pub fn messages_refresh(state: tauri::State<'_, AppState>, id: Option<i64>) -> AppResult<()> {
    let account = active_id(&state)?;
    match id {
        Some(id) => state.browse.messages.refresh_message(&account, id),
        None => state.browse.messages.refresh(&account),
    }
    Ok(())
}

/// The active account's message reads in the last hour.
#[tauri::command(async)]
pub fn messages_budget(state: tauri::State<'_, AppState>) -> AppResult<ReadBudget> {
    Ok(state.browse.messages.budget(&active_id(&state)?))
}

/// Messages already read whose name matches `text` (the palette: typing spends no read).
#[tauri::command(async)]
pub fn messages_cached(state: tauri::State<'_, AppState>, text: String) -> AppResult<Vec<MessageRow>> {
    Ok(state.browse.messages.cached_matches(&active_id(&state)?, &text, 8))
}

/// An email template, sanitised in Rust, for the preview frame.
#[tauri::command]
pub async fn email_preview(
    state: tauri::State<'_, AppState>,
    id: i64,
    language: Option<String>,
) -> AppResult<EmailPreview> {
    let (account, client) = logged("email_preview", client_of(&state, None).await)?;
    logged("email_preview", state.browse.messages.email_preview(&client, &account, id, language.as_deref()).await)
}

/// The preview with its remote images fetched by the app and inlined ("Load images").
#[tauri::command]
pub async fn email_preview_images(
    state: tauri::State<'_, AppState>,
    id: i64,
    language: Option<String>,
) -> AppResult<EmailWithImages> {
    let (account, client) = logged("email_preview_images", client_of(&state, None).await)?;
    logged(
        "email_preview_images",
        state.browse.messages.email_with_images(&client, &account, id, language.as_deref()).await,
    )
}

/// Opens Yespo's hosted web version of an email in the system browser.
#[tauri::command]
pub async fn email_open_in_browser(app: AppHandle, state: tauri::State<'_, AppState>, id: i64) -> AppResult<()> {
    let (account, client) = logged("email_open_in_browser", client_of(&state, None).await)?;
    let link = logged("email_open_in_browser", state.browse.messages.email_view_link(&client, &account, id).await)?;
    if !(link.starts_with("https://") || link.starts_with("http://")) {
        return Err(AppError::validation("Yespo gave a view link that is not a web address"));
    }
    app.opener()
        .open_url(link, None::<&str>)
        .map_err(|e| AppError::internal("The browser could not be opened").with_details(e.to_string()))
}

#[tauri::command]
pub async fn sms_detail(state: tauri::State<'_, AppState>, id: i64) -> AppResult<SmsView> {
    let (account, client) = logged("sms_detail", client_of(&state, None).await)?;
    logged("sms_detail", state.browse.messages.sms(&client, &account, id).await)
}

#[tauri::command]
pub async fn push_detail(state: tauri::State<'_, AppState>, id: i64) -> AppResult<PushView> {
    let (account, client) = logged("push_detail", client_of(&state, None).await)?;
    logged("push_detail", state.browse.messages.push(&client, &account, id).await)
}

/// Images fetched by the app, as `data:` URIs (a push's image, on "Load images").
#[derive(serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LoadedImages {
    pub images: HashMap<String, String>,
    pub failures: Vec<ImageFailure>,
}

#[tauri::command]
pub async fn images_load(state: tauri::State<'_, AppState>, urls: Vec<String>) -> AppResult<LoadedImages> {
    let (images, failures) = state.browse.messages.images(&urls).await;
    Ok(LoadedImages { images, failures })
}

/// Exports a list to a CSV the user picks (native dialog): `None` when the dialog was cancelled.
#[tauri::command]
pub async fn list_export(
    app: AppHandle,
    state: tauri::State<'_, AppState>,
    export_id: u64,
    source: ExportSource,
    suggested_name: String,
    on_progress: Channel<ExportProgress>,
) -> AppResult<Option<ExportProgress>> {
    let (account, client) = logged("list_export", client_of(&state, None).await)?;
    let dialog = app.clone();
    let picked = tauri::async_runtime::spawn_blocking(move || {
        crate::dialogs::save_csv(&dialog, "Export to CSV", &suggested_name)
    })
    .await
    .map_err(|e| AppError::internal("The save dialog failed").with_details(e.to_string()))?;
    let Some(out) = picked else { return Ok(None) };
    let sink = |p: ExportProgress| {
        let _ = on_progress.send(p);
    };
    let done = state.browse.export(&client, &account, export_id, &source, &out, &sink).await;
    logged("list_export", done).map(Some)
}

#[tauri::command(async)]
pub fn list_export_cancel(state: tauri::State<'_, AppState>, export_id: u64) -> bool {
    state.browse.cancel_export(export_id)
}
