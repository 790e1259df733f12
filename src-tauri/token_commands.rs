//! Token import commands: thin wrappers over `yespo_core::tokens::imports::Imports`, which owns
//! the open files and the uploads. Blocking work goes to a blocking thread; dialogs are native.

use crate::commands::logged;
use crate::{dialogs, AppState};
use serde::Serialize;
use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::AppHandle;
use tauri_plugin_opener::OpenerExt;
use yespo_core::tokens::imports::{self, CheckView, ChoicesInput, FileView, JobView, RowsPage, Targets, UploadEvent};
use yespo_core::tokens::upload::{DryRun, UploadOptions};
use yespo_core::tokens::{ImportSettings, Progress, ReadOptions, RowFilter};
use yespo_core::yespo::YespoClient;
use yespo_core::{AppError, AppResult};

/// A file written where the user chose: where, and how many rows.
#[derive(Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Written {
    pub path: String,
    pub rows: u64,
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> AppResult<T> + Send + 'static) -> AppResult<T> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| Err(AppError::internal("The work stopped unexpectedly").with_details(e.to_string())))
}

/// The active account's client, if one is logged in.
async fn active_client(state: &AppState) -> Option<YespoClient> {
    let active = yespo_core::login::accounts_view(&state.sessions).ok()?.active?;
    state.sessions.client(&active).await.ok()
}

/// Every target a column can be mapped to.
#[tauri::command(async)]
pub fn token_targets() -> Targets {
    imports::targets()
}

/// The native open dialog; the paths the user picked (each is then opened like a dropped file).
#[tauri::command]
pub async fn token_files_pick(app: AppHandle) -> AppResult<Vec<String>> {
    let paths = blocking(move || Ok(dialogs::pick_token_files(&app))).await?;
    Ok(paths.into_iter().map(|p| p.display().to_string()).collect())
}

/// Opens a file (dropped, picked, or from a test): format, encoding, columns, first rows.
#[tauri::command]
pub async fn token_file_open(
    state: tauri::State<'_, AppState>,
    path: String,
    read_options: Option<ReadOptions>,
) -> AppResult<FileView> {
    let fields = match active_client(&state).await {
        Some(client) => imports::account_fields(&client).await,
        None => None,
    };
    let imports = state.imports.clone();
    let opened = blocking(move || imports.open(&PathBuf::from(path), read_options.unwrap_or_default(), fields)).await;
    logged("token_file_open", opened)
}

/// Reads an open file again with another format, encoding or delimiter.
#[tauri::command]
pub async fn token_file_reread(
    state: tauri::State<'_, AppState>,
    id: u64,
    read_options: ReadOptions,
) -> AppResult<FileView> {
    let imports = state.imports.clone();
    logged("token_file_reread", blocking(move || imports.reread(id, read_options)).await)
}

/// Changes the mapping or the dedupe key (and remembers the mapping, if asked).
#[tauri::command]
pub async fn token_file_choose(
    state: tauri::State<'_, AppState>,
    id: u64,
    choices: ChoicesInput,
) -> AppResult<FileView> {
    let imports = state.imports.clone();
    logged("token_file_choose", blocking(move || imports.choose(id, choices)).await)
}

/// Checks every row; progress goes to `on_progress` (at most 10 a second).
#[tauri::command]
pub async fn token_file_check(
    state: tauri::State<'_, AppState>,
    id: u64,
    on_progress: Channel<Progress>,
) -> AppResult<CheckView> {
    let imports = state.imports.clone();
    let checked = blocking(move || {
        imports.check(id, &mut |p| {
            let _ = on_progress.send(p);
        })
    })
    .await;
    logged("token_file_check", checked)
}

#[tauri::command(async)]
pub fn token_file_cancel_check(state: tauri::State<'_, AppState>, id: u64) -> AppResult<()> {
    state.imports.cancel_check(id)
}

/// Rows of the review table, by position among those matching `filter`.
#[tauri::command]
pub async fn token_file_rows(
    state: tauri::State<'_, AppState>,
    id: u64,
    filter: RowFilter,
    start: u64,
    count: usize,
) -> AppResult<RowsPage> {
    let imports = state.imports.clone();
    logged("token_file_rows", blocking(move || imports.rows(id, filter, start, count)).await)
}

/// Asks where, then writes the problem rows there as CSV; `None` if the user cancelled.
#[tauri::command]
pub async fn token_file_export_problems(
    app: AppHandle,
    state: tauri::State<'_, AppState>,
    id: u64,
    with_warnings: bool,
) -> AppResult<Option<Written>> {
    let imports = state.imports.clone();
    let result = blocking(move || {
        let suggested = imports.problems_file_name(id)?;
        let Some(out) = dialogs::save_csv(&app, "Export problem rows", &suggested) else { return Ok(None) };
        let rows = imports.export_problems(id, &out, with_warnings)?;
        Ok(Some(Written { path: out.display().to_string(), rows }))
    })
    .await;
    logged("token_file_export_problems", result)
}

