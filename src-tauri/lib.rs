//! The Tauri shell of Yespo Admin: window, plugins, managed state and thin commands over
//! `yespo-core`.

mod commands;
mod single_instance;

use tauri::Manager;
use yespo_core::app_info::{AppInfo, DemoInfo};
use yespo_core::paths::AppPaths;
use yespo_core::sandbox::{Sandbox, SandboxConfig};

/// State every command can read.
pub struct AppState {
    pub info: AppInfo,
    /// The embedded Yespo sandbox in demo mode; kept here so it lives as long as the app.
    pub sandbox: Option<Sandbox>,
}

/// `--demo` on the command line (or `YESPO_ADMIN_DEMO=1`): run against the embedded sandbox.
fn demo_requested() -> bool {
    std::env::args().skip(1).any(|a| a == "--demo")
        || std::env::var("YESPO_ADMIN_DEMO").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}

/// Start the Yespo sandbox on a free loopback port, on Tauri's async runtime.
fn start_sandbox() -> Option<Sandbox> {
    match tauri::async_runtime::block_on(Sandbox::start(SandboxConfig::default())) {
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

/// The app's entry point (called from `main.rs`).
pub fn run() {
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
        .invoke_handler(tauri::generate_handler![commands::app_info, commands::keychain_status])
        .setup(move |app| {
            // Here, not earlier: a second launch has already handed over and exited by now, so
            // it never starts a sandbox of its own.
            let sandbox = if demo_requested() { start_sandbox() } else { None };
            info.demo = sandbox.as_ref().map(|s| DemoInfo { sandbox_url: s.base_url().to_string() });
            app.manage(AppState { info: info.clone(), sandbox });
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
