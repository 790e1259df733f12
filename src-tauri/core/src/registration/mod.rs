//! The registration check: whether an OAuth app registered in Yespo (Client ID and Secret,
//! Callback URL, access rights, authorization-form logo) will work with this app, and what to
//! fix. Each check is a small function in its own module returning a [`report::CheckResult`];
//! [`Registration`] runs them for the screen and keeps the last report for export.
//!
//! The Client Secret is read here (typed in, or from the keychain for an account) and sent only
//! to the token endpoint; it is never in a report, a log line or an answer to the UI. The
//! tokens of the check's own login are dropped when the check ends.

pub mod callback;
pub mod credentials;
pub mod logo;
pub mod report;
pub mod rights;
pub mod round_trip;
pub mod text;
pub mod usage;

use crate::error::{AppError, AppResult, ErrorCode};
use crate::login::accounts::{Account, AccountAuth, ClientAuthStyle, LoginState, YESPO_AUTHORIZE_URL, YESPO_TOKEN_URL};
use crate::login::loopback::CallbackUrl;
use crate::login::oauth::{begin_with, token_http, OAuthSettings, LOGIN_TIMEOUT};
use crate::login::{secrets, SecretKind, Sessions};
use crate::secret::Secret;
use report::{CheckId, CheckResult, Verdict};
use round_trip::Preflight;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

/// What the screen sends: an account of the app, or the app's details typed in.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct CheckInput {
    /// An OAuth account of the app: its endpoints, its Callback URL (what the app sends), its
    /// client authentication, and its Client Secret from the keychain unless one is typed in.
    pub account_id: Option<String>,
    pub client_id: String,
    /// Typed in; kept in memory for the check only.
    #[ts(type = "string | null")]
    pub client_secret: Option<Secret>,
    /// The Callback URL as registered in Yespo.
    pub callback_url: String,
    /// The logo file to check, if any.
    pub logo_path: Option<String>,
}

/// Where the app's Yespo is: Yespo itself, or the demo sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    pub authorize_url: String,
    pub token_url: String,
    pub api_base_url: String,
}

impl Endpoints {
    /// Yespo's own (seed 000).
    pub fn yespo() -> Endpoints {
        Endpoints {
            authorize_url: YESPO_AUTHORIZE_URL.into(),
            token_url: YESPO_TOKEN_URL.into(),
            api_base_url: crate::yespo::DEFAULT_BASE_URL.into(),
        }
    }

    /// A sandbox at `base` (`http://127.0.0.1:port`).
    pub fn sandbox(base: &str) -> Endpoints {
        let base = base.trim_end_matches('/');
        Endpoints {
            authorize_url: format!("{base}/uaa/oauth/authorize"),
            token_url: format!("{base}/uaa/oauth/token"),
            api_base_url: format!("{base}/api"),
        }
    }
}

/// What was checked, as the report names it (never the secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Subject {
    pub client_id: String,
    /// The Callback URL as registered.
    pub callback_url: String,
    /// What the app sends (the account's Callback URL, or the same).
    pub app_sends: String,
    pub account_id: Option<String>,
    pub account_name: Option<String>,
    pub endpoints: Endpoints,
    /// Whether a Client Secret was at hand (typed in, or in the keychain).
    pub secret_given: bool,
    pub logo_file: Option<String>,
}

/// Every check's result, the worst verdict first in the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub subject: Subject,
    /// UTC, RFC 3339.
    pub checked_at: String,
    /// The worst verdict of the checks that ran.
    pub verdict: Verdict,
    /// In [`CheckId::ALL`] order.
    pub checks: Vec<CheckResult>,
    /// The client authentication that worked (for "Save as account").
    pub working_client_auth: Option<ClientAuthStyle>,
    /// Whether the login round trip ran.
    pub round_trip_done: bool,
}

impl Report {
    pub fn check(&self, id: CheckId) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == id)
    }
}

/// Sent to the screen while the round trip runs.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RoundTripEvent {
    /// The browser should open this page (the screen shows it too: copy, open again).
    Browser {
        #[serde(rename = "authorizeUrl")]
        authorize_url: String,
    },
}

