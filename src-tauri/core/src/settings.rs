//! The app's settings: theme, upload concurrency and log level, in `settings.json` in the config
//! folder. Checked when read: a file that does not parse, or holds a value out of range, is kept
//! aside as `settings.damaged-<UTC time>.json` and the defaults are used, and the Settings screen
//! says where the old file went.

use crate::config_file;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use ts_rs::TS;

/// Requests in flight during an upload: Yespo's limits and a laptop's connection make more than
/// this no faster.
pub const MAX_UPLOAD_CONCURRENCY: u8 = 6;

/// Light, dark, or as the OS says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// How much the log file says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    Error,
    Warn,
    #[default]
    Info,
    Debug,
}

impl LogLevel {
    /// The `tracing` filter directive.
    pub fn filter(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub theme: Theme,
    /// Upload requests in flight at once (1 to [`MAX_UPLOAD_CONCURRENCY`]).
    pub upload_concurrency: u8,
    pub log_level: LogLevel,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { theme: Theme::System, upload_concurrency: 2, log_level: LogLevel::Info }
    }
}

impl Settings {
    /// Whether every value is in range; the message says which is not.
    pub fn check(&self) -> AppResult<()> {
        if !(1..=MAX_UPLOAD_CONCURRENCY).contains(&self.upload_concurrency) {
            return Err(AppError::validation(format!(
                "Upload requests at once must be 1 to {MAX_UPLOAD_CONCURRENCY}, not {}",
                self.upload_concurrency
            )));
        }
        Ok(())
    }
}

/// The settings and what the screen should know about them.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub settings: Settings,
    /// Set when `settings.json` was damaged this run: where the old file was kept.
    pub damaged_file_kept_at: Option<String>,
    /// The file's path.
    pub path: String,
}

/// Reads and writes `settings.json`; holds the current settings.
pub struct SettingsStore {
    path: PathBuf,
    state: Mutex<(Settings, Option<PathBuf>)>,
}

impl SettingsStore {
    /// Open the settings in `config_dir`: the file's, or the defaults when there is none or it is
    /// damaged (then kept aside).
    pub fn open(config_dir: &Path) -> SettingsStore {
        let path = config_dir.join("settings.json");
        let (settings, aside) = read(&path);
        SettingsStore { path, state: Mutex::new((settings, aside)) }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn get(&self) -> Settings {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).0.clone()
    }

    pub fn view(&self) -> SettingsView {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        SettingsView {
            settings: state.0.clone(),
            damaged_file_kept_at: state.1.as_ref().map(|p| p.display().to_string()),
            path: self.path.display().to_string(),
        }
    }

    /// Check and save `settings`; the current ones change only once the file is written.
    pub fn set(&self, settings: Settings) -> AppResult<SettingsView> {
        settings.check()?;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let text = serde_json::to_string_pretty(&settings).expect("settings serialise");
        config_file::write_atomically(&self.path, text.as_bytes())?;
        state.0 = settings;
        drop(state);
        Ok(self.view())
    }

    /// Back to the defaults: the file is removed.
    pub fn forget(&self) -> AppResult<()> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(
                    AppError::internal(format!("Cannot remove {}", self.path.display())).with_details(e.to_string())
                )
            }
        }
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = (Settings::default(), None);
        Ok(())
    }
}

/// The settings in `path`, and where a damaged file was moved.
fn read(path: &Path) -> (Settings, Option<PathBuf>) {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Settings::default(), None),
        Err(error) => {
            tracing::error!(%error, path = %path.display(), "the settings cannot be read; using the defaults");
            return (Settings::default(), None);
        }
    };
    let why = match serde_json::from_slice::<Settings>(&bytes) {
        Ok(settings) => match settings.check() {
            Ok(()) => return (settings, None),
            Err(e) => e.message,
        },
        Err(e) => e.to_string(),
    };
    let aside = path.with_file_name(format!("settings.damaged-{}.json", config_file::utc_stamp()));
    match std::fs::rename(path, &aside) {
        Ok(()) => {
            tracing::error!(kept_aside = %aside.display(), %why, "the settings were damaged; using the defaults");
            (Settings::default(), Some(aside))
        }
        Err(error) => {
            tracing::error!(%error, %why, "the settings are damaged and cannot be moved aside; using the defaults");
            (Settings::default(), None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_out_of_range_values_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::open(dir.path());
        assert_eq!(store.get(), Settings::default());
        let dark = Settings { theme: Theme::Dark, upload_concurrency: 4, log_level: LogLevel::Debug };
        store.set(dark.clone()).unwrap();
        assert_eq!(SettingsStore::open(dir.path()).get(), dark);
        let e = store.set(Settings { upload_concurrency: 0, ..dark.clone() }).unwrap_err();
        assert!(e.message.contains("1 to 6"), "{}", e.message);
        assert_eq!(store.get(), dark, "a refused change changes nothing");
        store.forget().unwrap();
        assert_eq!(SettingsStore::open(dir.path()).get(), Settings::default());
    }

    #[test]
    fn a_damaged_file_is_kept_aside_and_the_defaults_are_used() {
        for damaged in [&b"{not json"[..], br#"{"uploadConcurrency": 99}"#, br#"{"theme": "sepia"}"#] {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("settings.json"), damaged).unwrap();
            let store = SettingsStore::open(dir.path());
            assert_eq!(store.get(), Settings::default());
            let aside = store.view().damaged_file_kept_at.expect("kept aside");
            assert!(aside.contains("settings.damaged-"), "{aside}");
            assert_eq!(std::fs::read(&aside).unwrap(), damaged);
            assert!(!dir.path().join("settings.json").exists());
        }
    }

    #[test]
    fn a_partial_file_keeps_the_defaults_for_what_it_does_not_say() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("settings.json"), br#"{"theme": "light"}"#).unwrap();
        let s = SettingsStore::open(dir.path()).get();
        assert_eq!((s.theme, s.upload_concurrency, s.log_level), (Theme::Light, 2, LogLevel::Info));
    }
}
