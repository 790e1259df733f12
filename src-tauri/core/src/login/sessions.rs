//! The sessions registry: at most one live session per account, each with one Yespo client (one
//! connection pool, one rate budget) and, for an OAuth account, one token refresher. Every
//! caller asks here for a client; nothing else builds one.
//!
//! One lock per account orders token writes against log out, remove and a new login, so a
//! refresh that ends after a log out writes nothing (tokens are never resurrected), and a rotated
//! refresh token the keychain refused is kept in memory and saved again later (never lost: the
//! old one is already spent).

use super::accounts::{Account, AccountAuth, LoginState};
use super::oauth::{now_secs, unknown_kind, LoginEnv, Tokens, REFRESH_TOKEN_LIFETIME};
use super::secrets::{self, SecretKind};
use super::session::OAuthSession;
use crate::error::{AppError, AppResult};
use crate::secret::Secret;
use crate::yespo::{Auth, RateLimits, Throttle, YespoClient};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// How often tokens the keychain refused are offered to it again.
pub const SAVE_RETRY_INTERVAL: Duration = Duration::from_secs(30);

/// Settings of a [`Sessions`] registry; the defaults are the app's.
#[derive(Debug, Clone, Copy)]
pub struct SessionOptions {
    /// How often to retry saving tokens the keychain refused.
    pub save_retry: Duration,
    /// Each account's client-side rate budget.
    pub limits: RateLimits,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions { save_retry: SAVE_RETRY_INTERVAL, limits: RateLimits::default() }
    }
}

/// What the UI hears about sessions: warnings per account (the keychain refused tokens, which
/// are kept in memory meanwhile), and a revision that moves whenever an account changed in the
/// background (a refresh, "Log in again"), so the list can be read again.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionsStatus {
    pub revision: u64,
    pub warnings: Vec<SessionWarning>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionWarning {
    pub account_id: String,
    /// `{code, message, details?}`, as every error crosses IPC.
    pub error: AppError,
}

/// Publishes [`SessionsStatus`] changes.
pub(crate) struct StatusBoard {
    tx: watch::Sender<SessionsStatus>,
}

impl StatusBoard {
    fn new() -> StatusBoard {
        StatusBoard { tx: watch::Sender::new(SessionsStatus::default()) }
    }

    /// An account changed: readers should load the list again.
    pub(crate) fn changed(&self) {
        self.tx.send_modify(|s| s.revision += 1);
    }

    fn warn(&self, account_id: &str, error: AppError) {
        self.tx.send_modify(|s| {
            s.warnings.retain(|w| w.account_id != account_id);
            s.warnings.push(SessionWarning { account_id: account_id.to_string(), error });
            s.revision += 1;
        });
    }

    fn clear(&self, account_id: &str) {
        self.tx.send_if_modified(|s| {
            let before = s.warnings.len();
            s.warnings.retain(|w| w.account_id != account_id);
            let changed = s.warnings.len() != before;
            if changed {
                s.revision += 1;
            }
            changed
        });
    }
}

/// A token answer with the times the app keeps (Unix seconds).
#[derive(Clone)]
pub(crate) struct TokenPair {
    pub access: Secret,
    /// `None` when the server did not rotate it: the stored one stays.
    pub refresh: Option<Secret>,
    pub obtained_at: u64,
    pub expires_at: Option<u64>,
}

impl TokenPair {
    pub fn new(tokens: Tokens, now: u64) -> TokenPair {
        TokenPair {
            expires_at: tokens.expires_in.map(|d| now + d.as_secs()),
            access: tokens.access,
            refresh: tokens.refresh,
            obtained_at: now,
        }
    }
}

/// What may write an account's tokens, guarded by [`AccountEntry::tokens`].
#[derive(Default)]
pub(crate) struct TokenState {
    /// Moves on log out, remove and a new login: a session of an older epoch writes nothing.
    pub epoch: u64,
    /// The newest pair, when the keychain refused it; offered to it again in the background.
    pub unsaved: Option<TokenPair>,
    /// Whether that background retry is running.
    retrying: bool,
}

