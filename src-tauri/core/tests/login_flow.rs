//! Logging in against the sandbox: the loopback OAuth flow with a test "browser" doing the
//! user's part over HTTP, refresh with rotation, single-flight, expiry, and the keychain.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use yespo_core::login::*;
use yespo_core::sandbox::{Right, Sandbox};
use yespo_core::yespo::TokenProvider;
use yespo_core::{AppResult, ErrorCode, Secret};

#[derive(Default)]
struct MemoryStore(Mutex<HashMap<(String, SecretKind), Secret>>);

impl SecretStore for MemoryStore {
    fn get(&self, id: &str, kind: SecretKind) -> AppResult<Option<Secret>> {
        Ok(self.0.lock().unwrap().get(&(id.to_string(), kind)).cloned())
    }
    fn set(&self, id: &str, kind: SecretKind, value: &Secret) -> AppResult<()> {
        self.0.lock().unwrap().insert((id.to_string(), kind), value.clone());
        Ok(())
    }
    fn delete(&self, id: &str, kind: SecretKind) -> AppResult<()> {
        self.0.lock().unwrap().remove(&(id.to_string(), kind));
        Ok(())
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Setup {
    sandbox: Sandbox,
    env: LoginEnv,
    account: Account,
    _dir: tempfile::TempDir,
}

/// A sandbox, an OAuth app registered with a free loopback port, and an account for it.
async fn setup(store: Arc<dyn SecretStore>, knobs: impl FnOnce(&mut yespo_core::sandbox::Knobs)) -> Setup {
    let sandbox = common::sandbox(100, knobs).await;
    let callback = format!("http://127.0.0.1:{}/callback", free_port());
    let app = sandbox.register_app("Yespo Admin", &callback, Right::FullAccess);
    let dir = tempfile::tempdir().unwrap();
    let env = LoginEnv::new(AccountStore::new(dir.path()), store).unwrap();
    let base = sandbox.base_url();
    let account = Account::new(
        accounts::new_account_id(),
        "Sandbox".into(),
        format!("{base}/api"),
        AccountAuth::OAuth {
            client_id: app.client_id.clone(),
            callback_url: callback,
            authorize_url: format!("{base}/uaa/oauth/authorize"),
            token_url: format!("{base}/uaa/oauth/token"),
            client_auth: ClientAuthStyle::Basic,
        },
    );
    env.accounts
        .update(|f| {
            f.accounts.push(account.clone());
            Ok(())
        })
        .unwrap();
    env.secrets.set(&account.id, SecretKind::ClientSecret, &Secret::new(app.client_secret.clone())).unwrap();
    Setup { sandbox, env, account, _dir: dir }
}

/// The user's part in the browser: open the authorize URL, submit the form, follow the redirect
/// to the app's listener. Returns the listener's page.
async fn browser(sandbox: &Sandbox, authorize_url: &str, decision: &str) -> (u16, String) {
    let http = common::http();
    let page = http.get(authorize_url).send().await.unwrap();
    assert_eq!(page.status(), 200, "the login page opens");
    let html = page.text().await.unwrap();
    let mut form = common::hidden_fields(&html);
    let info = sandbox.info();
    form.push(("username".into(), info.demo_user));
    form.push(("password".into(), info.demo_password));
    form.push(("decision".into(), decision.into()));
    let r = http.post(format!("{}/uaa/oauth/authorize", sandbox.base_url())).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 302);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let landing = http.get(&location).send().await.unwrap();
    (landing.status().as_u16(), landing.text().await.unwrap())
}

fn callback_of(account: &Account) -> String {
    match &account.auth {
        AccountAuth::OAuth { callback_url, .. } => callback_url.clone(),
        AccountAuth::ApiKey => unreachable!(),
    }
}

async fn log_in(s: &Setup) -> Account {
    let pending = begin_login(&s.account).await.unwrap();
    let url = pending.authorize_url.clone();
    let sandbox_base = s.sandbox.base_url().to_string();
    assert!(url.starts_with(&sandbox_base));
    assert!(url.contains("code_challenge_method=S256") && url.contains("state="), "{url}");
    let cancel = CancellationToken::new();
    let (done, (status, page)) =
        tokio::join!(pending.finish(&s.env, Duration::from_secs(30), &cancel), browser(&s.sandbox, &url, "approve"));
    assert_eq!(status, 200);
    assert!(page.contains("You can close this tab"), "{page}");
    done.unwrap()
}

#[tokio::test]
async fn the_full_flow_connects_and_a_stray_request_does_not_disturb_it() {
    let s = setup(Arc::new(MemoryStore::default()), |_| {}).await;
    let pending = begin_login(&s.account).await.unwrap();
    let url = pending.authorize_url.clone();
    // A stray local request with a wrong state: 400, and the listener keeps waiting.
    let stray =
        common::http().get(format!("{}?code=forged&state=wrong", callback_of(&s.account))).send().await.unwrap();
    assert_eq!(stray.status(), 400);
    let other_path = common::http().get(callback_of(&s.account).replace("/callback", "/other")).send().await.unwrap();
    assert_eq!(other_path.status(), 404);
    let cancel = CancellationToken::new();
    let (done, (status, _)) =
        tokio::join!(pending.finish(&s.env, Duration::from_secs(30), &cancel), browser(&s.sandbox, &url, "approve"));
    assert_eq!(status, 200);
    let account = done.unwrap();
    assert_eq!(account.state, LoginState::Connected);
    assert_eq!(account.organisation.as_deref(), Some(yespo_core::sandbox::demo_data::ORGANISATION));
    assert!(account.access_expires_at.is_some() && account.refresh_expires_at.is_some());
    // The tokens are in the secret store, and the client works with them.
    assert!(s.env.secrets.get(&account.id, SecretKind::RefreshToken).unwrap().is_some());
    let (client, _) = client_for(&s.env, &account).await.unwrap();
    assert!(client.account_info().await.unwrap().user_email.is_some());
    // The listener is gone: the port is free again.
    assert!(std::net::TcpListener::bind((
        "127.0.0.1",
        yespo_core::login::loopback::CallbackUrl::parse(&callback_of(&account)).unwrap().port
    ))
    .is_ok());
}

#[tokio::test]
async fn both_client_authentication_styles_work() {
    let mut s = setup(Arc::new(MemoryStore::default()), |_| {}).await;
    if let AccountAuth::OAuth { client_auth, .. } = &mut s.account.auth {
        *client_auth = ClientAuthStyle::Params;
    }
    let id = s.account.id.clone();
    let auth = s.account.auth.clone();
    s.env
        .accounts
        .update(move |f| {
            f.accounts.iter_mut().find(|a| a.id == id).unwrap().auth = auth;
            Ok(())
        })
        .unwrap();
    assert_eq!(log_in(&s).await.state, LoginState::Connected);
}

#[tokio::test]
async fn access_denied_surfaces_the_providers_answer() {
    let s = setup(Arc::new(MemoryStore::default()), |_| {}).await;
    let pending = begin_login(&s.account).await.unwrap();
    let url = pending.authorize_url.clone();
    let cancel = CancellationToken::new();
    let (done, (status, page)) =
        tokio::join!(pending.finish(&s.env, Duration::from_secs(30), &cancel), browser(&s.sandbox, &url, "deny"));
    assert_eq!(status, 200);
    assert!(page.contains("access_denied"), "{page}");
    let err = done.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthRequired);
    assert!(err.message.contains("access_denied"), "{}", err.message);
}

