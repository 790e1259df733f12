//! The authorization-code login through the system browser and a loopback listener
//! (RFC 8252), with PKCE S256 and a CSPRNG `state`, and the token calls (oauth2 crate over our
//! reqwest client, which follows no redirects).

use super::accounts::{Account, AccountAuth, AccountStore, ClientAuthStyle};
use super::loopback::{CallbackResult, CallbackUrl, Listener};
use super::secrets::{self, SecretKind, SecretStore};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::secret::Secret;
use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RefreshToken, RequestTokenError, TokenResponse, TokenUrl,
};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio_util::sync::CancellationToken;

/// How long a login may wait for the browser.
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// Yespo's refresh token lifetime (seed 000); it does not say it in the token answer.
pub const REFRESH_TOKEN_LIFETIME: Duration = Duration::from_secs(2_592_000);

/// What login and refresh need: the account list, the keychain and an HTTP client.
#[derive(Clone)]
pub struct LoginEnv {
    pub accounts: AccountStore,
    pub secrets: Arc<dyn SecretStore>,
    http: reqwest::Client,
}

impl LoginEnv {
    pub fn new(accounts: AccountStore, secrets: Arc<dyn SecretStore>) -> AppResult<LoginEnv> {
        Ok(LoginEnv { accounts, secrets, http: token_http()? })
    }
}

/// Unix seconds now.
pub fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The OAuth settings of an account, or a validation error for an API-key account.
#[derive(Clone)]
pub(crate) struct OAuthSettings {
    pub client_id: String,
    pub callback: CallbackUrl,
    pub authorize_url: String,
    pub token_url: String,
    pub client_auth: ClientAuthStyle,
}

impl OAuthSettings {
    pub fn of(account: &Account) -> AppResult<OAuthSettings> {
        match &account.auth {
            AccountAuth::OAuth { client_auth: ClientAuthStyle::Unknown, .. } => Err(AppError::validation(
                "This account's client authentication was set by a newer version of Yespo Admin; choose it again in Edit",
            )),
            AccountAuth::OAuth { client_id, callback_url, authorize_url, token_url, client_auth } => {
                Ok(OAuthSettings {
                    client_id: client_id.clone(),
                    callback: CallbackUrl::parse(callback_url)?,
                    authorize_url: authorize_url.clone(),
                    token_url: token_url.clone(),
                    client_auth: *client_auth,
                })
            }
            AccountAuth::ApiKey => {
                Err(AppError::validation("This account uses an API key; there is nothing to log in to"))
            }
            AccountAuth::Unknown => Err(unknown_kind()),
        }
    }
}

/// An account of a kind a newer version wrote.
pub(crate) fn unknown_kind() -> AppError {
    AppError::validation("This account was added by a newer version of Yespo Admin; this version cannot use it")
}

/// A token response, reduced to what the app keeps.
pub(crate) struct Tokens {
    pub access: Secret,
    pub refresh: Option<Secret>,
    pub expires_in: Option<Duration>,
    /// The `scope` of the answer (Yespo: `UseRestApi`).
    pub scope: Option<String>,
}

fn client_refused() -> AppError {
    AppError::validation(
        "Yespo did not accept the Client ID or Client Secret. Copy both again from the app's page in Yespo (For partners).",
    )
}

/// Turn oauth2's error into the app's, in words a marketer can act on.
fn token_error<RE: std::error::Error + 'static>(
    e: RequestTokenError<RE, oauth2::StandardErrorResponse<BasicErrorResponseType>>,
) -> AppError {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let description = r.error_description().cloned().unwrap_or_default();
            let details = format!("{}: {description}", r.error());
            match r.error() {
                // Spring's UAA answers a wrong client secret with `unauthorized` (HTTP 401).
                BasicErrorResponseType::InvalidClient | BasicErrorResponseType::UnauthorizedClient => client_refused(),
                BasicErrorResponseType::Extension(e) if e == "unauthorized" => client_refused(),
                BasicErrorResponseType::InvalidGrant => {
                    AppError::new(ErrorCode::AuthExpired, "The login is no longer valid. Log in again.")
                }
                // RFC 6749 §4.1.2.1: the server is down or busy; trying later may work.
                BasicErrorResponseType::Extension(e) if e == "server_error" || e == "temporarily_unavailable" => {
                    AppError::new(ErrorCode::Network, "Yespo's login server is unavailable; try again shortly.")
                }
                _ => AppError::new(ErrorCode::AuthRequired, format!("Yespo refused the login: {}", r.error())),
            }
            .with_details(details)
        }
        RequestTokenError::Request(e) => AppError::new(ErrorCode::Network, "Cannot reach Yespo's login server")
            .with_details(crate::secret::scrub(&e.to_string()).into_owned()),
        RequestTokenError::Parse(e, _) => {
            AppError::internal("Yespo's login server answered in an unexpected way").with_details(e.to_string())
        }
        RequestTokenError::Other(e) => AppError::internal("The login failed").with_details(e),
    }
}

