//! One running app per profile: a second launch focuses the first window and exits.
//!
//! On Linux the lock is a D-Bus name. With the default profile it is the bundle identifier;
//! with a custom `YESPO_ADMIN_HOME` profile the name also carries a hash of that folder, so
//! separate profiles (and parallel tests) each get their own instance.

use tauri::{AppHandle, Manager, Runtime};
use yespo_core::paths::AppPaths;

pub fn plugin<R: Runtime>(identifier: &str, paths: &AppPaths) -> tauri::plugin::TauriPlugin<R> {
    let builder = tauri_plugin_single_instance::Builder::new().callback(|app: &AppHandle<R>, _argv, _cwd| {
        tracing::info!("second launch: focusing the main window");
        focus_main_window(app);
    });
    if paths.is_custom_profile {
        builder.dbus_id(profile_bus_name(identifier, &paths.data_dir.to_string_lossy())).build()
    } else {
        builder.build()
    }
}

fn focus_main_window<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window("main") else {
        tracing::warn!("second launch: no main window to focus");
        return;
    };
    for (what, result) in [("unminimize", window.unminimize()), ("show", window.show()), ("focus", window.set_focus())]
    {
        if let Err(error) = result {
            tracing::warn!(%error, "second launch: cannot {what} the main window");
        }
    }
}

/// `<identifier>.p<hash>`: a valid D-Bus name element (letters first) that is stable for a folder.
fn profile_bus_name(identifier: &str, folder: &str) -> String {
    // FNV-1a: stable across builds and Rust versions, unlike `DefaultHasher`.
    let hash = folder.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("{identifier}.p{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::profile_bus_name;

    #[test]
    fn profile_names_are_stable_and_distinct() {
        let a = profile_bus_name("org.yespoadmin.desktop", "/tmp/a/data");
        assert_eq!(a, profile_bus_name("org.yespoadmin.desktop", "/tmp/a/data"));
        assert_ne!(a, profile_bus_name("org.yespoadmin.desktop", "/tmp/b/data"));
        assert!(a.starts_with("org.yespoadmin.desktop.p"));
        assert_eq!(a.len(), "org.yespoadmin.desktop.p".len() + 16);
    }
}
