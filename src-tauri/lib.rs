//! The Tauri shell of Yespo Admin: window, plugins, managed state and thin commands over
//! `yespo-core`.

mod account_commands;
mod browse_commands;
mod commands;
mod dialogs;
pub mod ipc_types;
pub(crate) mod registration_commands;
mod settings_commands;
mod single_instance;
pub(crate) mod token_commands;
pub(crate) mod window_events;

use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use tauri::Manager;
use yespo_core::app_info::{AppInfo, DemoInfo};
use yespo_core::login::{self, KeychainStore, LoginEnv, LoginManager, Sessions};
use yespo_core::paths::AppPaths;
use yespo_core::tokens::imports::Imports;
use yespo_sandbox::{Right, Sandbox, SandboxConfig};

/// State every command can read.
pub struct AppState {
    pub info: AppInfo,
    /// The embedded Yespo sandbox in demo mode; kept here so it lives as long as the app.
    pub sandbox: Option<Sandbox>,
    /// One live session per account (accounts file, keychain, one client each).
    pub sessions: Arc<Sessions>,
    /// The login waiting for the browser, if any.
    pub logins: LoginManager,
    /// The newest `sessions_watch` channel's number; older ones stop.
    pub status_watchers: Arc<AtomicU64>,
    /// The Contacts lists' cached pages.
    pub browse: Arc<yespo_core::browse::Browse>,
    /// The registration checks: the last report, the check's login while it waits.
    pub registration: yespo_core::registration::Registration,
    /// The app's settings (theme, upload concurrency, log level).
    pub settings: yespo_core::settings::SettingsStore,
    /// When `run` began, for the start-up time the log reports at the first paint.
    pub started: std::time::Instant,
    /// The token files open in the window and the uploads running.
    pub imports: Arc<Imports>,
    /// Where drag-and-drop over the window goes (the page's channel).
    pub drops: Mutex<Option<tauri::ipc::Channel<window_events::DropEvent>>>,
    /// The user chose to close the window during an upload.
    pub quitting: AtomicBool,
}