macro_rules! oauth_client {
    ($settings:expr, $secret:expr) => {{
        let auth_url = AuthUrl::new($settings.authorize_url.clone())
            .map_err(|_| AppError::validation("The authorize URL is not a valid URL"))?;
        let token_url = TokenUrl::new($settings.token_url.clone())
            .map_err(|_| AppError::validation("The token URL is not a valid URL"))?;
        let redirect = RedirectUrl::new($settings.callback.url.clone())
            .map_err(|_| AppError::validation("The Callback URL is not a valid URL"))?;
        BasicClient::new(ClientId::new($settings.client_id.clone()))
            .set_client_secret(ClientSecret::new($secret.expose_secret().to_string()))
            .set_auth_uri(auth_url)
            .set_token_uri(token_url)
            .set_redirect_uri(redirect)
            .set_auth_type(match $settings.client_auth {
                ClientAuthStyle::Params => AuthType::RequestBody,
                // `OAuthSettings::of` refuses `Unknown`.
                ClientAuthStyle::Basic | ClientAuthStyle::Unknown => AuthType::BasicAuth,
            })
    }};
}

/// oauth2's HTTP calls, sent with our reqwest client.
fn sender(
    http: &reqwest::Client,
) -> impl Fn(
    oauth2::HttpRequest,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<oauth2::HttpResponse, reqwest::Error>> + Send>> {
    let http = http.clone();
    move |request: oauth2::HttpRequest| {
        let http = http.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let response =
                http.request(parts.method, parts.uri.to_string()).headers(parts.headers).body(body).send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await?.to_vec();
            let mut out = http::Response::new(body);
            *out.status_mut() = status;
            *out.headers_mut() = headers;
            Ok(out)
        })
    }
}

fn tokens_of(r: &oauth2::basic::BasicTokenResponse) -> Tokens {
    Tokens {
        access: Secret::new(r.access_token().secret().clone()),
        refresh: r.refresh_token().map(|t| Secret::new(t.secret().clone())),
        expires_in: r.expires_in(),
        scope: r.scopes().map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")),
    }
}

/// Exchange a refresh token (Yespo rotates it: the answer carries a new one).
pub(crate) async fn refresh_tokens(env: &LoginEnv, account: &Account, refresh: &Secret) -> AppResult<Tokens> {
    let settings = OAuthSettings::of(account)?;
    let secret = client_secret(env, &account.id).await?;
    refresh_with(&env.http, &settings, &secret, refresh).await
}

/// [`refresh_tokens`] with settings and a Client Secret of the caller's.
pub(crate) async fn refresh_with(
    http: &reqwest::Client,
    settings: &OAuthSettings,
    secret: &Secret,
    refresh: &Secret,
) -> AppResult<Tokens> {
    let client = oauth_client!(settings, secret);
    let response = client
        .exchange_refresh_token(&RefreshToken::new(refresh.expose_secret().to_string()))
        .request_async(&sender(http))
        .await
        .map_err(token_error)?;
    Ok(tokens_of(&response))
}

/// An HTTP client for token requests: it follows no redirect (a redirect could carry the client
/// secret elsewhere), verifies TLS, and gives up in time.
pub(crate) fn token_http() -> AppResult<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| AppError::internal("The HTTP client could not start").with_details(e.to_string()))
}

async fn client_secret(env: &LoginEnv, account_id: &str) -> AppResult<Secret> {
    secrets::get(&env.secrets, account_id, SecretKind::ClientSecret).await?.ok_or_else(|| {
        AppError::validation("This account has no Client Secret in the keychain; edit the account and enter it")
    })
}