/// The app as the checks see it, resolved from the input.
struct App {
    account: Option<Account>,
    client_id: String,
    secret: Option<Secret>,
    registered: String,
    sends: String,
    endpoints: Endpoints,
    configured: Option<ClientAuthStyle>,
    logo: Option<PathBuf>,
}

/// The registration checks and what outlives a command: the last report (for export), and
/// the round trip's login while it waits for the browser (for Cancel and "Open again").
pub struct Registration {
    /// Where an app typed in without an account is checked: Yespo, or the demo sandbox.
    defaults: Endpoints,
    last: Mutex<Option<Report>>,
    waiting: Mutex<Option<(CancellationToken, String)>>,
    timeout: Duration,
}

/// The account id the check's own login is done under; it is never saved.
const CHECK_LOGIN: &str = "registration-check";

impl Registration {
    pub fn new(defaults: Endpoints) -> Registration {
        Registration { defaults, last: Mutex::new(None), waiting: Mutex::new(None), timeout: LOGIN_TIMEOUT }
    }

    /// With another deadline for the browser (tests).
    pub fn with_timeout(defaults: Endpoints, timeout: Duration) -> Registration {
        Registration { timeout, ..Registration::new(defaults) }
    }

    /// Where an app typed in is checked.
    pub fn defaults(&self) -> &Endpoints {
        &self.defaults
    }

    /// The last report, for export.
    pub fn last_report(&self) -> Option<Report> {
        self.last.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Drop the last report ("Forget everything").
    pub fn forget(&self) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The round trip's page in the browser, while it waits.
    pub fn waiting_url(&self) -> Option<String> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(|(_, url)| url.clone())
    }