/// `--demo` on the command line (or `YESPO_ADMIN_DEMO=1`): run against the embedded sandbox.
fn demo_requested() -> bool {
    std::env::args().skip(1).any(|a| a == "--demo")
        || std::env::var("YESPO_ADMIN_DEMO").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// Start the Yespo sandbox on a free loopback port, on Tauri's async runtime. Its OAuth apps
/// are registered with the app's default Callback URL, and its grants are kept (as hashes) in
/// the data folder so a demo login survives a restart.
fn start_sandbox(data_dir: &std::path::Path) -> Option<Sandbox> {
    let config = SandboxConfig {
        callback_url: login::accounts::DEFAULT_CALLBACK_URL.to_string(),
        state_file: Some(data_dir.join("sandbox-grants.json")),
        ..SandboxConfig::default()
    };
    match tauri::async_runtime::block_on(Sandbox::start(config)) {
        Ok(sandbox) => {
            tracing::info!(sandbox_url = sandbox.base_url(), "demo mode: the embedded Yespo sandbox is running");
            Some(sandbox)
        }
        Err(error) => {
            tracing::error!(%error, "demo mode: the Yespo sandbox could not start");
            None
        }
    }
}

/// WebKitGTK (2.46 and later) paints with Skia on the GPU by default. For this UI — text, forms
/// and tables — that buys nothing and costs a lot where the GPU is slow or absent: on software GL
/// (a VM, Xvfb, a remote desktop) every new kind of shape compiled shaders on the CPU, and the first
/// screen took twice as long to be on the screen as a bare Tauri window's, with 50 MB more in the
/// web process (`./dev bench`). Skia on the CPU paints the same tiles on worker threads, and WebKit
/// still composites on the GPU. Set before any thread starts, and never over the user's own value.
///
/// Not `WEBKIT_DISABLE_COMPOSITING_MODE`: it was faster still (first screen -40%, -60 MB), but
/// WebKitWebDriver then hung on the E2E tests, so the window could no longer be tested.
#[cfg(target_os = "linux")]
fn choose_webkit_rendering() {
    const CPU_RENDERING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";
    if std::env::var_os(CPU_RENDERING).is_none() {
        std::env::set_var(CPU_RENDERING, "1");
    }
}

/// The app's entry point (called from `main.rs`).
pub fn run() {
    let started = std::time::Instant::now();
    #[cfg(target_os = "linux")]
    choose_webkit_rendering();
    let context = tauri::generate_context!();
    let identifier = context.config().identifier.clone();
    let name = context.package_info().name.clone();
    let version = context.package_info().version.to_string();

    let Some(paths) = AppPaths::resolve(&identifier) else {
        eprintln!("Yespo Admin cannot find a home folder for its data; set YESPO_ADMIN_HOME to a folder.");
        std::process::exit(2);
    };
    if let Err(error) = yespo_core::logging::init(&paths.log_dir) {
        // Keep going without a log file: the app is still usable, and stderr says why.
        eprintln!("Logging to {} failed: {error}", paths.log_dir.display());
    }
    if let Err(error) = paths.create_all() {
        tracing::error!(%error, "cannot create the app's folders");
    }
    tracing::info!(
        %version,
        profile = yespo_core::app_info::build_profile(),
        config_dir = %paths.config_dir.display(),
        data_dir = %paths.data_dir.display(),
        log_dir = %paths.log_dir.display(),
        "Yespo Admin starting"
    );

    let single_instance = single_instance::plugin(&identifier, &paths);
    let mut info = AppInfo::new(&name, &version, &identifier, paths);

    let result = tauri::Builder::default()
        // First, so a second launch hands over and exits before anything else starts.
        .plugin(single_instance)
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .on_window_event(window_events::on_window_event)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::keychain_status,
            commands::ui_painted,
            account_commands::accounts_list,
            account_commands::account_add,
            account_commands::account_edit,
            account_commands::account_select,
            account_commands::account_logout,
            account_commands::account_remove,
            account_commands::account_verify,
            account_commands::login_start,
            account_commands::login_status,
            account_commands::login_wait,
            account_commands::login_reopen,
            account_commands::login_cancel,
            account_commands::sessions_watch,
            window_events::drops_watch,
            browse_commands::account_overview,
            browse_commands::contacts_rows,
            browse_commands::contacts_refresh,
            browse_commands::segments_list,
            browse_commands::segments_refresh,
            browse_commands::messages_rows,
            browse_commands::messages_refresh,
            browse_commands::messages_budget,
            browse_commands::messages_cached,
            browse_commands::email_preview,
            browse_commands::email_preview_images,
            browse_commands::email_open_in_browser,
            browse_commands::sms_detail,
            browse_commands::push_detail,
            browse_commands::images_load,
            browse_commands::list_export,
            browse_commands::list_export_cancel,
            browse_commands::contact_detail,
            token_commands::token_targets,
            token_commands::token_files_pick,
            token_commands::token_file_open,
            token_commands::token_file_reread,
            token_commands::token_file_choose,
            token_commands::token_file_check,
            token_commands::token_file_cancel_check,
            token_commands::token_file_rows,
            token_commands::token_file_export_problems,
            token_commands::token_file_close,
            token_commands::token_dry_run,
            token_commands::token_upload_start,
            token_commands::token_upload_watch,
            token_commands::token_upload_cancel,
            token_commands::token_upload_resume,
            token_commands::token_jobs,
            token_commands::token_jobs_unfinished,
            token_commands::token_job,
            token_commands::token_job_recheck,
            token_commands::token_job_discard,
            token_commands::token_job_delete,
            token_commands::token_job_export_report,
            registration_commands::registration_setup,
            registration_commands::registration_run,
            registration_commands::registration_login,
            registration_commands::registration_login_reopen,
            registration_commands::registration_login_cancel,
            registration_commands::registration_logo_pick,
            registration_commands::registration_export,
            registration_commands::registration_text,
            settings_commands::settings_get,
            settings_commands::settings_set,
            settings_commands::folder_open,
            settings_commands::forget_preview,
            settings_commands::forget_everything,
        ])
        .setup(move |app| {
            // Here, not earlier: a second launch has already handed over and exited by now, so
            // it never starts a sandbox of its own.
            let sandbox = if demo_requested() { start_sandbox(&info.paths.data_dir) } else { None };
            info.demo = sandbox.as_ref().map(|s| DemoInfo { sandbox_url: s.base_url().to_string() });
            let env = LoginEnv::new(login::AccountStore::new(&info.paths.config_dir), Arc::new(KeychainStore::default()))?;
            if let Some(sandbox) = &sandbox {
                // Demo mode preselects an account bound to the embedded sandbox.
                let app_for_demo = sandbox.oauth_app(Right::FullAccess);
                let secret = yespo_core::Secret::new(app_for_demo.client_secret.clone());
                let ensured = tauri::async_runtime::block_on(login::ensure_demo_account(
                    &env,
                    sandbox.base_url(),
                    &app_for_demo.client_id,
                    &secret,
                ));
                if let Err(error) = ensured {
                    tracing::error!(code = %error.code, message = %error.message, "demo mode: the demo account could not be prepared");
                }
            }
            let sessions = Arc::new(Sessions::new(env));
            let settings = yespo_core::settings::SettingsStore::open(&info.paths.config_dir);
            yespo_core::logging::set_level(settings.get().log_level.filter());
            // An app typed in (not an account) is checked where the app works: the sandbox in
            // demo mode, Yespo otherwise.
            let defaults = match &sandbox {
                Some(s) => yespo_core::registration::Endpoints::sandbox(s.base_url()),
                None => yespo_core::registration::Endpoints::yespo(),
            };
            app.manage(AppState {
                info: info.clone(),
                sandbox,
                logins: LoginManager::new(sessions.clone()),
                sessions,
                status_watchers: Default::default(),
                browse: Default::default(),
                registration: yespo_core::registration::Registration::new(defaults),
                settings,
                imports: Arc::new(Imports::in_profile(&info.paths)),
                drops: Mutex::new(None),
                quitting: AtomicBool::new(false),
                started,
            });
            tracing::info!(ms = started.elapsed().as_millis() as u64, "set up; the window opens");
            if app.get_webview_window("main").is_none() {
                tracing::error!("the main window was not created");
            }
            Ok(())
        })
        .run(context);
    if let Err(error) = result {
        tracing::error!(%error, "Yespo Admin stopped with an error");
        std::process::exit(1);
    }
}
