//! The OS keychain, the only place secrets are stored (macOS Keychain, Windows Credential
//! Manager, Linux Secret Service).
//!
//! Keychain calls can block (a Secret Service may wait for the user to unlock it), so each call
//! runs on its own thread with a timeout. When the keychain cannot be used the answer is a
//! `keychain_unavailable` error that says what to install or unlock; there is no plaintext
//! fallback.

use crate::error::{AppError, AppResult};
use serde::Serialize;
use std::sync::mpsc;
use std::time::Duration;

/// The keychain "service" all of the app's entries live under.
pub const SERVICE: &str = "yespo-admin";
/// How long one keychain call may take before it counts as unavailable.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// The entry the availability probe reads; it is never written, so "no entry" means "reachable".
const PROBE_ACCOUNT: &str = "availability-probe";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeychainStatus {
    /// The store in use, e.g. "Secret Service".
    pub backend: &'static str,
}

pub fn backend_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else if cfg!(target_os = "windows") {
        "Windows Credential Manager"
    } else {
        "Secret Service"
    }
}

fn what_to_do() -> &'static str {
    if cfg!(target_os = "macos") {
        "Unlock your login keychain (Keychain Access) and try again."
    } else if cfg!(target_os = "windows") {
        "Make sure the Credential Manager service is running and try again."
    } else {
        "Install and unlock a Secret Service provider such as GNOME Keyring (on Debian or Ubuntu: \
         sudo apt install gnome-keyring) or KWallet, make sure you are in a desktop session with D-Bus, \
         and try again."
    }
}

/// Checks that the keychain answers, by reading an entry that is never written.
pub fn probe(timeout: Duration) -> AppResult<KeychainStatus> {
    with_timeout(timeout, || {
        let entry = keyring::Entry::new(SERVICE, PROBE_ACCOUNT).map_err(map_keyring_error)?;
        match entry.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(KeychainStatus { backend: backend_name() }),
            Err(error) => Err(map_keyring_error(error)),
        }
    })
}

/// Runs one keychain call on its own thread; past `timeout` the caller gets
/// `keychain_unavailable` and the thread is left to finish on its own.
pub fn with_timeout<T, F>(timeout: Duration, call: F) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> AppResult<T> + Send + 'static,
{
    let (sender, receiver) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("keychain".into())
        .spawn(move || {
            let _ = sender.send(call());
        })
        .map_err(|error| AppError::internal("Cannot start a keychain thread").with_details(error.to_string()))?;
    match receiver.recv_timeout(timeout) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(AppError::keychain_unavailable(format!(
            "The {} did not answer within {} seconds; it may be locked and waiting for a password. {}",
            backend_name(),
            timeout.as_secs(),
            what_to_do()
        ))),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(AppError::internal("The keychain call stopped without an answer"))
        }
    }
}

/// Maps a `keyring` error to the app's error. The details carry the platform's own text, which
/// names the failure (never a stored value: keyring errors do not include secrets).
pub fn map_keyring_error(error: keyring::Error) -> AppError {
    let details = error.to_string();
    match error {
        keyring::Error::NoEntry => AppError::not_found("No such entry in the keychain"),
        keyring::Error::NoStorageAccess(_) => AppError::keychain_unavailable(format!(
            "The {} is locked or refused access. {}",
            backend_name(),
            what_to_do()
        ))
        .with_details(details),
        keyring::Error::PlatformFailure(_) => {
            AppError::keychain_unavailable(format!("The {} could not be reached. {}", backend_name(), what_to_do()))
                .with_details(details)
        }
        _ => AppError::internal("The keychain rejected the request").with_details(details),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn a_call_that_hangs_becomes_keychain_unavailable() {
        let error = with_timeout(Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_secs(2));
            Ok(())
        })
        .unwrap_err();
        assert_eq!(error.code, ErrorCode::KeychainUnavailable);
        assert!(error.message.contains("did not answer"), "{}", error.message);
    }

    #[test]
    fn platform_failures_say_what_to_do() {
        let error = map_keyring_error(keyring::Error::PlatformFailure("no D-Bus session".into()));
        assert_eq!(error.code, ErrorCode::KeychainUnavailable);
        assert!(error.message.contains(what_to_do()));
        assert_eq!(error.details.as_deref(), Some("Platform secure storage failure: no D-Bus session"));
    }
}
