//! The Yespo API client: one place that sends requests, authenticates, throttles, retries and
//! turns HTTP failures into the app's error codes.

use super::rights::{self, MethodGroup, RateFamily, Right};
use super::throttle::{RateLimits, Throttle};
use crate::secret::{scrub, Secret};
use crate::{AppError, AppResult, ErrorCode};
use async_trait::async_trait;
use base64::Engine;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Yespo's API root; paths carry the version (`v1/contacts`).
pub const DEFAULT_BASE_URL: &str = "https://yespo.io/api";
/// Also accepted: the API host of the 2025 docs and the legacy eSputnik host.
pub const KNOWN_BASE_URLS: [&str; 3] = [DEFAULT_BASE_URL, "https://api.yespo.io/api", "https://esputnik.com/api"];
/// Most contacts in one `POST v1/contacts`.
pub const MAX_CONTACTS_PER_REQUEST: usize = 3000;
/// Most rows per page of a search.
pub const MAX_PAGE_SIZE: usize = 500;

/// Where OAuth access tokens come from. The login code implements it with refresh; the client
/// asks for a token before each request and, after a 401, for a refresh once.
///
/// ```
/// use yespo_core::yespo::TokenProvider;
/// use yespo_core::{AppError, AppResult, ErrorCode, Secret};
///
/// struct FixedToken(Secret);
///
/// #[async_trait::async_trait]
/// impl TokenProvider for FixedToken {
///     async fn access_token(&self) -> AppResult<Secret> {
///         Ok(self.0.clone())
///     }
///     async fn refresh(&self, _rejected: &Secret) -> AppResult<Secret> {
///         Err(AppError::new(ErrorCode::AuthExpired, "log in again"))
///     }
/// }
/// ```
#[async_trait]
pub trait TokenProvider: Send + Sync {
    /// The current access token; `auth_required` if there is none.
    async fn access_token(&self) -> AppResult<Secret>;
    /// Get a new access token because `rejected` was refused (refresh tokens rotate).
    async fn refresh(&self, rejected: &Secret) -> AppResult<Secret>;
}

/// How the client authenticates.
#[derive(Clone)]
pub enum Auth {
    /// HTTP Basic with the API key as password (the username does not matter; `user` is sent).
    ApiKey(Secret),
    /// `Authorization: Bearer` with an OAuth access token.
    Bearer(Arc<dyn TokenProvider>),
}

/// Retries of idempotent requests: exponential backoff with full jitter, honouring `Retry-After`.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The first pause's upper bound; it doubles per retry.
    pub base_delay: Duration,
    /// No pause is longer (a `Retry-After` from the server wins, up to 5 minutes).
    pub max_delay: Duration,
    /// No new attempt starts after this much time since the first.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_total: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The pause before retry number `retry` (0-based): random in `0..=min(max, base·2^retry)`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let cap = self.base_delay.saturating_mul(1u32 << retry.min(16)).min(self.max_delay);
        let mut bytes = [0u8; 8];
        let _ = getrandom::fill(&mut bytes);
        let unit = (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64;
        cap.mul_f64(unit)
    }
}

/// Builds a [`YespoClient`].
pub struct YespoClientBuilder {
    base_url: String,
    auth: Auth,
    retry: RetryPolicy,
    limits: RateLimits,
    throttle: Option<Arc<Throttle>>,
    ended: Option<CancellationToken>,
    timeout: Duration,
    connect_timeout: Duration,
}

impl YespoClientBuilder {
    /// How to retry (default: 5 attempts within 60 s).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
    /// Client-side limits (default: 90% of Yespo's published rates).
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.limits = limits;
        self
    }
    /// Share this rate budget instead of making a new one: every client of one account must
    /// draw from the same budget, as Yespo counts per account.
    pub fn shared_throttle(mut self, throttle: Arc<Throttle>) -> Self {
        self.throttle = Some(throttle);
        self
    }
    /// When `token` is cancelled the client's session is over (log out, account removed or
    /// changed): every call, also one in flight, fails with `auth_required`.
    pub fn ended_by(mut self, token: CancellationToken) -> Self {
        self.ended = Some(token);
        self
    }
    /// Whole-request timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Check the base URL (https, or http to a loopback address for the sandbox) and build.
    pub fn build(self) -> AppResult<YespoClient> {
        let base = url::Url::parse(self.base_url.trim()).map_err(|e| {
            AppError::validation(format!("'{}' is not a valid API address", self.base_url)).with_details(e.to_string())
        })?;
        let loopback = matches!(base.host_str(), Some("127.0.0.1") | Some("localhost") | Some("[::1]"));
        match base.scheme() {
            "https" => {}
            // Plain HTTP only for the local sandbox: credentials never travel unencrypted.
            "http" if loopback => {}
            _ => return Err(AppError::validation("The API address must start with https://")),
        }
        let mut base_str = base.as_str().trim_end_matches('/').to_string();
        base_str.push('/');
        let origin_host = base.host_str().map(str::to_owned);
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                // Never follow a redirect to another host: it would carry the credentials along.
                let same_host = attempt.url().host_str().map(str::to_owned) == origin_host;
                if same_host && attempt.previous().len() < 5 {
                    attempt.follow()
                } else {
                    attempt.stop()
                }
            }))
            .build()
            .map_err(|e| AppError::internal("The HTTP client could not start").with_details(e.to_string()))?;
        let user_agent = format!("YespoAdmin/{} (+desktop; {})", env!("CARGO_PKG_VERSION"), std::env::consts::OS);
        Ok(YespoClient {
            inner: Arc::new(Inner {
                http,
                base: base_str,
                auth: self.auth,
                retry: self.retry,
                throttle: self.throttle.unwrap_or_else(|| Arc::new(Throttle::new(self.limits))),
                ended: self.ended,
                user_agent,
            }),
            cancel: None,
        })
    }
}

