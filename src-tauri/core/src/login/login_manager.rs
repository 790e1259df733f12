//! Logging in through the browser, orchestrated in one place: at most one login waits for the
//! browser at a time. It runs on its own task with a deadline, so its port is freed even if
//! nobody waits for it (a reloaded window); a second "Log in" on the same account reuses it
//! (one listener, one browser page), on another account replaces it once its port is free.

use super::accounts::Account;
use super::oauth::{begin_login, PendingLogin, LOGIN_TIMEOUT};
use super::sessions::Sessions;
use crate::error::{AppError, AppResult, ErrorCode};
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// A login waiting for the browser (or just finished).
struct Login {
    id: u64,
    account_id: String,
    authorize_url: String,
    cancel: CancellationToken,
    /// `true` once the listener is closed and its port free (before the code exchange ends).
    released: watch::Receiver<bool>,
    /// `Some` once the login ended, successfully or not.
    outcome: watch::Receiver<Option<AppResult<Account>>>,
}

impl Login {
    /// Ended, or its task is gone.
    fn finished(&self) -> bool {
        self.outcome.borrow().is_some() || self.outcome.has_changed().is_err()
    }

    async fn port_freed(&self) {
        // An error means the task is gone, and its listener with it.
        let _ = self.released.clone().wait_for(|free| *free).await;
    }

    async fn outcome(&self) -> AppResult<Account> {
        let mut outcome = self.outcome.clone();
        let result = match outcome.wait_for(Option::is_some).await {
            Ok(result) => result.clone().expect("waited for Some"),
            Err(_) => Err(AppError::internal("The login stopped unexpectedly")),
        };
        result
    }

    fn started(&self, reused: bool) -> LoginStarted {
        LoginStarted {
            login_id: self.id,
            account_id: self.account_id.clone(),
            authorize_url: self.authorize_url.clone(),
            reused,
        }
    }
}

/// A login that is waiting for the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginStarted {
    pub login_id: u64,
    pub account_id: String,
    /// Where the browser goes; the UI shows it too (copy, open again).
    pub authorize_url: String,
    /// An earlier "Log in" of the same account is still waiting: this is that login, and no
    /// new browser page should open.
    pub reused: bool,
}

/// The one place logins are started, awaited, reopened and cancelled.
pub struct LoginManager {
    sessions: Arc<Sessions>,
    timeout: Duration,
    /// The current login. Held while a login starts, so two starts never race for the port.
    current: tokio::sync::Mutex<Option<Arc<Login>>>,
    next_id: AtomicU64,
}

impl LoginManager {
    pub fn new(sessions: Arc<Sessions>) -> LoginManager {
        LoginManager::with_timeout(sessions, LOGIN_TIMEOUT)
    }

    /// With another deadline for the browser (tests).
    pub fn with_timeout(sessions: Arc<Sessions>, timeout: Duration) -> LoginManager {
        LoginManager { sessions, timeout, current: Default::default(), next_id: AtomicU64::new(1) }
    }

    /// Start a login for the account, or reuse the one already waiting for it. Binds the
    /// Callback URL's port before returning, so a busy port is reported before any browser opens.
    pub async fn start(&self, account_id: &str) -> AppResult<LoginStarted> {
        let mut current = self.current.lock().await;
        if let Some(login) = current.as_ref().filter(|l| l.account_id == account_id && !l.finished()) {
            return Ok(login.started(true));
        }
        if let Some(previous) = current.take() {
            // Another account's login (or a finished one): stop it and wait until its port is
            // free. (If it already has its code, it finishes on its own, without the port.)
            previous.cancel.cancel();
            previous.port_freed().await;
        }
        let account = self.sessions.env().accounts.get(account_id)?;
        let pending = begin_login(&account).await?;
        let (tx, outcome) = watch::channel(None);
        let (freed, released) = watch::channel(false);
        let login = Arc::new(Login {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            account_id: account_id.to_string(),
            authorize_url: pending.authorize_url.clone(),
            cancel: CancellationToken::new(),
            released,
            outcome,
        });
        let (sessions, timeout, cancel) = (self.sessions.clone(), self.timeout, login.cancel.clone());
        tokio::spawn(async move {
            let result = finish(&sessions, pending, timeout, &cancel, freed).await;
            if let Err(error) = &result {
                if error.code != ErrorCode::Cancelled {
                    tracing::warn!(code = %error.code, message = %error.message, "the login did not complete");
                }
            }
            let _ = tx.send(Some(result));
        });
        *current = Some(login.clone());
        Ok(login.started(false))
    }

    /// The login waiting for the browser, if any (a reloaded window picks it up again).
    pub async fn in_progress(&self) -> Option<LoginStarted> {
        self.current.lock().await.as_ref().filter(|l| !l.finished()).map(|l| l.started(true))
    }

    /// Wait for the current login to end (`login_id`: the one the caller started; if another
    /// replaced it, the answer is `cancelled`).
    pub async fn wait(&self, login_id: Option<u64>) -> AppResult<Account> {
        let login = self.current.lock().await.clone().ok_or_else(|| AppError::validation("No login is in progress"))?;
        if login_id.is_some_and(|id| id != login.id) {
            return Err(AppError::new(ErrorCode::Cancelled, "This login was replaced by a newer one"));
        }
        login.outcome().await
    }

    /// The authorize URL of the login waiting for the browser, to open it again.
    pub async fn authorize_url(&self) -> AppResult<String> {
        self.in_progress().await.map(|l| l.authorize_url).ok_or_else(|| AppError::validation("No login is in progress"))
    }

    /// Stop waiting for the browser; returns once the port is free.
    pub async fn cancel(&self) {
        let login = self.current.lock().await.clone();
        if let Some(login) = login {
            login.cancel.cancel();
            login.port_freed().await;
        }
    }
}

/// Wait for the browser, exchange the code, keep the tokens, check them against the API.
/// `freed` is told as soon as the listener's port is free.
async fn finish(
    sessions: &Sessions,
    pending: PendingLogin,
    timeout: Duration,
    cancel: &CancellationToken,
    freed: watch::Sender<bool>,
) -> AppResult<Account> {
    let account_id = pending.account_id().to_string();
    let tokens = pending.exchange(sessions.env(), timeout, cancel, || freed.send_replace(true)).await?;
    sessions.logged_in(&account_id, tokens).await?;
    sessions.verify(&account_id).await
}
