//! Where the app keeps its config, data and logs.
//!
//! The folders follow Tauri's own `app_config_dir` / `app_data_dir` / `app_log_dir` rules, so
//! Tauri plugins and our code agree, but are computed here so the core (and logging, which
//! starts before Tauri) needs no Tauri.
//!
//! `YESPO_ADMIN_HOME` puts all three under one folder instead: a portable profile, and what
//! tests use so each run is isolated from the user's real data.

use serde::Serialize;
use std::path::{Path, PathBuf};

/// Environment variable that moves config, data and logs under one folder.
pub const HOME_OVERRIDE_ENV: &str = "YESPO_ADMIN_HOME";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppPaths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
    /// True when the folders come from `YESPO_ADMIN_HOME` rather than the OS defaults.
    pub is_custom_profile: bool,
}

/// The app's bundle identifier (as in `tauri.conf.json`): the command line finds the app's folders
/// (saved mappings) by it.
pub const APP_IDENTIFIER: &str = "org.yespoadmin.desktop";

impl AppPaths {
    /// The folders for the app with this bundle identifier, honouring `YESPO_ADMIN_HOME`.
    pub fn resolve(identifier: &str) -> Option<AppPaths> {
        match std::env::var_os(HOME_OVERRIDE_ENV) {
            Some(home) if !home.is_empty() => Some(AppPaths::under(Path::new(&home))),
            _ => AppPaths::os_default(identifier),
        }
    }

    /// All folders under one root (the portable/test profile).
    pub fn under(root: &Path) -> AppPaths {
        AppPaths {
            config_dir: root.join("config"),
            data_dir: root.join("data"),
            log_dir: root.join("logs"),
            is_custom_profile: true,
        }
    }

    /// Tauri's rules: config in the OS config folder, data in the data folder, logs in the local
    /// data folder on Linux and Windows and in `~/Library/Logs` on macOS.
    pub fn os_default(identifier: &str) -> Option<AppPaths> {
        let log_dir = if cfg!(target_os = "macos") {
            dirs::home_dir()?.join("Library/Logs").join(identifier)
        } else {
            dirs::data_local_dir()?.join(identifier).join("logs")
        };
        Some(AppPaths {
            config_dir: dirs::config_dir()?.join(identifier),
            data_dir: dirs::data_dir()?.join(identifier),
            log_dir,
            is_custom_profile: false,
        })
    }

    pub fn create_all(&self) -> std::io::Result<()> {
        for dir in [&self.config_dir, &self.data_dir, &self.log_dir] {
            std::fs::create_dir_all(dir)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_custom_root_holds_all_three_folders() {
        let root = Path::new("/tmp/profile");
        let paths = AppPaths::under(root);
        assert_eq!(paths.config_dir, root.join("config"));
        assert_eq!(paths.data_dir, root.join("data"));
        assert_eq!(paths.log_dir, root.join("logs"));
        assert!(paths.is_custom_profile);
    }

    #[test]
    fn os_defaults_end_in_the_identifier() {
        let Some(paths) = AppPaths::os_default("org.example.app") else {
            return; // no home folder at all (a bare container): nothing to check
        };
        assert!(paths.config_dir.ends_with("org.example.app"));
        assert!(paths.data_dir.ends_with("org.example.app"));
        assert!(paths.log_dir.to_string_lossy().contains("org.example.app"));
        assert!(!paths.is_custom_profile);
    }
}