struct Inner {
    http: reqwest::Client,
    /// Ends with `/`.
    base: String,
    auth: Auth,
    retry: RetryPolicy,
    throttle: Arc<Throttle>,
    /// Cancelled when the session this client belongs to ends.
    ended: Option<CancellationToken>,
    user_agent: String,
}

/// The Yespo API client. Cheap to clone; clones share throttling.
///
/// ```no_run
/// # async fn demo() -> yespo_core::AppResult<()> {
/// use yespo_core::yespo::{Auth, YespoClient, ContactSearch};
/// use yespo_core::Secret;
/// let client = YespoClient::builder("https://yespo.io/api", Auth::ApiKey(Secret::new("my-api-key"))).build()?;
/// let info = client.account_info().await?;
/// let page = client.search_contacts(&ContactSearch::default(), 1, 50).await?;
/// println!("{:?}: {} contacts", info.organisation_name, page.total.unwrap_or(0));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct YespoClient {
    inner: Arc<Inner>,
    cancel: Option<CancellationToken>,
}

/// What came back from a successful call.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

/// One API call, described.
pub(crate) struct Call<'a> {
    pub method: Method,
    /// Path after the base, with the version (`v1/contact/5`).
    pub path: String,
    /// The endpoint as Yespo's table names it (`/api/v1/contact/{id}`), for rights and limits.
    pub endpoint: &'static str,
    pub query: Vec<(&'a str, String)>,
    pub body: Option<Vec<u8>>,
    /// Safe to send again after a 5xx or a network error: reads. Writes are not, not even
    /// upserts (a bulk import is asynchronous; whether to send it again is the caller's call).
    pub idempotent: bool,
}

impl YespoClient {
    /// A client for `base_url` (e.g. [`DEFAULT_BASE_URL`]) with `auth`.
    pub fn builder(base_url: &str, auth: Auth) -> YespoClientBuilder {
        YespoClientBuilder {
            base_url: base_url.to_string(),
            auth,
            retry: RetryPolicy::default(),
            limits: RateLimits::default(),
            throttle: None,
            ended: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
        }
    }

    /// This client, with calls that stop (with `cancelled`) once `token` is cancelled.
    pub fn with_cancel(&self, token: CancellationToken) -> YespoClient {
        YespoClient { inner: self.inner.clone(), cancel: Some(token) }
    }

    async fn auth_header(&self, force_refresh: Option<&Secret>) -> AppResult<(HeaderValue, Option<Secret>)> {
        let (text, token) = match &self.inner.auth {
            Auth::ApiKey(key) => {
                let basic = base64::engine::general_purpose::STANDARD.encode(format!("user:{}", key.expose_secret()));
                (format!("Basic {basic}"), None)
            }
            Auth::Bearer(provider) => {
                let token = match force_refresh {
                    Some(rejected) => provider.refresh(rejected).await?,
                    None => provider.access_token().await?,
                };
                (format!("Bearer {}", token.expose_secret()), Some(token))
            }
        };
        let mut value = HeaderValue::from_str(&text)
            .map_err(|_| AppError::validation("The credentials contain characters that cannot be sent"))?;
        // Keeps it out of Debug output of the request (and so out of any log of it).
        value.set_sensitive(true);
        Ok((value, token))
    }

    /// Run `work` unless the caller cancels or the session ends first.
    async fn interruptible<T>(&self, work: impl Future<Output = T>) -> AppResult<T> {
        tokio::select! {
            biased;
            _ = cancelled_or_never(self.inner.ended.as_ref()) => Err(session_ended()),
            _ = cancelled_or_never(self.cancel.as_ref()) => Err(cancelled()),
            value = work => Ok(value),
        }
    }