/// Everything the app holds for one account while it runs, across its sessions.
pub(crate) struct AccountEntry {
    pub id: String,
    /// One rate budget per account for the app's lifetime: a new session keeps drawing from it.
    throttle: Arc<Throttle>,
    /// The live session; the lock also makes its creation single-flight.
    session: tokio::sync::Mutex<Option<Arc<Session>>>,
    pub tokens: tokio::sync::Mutex<TokenState>,
    /// Held while a refresh runs: one at a time for the account, also across its sessions (a
    /// session ended by an edit may still be refreshing when the next one starts).
    refreshing: tokio::sync::Mutex<()>,
}

/// Where a token pair [`persist`] keeps came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Refresh,
    Login,
}

/// What an OAuth session needs to keep its account's tokens.
pub(crate) struct Keeper {
    pub env: LoginEnv,
    entry: Arc<AccountEntry>,
    epoch: u64,
    board: Arc<StatusBoard>,
    save_retry: Duration,
}

impl Keeper {
    pub fn account_id(&self) -> &str {
        &self.entry.id
    }

    /// Wait for the account's turn to refresh.
    pub async fn refresh_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.entry.refreshing.lock().await
    }

    /// The newest pair the keychain has not taken yet, if any.
    pub async fn unsaved(&self) -> Option<TokenPair> {
        self.entry.tokens.lock().await.unsaved.clone()
    }

    /// Keep a refreshed pair: in the keychain, or in memory if the keychain refuses it. Refused
    /// (`auth_required`, nothing written) if the session ended with a log out, a removal or a
    /// new login meanwhile, or the account is logged out.
    pub async fn save_refreshed(&self, pair: TokenPair) -> AppResult<()> {
        let mut state = self.entry.tokens.lock().await;
        if state.epoch != self.epoch {
            return Err(AppError::session_ended());
        }
        match self.env.accounts.get(&self.entry.id) {
            Ok(account) if account.state != LoginState::LoggedOut => {}
            _ => return Err(AppError::session_ended()),
        }
        persist(&self.env, &self.entry, &mut state, pair, Source::Refresh, &self.board, self.save_retry).await;
        Ok(())
    }

    /// Yespo refused the login: mark the account "Log in again" (if it is still connected in
    /// this session's epoch), drop tokens still waiting for the keychain (they are dead), and
    /// return the error to show.
    pub async fn needs_login(&self, why: &str) -> AppError {
        let mut state = self.entry.tokens.lock().await;
        if state.epoch != self.epoch {
            return AppError::session_ended();
        }
        if state.unsaved.take().is_some() {
            self.board.clear(&self.entry.id);
        }
        let id = self.entry.id.clone();
        let marked = self.env.accounts.update(move |f| {
            Ok(match f.accounts.iter_mut().find(|a| a.id == id) {
                Some(a) if a.state == LoginState::Connected => {
                    a.state = LoginState::NeedsLogin;
                    true
                }
                _ => false,
            })
        });
        drop(state);
        if marked.unwrap_or(false) {
            self.board.changed();
        }
        AppError::new(crate::ErrorCode::AuthExpired, format!("{why} Log in again."))
    }
}

