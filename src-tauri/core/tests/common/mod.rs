//! Shared helpers for the core's integration tests, which run the Yespo client and the login
//! against the Yespo sandbox over real HTTP. Sandbox helpers live in `yespo_sandbox::testing`,
//! next to the sandbox, and are shared with its own tests; the login helpers are here.
#![allow(unused_imports, dead_code)]

pub use yespo_sandbox::testing::{hidden_fields, http, oauth_token, sandbox};

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use yespo_core::login::*;
use yespo_core::{AppError, AppResult, Secret};
use yespo_sandbox::{Knobs, Right, Sandbox};

/// A secret store in memory that can refuse writes (a locked keychain) and hold reads of one
/// kind until released (to catch a refresh in flight).
#[derive(Default)]
pub struct MemoryStore {
    map: Mutex<HashMap<(String, SecretKind), Secret>>,
    refuse_writes: AtomicBool,
    pub refused: AtomicUsize,
    gate: Mutex<Option<SecretKind>>,
    gate_changed: Condvar,
    pub gated_reads: AtomicUsize,
}

impl MemoryStore {
    pub fn refuse_writes(&self, refuse: bool) {
        self.refuse_writes.store(refuse, Ordering::SeqCst);
    }

    /// Reads of `kind` wait until [`MemoryStore::open_gate`].
    pub fn hold_reads_of(&self, kind: SecretKind) {
        *self.gate.lock().unwrap() = Some(kind);
    }

    pub fn open_gate(&self) {
        *self.gate.lock().unwrap() = None;
        self.gate_changed.notify_all();
    }

