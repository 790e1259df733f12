//! Tauri commands: parse, call the core, map the result. Nothing else lives here.
//! Every command must also be listed in `build.rs` (its permission) and in the capability.

use crate::AppState;
use std::collections::BTreeMap;
use std::io::Write;
use yespo_core::app_info::AppInfo;
use yespo_core::keychain::{self, KeychainStatus};
use yespo_core::{AppError, AppResult, ErrorCode};

/// Version, build profile and folders, for the About/Status panel.
#[tauri::command(async)]
pub fn app_info(state: tauri::State<'_, AppState>) -> AppInfo {
    state.info.clone()
}

/// Whether the OS keychain answers; `keychain_unavailable` says what to install or unlock.
#[tauri::command]
pub async fn keychain_status() -> AppResult<KeychainStatus> {
    let result =
        tauri::async_runtime::spawn_blocking(|| keychain::probe(keychain::DEFAULT_TIMEOUT)).await.map_err(|error| {
            AppError::internal("The keychain check stopped unexpectedly").with_details(error.to_string())
        })?;
    logged("keychain_status", result)
}

/// The page's first screen is on the screen: the log says how long the start took, with the
/// page's own marks (ms since it began loading, `origin` in ms since the Unix epoch). With
/// `YESPO_ADMIN_REPORT_PAINT` set (the budgets benchmark) stdout gets the wall-clock times of the
/// first content painted and of the first screen complete.
#[tauri::command(async)]
pub fn ui_painted(state: tauri::State<'_, AppState>, marks: BTreeMap<String, f64>, origin: f64) {
    let since_start = state.started.elapsed();
    let page: Vec<String> = marks.iter().map(|(name, ms)| format!("{name} {ms:.0}")).collect();
    tracing::info!(ms = since_start.as_millis() as u64, page = %page.join(", "), "first screen complete");
    if std::env::var_os("YESPO_ADMIN_REPORT_PAINT").is_some() {
        let at = |mark: &str| marks.get(mark).map_or(f64::NAN, |ms| origin + ms);
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "yespo-admin: painted at {:.1} complete at {:.1}", at("painted"), at("complete"))
            .and_then(|()| out.flush());
    }
}

/// Commands log their failures here once, so the log shows what the UI was told (a
/// cancellation is not a failure).
pub(crate) fn logged<T>(command: &str, result: AppResult<T>) -> AppResult<T> {
    match &result {
        Err(error) if error.code != ErrorCode::Cancelled => {
            tracing::warn!(command, code = %error.code, message = %error.message, "command failed")
        }
        _ => {}
    }
    result
}