/// Write a pair to the keychain (refresh token first: the old one is spent) and its times to
/// the account list. If the keychain refuses, keep the pair in memory, warn, and retry later.
async fn persist(
    env: &LoginEnv,
    entry: &Arc<AccountEntry>,
    state: &mut TokenState,
    mut pair: TokenPair,
    source: Source,
    board: &Arc<StatusBoard>,
    save_retry: Duration,
) {
    let rotated = pair.refresh.is_some();
    if !rotated {
        // Not rotated this time: a newer refresh token than the keychain's may still be unsaved.
        pair.refresh = state.unsaved.as_ref().and_then(|u| u.refresh.clone());
    }
    let mut saved = write_to_keychain(env, &entry.id, &pair).await;
    if saved.is_ok() && pair.refresh.is_none() && source == Source::Login {
        // A login without a refresh token: the previous login's must not outlive it.
        saved = secrets::delete(&env.secrets, &entry.id, SecretKind::RefreshToken).await;
    }
    let id = entry.id.clone();
    let (obtained, expires) = (pair.obtained_at, pair.expires_at);
    let listed = env.accounts.update(move |f| {
        if let Some(a) = f.accounts.iter_mut().find(|a| a.id == id) {
            a.state = LoginState::Connected;
            a.access_obtained_at = Some(obtained);
            a.access_expires_at = expires;
            if rotated {
                a.refresh_expires_at = Some(obtained + REFRESH_TOKEN_LIFETIME.as_secs());
            }
        }
        Ok(())
    });
    if let Err(error) = listed {
        tracing::warn!(code = %error.code, message = %error.message, "cannot save the token times in the account list");
    }
    match saved {
        Ok(()) => {
            state.unsaved = None;
            board.clear(&entry.id);
        }
        Err(error) => {
            tracing::warn!(account = %entry.id, ?source, code = %error.code, "the keychain refused the new tokens; keeping them in memory and trying again");
            state.unsaved = Some(pair);
            board.warn(
                &entry.id,
                AppError::keychain_unavailable(
                    "The keychain did not take this account's new login; it is kept in memory and saved as soon as the keychain answers. Unlock the keychain, and keep the app open until this warning goes.",
                )
                .with_details(format!("{}: {}", error.code, error.message)),
            );
            if !state.retrying {
                state.retrying = true;
                tokio::spawn(retry_saving(env.clone(), entry.clone(), board.clone(), save_retry));
            }
        }
    }
    board.changed();
}

async fn write_to_keychain(env: &LoginEnv, account_id: &str, pair: &TokenPair) -> AppResult<()> {
    if let Some(refresh) = &pair.refresh {
        secrets::set(&env.secrets, account_id, SecretKind::RefreshToken, refresh).await?;
    }
    secrets::set(&env.secrets, account_id, SecretKind::AccessToken, &pair.access).await
}

/// Offer the unsaved pair to the keychain until it takes it, or the pair is no longer wanted
/// (logged out, removed, replaced by a newer pair that was saved). The token lock is held while
/// the keychain answers (at most its timeout), so no other token write can land in between.
async fn retry_saving(env: LoginEnv, entry: Arc<AccountEntry>, board: Arc<StatusBoard>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        let mut state = entry.tokens.lock().await;
        let Some(pair) = state.unsaved.clone() else {
            state.retrying = false;
            return;
        };
        match write_to_keychain(&env, &entry.id, &pair).await {
            Ok(()) => {
                tracing::info!(account = %entry.id, "the keychain took the kept tokens");
                state.unsaved = None;
                state.retrying = false;
                board.clear(&entry.id);
                return;
            }
            Err(error) => {
                tracing::debug!(account = %entry.id, code = %error.code, "the keychain still refuses the tokens")
            }
        }
    }
}

/// One account's live session: its client and, for OAuth, its token refresher.
pub struct Session {
    entry: Arc<AccountEntry>,
    client: YespoClient,
    oauth: Option<Arc<OAuthSession>>,
    /// Cancelled when the session ends: calls in flight fail with `auth_required`.
    ended: CancellationToken,
    epoch: u64,
}

impl Session {
    pub fn account_id(&self) -> &str {
        &self.entry.id
    }

    /// The account's client; clones share its connection pool and rate budget.
    pub fn client(&self) -> &YespoClient {
        &self.client
    }

    /// The token refresher of an OAuth account.
    pub fn oauth(&self) -> Option<&Arc<OAuthSession>> {
        self.oauth.as_ref()
    }

    pub fn is_ended(&self) -> bool {
        self.ended.is_cancelled()
    }
}

/// The registry. Keep one per app (the Tauri shell holds it in its managed state).
pub struct Sessions {
    env: LoginEnv,
    entries: Mutex<HashMap<String, Arc<AccountEntry>>>,
    board: Arc<StatusBoard>,
    options: SessionOptions,
}

impl Sessions {
    pub fn new(env: LoginEnv) -> Sessions {
        Sessions::with_options(env, SessionOptions::default())
    }

    pub fn with_options(env: LoginEnv, options: SessionOptions) -> Sessions {
        Sessions { env, entries: Mutex::default(), board: Arc::new(StatusBoard::new()), options }
    }

    /// The account list and keychain this registry works with.
    pub fn env(&self) -> &LoginEnv {
        &self.env
    }