#[tokio::test]
async fn a_busy_port_is_reported_before_the_browser_opens() {
    let s = setup(Arc::new(MemoryStore::default()), |_| {}).await;
    let port = yespo_core::login::loopback::CallbackUrl::parse(&callback_of(&s.account)).unwrap().port;
    let _squatter = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let err = begin_login(&s.account).await.err().expect("a busy port fails");
    assert_eq!(err.code, ErrorCode::Validation);
    assert!(err.message.contains(&format!("Port {port} is busy")), "{}", err.message);
}

#[tokio::test]
async fn timeout_and_cancel_free_the_port() {
    let s = setup(Arc::new(MemoryStore::default()), |_| {}).await;
    let port = yespo_core::login::loopback::CallbackUrl::parse(&callback_of(&s.account)).unwrap().port;
    let pending = begin_login(&s.account).await.unwrap();
    let err = pending.finish(&s.env, Duration::from_millis(300), &CancellationToken::new()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthRequired);
    assert!(err.message.contains("not finished within"), "{}", err.message);
    assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(), "the port is free after a timeout");

    let pending = begin_login(&s.account).await.unwrap();
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        trigger.cancel();
    });
    let err = pending.finish(&s.env, Duration::from_secs(60), &cancel).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Cancelled);
    assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(), "the port is free after cancel");
}

#[tokio::test]
async fn a_wrong_client_secret_is_a_clear_error() {
    let s = setup(Arc::new(MemoryStore::default()), |_| {}).await;
    s.env.secrets.set(&s.account.id, SecretKind::ClientSecret, &Secret::new("wrong-secret-value")).unwrap();
    let pending = begin_login(&s.account).await.unwrap();
    let url = pending.authorize_url.clone();
    let cancel = CancellationToken::new();
    let (done, _) =
        tokio::join!(pending.finish(&s.env, Duration::from_secs(30), &cancel), browser(&s.sandbox, &url, "approve"));
    let err = done.unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert!(err.message.contains("Client ID or Client Secret"), "{}", err.message);
}

