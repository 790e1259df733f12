//! Logging in against the sandbox: the loopback OAuth flow through the login manager, with a
//! test "browser" doing the user's part over HTTP; expiry; the keychain; adding and editing
//! accounts.

mod common;

use common::*;
use std::sync::Arc;
use std::time::Duration;
use yespo_core::login::*;
use yespo_core::{ErrorCode, Secret};
use yespo_sandbox::Right;

fn memory() -> Arc<MemoryStore> {
    Arc::new(MemoryStore::default())
}

#[tokio::test]
async fn the_full_flow_connects_and_a_stray_request_does_not_disturb_it() {
    let store = memory();
    let s = setup(store.clone(), |_| {}).await;
    let started = s.logins.start(&s.account.id).await.unwrap();
    // A stray local request with a wrong state: 400, and the listener keeps waiting.
    let stray = http().get(format!("{}?code=forged&state=wrong", s.callback)).send().await.unwrap();
    assert_eq!(stray.status(), 400);
    let other_path = http().get(s.callback.replace("/callback", "/other")).send().await.unwrap();
    assert_eq!(other_path.status(), 404);
    let (done, (status, _)) =
        tokio::join!(s.logins.wait(Some(started.login_id)), browser(&s.sandbox, &started.authorize_url, "approve"));
    assert_eq!(status, 200);
    let account = done.unwrap();
    assert_eq!(account.state, LoginState::Connected);
    assert_eq!(account.organisation.as_deref(), Some(yespo_sandbox::demo_data::ORGANISATION));
    let listed = s.account_now();
    assert!(listed.access_expires_at.is_some() && listed.refresh_expires_at.is_some());
    // The tokens are in the secret store, and the account's client works with them.
    assert!(store.peek(&account.id, SecretKind::RefreshToken).is_some());
    let client = s.sessions.client(&account.id).await.unwrap();
    assert!(client.account_info().await.unwrap().user_email.is_some());
    // The listener is gone: the port is free again; nothing waits any more.
    assert!(std::net::TcpListener::bind(("127.0.0.1", port_of(&s.callback))).is_ok());
    assert!(s.logins.in_progress().await.is_none());
}

#[tokio::test]
async fn both_client_authentication_styles_work() {
    let s = setup(memory(), |_| {}).await;
    let id = s.account.id.clone();
    s.env()
        .accounts
        .update(move |f| {
            if let AccountAuth::OAuth { client_auth, .. } =
                &mut f.accounts.iter_mut().find(|a| a.id == id).unwrap().auth
            {
                *client_auth = ClientAuthStyle::Params;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(log_in(&s).await.state, LoginState::Connected);
}

#[tokio::test]
async fn access_denied_surfaces_the_providers_answer() {
    let s = setup(memory(), |_| {}).await;
    let started = s.logins.start(&s.account.id).await.unwrap();
    let (done, (status, page)) = tokio::join!(s.logins.wait(None), browser(&s.sandbox, &started.authorize_url, "deny"));
    assert_eq!(status, 200);
    assert!(page.contains("access_denied"), "{page}");
    let err = done.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthRequired);
    assert!(err.message.contains("access_denied"), "{}", err.message);
}

#[tokio::test]
async fn a_busy_port_is_reported_before_the_browser_opens() {
    let s = setup(memory(), |_| {}).await;
    let port = port_of(&s.callback);
    let _squatter = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let err = s.logins.start(&s.account.id).await.expect_err("a busy port fails");
    assert_eq!(err.code, ErrorCode::Validation);
    assert!(err.message.contains(&format!("Port {port} is busy")), "{}", err.message);
}

#[tokio::test]
async fn timeout_and_cancel_free_the_port() {
    let s = setup(memory(), |_| {}).await;
    let port = port_of(&s.callback);
    let logins = LoginManager::with_timeout(s.sessions.clone(), Duration::from_millis(300));
    logins.start(&s.account.id).await.unwrap();
    let err = logins.wait(None).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthRequired);
    assert!(err.message.contains("not finished within"), "{}", err.message);
    assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(), "the port is free after a timeout");

    let started = s.logins.start(&s.account.id).await.unwrap();
    let cancel_soon = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        s.logins.cancel().await;
        // `cancel` returns once the port is free.
        assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(), "the port is free after cancel");
    };
    let (waited, ()) = tokio::join!(s.logins.wait(Some(started.login_id)), cancel_soon);
    assert_eq!(waited.unwrap_err().code, ErrorCode::Cancelled);
}

