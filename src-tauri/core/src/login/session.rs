//! Staying logged in: an OAuth account's access token, refreshed ahead of time (at 80% of its
//! life) and after a 401, one refresh at a time per account (the registry keeps one session
//! per account, so this holds across every caller).
//!
//! A refresh runs to its end even when the caller stops waiting: Yespo rotates the refresh
//! token, so a refresh cut off between its answer and the save would spend the login.

use super::accounts::LoginState;
use super::oauth::{now_secs, refresh_tokens};
use super::secrets::{self, SecretKind};
use super::sessions::{Keeper, TokenPair};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::secret::Secret;
use crate::yespo::TokenProvider;
use async_trait::async_trait;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// After an early refresh failed (network, keychain), wait this long before trying again early;
/// the still-valid access token serves meanwhile.
const EARLY_REFRESH_PAUSE: Duration = Duration::from_secs(60);
/// A refresh that failed answers the callers queued behind it for this long, instead of each
/// sending its own (a token server that is down would otherwise cost every caller a timeout).
const FAILURE_SHARED_FOR: Duration = Duration::from_secs(5);

/// The [`TokenProvider`] of one OAuth account's session.
pub struct OAuthSession {
    inner: Arc<Inner>,
}

struct Inner {
    keeper: Keeper,
    ended: CancellationToken,
    /// The access token in use; the lock also makes refreshes single-flight within the session
    /// (the account's refresh lock does so across its sessions).
    current: tokio::sync::Mutex<Current>,
    refreshes: AtomicUsize,
}

#[derive(Default)]
struct Current {
    token: Option<AccessToken>,
    /// No early refresh before this (set after one failed).
    early_refresh_not_before: Option<Instant>,
    /// The last refresh failed: when, and how.
    last_failure: Option<(Instant, AppError)>,
    /// Yespo refused the login (`invalid_grant`): nothing more to try in this session.
    refused: Option<AppError>,
}

struct AccessToken {
    token: Secret,
    obtained_at: Option<u64>,
    expires_at: Option<u64>,
}

impl AccessToken {
    fn from_pair(pair: &TokenPair) -> AccessToken {
        AccessToken { token: pair.access.clone(), obtained_at: Some(pair.obtained_at), expires_at: pair.expires_at }
    }

    fn expired(&self, now: u64) -> bool {
        self.expires_at.is_some_and(|e| now >= e)
    }

    /// At 80% of its life.
    fn due(&self, now: u64) -> bool {
        match (self.obtained_at, self.expires_at) {
            (Some(obtained), Some(expires)) => now >= obtained + expires.saturating_sub(obtained) * 4 / 5,
            _ => false,
        }
    }
}

/// Why a refresh did not happen.
enum Failed {
    /// Yespo refused the login, or there is none to refresh: the account needs a new login.
    Refused(AppError),
    /// The session ended (log out, removal, a new login).
    Ended(AppError),
    /// Anything else (network, keychain, the server's own trouble): the login may still be good.
    Other(AppError),
}

impl Failed {
    fn error(self) -> AppError {
        match self {
            Failed::Refused(e) | Failed::Ended(e) | Failed::Other(e) => e,
        }
    }
}

impl OAuthSession {
    pub(crate) fn new(keeper: Keeper, ended: CancellationToken) -> OAuthSession {
        OAuthSession {
            inner: Arc::new(Inner { keeper, ended, current: Default::default(), refreshes: AtomicUsize::new(0) }),
        }
    }

    /// Refreshes sent by this session (for tests and diagnostics).
    pub fn refresh_count(&self) -> usize {
        self.inner.refreshes.load(Ordering::SeqCst)
    }