/// A login in progress: the listener is bound, the browser may be opened at `authorize_url`.
pub struct PendingLogin {
    pub authorize_url: String,
    account_id: String,
    settings: OAuthSettings,
    listener: Listener,
    verifier: PkceCodeVerifier,
}

/// Start a login: bind the listener first (a busy port fails here, before any browser opens),
/// then build the authorize URL with a fresh `state` and PKCE challenge.
pub async fn begin_login(account: &Account) -> AppResult<PendingLogin> {
    begin_with(OAuthSettings::of(account)?, account.id.clone()).await
}

/// [`begin_login`] with settings of the caller's (the registration check logs in with an app
/// that may not be an account yet).
pub(crate) async fn begin_with(settings: OAuthSettings, account_id: String) -> AppResult<PendingLogin> {
    // 256 bits from the OS generator.
    let state = crate::random::random_hex(32);
    let listener = Listener::bind(&settings.callback, &state).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    // The client secret is not needed to build the URL; a placeholder keeps oauth2's types happy.
    let client = oauth_client!(settings, Secret::new("unused"));
    let (url, _) = client.authorize_url(move || CsrfToken::new(state)).set_pkce_challenge(challenge).url();
    Ok(PendingLogin { authorize_url: url.to_string(), account_id, settings, listener, verifier })
}

impl PendingLogin {
    /// The account this login is for.
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// Wait for the browser to come back (at most `timeout`, or until `cancel`; the port is
    /// freed either way, and then `port_freed` called) and exchange the code for tokens with the
    /// account's Client Secret from the keychain.
    pub(crate) async fn exchange<R>(
        self,
        env: &LoginEnv,
        timeout: Duration,
        cancel: &CancellationToken,
        port_freed: impl FnOnce() -> R,
    ) -> AppResult<Tokens> {
        let (code, rest) = self.code(timeout, cancel, port_freed).await?;
        // Read after the wait: a secret edited meanwhile is the one to use.
        let secret = client_secret(env, &rest.account_id).await?;
        rest.redeem(&env.http, &secret, code, cancel).await
    }

    /// [`PendingLogin::exchange`] with a Client Secret of the caller's.
    pub(crate) async fn exchange_with<R>(
        self,
        http: &reqwest::Client,
        secret: &Secret,
        timeout: Duration,
        cancel: &CancellationToken,
        port_freed: impl FnOnce() -> R,
    ) -> AppResult<Tokens> {
        let (code, rest) = self.code(timeout, cancel, port_freed).await?;
        rest.redeem(http, secret, code, cancel).await
    }

    async fn code<R>(
        self,
        timeout: Duration,
        cancel: &CancellationToken,
        port_freed: impl FnOnce() -> R,
    ) -> AppResult<(String, Redeem)> {
        let PendingLogin { account_id, settings, listener, verifier, .. } = self;
        let waited = listener.wait(timeout, cancel).await;
        port_freed();
        match waited? {
            CallbackResult::Code(code) => Ok((code, Redeem { account_id, settings, verifier })),
            CallbackResult::Denied { error, description } => {
                let said = description.map(|d| format!(": {d}")).unwrap_or_default();
                let message = if error == "access_denied" {
                    format!("Access was not granted in Yespo ({error}{said}).")
                } else {
                    format!("Yespo refused the login ({error}{said}).")
                };
                Err(AppError::new(ErrorCode::AuthRequired, message))
            }
        }
    }
}

/// What redeeming a code needs once the browser came back.
struct Redeem {
    account_id: String,
    settings: OAuthSettings,
    verifier: PkceCodeVerifier,
}

impl Redeem {
    async fn redeem(
        self,
        http: &reqwest::Client,
        secret: &Secret,
        code: String,
        cancel: &CancellationToken,
    ) -> AppResult<Tokens> {
        let settings = self.settings;
        let client = oauth_client!(settings, secret);
        let send = sender(http);
        let exchange =
            client.exchange_code(AuthorizationCode::new(code)).set_pkce_verifier(self.verifier).request_async(&send);
        let response = tokio::select! {
            response = exchange => response.map_err(token_error)?,
            _ = cancel.cancelled() => return Err(AppError::new(ErrorCode::Cancelled, "Login cancelled")),
        };
        Ok(tokens_of(&response))
    }
}
