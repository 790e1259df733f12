//! Staying logged in: an account's access token, refreshed before it expires (at 80% of its
//! life) and after a 401, one refresh at a time per account.

use super::accounts::LoginState;
use super::oauth::{now_secs, refresh_tokens, save_tokens, LoginEnv};
use super::secrets::{self, SecretKind};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::secret::Secret;
use crate::yespo::TokenProvider;
use async_trait::async_trait;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The [`TokenProvider`] of one OAuth account.
pub struct OAuthSession {
    env: LoginEnv,
    account_id: String,
    /// The access token in use; the lock also makes refreshes single-flight.
    current: tokio::sync::Mutex<Option<Secret>>,
    refreshes: AtomicUsize,
}

impl OAuthSession {
    pub fn new(env: LoginEnv, account_id: &str) -> OAuthSession {
        OAuthSession {
            env,
            account_id: account_id.to_string(),
            current: Default::default(),
            refreshes: AtomicUsize::new(0),
        }
    }

    /// Refreshes done by this session (for tests and diagnostics).
    pub fn refresh_count(&self) -> usize {
        self.refreshes.load(Ordering::SeqCst)
    }

    fn needs_login(&self, why: &str) -> AppError {
        let id = self.account_id.clone();
        let _ = self.env.accounts.update(move |f| {
            if let Some(a) = f.accounts.iter_mut().find(|a| a.id == id) {
                a.state = LoginState::NeedsLogin;
            }
            Ok(())
        });
        AppError::new(ErrorCode::AuthExpired, format!("{why} Log in again."))
    }

    /// Refresh with the stored refresh token. On `invalid_grant`, read the keychain again: if
    /// another refresh (another window, another process) rotated it meanwhile, use the new one.
    async fn refresh_locked(&self, current: &mut Option<Secret>) -> AppResult<Secret> {
        let account = self.env.accounts.get(&self.account_id)?;
        if account.refresh_expires_at.is_some_and(|t| t <= now_secs()) {
            return Err(self.needs_login("The login has expired (Yespo keeps it for 30 days)."));
        }
        let mut refresh = secrets::get(&self.env.secrets, &self.account_id, SecretKind::RefreshToken)
            .await?
            .ok_or_else(|| self.needs_login("There is no saved login for this account."))?;
        for attempt in 0..2 {
            self.refreshes.fetch_add(1, Ordering::SeqCst);
            match refresh_tokens(&self.env, &account, &refresh).await {
                Ok(tokens) => {
                    save_tokens(&self.env, &self.account_id, &tokens).await?;
                    *current = Some(tokens.access.clone());
                    return Ok(tokens.access);
                }
                Err(e) if e.code == ErrorCode::AuthExpired && attempt == 0 => {
                    let stored = secrets::get(&self.env.secrets, &self.account_id, SecretKind::RefreshToken).await?;
                    match stored {
                        Some(newer) if newer != refresh => refresh = newer,
                        _ => return Err(self.needs_login("Yespo no longer accepts this login.")),
                    }
                }
                Err(e) if e.code == ErrorCode::AuthExpired => {
                    return Err(self.needs_login("Yespo no longer accepts this login."))
                }
                Err(e) => return Err(e),
            }
        }
        Err(self.needs_login("Yespo no longer accepts this login."))
    }
}

#[async_trait]
impl TokenProvider for OAuthSession {
    async fn access_token(&self) -> AppResult<Secret> {
        let mut current = self.current.lock().await;
        let account = self.env.accounts.get(&self.account_id)?;
        // Refresh ahead of time: at 80% of the access token's life.
        if let (Some(obtained), Some(expires)) = (account.access_obtained_at, account.access_expires_at) {
            let renew_at = obtained + (expires.saturating_sub(obtained)) * 4 / 5;
            if now_secs() >= renew_at {
                return self.refresh_locked(&mut current).await;
            }
        }
        if current.is_none() {
            *current = secrets::get(&self.env.secrets, &self.account_id, SecretKind::AccessToken).await?;
        }
        match current.clone() {
            Some(token) => Ok(token),
            None => Err(AppError::new(ErrorCode::AuthRequired, "This account is not logged in.")),
        }
    }

    async fn refresh(&self, rejected: &Secret) -> AppResult<Secret> {
        let mut current = self.current.lock().await;
        // Single flight: if another caller already replaced the rejected token, use theirs.
        if let Some(token) = current.as_ref() {
            if token != rejected {
                return Ok(token.clone());
            }
        }
        self.refresh_locked(&mut current).await
    }
}