    /// Run `work` on its own task: it finishes (and saves what it got) even if the caller is
    /// cancelled or dropped.
    async fn detached<F, Fut>(&self, work: F) -> AppResult<Secret>
    where
        F: FnOnce(Arc<Inner>) -> Fut,
        Fut: std::future::Future<Output = AppResult<Secret>> + Send + 'static,
    {
        tokio::spawn(work(self.inner.clone())).await.map_err(|e| {
            AppError::internal("Getting an access token stopped unexpectedly").with_details(e.to_string())
        })?
    }
}

impl Inner {
    fn check_live(&self) -> AppResult<()> {
        if self.ended.is_cancelled() {
            Err(AppError::session_ended())
        } else {
            Ok(())
        }
    }

    /// The newest access token the account has: the unsaved one, else the keychain's. `None`
    /// when the account is logged out or has none.
    async fn latest(&self) -> AppResult<Option<AccessToken>> {
        if let Some(pair) = self.keeper.unsaved().await {
            return Ok(Some(AccessToken::from_pair(&pair)));
        }
        let id = self.keeper.account_id();
        let account = self.keeper.env.accounts.get(id).map_err(|_| AppError::session_ended())?;
        if account.state == LoginState::LoggedOut {
            // Whatever the keychain still holds, a logged-out account does not use it.
            return Ok(None);
        }
        Ok(secrets::get(&self.keeper.env.secrets, id, SecretKind::AccessToken).await?.map(|token| AccessToken {
            token,
            obtained_at: account.access_obtained_at,
            expires_at: account.access_expires_at,
        }))
    }

    /// The access token to start from.
    async fn load(&self) -> AppResult<AccessToken> {
        if let Some(token) = self.latest().await? {
            return Ok(token);
        }
        match self.keeper.env.accounts.get(self.keeper.account_id()) {
            Ok(account) if account.state == LoginState::Connected => {
                Err(self.keeper.needs_login("There is no saved login for this account.").await)
            }
            _ => Err(AppError::new(ErrorCode::AuthRequired, "This account is not logged in.")),
        }
    }

    async fn access_token(&self) -> AppResult<Secret> {
        let mut current = self.current.lock().await;
        self.check_live()?;
        if current.token.is_none() {
            current.token = Some(self.load().await?);
        }
        let now = now_secs();
        let token = current.token.as_ref().expect("loaded above");
        if token.expired(now) {
            return self.refresh_locked(&mut current, false).await.map_err(Failed::error);
        }
        let early_allowed = current.early_refresh_not_before.is_none_or(|t| Instant::now() >= t);
        if !token.due(now) || !early_allowed {
            return Ok(token.token.clone());
        }
        match self.refresh_locked(&mut current, true).await {
            Ok(token) => Ok(token),
            // Yespo refused the login, or the session ended: that is the answer.
            Err(Failed::Refused(e) | Failed::Ended(e)) => Err(e),
            // Anything else: the access token is still valid, so it serves until it expires.
            Err(Failed::Other(e)) => {
                tracing::warn!(code = %e.code, message = %e.message, "the early token refresh failed; the current access token serves until it expires");
                current.early_refresh_not_before = Some(Instant::now() + EARLY_REFRESH_PAUSE);
                Ok(current.token.as_ref().expect("loaded above").token.clone())
            }
        }
    }

    async fn refresh(&self, rejected: &Secret) -> AppResult<Secret> {
        let mut current = self.current.lock().await;
        self.check_live()?;
        // Single flight: if another caller already replaced the rejected token, use theirs.
        if let Some(token) = current.token.as_ref().filter(|t| t.token != *rejected) {
            return Ok(token.token.clone());
        }
        self.refresh_locked(&mut current, false).await.map_err(Failed::error)
    }

    /// The stored refresh token: the unsaved newest one, else the keychain's.
    async fn stored_refresh_token(&self) -> AppResult<Option<Secret>> {
        if let Some(refresh) = self.keeper.unsaved().await.and_then(|p| p.refresh) {
            return Ok(Some(refresh));
        }
        secrets::get(&self.keeper.env.secrets, self.keeper.account_id(), SecretKind::RefreshToken).await
    }

