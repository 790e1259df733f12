//! Where an account's secrets live: the OS keychain, one entry per account and kind.
//!
//! Nothing else ever holds them on disk. A `SecretStore` trait lets tests count calls or fail
//! on purpose; the app uses [`KeychainStore`].

use crate::error::{AppError, AppResult, ErrorCode};
use crate::keychain;
use crate::secret::Secret;
use std::time::Duration;

/// The secrets an account can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    ClientSecret,
    ApiKey,
    AccessToken,
    RefreshToken,
}

impl SecretKind {
    pub const ALL: [SecretKind; 4] =
        [SecretKind::ClientSecret, SecretKind::ApiKey, SecretKind::AccessToken, SecretKind::RefreshToken];

    fn slug(self) -> &'static str {
        match self {
            SecretKind::ClientSecret => "client-secret",
            SecretKind::ApiKey => "api-key",
            SecretKind::AccessToken => "access-token",
            SecretKind::RefreshToken => "refresh-token",
        }
    }
}

/// Blocking calls (the keychain may block): call them off the async runtime, e.g. with
/// `tokio::task::spawn_blocking`, or through [`get`], [`set`], [`delete`] below.
pub trait SecretStore: Send + Sync + 'static {
    fn get(&self, account_id: &str, kind: SecretKind) -> AppResult<Option<Secret>>;
    fn set(&self, account_id: &str, kind: SecretKind, value: &Secret) -> AppResult<()>;
    fn delete(&self, account_id: &str, kind: SecretKind) -> AppResult<()>;
}

/// The OS keychain, every call with a timeout.
#[derive(Debug, Clone)]
pub struct KeychainStore {
    pub service: String,
    pub timeout: Duration,
}

impl Default for KeychainStore {
    fn default() -> Self {
        KeychainStore { service: keychain::SERVICE.to_string(), timeout: keychain::DEFAULT_TIMEOUT }
    }
}

impl KeychainStore {
    fn entry_name(account_id: &str, kind: SecretKind) -> String {
        format!("{account_id}/{}", kind.slug())
    }
}

impl SecretStore for KeychainStore {
    fn get(&self, account_id: &str, kind: SecretKind) -> AppResult<Option<Secret>> {
        let (service, user) = (self.service.clone(), Self::entry_name(account_id, kind));
        keychain::with_timeout(self.timeout, move || {
            let entry = keyring::Entry::new(&service, &user).map_err(keychain::map_keyring_error)?;
            match entry.get_password() {
                Ok(value) => Ok(Some(Secret::new(value))),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(keychain::map_keyring_error(e)),
            }
        })
    }

    fn set(&self, account_id: &str, kind: SecretKind, value: &Secret) -> AppResult<()> {
        let (service, user, value) = (self.service.clone(), Self::entry_name(account_id, kind), value.clone());
        keychain::with_timeout(self.timeout, move || {
            let entry = keyring::Entry::new(&service, &user).map_err(keychain::map_keyring_error)?;
            entry.set_password(value.expose_secret()).map_err(keychain::map_keyring_error)
        })
    }

    fn delete(&self, account_id: &str, kind: SecretKind) -> AppResult<()> {
        let (service, user) = (self.service.clone(), Self::entry_name(account_id, kind));
        keychain::with_timeout(self.timeout, move || {
            let entry = keyring::Entry::new(&service, &user).map_err(keychain::map_keyring_error)?;
            match entry.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(keychain::map_keyring_error(e)),
            }
        })
    }
}

/// Run a blocking store call on the blocking pool.
async fn blocking<T: Send + 'static>(call: impl FnOnce() -> AppResult<T> + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(call).await.map_err(|e| {
        AppError::new(ErrorCode::Internal, "A keychain call stopped unexpectedly").with_details(e.to_string())
    })?
}

pub async fn get(
    store: &std::sync::Arc<dyn SecretStore>,
    account_id: &str,
    kind: SecretKind,
) -> AppResult<Option<Secret>> {
    let (store, id) = (store.clone(), account_id.to_string());
    blocking(move || store.get(&id, kind)).await
}

pub async fn set(
    store: &std::sync::Arc<dyn SecretStore>,
    account_id: &str,
    kind: SecretKind,
    value: &Secret,
) -> AppResult<()> {
    let (store, id, value) = (store.clone(), account_id.to_string(), value.clone());
    blocking(move || store.set(&id, kind, &value)).await
}

pub async fn delete(store: &std::sync::Arc<dyn SecretStore>, account_id: &str, kind: SecretKind) -> AppResult<()> {
    let (store, id) = (store.clone(), account_id.to_string());
    blocking(move || store.delete(&id, kind)).await
}