#[tokio::test]
async fn a_pending_login_frees_its_port_even_if_nobody_waits() {
    // A reloaded window never calls `login_wait`: the deadline still ends the login.
    let s = setup(memory(), |_| {}).await;
    let logins = LoginManager::with_timeout(s.sessions.clone(), Duration::from_millis(300));
    logins.start(&s.account.id).await.unwrap();
    assert!(logins.in_progress().await.is_some());
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(std::net::TcpListener::bind(("127.0.0.1", port_of(&s.callback))).is_ok());
    assert!(logins.in_progress().await.is_none());
}

#[tokio::test]
async fn two_log_in_clicks_share_one_listener_and_the_login_completes() {
    let s = setup(memory(), |_| {}).await;
    let (first, second) = tokio::join!(s.logins.start(&s.account.id), s.logins.start(&s.account.id));
    let (first, second) = (first.unwrap(), second.unwrap());
    // One login: the same id and URL; only one of them may open a browser page.
    assert_eq!(first.login_id, second.login_id);
    assert_eq!(first.authorize_url, second.authorize_url);
    assert_eq!([first.reused, second.reused].iter().filter(|r| !**r).count(), 1, "{first:?} {second:?}");
    let (a, b, (status, _)) = tokio::join!(
        s.logins.wait(Some(first.login_id)),
        s.logins.wait(Some(second.login_id)),
        browser(&s.sandbox, &first.authorize_url, "approve")
    );
    assert_eq!(status, 200);
    assert_eq!(a.unwrap().state, LoginState::Connected);
    assert_eq!(b.unwrap().state, LoginState::Connected);
    assert_eq!(s.sandbox.token_requests("authorization_code"), 1);
}