    /// Refresh, remembering a failure for the callers queued behind (see [`Failed`]).
    async fn refresh_locked(&self, current: &mut Current, early: bool) -> Result<Secret, Failed> {
        if let Some(refused) = &current.refused {
            return Err(Failed::Refused(refused.clone()));
        }
        if let Some((at, error)) = current.last_failure.as_ref().filter(|(at, _)| at.elapsed() < FAILURE_SHARED_FOR) {
            tracing::debug!(ms = at.elapsed().as_millis() as u64, "a refresh failed a moment ago; its answer serves");
            return Err(Failed::Other(error.clone()));
        }
        let outcome = self.refresh_now(current, early).await;
        match &outcome {
            Ok(_) => current.last_failure = None,
            Err(Failed::Refused(e)) => current.refused = Some(e.clone()),
            Err(Failed::Other(e)) => current.last_failure = Some((Instant::now(), e.clone())),
            Err(Failed::Ended(_)) => {}
        }
        outcome
    }

    /// Refresh with the stored refresh token, one refresh at a time for the whole account. On
    /// `invalid_grant`, look again: if another process rotated it meanwhile, use the new one.
    async fn refresh_now(&self, current: &mut Current, early: bool) -> Result<Secret, Failed> {
        let ended = |e: AppError| if self.ended.is_cancelled() { Failed::Ended(e) } else { Failed::Other(e) };
        self.check_live().map_err(Failed::Ended)?;
        let _one_at_a_time = self.keeper.refresh_turn().await;
        // Another session of this account (say, before an edit) may have refreshed meanwhile.
        let ours = current.token.as_ref().map(|t| t.token.clone());
        if let Some(latest) = self.latest().await.map_err(ended)? {
            let now = now_secs();
            if Some(&latest.token) != ours.as_ref() && !latest.expired(now) && !latest.due(now) {
                let token = latest.token.clone();
                current.token = Some(latest);
                return Ok(token);
            }
        }
        let account = self
            .keeper
            .env
            .accounts
            .get(self.keeper.account_id())
            .map_err(|_| Failed::Ended(AppError::session_ended()))?;
        let Some(mut refresh) = self.stored_refresh_token().await.map_err(ended)? else {
            if early {
                // The access token still works; the login ends when it expires.
                return Err(Failed::Other(AppError::internal("There is no saved refresh token")));
            }
            return Err(Failed::Refused(self.keeper.needs_login("There is no saved login for this account.").await));
        };
        for attempt in 0..2 {
            self.refreshes.fetch_add(1, Ordering::SeqCst);
            match refresh_tokens(&self.keeper.env, &account, &refresh).await {
                Ok(tokens) => {
                    let pair = TokenPair::new(tokens, now_secs());
                    // Refused after a log out or a new login: the pair is dropped, unwritten.
                    self.keeper.save_refreshed(pair.clone()).await.map_err(Failed::Ended)?;
                    current.token = Some(AccessToken::from_pair(&pair));
                    current.early_refresh_not_before = None;
                    return Ok(pair.access);
                }
                Err(e) if e.code == ErrorCode::AuthExpired && attempt == 0 => {
                    match self.stored_refresh_token().await.map_err(ended)? {
                        Some(newer) if newer != refresh => refresh = newer,
                        _ => break,
                    }
                }
                Err(e) if e.code == ErrorCode::AuthExpired => break,
                Err(e) => return Err(ended(e)),
            }
        }
        Err(Failed::Refused(self.keeper.needs_login("Yespo no longer accepts this login.").await))
    }
}

#[async_trait]
impl TokenProvider for OAuthSession {
    async fn access_token(&self) -> AppResult<Secret> {
        self.detached(|inner| async move { inner.access_token().await }).await
    }

    async fn refresh(&self, rejected: &Secret) -> AppResult<Secret> {
        let rejected = rejected.clone();
        self.detached(|inner| async move { inner.refresh(&rejected).await }).await
    }
}