    /// Warnings and a revision, for the UI to follow.
    pub fn status(&self) -> watch::Receiver<SessionsStatus> {
        self.board.tx.subscribe()
    }

    pub(crate) fn board(&self) -> &Arc<StatusBoard> {
        &self.board
    }

    fn entry(&self, account_id: &str) -> Arc<AccountEntry> {
        let mut entries = self.entries.lock().expect("sessions lock");
        entries
            .entry(account_id.to_string())
            .or_insert_with(|| {
                Arc::new(AccountEntry {
                    id: account_id.to_string(),
                    throttle: Arc::new(Throttle::new(self.options.limits)),
                    session: Default::default(),
                    tokens: Default::default(),
                    refreshing: Default::default(),
                })
            })
            .clone()
    }

    /// The account's live session, made on first use. Concurrent first uses share one.
    pub async fn session(&self, account_id: &str) -> AppResult<Arc<Session>> {
        let entry = self.entry(account_id);
        let mut slot = entry.session.lock().await;
        if let Some(session) = slot.as_ref().filter(|s| !s.is_ended()) {
            return Ok(session.clone());
        }
        let account = self.env.accounts.get(account_id)?;
        let epoch = entry.tokens.lock().await.epoch;
        let ended = CancellationToken::new();
        let (auth, oauth) = match &account.auth {
            AccountAuth::ApiKey => {
                let key = secrets::get(&self.env.secrets, account_id, SecretKind::ApiKey).await?.ok_or_else(|| {
                    AppError::validation("This account has no API key in the keychain; edit it and enter the key")
                })?;
                (Auth::ApiKey(key), None)
            }
            AccountAuth::OAuth { .. } => {
                let keeper = Keeper {
                    env: self.env.clone(),
                    entry: entry.clone(),
                    epoch,
                    board: self.board.clone(),
                    save_retry: self.options.save_retry,
                };
                let oauth = Arc::new(OAuthSession::new(keeper, ended.clone()));
                (Auth::Bearer(oauth.clone()), Some(oauth))
            }
            AccountAuth::Unknown => return Err(unknown_kind()),
        };
        let client = YespoClient::builder(&account.api_base_url, auth)
            .shared_throttle(entry.throttle.clone())
            .ended_by(ended.clone())
            .build()?;
        let session = Arc::new(Session { entry: entry.clone(), client, oauth, ended, epoch });
        *slot = Some(session.clone());
        Ok(session)
    }

    /// Check a new API key for an account before it replaces the old one (`GET v2/version`),
    /// drawing on the account's own rate budget.
    pub async fn check_api_key(&self, account_id: &str, key: &Secret) -> AppResult<()> {
        let account = self.env.accounts.get(account_id)?;
        let entry = self.entry(account_id);
        let probe = YespoClient::builder(&account.api_base_url, Auth::ApiKey(key.clone()))
            .shared_throttle(entry.throttle.clone())
            .build()?;
        probe.version_v2().await.map(|_| ())
    }

    /// The account's client (from its live session).
    pub async fn client(&self, account_id: &str) -> AppResult<YespoClient> {
        Ok(self.session(account_id).await?.client.clone())
    }

    /// How many accounts have a live session now.
    pub async fn live_sessions(&self) -> usize {
        let entries: Vec<Arc<AccountEntry>> = self.entries.lock().expect("sessions lock").values().cloned().collect();
        let mut live = 0;
        for entry in entries {
            live += usize::from(entry.session.lock().await.as_ref().is_some_and(|s| !s.is_ended()));
        }
        live
    }

    /// End the live session, if any: calls in flight fail with `auth_required`; the next call
    /// starts a new one. Tokens it still obtains are kept (the account stays logged in).
    pub async fn end_session(&self, account_id: &str) {
        let entry = self.entry(account_id);
        drop(self.end_under_lock(&entry).await);
    }