    async fn pause(&self, wait: Duration) -> AppResult<()> {
        self.interruptible(tokio::time::sleep(wait)).await
    }

    async fn throttle(&self, family: RateFamily) -> AppResult<()> {
        loop {
            match self.inner.throttle.reserve(family) {
                Ok(wait) if wait.is_zero() => return Ok(()),
                Ok(wait) => self.pause(wait).await?,
                Err(wait) => {
                    let mut e = AppError::new(
                        ErrorCode::RateLimited,
                        format!(
                            "Yespo's limit for these requests is reached; try again in {} s",
                            wait.as_secs().max(1)
                        ),
                    );
                    e.retry_after_secs = Some(wait.as_secs().max(1));
                    return Err(e);
                }
            }
        }
    }

    /// Send a call with throttling, authentication (one refresh after a 401 with Bearer) and
    /// retries (idempotent calls: 429, 5xx and network errors; others: 429 only, which Yespo
    /// answers before doing anything).
    pub(crate) async fn send(&self, call: Call<'_>) -> AppResult<Answer> {
        let endpoint = rights::endpoint(call.method.as_str(), call.endpoint);
        let family = endpoint.map_or(RateFamily::Default, |e| e.rate);
        let group = endpoint.map_or(MethodGroup::Other, |e| e.group);
        let idempotent = call.idempotent;
        let policy = self.inner.retry;
        let started = Instant::now();
        let url = format!("{}{}", self.inner.base, call.path);
        let mut retries = 0u32;
        let mut rejected: Option<Secret> = None;
        let mut refreshed = false;
        loop {
            if self.inner.ended.as_ref().is_some_and(|t| t.is_cancelled()) {
                return Err(session_ended());
            }
            if self.cancel.as_ref().is_some_and(|t| t.is_cancelled()) {
                return Err(cancelled());
            }
            self.throttle(family).await?;
            let (auth, token) = self.interruptible(self.auth_header(rejected.take().as_ref())).await??;
            let mut request = self
                .inner
                .http
                .request(call.method.clone(), &url)
                .header(AUTHORIZATION, auth)
                .header(ACCEPT, "application/json")
                .header(USER_AGENT, &self.inner.user_agent)
                .query(&call.query);
            if let Some(body) = &call.body {
                request = request.header(CONTENT_TYPE, "application/json; charset=UTF-8").body(body.clone());
            }
            let attempt_started = Instant::now();
            let outcome = self.run(request, idempotent).await?;
            let elapsed = attempt_started.elapsed().as_millis() as u64;
            // The path and the names of the parameters, never their values (an email, a phone).
            let params = call.query.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(",");
            let failure = match outcome {
                Ok((status, headers, body)) => {
                    tracing::debug!(method = %call.method, path = %call.path, params, status = status.as_u16(), retries, ms = elapsed, "yespo call");
                    if status.is_success() {
                        return Ok(Answer { status, headers, body });
                    }
                    if status == StatusCode::UNAUTHORIZED && !refreshed {
                        if let Some(token) = token {
                            // The access token may just have expired: refresh once, try once more.
                            refreshed = true;
                            rejected = Some(token);
                            continue;
                        }
                    }
                    Failure::Status(status, headers, body)
                }
                Err(error) => {
                    tracing::debug!(method = %call.method, path = %call.path, params, retries, ms = elapsed, error = %error, "yespo call failed");
                    Failure::Network(error)
                }
            };
            let retryable = match &failure {
                Failure::Status(s, ..) if *s == StatusCode::TOO_MANY_REQUESTS => true,
                Failure::Status(s, ..) => idempotent && s.is_server_error(),
                Failure::Network(_) => idempotent,
            };
            let retry_after = match &failure {
                Failure::Status(_, headers, _) => retry_after(headers),
                Failure::Network(_) => None,
            };
            let wait = retry_after.unwrap_or_else(|| policy.backoff(retries));
            let in_budget = started.elapsed() + wait < policy.max_total;
            if retryable && retries + 1 < policy.max_attempts && in_budget {
                retries += 1;
                self.pause(wait).await?;
                continue;
            }
            return Err(failure.into_error(group, &self.inner.auth, retries));
        }
    }

