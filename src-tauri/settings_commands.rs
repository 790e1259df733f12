//! Settings commands: thin wrappers over `yespo_core::settings` (the store lives in `AppState`).

use crate::commands::logged;
use crate::AppState;
use tauri::AppHandle;
use tauri_plugin_opener::OpenerExt;
use yespo_core::forget::{self, ForgetPreview};
use yespo_core::settings::{Settings, SettingsView};
use yespo_core::{AppError, AppResult};

#[tauri::command(async)]
pub fn settings_get(state: tauri::State<'_, AppState>) -> SettingsView {
    state.settings.view()
}

/// Check and save the settings; the log level applies at once.
#[tauri::command(async)]
pub fn settings_set(state: tauri::State<'_, AppState>, settings: Settings) -> AppResult<SettingsView> {
    let level = settings.log_level;
    let view = logged("settings_set", state.settings.set(settings))?;
    yespo_core::logging::set_level(level.filter());
    Ok(view)
}

/// Open the logs or data folder in the file manager.
#[tauri::command(async)]
pub fn folder_open(app: AppHandle, state: tauri::State<'_, AppState>, which: String) -> AppResult<()> {
    let paths = &state.info.paths;
    let dir = match which.as_str() {
        "logs" => &paths.log_dir,
        "data" => &paths.data_dir,
        other => return Err(AppError::validation(format!("Unknown folder '{other}'"))),
    };
    let opened = app.opener().open_path(dir.display().to_string(), None::<&str>).map_err(|e| {
        AppError::internal(format!("The folder could not be opened: {}", dir.display())).with_details(e.to_string())
    });
    logged("folder_open", opened)
}

/// What "Forget everything" would remove, for its confirmation.
#[tauri::command(async)]
pub fn forget_preview(state: tauri::State<'_, AppState>) -> AppResult<ForgetPreview> {
    let log_dir = state.info.paths.log_dir.display().to_string();
    logged("forget_preview", forget::preview(&state.sessions, &state.imports, &state.settings, &log_dir))
}

/// Forget every account with its secrets, the upload history and mappings, the settings.
#[tauri::command]
pub async fn forget_everything(state: tauri::State<'_, AppState>) -> AppResult<()> {
    state.registration.forget();
    let done = forget::forget_everything(&state.sessions, &state.imports, &state.settings, &state.browse).await;
    logged("forget_everything", done)
}