    pub fn peek(&self, id: &str, kind: SecretKind) -> Option<Secret> {
        self.map.lock().unwrap().get(&(id.to_string(), kind)).cloned()
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, id: &str, kind: SecretKind) -> AppResult<Option<Secret>> {
        let mut gate = self.gate.lock().unwrap();
        if *gate == Some(kind) {
            self.gated_reads.fetch_add(1, Ordering::SeqCst);
            while *gate == Some(kind) {
                gate = self.gate_changed.wait(gate).unwrap();
            }
        }
        drop(gate);
        Ok(self.peek(id, kind))
    }
    fn set(&self, id: &str, kind: SecretKind, value: &Secret) -> AppResult<()> {
        if self.refuse_writes.load(Ordering::SeqCst) {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return Err(AppError::keychain_unavailable("The test keychain refuses writes"));
        }
        self.map.lock().unwrap().insert((id.to_string(), kind), value.clone());
        Ok(())
    }
    fn delete(&self, id: &str, kind: SecretKind) -> AppResult<()> {
        self.map.lock().unwrap().remove(&(id.to_string(), kind));
        Ok(())
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A sandbox, an OAuth app registered with a free loopback port, an account for it, and the
/// app's registry and login manager over it.
pub struct Setup {
    pub sandbox: Sandbox,
    pub sessions: Arc<Sessions>,
    pub logins: Arc<LoginManager>,
    pub account: Account,
    pub callback: String,
    _dir: tempfile::TempDir,
}

impl Setup {
    pub fn env(&self) -> &LoginEnv {
        self.sessions.env()
    }

    /// The account as the list has it now.
    pub fn account_now(&self) -> Account {
        self.env().accounts.get(&self.account.id).unwrap()
    }
}

pub async fn setup(store: Arc<dyn SecretStore>, knobs: impl FnOnce(&mut Knobs)) -> Setup {
    setup_with(store, SessionOptions::default(), knobs).await
}

pub async fn setup_with(store: Arc<dyn SecretStore>, options: SessionOptions, knobs: impl FnOnce(&mut Knobs)) -> Setup {
    let sandbox = sandbox(100, knobs).await;
    let callback = format!("http://127.0.0.1:{}/callback", free_port());
    let dir = tempfile::tempdir().unwrap();
    let env = LoginEnv::new(AccountStore::new(dir.path()), store).unwrap();
    let account = oauth_account(&sandbox, &env, "Sandbox", &callback);
    let sessions = Arc::new(Sessions::with_options(env, options));
    let logins = Arc::new(LoginManager::new(sessions.clone()));
    Setup { sandbox, sessions, logins, account, callback, _dir: dir }
}

/// Add an OAuth account for an app registered at the sandbox with `callback`.
pub fn oauth_account(sandbox: &Sandbox, env: &LoginEnv, name: &str, callback: &str) -> Account {
    let app = sandbox.register_app(name, callback, Right::FullAccess);
    let base = sandbox.base_url();
    let account = Account::new(
        accounts::new_account_id(),
        name.into(),
        format!("{base}/api"),
        AccountAuth::OAuth {
            client_id: app.client_id.clone(),
            callback_url: callback.to_string(),
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
    account
}

/// The user's part in the browser: open the authorize URL, submit the form, follow the redirect
/// to the app's listener. Returns the listener's page.
pub async fn browser(sandbox: &Sandbox, authorize_url: &str, decision: &str) -> (u16, String) {
    let http = http();
    let page = http.get(authorize_url).send().await.unwrap();
    assert_eq!(page.status(), 200, "the login page opens");
    let html = page.text().await.unwrap();
    let mut form = hidden_fields(&html);
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

/// Log in through the login manager, the test playing the browser.
pub async fn log_in(s: &Setup) -> Account {
    let started = s.logins.start(&s.account.id).await.unwrap();
    assert!(!started.reused);
    let url = started.authorize_url.clone();
    assert!(url.starts_with(s.sandbox.base_url()));
    assert!(url.contains("code_challenge_method=S256") && url.contains("state="), "{url}");
    let (done, (status, page)) =
        tokio::join!(s.logins.wait(Some(started.login_id)), browser(&s.sandbox, &url, "approve"));
    assert_eq!(status, 200);
    assert!(page.contains("You can close this tab"), "{page}");
    done.unwrap()
}

/// Log in with a 3-second access token (long enough that the login's own check does not find
/// it due; new tokens then live an hour).
pub async fn log_in_briefly(s: &Setup) -> Account {
    s.sandbox.update_knobs(|k| k.access_token_ttl_secs = 3);
    let account = log_in(s).await;
    s.sandbox.update_knobs(|k| k.access_token_ttl_secs = 3600);
    account
}

/// Let the access token expire at the sandbox and here.
pub async fn log_in_and_let_the_token_expire(s: &Setup) -> Account {
    let account = log_in_briefly(s).await;
    tokio::time::sleep(Duration::from_millis(3100)).await;
    account
}

/// Wait (at most 10 s) until `done` holds.
pub async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "{what}: not within 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The port of a Callback URL.
pub fn port_of(callback: &str) -> u16 {
    loopback::CallbackUrl::parse(callback).unwrap().port
}

/// Offer `refresh_token` to the sandbox's token endpoint as the account's app; the status says
/// whether Yespo still takes it (200) or not (400).
pub async fn refresh_at_yespo(s: &Setup, account: &Account, refresh_token: &Secret) -> u16 {
    let AccountAuth::OAuth { client_id, .. } = &account.auth else { panic!("not an OAuth account") };
    let secret = s.env().secrets.get(&account.id, SecretKind::ClientSecret).unwrap().unwrap();
    http()
        .post(format!("{}/uaa/oauth/token", s.sandbox.base_url()))
        .basic_auth(client_id, Some(secret.expose_secret()))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token.expose_secret())])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// What the Add account form sends for an API key of the sandbox.
pub fn key_account(sandbox: &Sandbox, key: &str) -> NewAccount {
    NewAccount {
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
    }
}

/// A registry over an account list in `dir` and `store`.
pub fn registry(dir: &tempfile::TempDir, store: Arc<dyn SecretStore>) -> Sessions {
    Sessions::new(LoginEnv::new(AccountStore::new(dir.path()), store).unwrap())
}