#[tokio::test]
async fn refresh_rotates_and_the_old_refresh_token_is_dead() {
    let s = setup(Arc::new(MemoryStore::default()), |k| k.access_token_ttl_secs = 2).await;
    let account = log_in(&s).await;
    let first_refresh = s.env.secrets.get(&account.id, SecretKind::RefreshToken).unwrap().unwrap();
    let (client, session) = client_for(&s.env, &account).await.unwrap();
    let session = session.unwrap();
    // Past 80% of a 2-second token: the next call refreshes first.
    tokio::time::sleep(Duration::from_millis(1700)).await;
    client.account_info().await.unwrap();
    assert_eq!(session.refresh_count(), 1);
    let second_refresh = s.env.secrets.get(&account.id, SecretKind::RefreshToken).unwrap().unwrap();
    assert_ne!(first_refresh, second_refresh, "the new refresh token was saved");
    // The sandbox rejects the old one.
    let app = match &account.auth {
        AccountAuth::OAuth { client_id, .. } => client_id.clone(),
        _ => unreachable!(),
    };
    let secret = s.env.secrets.get(&account.id, SecretKind::ClientSecret).unwrap().unwrap();
    let r = common::http()
        .post(format!("{}/uaa/oauth/token", s.sandbox.base_url()))
        .basic_auth(&app, Some(secret.expose_secret()))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", first_refresh.expose_secret())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // And the app keeps working.
    client.version_v2().await.unwrap();
}

#[tokio::test]
async fn concurrent_401s_trigger_exactly_one_refresh() {
    let s = setup(Arc::new(MemoryStore::default()), |_| {}).await;
    let account = log_in(&s).await;
    // The stored access token stops working (say, revoked): every call gets a 401.
    s.env.secrets.set(&account.id, SecretKind::AccessToken, &Secret::new("revoked-access-token")).unwrap();
    let (client, session) = client_for(&s.env, &account).await.unwrap();
    let calls = (0..10).map(|_| client.account_info());
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
    assert_eq!(session.unwrap().refresh_count(), 1);
}

#[tokio::test]
async fn an_expired_refresh_token_means_log_in_again() {
    let s = setup(Arc::new(MemoryStore::default()), |k| {
        k.access_token_ttl_secs = 1;
        k.refresh_token_ttl_secs = 1;
    })
    .await;
    let account = log_in(&s).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let session = OAuthSession::new(s.env.clone(), &account.id);
    let err = session.access_token().await.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthExpired);
    assert_eq!(s.env.accounts.get(&account.id).unwrap().state, LoginState::NeedsLogin);
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
    let text = std::fs::read_to_string(s.env.accounts.path()).unwrap();
    for secret in [&access, &refresh, &client_secret] {
        assert!(!text.contains(secret.expose_secret()), "a secret is in accounts.json");
    }
    log_out(&s.env, &account.id).await.unwrap();
    assert!(store.get(&account.id, SecretKind::AccessToken).unwrap().is_none());
    assert!(store.get(&account.id, SecretKind::RefreshToken).unwrap().is_none());
    assert!(store.get(&account.id, SecretKind::ClientSecret).unwrap().is_some(), "log out keeps the app's secret");
    remove_account(&s.env, &account.id).await.unwrap();
    assert!(store.get(&account.id, SecretKind::ClientSecret).unwrap().is_none());
    assert!(s.env.accounts.load().unwrap().accounts.is_empty());
}

#[tokio::test]
async fn an_api_key_account_is_checked_when_added() {
    let sandbox = common::sandbox(10, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    let env = LoginEnv::new(AccountStore::new(dir.path()), Arc::new(MemoryStore::default())).unwrap();
    let input = |key: &str| NewAccount {
        name: "Key account".into(),
        api_base_url: Some(format!("{}/api", sandbox.base_url())),
        kind: "api_key".into(),
        client_id: None,
        client_secret: None,
        callback_url: None,
        authorize_url: None,
        token_url: None,
        client_auth: None,
        api_key: Some(Secret::new(key)),
    };
    let account = add_account(&env, &input(&sandbox.api_key(Right::Messages))).await.unwrap();
    assert_eq!(account.state, LoginState::Connected);
    assert_eq!(account.organisation.as_deref(), Some(yespo_core::sandbox::demo_data::ORGANISATION));
    assert_eq!(env.accounts.load().unwrap().active.as_deref(), Some(account.id.as_str()));
    // A wrong key: a clear error, and nothing is kept.
    let err = add_account(&env, &input("not-a-real-key-000")).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthExpired);
    assert_eq!(env.accounts.load().unwrap().accounts.len(), 1);
}