    /// Stop the round trip's wait for the browser.
    pub fn cancel_round_trip(&self) {
        if let Some((cancel, _)) = self.waiting.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            cancel.cancel();
        }
    }

    /// An earlier round trip still waiting for the browser (its screen was left) holds the
    /// port: stop it and give it a moment to let go.
    async fn stop_waiting(&self) {
        self.cancel_round_trip();
        for _ in 0..100 {
            if self.waiting_url().is_none() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn resolve(&self, sessions: &Sessions, input: &CheckInput) -> AppResult<App> {
        let typed_secret = input.client_secret.clone().filter(|s| !s.expose_secret().trim().is_empty());
        let logo = input.logo_path.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(PathBuf::from);
        let Some(account_id) = input.account_id.as_deref().filter(|id| !id.is_empty()) else {
            if input.client_id.trim().is_empty() {
                return Err(AppError::validation("Enter the Client ID, or choose an account of the app"));
            }
            return Ok(App {
                account: None,
                client_id: input.client_id.clone(),
                secret: typed_secret,
                registered: input.callback_url.clone(),
                sends: input.callback_url.trim().to_string(),
                endpoints: self.defaults.clone(),
                configured: None,
                logo,
            });
        };
        let account = sessions.env().accounts.get(account_id)?;
        let AccountAuth::OAuth { client_id, callback_url, authorize_url, token_url, client_auth } = &account.auth
        else {
            return Err(AppError::validation(
                "This account uses an API key; the registration check is for OAuth apps (Client ID and Secret)",
            ));
        };
        let secret = match typed_secret {
            Some(s) => Some(s),
            None => secrets::get(&sessions.env().secrets, &account.id, SecretKind::ClientSecret).await?,
        };
        let client_id = if input.client_id.trim().is_empty() { client_id.clone() } else { input.client_id.clone() };
        let registered =
            if input.callback_url.trim().is_empty() { callback_url.clone() } else { input.callback_url.clone() };
        Ok(App {
            client_id,
            secret,
            registered,
            sends: callback_url.clone(),
            endpoints: Endpoints {
                authorize_url: authorize_url.clone(),
                token_url: token_url.clone(),
                api_base_url: account.api_base_url.clone(),
            },
            configured: Some(*client_auth),
            logo,
            account: Some(account),
        })
    }

    /// The checks that need no browser: Callback URL, credentials, rights (with the account's
    /// login, when it is logged in), logo and usage.
    pub async fn run(&self, sessions: &Sessions, input: &CheckInput) -> AppResult<Report> {
        let app = self.resolve(sessions, input).await?;
        let http = token_http()?;
        let (mut checks, working) = self.quick_checks(sessions, &app, &http).await;
        let refused =
            working.is_none() && checks.iter().any(|c| c.id == CheckId::Credentials && c.verdict == Verdict::Fail);
        checks.push(CheckResult::skipped(
            CheckId::RoundTrip,
            if refused {
                "Not tried: fix the Client ID and Client Secret first."
            } else {
                "Needs the browser: press \"Log in and check\" to run the whole login once."
            },
        ));
        let rights = match &app.account {
            Some(account) if account.state == LoginState::Connected && account.client_id_is(&app.client_id) => {
                match sessions.client(&account.id).await {
                    Ok(client) => {
                        rights::check_rights(&client, &format!("probed with the login of \"{}\"", account.name)).await
                    }
                    Err(e) => CheckResult::skipped(
                        CheckId::Rights,
                        format!("The account's login cannot be used ({}); press \"Log in and check\".", e.message),
                    ),
                }
            }
            _ => CheckResult::skipped(
                CheckId::Rights,
                "Needs a login: press \"Log in and check\" (or log in to an account of this app).",
            ),
        };
        checks.push(rights);
        Ok(self.finish(&app, checks, working, false))
    }

    /// The whole check with the app's own login: the quick checks, then the loopback login in
    /// the browser (`on_event` hears where the browser should go), `v2/version`, lifetimes,
    /// rotation, and the rights probed with the new token.
    pub async fn round_trip(
        &self,
        sessions: &Sessions,
        input: &CheckInput,
        on_event: impl Fn(RoundTripEvent),
    ) -> AppResult<Report> {
        let app = self.resolve(sessions, input).await?;
        let http = token_http()?;
        let (mut checks, working) = self.quick_checks(sessions, &app, &http).await;
        let skip_rights = |why: &str| CheckResult::skipped(CheckId::Rights, why.to_string());
        let credentials_failed =
            checks.iter().any(|c| c.id == CheckId::Credentials && c.verdict == Verdict::Fail) && working.is_none();
        let (trip, rights) = match (&app.secret, CallbackUrl::parse(&app.sends)) {
            (None, _) => (
                CheckResult::skipped(CheckId::RoundTrip, "Needs the Client Secret: type it in."),
                skip_rights("Needs a login."),
            ),
            (_, Err(e)) => (
                round_trip::login_failed(
                    &AppError::validation(format!("{} (see the Callback URL check)", e.message)),
                    &app.sends,
                ),
                skip_rights("Needs a login."),
            ),
            _ if credentials_failed => (
                CheckResult::skipped(
                    CheckId::RoundTrip,
                    "Not tried: Yespo refused the Client ID and Client Secret (see above).",
                ),
                skip_rights("Needs a login."),
            ),
            (Some(secret), Ok(callback)) => {
                let settings = OAuthSettings {
                    client_id: app.client_id.trim().to_string(),
                    callback,
                    authorize_url: app.endpoints.authorize_url.clone(),
                    token_url: app.endpoints.token_url.clone(),
                    client_auth: working.or(app.configured).unwrap_or_default(),
                };
                // As the credentials check did (and as the account would keep it): a pasted
                // space or line break left out.
                let secret = Secret::new(secret.expose_secret().trim());
                self.login(&http, &app, settings, &secret, &on_event).await
            }
        };
        checks.push(trip);
        checks.push(rights);
        Ok(self.finish(&app, checks, working, true))
    }

    async fn login(
        &self,
        http: &reqwest::Client,
        app: &App,
        settings: OAuthSettings,
        secret: &Secret,
        on_event: &impl Fn(RoundTripEvent),
    ) -> (CheckResult, CheckResult) {
        let no_rights = || CheckResult::skipped(CheckId::Rights, "Needs a login: the round trip did not get one.");
        let sends = settings.callback.url.clone();
        match round_trip::preflight(http, &settings.authorize_url, &settings.client_id, &sends).await {
            Preflight::Shown => {}
            Preflight::Refused { status, said } => {
                let registered =
                    round_trip::find_registered(http, &settings.authorize_url, &settings.client_id, &sends).await;
                return (round_trip::refused_result(&sends, status, &said, registered.as_deref()), no_rights());
            }
            Preflight::NoAnswer(why) => {
                let e = AppError::new(ErrorCode::Network, format!("Yespo's login page did not answer: {why}"));
                return (round_trip::login_failed(&e, &sends), no_rights());
            }
        }
        self.stop_waiting().await;
        let pending = match begin_with(settings.clone(), CHECK_LOGIN.to_string()).await {
            Ok(p) => p,
            Err(e) => return (round_trip::login_failed(&e, &sends), no_rights()),
        };
        let cancel = CancellationToken::new();
        *self.waiting.lock().unwrap_or_else(|e| e.into_inner()) = Some((cancel.clone(), pending.authorize_url.clone()));
        on_event(RoundTripEvent::Browser { authorize_url: pending.authorize_url.clone() });
        let tokens = pending.exchange_with(http, secret, self.timeout, &cancel, || ()).await;
        *self.waiting.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let tokens = match tokens {
            Ok(t) => t,
            Err(e) => return (round_trip::login_failed(&e, &sends), no_rights()),
        };
        let after = round_trip::after_login(http, &settings, secret, tokens, &app.endpoints.api_base_url).await;
        let rights = match &after.client {
            Some(client) => rights::check_rights(client, "probed with the check's own login").await,
            None => no_rights(),
        };
        (after.result, rights)
    }

    async fn quick_checks(
        &self,
        sessions: &Sessions,
        app: &App,
        http: &reqwest::Client,
    ) -> (Vec<CheckResult>, Option<ClientAuthStyle>) {
        let callback = callback::check_callback(&app.registered, &app.sends).await;
        let (credentials, working) = match &app.secret {
            Some(secret) => {
                credentials::check_credentials(
                    http,
                    &app.endpoints.token_url,
                    &app.client_id,
                    secret,
                    &app.sends,
                    app.configured,
                )
                .await
            }
            None => (CheckResult::skipped(CheckId::Credentials, "Needs the Client Secret: type it in."), None),
        };
        let logo = match &app.logo {
            Some(path) => logo::check_logo(path),
            None => CheckResult::skipped(CheckId::Logo, "No logo chosen: drop one here, or choose a file."),
        };
        let accounts = sessions.env().accounts.load().map(|f| f.accounts).unwrap_or_default();
        let warnings = sessions.status().borrow().warnings.clone();
        let usage = usage::check_usage(&app.client_id, &accounts, &warnings, crate::login::oauth::now_secs());
        (vec![callback, credentials, logo, usage], working)
    }

    fn finish(
        &self,
        app: &App,
        mut checks: Vec<CheckResult>,
        working: Option<ClientAuthStyle>,
        round_trip_done: bool,
    ) -> Report {
        checks.sort_by_key(|c| c.id);
        let verdict = checks.iter().map(|c| c.verdict).max().unwrap_or(Verdict::Skipped);
        let report = Report {
            subject: Subject {
                client_id: app.client_id.trim().to_string(),
                callback_url: app.registered.trim().to_string(),
                app_sends: app.sends.clone(),
                account_id: app.account.as_ref().map(|a| a.id.clone()),
                account_name: app.account.as_ref().map(|a| a.name.clone()),
                endpoints: app.endpoints.clone(),
                secret_given: app.secret.is_some(),
                logo_file: app.logo.as_ref().map(|p| p.display().to_string()),
            },
            checked_at: crate::clock::now_text(),
            verdict,
            checks,
            working_client_auth: working,
            round_trip_done,
        };
        tracing::info!(verdict = ?report.verdict, round_trip = round_trip_done, "registration check done");
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(report.clone());
        report
    }
}

impl Account {
    /// Whether this OAuth account is of the app with `client_id`.
    fn client_id_is(&self, client_id: &str) -> bool {
        matches!(&self.auth, AccountAuth::OAuth { client_id: c, .. } if c.trim() == client_id.trim())
    }
}