#[tokio::test]
async fn a_login_for_another_account_on_the_same_port_replaces_the_pending_one() {
    let s = setup(memory(), |_| {}).await;
    let other = oauth_account(&s.sandbox, s.env(), "Other shop", &s.callback);
    let first = s.logins.start(&s.account.id).await.unwrap();
    let waiting_first = tokio::spawn({
        let logins = s.logins.clone();
        async move { logins.wait(Some(first.login_id)).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await; // it waits on the first login itself
                                                          // Never "Port busy: another program" about our own listener.
    let second = s.logins.start(&other.id).await.unwrap();
    assert!(!second.reused && second.login_id != first.login_id);
    let replaced = waiting_first.await.unwrap().unwrap_err();
    assert_eq!((replaced.code, replaced.message.as_str()), (ErrorCode::Cancelled, "Login cancelled"));
    let (done, _) =
        tokio::join!(s.logins.wait(Some(second.login_id)), browser(&s.sandbox, &second.authorize_url, "approve"));
    assert_eq!(done.unwrap().id, other.id);
    assert_eq!(s.env().accounts.get(&s.account.id).unwrap().state, LoginState::LoggedOut);
}

#[tokio::test]
async fn a_wrong_client_secret_is_a_clear_error() {
    let s = setup(memory(), |_| {}).await;
    s.env().secrets.set(&s.account.id, SecretKind::ClientSecret, &Secret::new("wrong-secret-value")).unwrap();
    let started = s.logins.start(&s.account.id).await.unwrap();
    let (done, _) = tokio::join!(s.logins.wait(None), browser(&s.sandbox, &started.authorize_url, "approve"));
    let err = done.unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert!(err.message.contains("Client ID or Client Secret"), "{}", err.message);
}

#[tokio::test]
async fn refresh_rotates_and_the_old_refresh_token_is_dead() {
    let store = memory();
    let s = setup(store.clone(), |_| {}).await;
    let account = log_in_briefly(&s).await;
    let first_refresh = store.peek(&account.id, SecretKind::RefreshToken).unwrap();
    let session = s.sessions.session(&account.id).await.unwrap();
    let before = session.oauth().unwrap().refresh_count();
    // Past 80% of a 3-second token (or past its end): the next call refreshes first.
    tokio::time::sleep(Duration::from_millis(2600)).await;
    session.client().account_info().await.unwrap();
    assert_eq!(session.oauth().unwrap().refresh_count() - before, 1);
    let second_refresh = store.peek(&account.id, SecretKind::RefreshToken).unwrap();
    assert_ne!(first_refresh, second_refresh, "the new refresh token was saved");
    // The sandbox rejects the old one.
    assert_eq!(refresh_at_yespo(&s, &account, &first_refresh).await, 400);
    // And the app keeps working.
    session.client().version_v2().await.unwrap();
}

#[tokio::test]
async fn concurrent_401s_trigger_exactly_one_refresh() {
    let s = setup(memory(), |_| {}).await;
    let account = log_in(&s).await;
    // A new session that starts from a stored access token that stopped working (say, revoked):
    // every call gets a 401.
    s.sessions.end_session(&account.id).await;
    s.env().secrets.set(&account.id, SecretKind::AccessToken, &Secret::new("revoked-access-token")).unwrap();
    let session = s.sessions.session(&account.id).await.unwrap();
    let calls = (0..10).map(|_| session.client().account_info());
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
    assert_eq!(session.oauth().unwrap().refresh_count(), 1);
}

#[tokio::test]
async fn an_expired_refresh_token_means_log_in_again() {
    let s = setup(memory(), |k| k.refresh_token_ttl_secs = 3).await;
    let account = log_in_and_let_the_token_expire(&s).await;
    let err = s.sessions.client(&account.id).await.unwrap().account_info().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthExpired);
    assert!(err.message.contains("Log in again"), "{}", err.message);
    assert_eq!(s.account_now().state, LoginState::NeedsLogin);
}

#[tokio::test]
async fn with_the_real_keychain_secrets_stay_out_of_files() {
    if std::env::var_os("YESPO_ADMIN_TEST_KEYCHAIN").is_none() {
        eprintln!("YESPO_ADMIN_TEST_KEYCHAIN is not set: ./dev test runs this against a real Secret Service");
        return;
    }
    let store = Arc::new(KeychainStore {
        service: format!("yespo-admin-test-{}", std::process::id()),
        ..KeychainStore::default()
    });
    let s = setup(store.clone(), |_| {}).await;
    let account = log_in(&s).await;
    let access = store.get(&account.id, SecretKind::AccessToken).unwrap().expect("in the keychain");
    let refresh = store.get(&account.id, SecretKind::RefreshToken).unwrap().expect("in the keychain");
    let client_secret = store.get(&account.id, SecretKind::ClientSecret).unwrap().unwrap();
    let text = std::fs::read_to_string(s.env().accounts.path()).unwrap();
    for secret in [&access, &refresh, &client_secret] {
        assert!(!text.contains(secret.expose_secret()), "a secret is in accounts.json");
    }
    s.sessions.log_out(&account.id).await.unwrap();
    assert!(store.get(&account.id, SecretKind::AccessToken).unwrap().is_none());
    assert!(store.get(&account.id, SecretKind::RefreshToken).unwrap().is_none());
    assert!(store.get(&account.id, SecretKind::ClientSecret).unwrap().is_some(), "log out keeps the app's secret");
    s.sessions.remove(&account.id).await.unwrap();
    assert!(store.get(&account.id, SecretKind::ClientSecret).unwrap().is_none());
    assert!(s.env().accounts.load().unwrap().accounts.is_empty());
}

#[tokio::test]
async fn an_api_key_account_is_checked_when_added() {
    let sandbox = sandbox(10, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let sessions = registry(&dir, memory());
    let account = add_account(&sessions, &key_account(&sandbox, &sandbox.api_key(Right::Messages))).await.unwrap();
    assert_eq!(account.state, LoginState::Connected);
    assert_eq!(account.organisation.as_deref(), Some(yespo_sandbox::demo_data::ORGANISATION));
    assert_eq!(sessions.env().accounts.load().unwrap().active.as_deref(), Some(account.id.as_str()));
    // A wrong key: a clear error, and nothing is kept.
    let err = add_account(&sessions, &key_account(&sandbox, "not-a-real-key-000")).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthExpired);
    assert_eq!(sessions.env().accounts.load().unwrap().accounts.len(), 1);
}

#[tokio::test]
async fn an_account_can_be_edited() {
    let sandbox = sandbox(10, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let store = memory();
    let sessions = registry(&dir, store.clone());
    let messages_key = sandbox.api_key(Right::Messages);
    let account = add_account(&sessions, &key_account(&sandbox, &messages_key)).await.unwrap();
    let before = sessions.session(&account.id).await.unwrap();
    // Renamed: the session goes on.
    let edit = AccountEdit { name: Some("  Shop EU ".into()), ..AccountEdit::default() };
    assert_eq!(edit_account(&sessions, &account.id, &edit).await.unwrap().name, "Shop EU");
    assert!(!before.is_ended());
    // A key that does not work is refused; the old one stays.
    let edit = AccountEdit { api_key: Some(Secret::new("not-a-real-key-000")), ..AccountEdit::default() };
    assert_eq!(edit_account(&sessions, &account.id, &edit).await.unwrap_err().code, ErrorCode::AuthExpired);
    assert_eq!(store.peek(&account.id, SecretKind::ApiKey).unwrap().expose_secret(), messages_key);
    // A working key, pasted with spaces: trimmed, kept, and the next session uses it.
    let full_key = sandbox.api_key(Right::FullAccess);
    let edit = AccountEdit { api_key: Some(Secret::new(format!(" {full_key}\n"))), ..AccountEdit::default() };
    edit_account(&sessions, &account.id, &edit).await.unwrap();
    assert_eq!(store.peek(&account.id, SecretKind::ApiKey).unwrap().expose_secret(), full_key);
    assert!(before.is_ended(), "a new key ends the old session");
    let contacts = sessions.client(&account.id).await.unwrap();
    contacts.search_contacts(&Default::default(), 1, 5).await.expect("the full-access key reads contacts");
    // OAuth fields on an API-key account are refused.
    let edit = AccountEdit { callback_url: Some("http://127.0.0.1:9999/cb".into()), ..AccountEdit::default() };
    assert_eq!(edit_account(&sessions, &account.id, &edit).await.unwrap_err().code, ErrorCode::Validation);
}

#[tokio::test]
async fn an_oauth_account_can_be_edited_without_logging_out() {
    let store = memory();
    let s = setup(store.clone(), |_| {}).await;
    let account = log_in(&s).await;
    let edit = AccountEdit {
        name: Some("Renamed".into()),
        callback_url: Some("http://localhost:8999/back".into()),
        client_auth: Some(ClientAuthStyle::Params),
        client_secret: Some(Secret::new("  a-new-client-secret \n")),
        api_key: None,
    };
    let edited = edit_account(&s.sessions, &account.id, &edit).await.unwrap();
    assert_eq!(edited.name, "Renamed");
    let AccountAuth::OAuth { callback_url, client_auth, .. } = &edited.auth else { unreachable!() };
    assert_eq!((callback_url.as_str(), *client_auth), ("http://localhost:8999/back", ClientAuthStyle::Params));
    assert_eq!(store.peek(&account.id, SecretKind::ClientSecret).unwrap().expose_secret(), "a-new-client-secret");
    assert_eq!(edited.state, LoginState::Connected, "the tokens are kept");
    assert!(store.peek(&account.id, SecretKind::RefreshToken).is_some());
    let edit = AccountEdit { callback_url: Some("https://example.com/cb".into()), ..AccountEdit::default() };
    assert_eq!(edit_account(&s.sessions, &account.id, &edit).await.unwrap_err().code, ErrorCode::Validation);
}
