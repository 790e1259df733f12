//! Where an account's secrets live: the OS keychain, one entry per account and kind.
//!
//! Nothing else ever holds them on disk. A `SecretStore` trait lets tests count calls or fail
//! on purpose; the app uses [`KeychainStore`].

use crate::error::{AppError, AppResult, ErrorCode};
use crate::keychain;
use crate::secret::Secret;
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
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

    /// Run a keychain call with the timeout, in order (see [`InOrder`]).
    fn call<T: Send + 'static>(&self, call: impl FnOnce() -> AppResult<T> + Send + 'static) -> AppResult<T> {
        keychain::with_timeout(self.timeout, move || InOrder::global().run(call))
    }
}

/// The app's keychain calls run one at a time, in the order their threads started. A call that
/// outlives its timeout (a keychain waiting for a password) still runs to its end on its own
/// thread; the order makes sure it finishes before any later call starts, so an old token never
/// lands after a newer one, or after a delete.
struct InOrder {
    /// (next ticket to hand out, ticket whose turn it is)
    tickets: Mutex<(u64, u64)>,
    turn: Condvar,
}

impl InOrder {
    fn global() -> &'static InOrder {
        static IN_ORDER: OnceLock<InOrder> = OnceLock::new();
        IN_ORDER.get_or_init(|| InOrder { tickets: Mutex::new((0, 0)), turn: Condvar::new() })
    }

    fn tickets(&self) -> MutexGuard<'_, (u64, u64)> {
        // A panicking call cannot leave the counters half-updated (each change is one statement).
        self.tickets.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn run<T>(&'static self, call: impl FnOnce() -> T) -> T {
        struct NextTurn(&'static InOrder);
        impl Drop for NextTurn {
            fn drop(&mut self) {
                self.0.tickets().1 += 1;
                self.0.turn.notify_all();
            }
        }
        let mut tickets = self.tickets();
        let ticket = tickets.0;
        tickets.0 += 1;
        while tickets.1 != ticket {
            tickets = self.turn.wait(tickets).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        drop(tickets);
        let _next = NextTurn(self);
        call()
    }
}

impl SecretStore for KeychainStore {
    fn get(&self, account_id: &str, kind: SecretKind) -> AppResult<Option<Secret>> {
        let (service, user) = (self.service.clone(), Self::entry_name(account_id, kind));
        self.call(move || {
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
        self.call(move || {
            let entry = keyring::Entry::new(&service, &user).map_err(keychain::map_keyring_error)?;
            entry.set_password(value.expose_secret()).map_err(keychain::map_keyring_error)
        })
    }

    fn delete(&self, account_id: &str, kind: SecretKind) -> AppResult<()> {
        let (service, user) = (self.service.clone(), Self::entry_name(account_id, kind));
        self.call(move || {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn keychain_calls_finish_in_the_order_they_started() {
        // A first call that hangs past its caller's patience, then a second: the second runs
        // only after the first has finished.
        let done = Arc::new(Mutex::new(Vec::new()));
        let first = {
            let done = done.clone();
            std::thread::spawn(move || {
                InOrder::global().run(|| {
                    std::thread::sleep(Duration::from_millis(300));
                    done.lock().unwrap().push("first");
                })
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        let second = {
            let done = done.clone();
            std::thread::spawn(move || InOrder::global().run(|| done.lock().unwrap().push("second")))
        };
        first.join().unwrap();
        second.join().unwrap();
        assert_eq!(*done.lock().unwrap(), ["first", "second"]);
    }
}