    /// One HTTP exchange. A read stops when the caller cancels or the session ends (outer
    /// `Err`); a write, once sent, runs to its answer (at most the request timeout): cut off, its
    /// outcome would be unknown, and Yespo may already be acting on it. A transport error loses
    /// its URL: the query may hold an email or a phone number.
    async fn run(
        &self,
        request: reqwest::RequestBuilder,
        idempotent: bool,
    ) -> AppResult<Result<(StatusCode, HeaderMap, String), reqwest::Error>> {
        let exchange = async {
            let response = request.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.text().await?;
            Ok((status, headers, body))
        };
        let result = if idempotent { self.interruptible(exchange).await? } else { exchange.await };
        Ok(result.map_err(reqwest::Error::without_url))
    }
}

async fn cancelled_or_never(token: Option<&CancellationToken>) {
    match token {
        Some(token) => token.cancelled().await,
        None => std::future::pending().await,
    }
}

fn cancelled() -> AppError {
    AppError::new(ErrorCode::Cancelled, "Cancelled")
}

fn session_ended() -> AppError {
    AppError::session_ended()
}

/// `Retry-After` in seconds (the HTTP-date form is not used by Yespo's stack; ignored).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs: u64 = headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(secs.min(300)))
}

enum Failure {
    Status(StatusCode, HeaderMap, String),
    Network(reqwest::Error),
}

/// Raw text for the details pane: cut, and with any live secret blanked.
fn details_of(status: StatusCode, body: &str) -> String {
    let shown: String = body.chars().take(2000).collect();
    format!("HTTP {}\n{}", status.as_u16(), scrub(&shown))
}

/// The HTTP status of a refused call, from the details [`details_of`] wrote (`None` for a
/// network error or an error made here).
pub(crate) fn status_of(error: &AppError) -> Option<u16> {
    error.details.as_deref()?.strip_prefix("HTTP ")?.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// Yespo's words from an error body: plain text, or the `message`/`error_description` of JSON;
/// cut to 300 characters, and scrubbed of live secrets like the details.
fn yespo_text(body: &str) -> Option<String> {
    let body = body.trim();
    if body.is_empty() {
        return None;
    }
    let text = match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v) => ["message", "error_description", "error"]
            .iter()
            .find_map(|key| v.get(key).and_then(|m| m.as_str()).map(str::to_string))?,
        Err(_) => body.to_string(),
    };
    Some(scrub(&text.chars().take(300).collect::<String>()).into_owned())
}

impl Failure {
    fn into_error(self, group: MethodGroup, auth: &Auth, retries: u32) -> AppError {
        let tried = if retries > 0 { format!(" (after {} tries)", retries + 1) } else { String::new() };
        match self {
            Failure::Network(e) => {
                let what = if e.is_timeout() {
                    "Yespo did not answer in time"
                } else if e.is_connect() {
                    "Cannot connect to Yespo"
                } else {
                    "The connection to Yespo failed"
                };
                AppError::new(ErrorCode::Network, format!("{what}{tried}. Check the network and try again."))
                    .with_details(scrub(&e.to_string()).into_owned())
            }
            Failure::Status(status, headers, body) => {
                let details = details_of(status, &body);
                let text = yespo_text(&body);
                let error = match status.as_u16() {
                    400 | 415 | 422 => AppError::validation(text.unwrap_or_else(|| "Yespo refused the request as invalid".into())),
                    401 => AppError::new(
                        ErrorCode::AuthExpired,
                        match auth {
                            Auth::ApiKey(_) => "Yespo did not accept the API key. It may have been deleted or disabled (keys unused for 90 days are); enter a valid key.",
                            Auth::Bearer(_) => "The login has expired or was revoked. Log in again.",
                        },
                    ),
                    403 => {
                        let mut e = AppError::new(
                            ErrorCode::Forbidden,
                            format!(
                                "Not allowed: {} need the right '{}' (or full access), which this {} does not have.",
                                group.label(),
                                Right::needed_for(group).label(),
                                match auth { Auth::ApiKey(_) => "API key", Auth::Bearer(_) => "app" },
                            ),
                        );
                        e.missing_right = Some(Right::needed_for(group).label().to_string());
                        e
                    }
                    404 => AppError::not_found(text.unwrap_or_else(|| "Not found".into())),
                    409 => AppError::new(
                        ErrorCode::DuplicateRequest,
                        "Yespo refused a repeat of the same change within a minute; the first one went through.",
                    ),
                    429 => {
                        let mut e = AppError::new(ErrorCode::RateLimited, format!("Yespo says there were too many requests{tried}. Try again shortly."));
                        e.retry_after_secs = retry_after(&headers).map(|d| d.as_secs());
                        e
                    }
                    s if s >= 500 => AppError::new(ErrorCode::Network, format!("Yespo had a server error (HTTP {s}){tried}. Try again later.")),
                    s => AppError::internal(format!("Yespo answered HTTP {s} unexpectedly")),
                };
                error.with_details(details)
            }
        }
    }
}
