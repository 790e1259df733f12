//! The sessions registry against the sandbox: one session per account shared by every caller
//! (one refresh, one rate budget), tokens kept when the keychain refuses them, nothing written
//! back after a log out, and a session's end felt by calls in flight.

mod common;

use common::*;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use yespo_core::login::*;
use yespo_core::yespo::ContactSearch;
use yespo_core::ErrorCode;
use yespo_sandbox::Right;

fn memory() -> Arc<MemoryStore> {
    Arc::new(MemoryStore::default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_calls_on_an_expired_token_refresh_once() {
    let s = setup(memory(), |_| {}).await;
    let account = log_in_and_let_the_token_expire(&s).await;
    let refreshes_before = s.sandbox.token_requests("refresh_token");
    // Each call asks the registry itself, as 50 commands would.
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let (sessions, id) = (s.sessions.clone(), account.id.clone());
            tokio::spawn(async move { sessions.client(&id).await?.account_info().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().expect("every call succeeds");
    }
    assert_eq!(s.sandbox.token_requests("refresh_token") - refreshes_before, 1, "exactly one refresh reached Yespo");
    assert_eq!(s.sessions.live_sessions().await, 1);
    assert_eq!(s.account_now().state, LoginState::Connected);
}

#[tokio::test]
async fn a_refused_keychain_write_keeps_the_tokens_in_memory_until_the_keychain_takes_them() {
    let store = memory();
    let options = SessionOptions { save_retry: Duration::from_millis(200), ..SessionOptions::default() };
    let s = setup_with(store.clone(), options, |_| {}).await;
    let account = log_in_and_let_the_token_expire(&s).await;
    let spent_refresh = store.peek(&account.id, SecretKind::RefreshToken).unwrap();
    let status = s.sessions.status();

    store.refuse_writes(true);
    let client = s.sessions.client(&account.id).await.unwrap();
    client.account_info().await.expect("the refresh worked; its tokens serve from memory");
    assert!(store.refused.load(Ordering::SeqCst) > 0, "the keychain was asked and refused");
    assert_eq!(store.peek(&account.id, SecretKind::RefreshToken).unwrap(), spent_refresh, "nothing was saved");
    let warning = status.borrow().warnings.iter().find(|w| w.account_id == account.id).cloned().expect("a warning");
    assert_eq!(warning.error.code, ErrorCode::KeychainUnavailable);
    // Calls keep working (the sandbox already refuses the spent refresh token), also through a
    // session started anew, which takes the tokens kept in memory.
    s.sessions.end_session(&account.id).await;
    for _ in 0..3 {
        s.sessions.client(&account.id).await.unwrap().version_v2().await.expect("calls keep working");
    }
    assert_eq!(s.account_now().state, LoginState::Connected, "never 'Log in again'");

    // The keychain answers again: the retry saves the newest pair and the warning goes.
    store.refuse_writes(false);
    let mut status = status.clone();
    tokio::time::timeout(Duration::from_secs(5), status.wait_for(|s| s.warnings.is_empty())).await.unwrap().unwrap();
    let saved_refresh = store.peek(&account.id, SecretKind::RefreshToken).unwrap();
    assert_ne!(saved_refresh, spent_refresh);
    assert_eq!(s.account_now().state, LoginState::Connected);
    // What was saved is the live pair: a registry started afresh (an app restart) works with it.
    let restarted = Sessions::new(s.env().clone());
    restarted.client(&account.id).await.unwrap().account_info().await.expect("the saved tokens work");
    // And the saved refresh token is the newest: Yespo takes it.
    assert_eq!(refresh_at_yespo(&s, &account, &saved_refresh).await, 200, "the saved refresh token is the live one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn log_out_during_a_refresh_writes_nothing_back() {
    let store = memory();
    let s = setup(store.clone(), |_| {}).await;
    let account = log_in_and_let_the_token_expire(&s).await;
    let refreshes_before = s.sandbox.token_requests("refresh_token");
    // The refresh stops just before it reads the client secret (on its way to Yespo).
    store.hold_reads_of(SecretKind::ClientSecret);
    let call = tokio::spawn({
        let (sessions, id) = (s.sessions.clone(), account.id.clone());
        async move { sessions.client(&id).await?.account_info().await }
    });
    eventually("the refresh is under way", || store.gated_reads.load(Ordering::SeqCst) > 0).await;
    s.sessions.log_out(&account.id).await.unwrap();
    // The call does not wait for the refresh: it ends with the session.
    let err = tokio::time::timeout(Duration::from_secs(5), call).await.expect("the call ended").unwrap().unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthRequired, "{err:?}");
    // The refresh runs on to its end and reaches Yespo; what it gets is dropped.
    store.open_gate();
    eventually("the refresh reached Yespo", || s.sandbox.token_requests("refresh_token") > refreshes_before).await;
    tokio::time::sleep(Duration::from_millis(300)).await; // the answer's save would come right after
    assert_eq!(s.sandbox.token_requests("refresh_token") - refreshes_before, 1);
    assert!(store.peek(&account.id, SecretKind::AccessToken).is_none(), "no access token written back");
    assert!(store.peek(&account.id, SecretKind::RefreshToken).is_none(), "no refresh token written back");
    let now = s.account_now();
    assert_eq!(now.state, LoginState::LoggedOut);
    assert!(now.access_expires_at.is_none());
    // And nothing logs the account in again: a new call says so.
    let err = s.sessions.client(&account.id).await.unwrap().account_info().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthRequired);
}

#[tokio::test]
async fn a_call_in_flight_fails_when_its_account_logs_out() {
    let s = setup(memory(), |_| {}).await;
    let account = log_in(&s).await;
    s.sandbox.update_knobs(|k| k.latency_ms = 1500);
    let sent = s.sandbox.api_requests();
    let call = tokio::spawn({
        let (sessions, id) = (s.sessions.clone(), account.id.clone());
        async move { sessions.client(&id).await?.account_info().await }
    });
    eventually("the call reached Yespo", || s.sandbox.api_requests() > sent).await;
    s.sessions.log_out(&account.id).await.unwrap();
    let started = std::time::Instant::now();
    let err = call.await.unwrap().unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthRequired);
    assert!(started.elapsed() < Duration::from_millis(1000), "it did not wait for the answer");
    assert_eq!(s.account_now().state, LoginState::LoggedOut);
    // Removed: the registry knows the account no longer.
    s.sessions.remove(&account.id).await.unwrap();
    assert_eq!(s.sessions.client(&account.id).await.err().unwrap().code, ErrorCode::NotFound);
}

/// Point the account's token endpoint elsewhere (a server that is down, say).
fn set_token_url(s: &Setup, url: &str) {
    let (id, url) = (s.account.id.clone(), url.to_string());
    s.env()
        .accounts
        .update(move |f| {
            if let AccountAuth::OAuth { token_url, .. } = &mut f.accounts.iter_mut().find(|a| a.id == id).unwrap().auth
            {
                *token_url = url;
            }
            Ok(())
        })
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_early_refresh_that_fails_leaves_the_still_valid_token_in_use() {
    let s = setup(memory(), |_| {}).await;
    // A 10-second token: due at 8 s (80%), still valid until 10 s. A busy machine may take a
    // second or more to finish the login after the token was issued; the margin allows for it.
    s.sandbox.update_knobs(|k| k.access_token_ttl_secs = 10);
    let account = log_in(&s).await;
    s.sandbox.update_knobs(|k| k.access_token_ttl_secs = 3600);
    let token_url = format!("{}/uaa/oauth/token", s.sandbox.base_url());
    // Yespo's login server is down; the access token is due (80%) but still valid.
    set_token_url(&s, &format!("http://127.0.0.1:{}/uaa/oauth/token", free_port()));
    tokio::time::sleep(Duration::from_millis(8200)).await;
    let session = s.sessions.session(&account.id).await.unwrap();
    let calls: Vec<_> = (0..10).map(|_| session.client().account_info()).collect();
    for result in futures_util::future::join_all(calls).await {
        result.expect("the still-valid access token serves");
    }
    assert_eq!(session.oauth().unwrap().refresh_count(), 1, "one failed attempt, not one per caller");
    assert_eq!(s.account_now().state, LoginState::Connected);

    // Yespo refuses the login (`invalid_grant`): that ends it, even with a valid access token.
    set_token_url(&s, &token_url);
    s.env()
        .secrets
        .set(&account.id, SecretKind::RefreshToken, &yespo_core::Secret::new("spent-refresh-token"))
        .unwrap();
    s.sessions.end_session(&account.id).await;
    let err = s.sessions.client(&account.id).await.unwrap().account_info().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthExpired, "{err:?}");
    assert_eq!(s.account_now().state, LoginState::NeedsLogin);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_refresh_of_an_expired_token_answers_every_waiting_caller() {
    let s = setup(memory(), |_| {}).await;
    let account = log_in_and_let_the_token_expire(&s).await;
    set_token_url(&s, &format!("http://127.0.0.1:{}/uaa/oauth/token", free_port()));
    let session = s.sessions.session(&account.id).await.unwrap();
    let calls: Vec<_> = (0..10).map(|_| session.client().account_info()).collect();
    for result in futures_util::future::join_all(calls).await {
        assert_eq!(result.unwrap_err().code, ErrorCode::Network);
    }
    assert_eq!(session.oauth().unwrap().refresh_count(), 1, "one attempt answered them all");
    assert_eq!(s.account_now().state, LoginState::Connected, "a network failure is no reason to log in again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_caller_of_an_account_shares_its_rate_budget() {
    // The sandbox enforces Yespo's 50 searches per second.
    let sandbox = sandbox(200, |k| k.rate_limits = true).await;
    let dir = tempfile::tempdir().unwrap();
    let sessions = Arc::new(registry(&dir, memory()));
    let input = key_account(&sandbox, &sandbox.api_key(Right::FullAccess));
    let account = add_account(&sessions, &input).await.unwrap();
    sandbox.update_knobs(|_| {}); // a fresh second at the sandbox's limiter
    let before = sandbox.api_requests();
    // 120 searches spread over 6 "commands", each asking the registry for its client.
    let commands: Vec<_> = (0..6)
        .map(|_| {
            let (sessions, id) = (sessions.clone(), account.id.clone());
            tokio::spawn(async move {
                let client = sessions.client(&id).await?;
                let everyone = ContactSearch::default();
                let searches = (0..20).map(|_| client.search_contacts(&everyone, 1, 5));
                futures_util::future::try_join_all(searches).await
            })
        })
        .collect();
    for command in commands {
        command.await.unwrap().expect("no search fails");
    }
    // Exactly 120 requests: not one was refused with a 429 and sent again.
    assert_eq!(sandbox.api_requests() - before, 120);
}
