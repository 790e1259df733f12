//! Registration check commands: thin wrappers over `yespo_core::registration`. The checks, the
//! last report and the round trip's login live in the core (`AppState::registration`).

use crate::commands::logged;
use crate::{dialogs, AppState};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::AppHandle;
use tauri_plugin_opener::OpenerExt;
use yespo_core::registration::text::ReportFormat;
use yespo_core::registration::{CheckInput, Endpoints, Report, RoundTripEvent};
use yespo_core::{AppError, AppResult};

/// What the screen needs before a check: where an app typed in is checked.
#[derive(Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationSetup {
    pub endpoints: Endpoints,
    /// The Callback URL new accounts get.
    pub default_callback_url: String,
}

#[tauri::command(async)]
pub fn registration_setup(state: tauri::State<'_, AppState>) -> RegistrationSetup {
    RegistrationSetup {
        endpoints: state.registration.defaults().clone(),
        default_callback_url: yespo_core::login::accounts::DEFAULT_CALLBACK_URL.to_string(),
    }
}

/// The checks that need no browser.
#[tauri::command]
pub async fn registration_run(state: tauri::State<'_, AppState>, input: CheckInput) -> AppResult<Report> {
    logged("registration_run", state.registration.run(&state.sessions, &input).await)
}

/// The whole check with the app's own login: the browser opens (and the screen hears the page's
/// address, to copy or open again), then the report.
#[tauri::command]
pub async fn registration_login(
    app: AppHandle,
    state: tauri::State<'_, AppState>,
    input: CheckInput,
    on_event: Channel<RoundTripEvent>,
) -> AppResult<Report> {
    let events = |event: RoundTripEvent| {
        let RoundTripEvent::Browser { authorize_url } = &event;
        if let Err(error) = app.opener().open_url(authorize_url, None::<&str>) {
            tracing::warn!(%error, "the system browser could not be opened; the user can copy the link");
        }
        let _ = on_event.send(event);
    };
    logged("registration_login", state.registration.round_trip(&state.sessions, &input, events).await)
}

/// Open the round trip's login page again.
#[tauri::command(async)]
pub fn registration_login_reopen(app: AppHandle, state: tauri::State<'_, AppState>) -> AppResult<()> {
    let url =
        state.registration.waiting_url().ok_or_else(|| AppError::validation("No login of the check is waiting"))?;
    app.opener().open_url(url, None::<&str>).map_err(|e| {
        AppError::internal("The browser could not be opened; copy the link instead").with_details(e.to_string())
    })
}

/// Stop the round trip's wait for the browser.
#[tauri::command(async)]
pub fn registration_login_cancel(state: tauri::State<'_, AppState>) {
    state.registration.cancel_round_trip();
}

/// Choose a logo file; `None` when the user cancelled.
#[tauri::command]
pub async fn registration_logo_pick(app: AppHandle) -> AppResult<Option<String>> {
    let picked = tauri::async_runtime::spawn_blocking(move || dialogs::pick_logo(&app))
        .await
        .map_err(|e| AppError::internal("The file dialog failed").with_details(e.to_string()))?;
    Ok(picked.map(|p| p.display().to_string()))
}

/// Save the last report as Markdown or JSON; the path, or `None` when the user cancelled.
#[tauri::command]
pub async fn registration_export(
    app: AppHandle,
    state: tauri::State<'_, AppState>,
    format: ReportFormat,
) -> AppResult<Option<String>> {
    let report = state.registration.last_report().ok_or_else(|| AppError::validation("Run the check first"))?;
    let result = tauri::async_runtime::spawn_blocking(move || {
        let suggested = report.file_name(format);
        let picked = dialogs::save_file(&app, "Export the report", &suggested, format.label(), format.extension());
        let Some(path) = picked else { return Ok(None) };
        report.save(format, &path).map(|()| Some(path.display().to_string()))
    })
    .await
    .map_err(|e| AppError::internal("The save dialog failed").with_details(e.to_string()))?;
    logged("registration_export", result)
}

/// The last report as plain text, for the clipboard.
#[tauri::command(async)]
pub fn registration_text(state: tauri::State<'_, AppState>) -> AppResult<String> {
    state.registration.last_report().map(|r| r.to_text()).ok_or_else(|| AppError::validation("Run the check first"))
}
