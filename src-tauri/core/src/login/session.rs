//! Staying logged in: an OAuth account's access token, refreshed ahead of time (at 80% of its
//! life) and after a 401, one refresh at a time per account (the registry keeps one session
//! per account, so this holds across every caller).
//!
//! A refresh runs to its end even when the caller stops waiting: Yespo rotates the refresh
//! token, so a refresh cut off between its answer and the save would spend the login.

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

/// The [`TokenProvider`] of one OAuth account's session.
pub struct OAuthSession {
    inner: Arc<Inner>,
}

struct Inner {
    keeper: Keeper,
    ended: CancellationToken,
    /// The access token in use; the lock also makes refreshes single-flight.
    current: tokio::sync::Mutex<Current>,
    refreshes: AtomicUsize,
}

#[derive(Default)]
struct Current {
    token: Option<AccessToken>,
    /// No early refresh before this (set after one failed).
    early_refresh_not_before: Option<Instant>,
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

    /// The access token to start from: the unsaved newest one, else the keychain's.
    async fn load(&self) -> AppResult<AccessToken> {
        if let Some(pair) = self.keeper.unsaved().await {
            return Ok(AccessToken::from_pair(&pair));
        }
        let id = self.keeper.account_id();
        let account = self.keeper.env.accounts.get(id).map_err(|_| AppError::session_ended())?;
        match secrets::get(&self.keeper.env.secrets, id, SecretKind::AccessToken).await? {
            Some(token) => Ok(AccessToken {
                token,
                obtained_at: account.access_obtained_at,
                expires_at: account.access_expires_at,
            }),
            None if account.state == super::accounts::LoginState::Connected => {
                Err(self.keeper.needs_login("There is no saved login for this account.").await)
            }
            None => Err(AppError::new(ErrorCode::AuthRequired, "This account is not logged in.")),
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
            return self.refresh_locked(&mut current).await;
        }
        let early_allowed = current.early_refresh_not_before.is_none_or(|t| Instant::now() >= t);
        if !token.due(now) || !early_allowed {
            return Ok(token.token.clone());
        }
        match self.refresh_locked(&mut current).await {
            Ok(token) => Ok(token),
            // Yespo refused the login, or the session ended: that is the answer.
            Err(e) if matches!(e.code, ErrorCode::AuthExpired | ErrorCode::AuthRequired) => Err(e),
            // A network or keychain failure: the access token is still valid, use it.
            Err(e) => {
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
        self.refresh_locked(&mut current).await
    }

    /// The stored refresh token: the unsaved newest one, else the keychain's.
    async fn stored_refresh_token(&self) -> AppResult<Option<Secret>> {
        if let Some(refresh) = self.keeper.unsaved().await.and_then(|p| p.refresh) {
            return Ok(Some(refresh));
        }
        secrets::get(&self.keeper.env.secrets, self.keeper.account_id(), SecretKind::RefreshToken).await
    }

    /// Refresh with the stored refresh token. On `invalid_grant`, look again: if another refresh
    /// (another process) rotated it meanwhile, use the new one.
    async fn refresh_locked(&self, current: &mut Current) -> AppResult<Secret> {
        self.check_live()?;
        let account = self.keeper.env.accounts.get(self.keeper.account_id()).map_err(|_| AppError::session_ended())?;
        if account.refresh_expires_at.is_some_and(|t| t <= now_secs()) {
            return Err(self.keeper.needs_login("The login has expired (Yespo keeps it for 30 days).").await);
        }
        let Some(mut refresh) = self.stored_refresh_token().await? else {
            return Err(self.keeper.needs_login("There is no saved login for this account.").await);
        };
        for attempt in 0..2 {
            self.refreshes.fetch_add(1, Ordering::SeqCst);
            match refresh_tokens(&self.keeper.env, &account, &refresh).await {
                Ok(tokens) => {
                    let pair = TokenPair::new(tokens, now_secs());
                    // Refused after a log out or a new login: the pair is dropped, unwritten.
                    self.keeper.save_refreshed(pair.clone()).await?;
                    current.token = Some(AccessToken::from_pair(&pair));
                    current.early_refresh_not_before = None;
                    return Ok(pair.access);
                }
                Err(e) if e.code == ErrorCode::AuthExpired && attempt == 0 => {
                    match self.stored_refresh_token().await? {
                        Some(newer) if newer != refresh => refresh = newer,
                        _ => return Err(self.keeper.needs_login("Yespo no longer accepts this login.").await),
                    }
                }
                Err(e) if e.code == ErrorCode::AuthExpired => {
                    return Err(self.keeper.needs_login("Yespo no longer accepts this login.").await)
                }
                Err(e) => return Err(e),
            }
        }
        Err(self.keeper.needs_login("Yespo no longer accepts this login.").await)
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