#[tauri::command(async)]
pub fn token_file_close(state: tauri::State<'_, AppState>, id: u64) {
    state.imports.close(id);
}

/// What an upload of the file to `account` would do, with the account's rights checked.
#[tauri::command]
pub async fn token_dry_run(
    state: tauri::State<'_, AppState>,
    id: u64,
    settings: Option<ImportSettings>,
    account: Option<String>,
) -> AppResult<DryRun> {
    let client = match account {
        Some(account) => Some(state.sessions.client(&account).await?),
        None => None,
    };
    logged("token_dry_run", state.imports.dry_run(id, settings, client.as_ref()).await)
}

/// Starts uploading the checked file to `account`; returns the job's number.
#[tauri::command]
pub async fn token_upload_start(
    state: tauri::State<'_, AppState>,
    id: u64,
    settings: Option<ImportSettings>,
    account: String,
) -> AppResult<i64> {
    let client = logged("token_upload_start", state.sessions.client(&account).await)?;
    let started = state.imports.start_upload(id, settings, &account, client, upload_options(&state)).await;
    logged("token_upload_start", started)
}

/// Follows an upload of this app: its last event at once, then every one. `false` when the job
/// is not running here.
#[tauri::command(async)]
pub fn token_upload_watch(state: tauri::State<'_, AppState>, job: i64, on_event: Channel<UploadEvent>) -> bool {
    state.imports.watch(
        job,
        std::sync::Arc::new(move |event| {
            let _ = on_event.send(event);
        }),
    )
}

#[tauri::command(async)]
pub fn token_upload_cancel(state: tauri::State<'_, AppState>, job: i64) -> AppResult<()> {
    logged("token_upload_cancel", state.imports.cancel(job))
}

/// Resumes an unfinished job with the account it was started with.
#[tauri::command]
pub async fn token_upload_resume(state: tauri::State<'_, AppState>, job: i64) -> AppResult<()> {
    let account = state.imports.job_account(job)?;
    let client = logged("token_upload_resume", state.sessions.client(&account).await)?;
    logged("token_upload_resume", state.imports.resume(job, &account, client, upload_options(&state)).await)
}

#[tauri::command(async)]
pub fn token_jobs(state: tauri::State<'_, AppState>) -> AppResult<Vec<JobView>> {
    logged("token_jobs", state.imports.history())
}

/// Jobs left unfinished by an earlier run of the app (or the CLI): the resume banner.
#[tauri::command(async)]
pub fn token_jobs_unfinished(state: tauri::State<'_, AppState>) -> AppResult<Vec<JobView>> {
    logged("token_jobs_unfinished", state.imports.unfinished())
}

#[tauri::command(async)]
pub fn token_job(state: tauri::State<'_, AppState>, job: i64) -> AppResult<JobView> {
    logged("token_job", state.imports.job(job))
}

/// Asks Yespo again about a job's "check later" import sessions.
#[tauri::command]
pub async fn token_job_recheck(state: tauri::State<'_, AppState>, job: i64) -> AppResult<JobView> {
    let account = state.imports.job_account(job)?;
    let client = logged("token_job_recheck", state.sessions.client(&account).await)?;
    logged("token_job_recheck", state.imports.recheck(job, &client).await)
}

/// Gives up an unfinished job, keeping the report of what was sent.
#[tauri::command]
pub async fn token_job_discard(state: tauri::State<'_, AppState>, job: i64) -> AppResult<JobView> {
    let account = state.imports.job_account(job)?;
    let client = state.sessions.client(&account).await.ok();
    logged("token_job_discard", state.imports.discard(job, client).await)
}

#[tauri::command(async)]
pub fn token_job_delete(state: tauri::State<'_, AppState>, job: i64) -> AppResult<()> {
    logged("token_job_delete", state.imports.delete(job))
}

/// Asks where, then writes the job's report (every row not confirmed, with why); with
/// `reveal`, opens the folder it is in (to fix the rows and drop the file again).
#[tauri::command]
pub async fn token_job_export_report(
    app: AppHandle,
    state: tauri::State<'_, AppState>,
    job: i64,
    reveal: bool,
) -> AppResult<Option<Written>> {
    let imports = state.imports.clone();
    let opener = app.clone();
    let result = blocking(move || {
        let suggested = imports.report_file_name(job)?;
        let Some(out) = dialogs::save_csv(&app, "Export the upload report", &suggested) else { return Ok(None) };
        let rows = imports.export_report(job, &out)?;
        Ok(Some(Written { path: out.display().to_string(), rows }))
    })
    .await;
    if let (true, Ok(Some(written))) = (reveal, &result) {
        if let Err(error) = opener.opener().reveal_item_in_dir(&written.path) {
            tracing::warn!(%error, "the report's folder could not be opened");
        }
    }
    logged("token_job_export_report", result)
}

/// How an upload sends: the Settings screen's concurrency.
fn upload_options(state: &AppState) -> UploadOptions {
    UploadOptions { concurrency: usize::from(state.settings.get().upload_concurrency), ..UploadOptions::default() }
}