    /// Check the credentials work: `GET v2/version` (Yespo's own test) and `GET v1/account/info`;
    /// remember the organisation's name.
    pub async fn verify(&self, account_id: &str) -> AppResult<Account> {
        let session = self.session(account_id).await?;
        session.client.version_v2().await?;
        let info = session.client.account_info().await?;
        let state = session.entry.tokens.lock().await;
        if state.epoch != session.epoch || session.is_ended() {
            return Err(AppError::session_ended());
        }
        let id = account_id.to_string();
        let account = self.env.accounts.update(move |f| {
            let a = f
                .accounts
                .iter_mut()
                .find(|a| a.id == id)
                .ok_or_else(|| AppError::not_found("The account was removed"))?;
            a.organisation = info.organisation_name.clone().or(info.user_email.clone());
            a.state = LoginState::Connected;
            Ok(a.clone())
        })?;
        drop(state);
        self.board.changed();
        Ok(account)
    }

    /// A login finished: end the old session, and keep the new tokens (in memory if the
    /// keychain refuses them). The account is then connected.
    pub(crate) async fn logged_in(&self, account_id: &str, tokens: Tokens) -> AppResult<()> {
        let entry = self.entry(account_id);
        let _slot = self.end_under_lock(&entry).await;
        let mut state = self.disown_tokens(&entry).await;
        self.env
            .accounts
            .get(account_id)
            .map_err(|_| AppError::not_found("The account was removed during the login"))?;
        state.unsaved = None;
        let pair = TokenPair::new(tokens, now_secs());
        persist(&self.env, &entry, &mut state, pair, Source::Login, &self.board, self.options.save_retry).await;
        Ok(())
    }

    /// Log out: end the session, forget the tokens (Yespo has no revocation endpoint; the user
    /// disconnects the app under Connected apps in Yespo to revoke it fully). The account is
    /// logged out first, so tokens a failing keychain keeps are never used again.
    pub async fn log_out(&self, account_id: &str) -> AppResult<Account> {
        let entry = self.entry(account_id);
        let _slot = self.end_under_lock(&entry).await;
        let mut state = self.disown_tokens(&entry).await;
        let id = account_id.to_string();
        let account = self.env.accounts.update(move |f| {
            let a = f.accounts.iter_mut().find(|a| a.id == id).ok_or_else(|| AppError::not_found("No such account"))?;
            a.state = LoginState::LoggedOut;
            a.access_expires_at = None;
            a.access_obtained_at = None;
            a.refresh_expires_at = None;
            Ok(a.clone())
        })?;
        state.unsaved = None;
        self.board.clear(account_id);
        self.board.changed();
        for kind in [SecretKind::AccessToken, SecretKind::RefreshToken] {
            secrets::delete(&self.env.secrets, account_id, kind).await.map_err(|e| {
                AppError::new(e.code, format!("Logged out, but the keychain kept the old tokens: {}", e.message))
            })?;
        }
        Ok(account)
    }

    /// Remove an account and every secret of it. If the keychain refuses, nothing is removed
    /// (and tokens waiting for it stay in memory).
    pub async fn remove(&self, account_id: &str) -> AppResult<()> {
        let entry = self.entry(account_id);
        let _slot = self.end_under_lock(&entry).await;
        let mut state = self.disown_tokens(&entry).await;
        for kind in SecretKind::ALL {
            secrets::delete(&self.env.secrets, account_id, kind).await?;
        }
        state.unsaved = None;
        self.board.clear(account_id);
        let id = account_id.to_string();
        self.env.accounts.update(move |f| {
            f.accounts.retain(|a| a.id != id);
            if f.active.as_deref() == Some(id.as_str()) {
                f.active = f.accounts.first().map(|a| a.id.clone());
            }
            Ok(())
        })?;
        self.entries.lock().expect("sessions lock").retain(|_, e| !Arc::ptr_eq(e, &entry));
        self.board.changed();
        Ok(())
    }

    /// Move to a new epoch, holding the token lock: no session started before writes tokens
    /// any more (log out, remove, a new login).
    async fn disown_tokens<'a>(&self, entry: &'a AccountEntry) -> tokio::sync::MutexGuard<'a, TokenState> {
        let mut state = entry.tokens.lock().await;
        state.epoch += 1;
        state
    }

    /// End the live session and hold the slot, so no new session starts until the guard drops.
    async fn end_under_lock<'a>(&self, entry: &'a AccountEntry) -> tokio::sync::MutexGuard<'a, Option<Arc<Session>>> {
        let mut slot = entry.session.lock().await;
        if let Some(session) = slot.take() {
            session.ended.cancel();
        }
        slot
    }
}
