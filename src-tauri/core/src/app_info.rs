//! What the About/Status panel shows about this build and where it keeps things.

use crate::paths::AppPaths;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    /// "debug" or "release".
    pub build_profile: &'static str,
    pub identifier: String,
    pub os: &'static str,
    pub arch: &'static str,
    pub paths: AppPaths,
    /// Set in demo mode (`--demo`): the app talks to the embedded Yespo sandbox, not to Yespo.
    pub demo: Option<DemoInfo>,
}

/// Demo mode: where the embedded Yespo sandbox listens. No credentials: those never go to the UI.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoInfo {
    pub sandbox_url: String,
}

/// The profile this code was compiled with.
pub const fn build_profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

impl AppInfo {
    pub fn new(name: &str, version: &str, identifier: &str, paths: AppPaths) -> AppInfo {
        AppInfo {
            name: name.to_owned(),
            version: version.to_owned(),
            build_profile: build_profile(),
            identifier: identifier.to_owned(),
            os: std::env::consts::OS,
            arch: std::env::consts::ARCH,
            paths,
            demo: None,
        }
    }
}
