//! The Yespo sandbox: a local HTTP emulator of Yespo's REST API (`/api/v1`, `/api/v2`) and OAuth
//! server (`/uaa/oauth`), faithful to `yespo-openapi.json` and the quirks in `yespo-api.md`.
//!
//! Every test of the app runs against it over real HTTP, the app's `--demo` mode embeds it, and
//! the `yespo-sandbox` binary runs it standalone. It binds to 127.0.0.1 only and keeps all state
//! in memory. It builds on `yespo-core` for what it shares with the app's Yespo client: the
//! group↔right table ([`rights`]), the lenient JSON readers, constant-time comparison, HTML
//! escaping and random ids.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use yespo_sandbox::{Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//! println!("Yespo API at {}/api/v1", sandbox.base_url());
//! # Ok(()) }
//! ```
//!
//! With the `testing` feature, [`testing`] has helpers for tests that drive a sandbox over HTTP.

pub mod auth;
pub mod config;
pub mod demo_data;
mod http;
pub mod images;
mod import;
pub use import::BulkRequest;
pub mod limits;
pub mod model;
mod oauth;
pub mod prng;
pub mod quirks;
mod request_log;
pub use request_log::{LoggedRequest, MAX_LOGGED_REQUESTS};

mod routes;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

pub use auth::{ApiKey, ClientAuthMethods, OAuthApp};
pub use config::{Knobs, SandboxConfig};
pub use yespo_core::yespo::rights::{self, MethodGroup, Right};

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::ApiError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// State shared by every request handler.
pub(crate) struct Shared {
    pub base_url: String,
    pub config: SandboxConfig,
    pub knobs: RwLock<Knobs>,
    pub store: RwLock<store::Store>,
    pub auth: Mutex<auth::AuthState>,
    pub limiter: Mutex<limits::RateLimiter>,
    pub duplicates: Mutex<limits::DuplicateGuard>,
    pub imports: import::Imports,
    /// Decides which requests get injected faults; seeded, so a run is repeatable.
    pub fault_rng: Mutex<prng::SeededRng>,
    /// API requests received, answered or not (for tests of client retries and throttling).
    pub api_requests: std::sync::atomic::AtomicU64,
    /// Connections dropped so far (every other one after the request took effect).
    pub drops: std::sync::atomic::AtomicU64,
    /// `POST /uaa/oauth/token` requests received, accepted or not, by their `grant_type` as sent
    /// (`""` when it is missing).
    pub token_requests: Mutex<BTreeMap<String, u64>>,
    /// Every request that reached the sandbox but its own `/__sandbox/...` calls.
    pub requests: request_log::RequestLog,
}

impl Shared {
    /// Credentials and addresses of this sandbox (all of them its own fakes).
    pub(crate) fn info(&self) -> SandboxInfo {
        let auth = self.auth.lock().expect("auth lock");
        SandboxInfo {
            base_url: self.base_url.clone(),
            demo_user: auth.demo_user.clone(),
            demo_password: auth.demo_password.clone(),
            oauth_apps: auth.apps.clone(),
            api_keys: auth.keys.clone(),
        }
    }

    pub fn knobs(&self) -> Knobs {
        self.knobs.read().expect("knobs lock").clone()
    }

    pub fn count_token_request(&self, grant_type: &str) {
        *self.token_requests.lock().expect("token requests lock").entry(grant_type.to_string()).or_default() += 1;
    }

    pub fn token_requests(&self, grant_type: &str) -> u64 {
        self.token_requests.lock().expect("token requests lock").get(grant_type).copied().unwrap_or(0)
    }

    pub fn api_requests(&self) -> u64 {
        self.api_requests.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// What a script or test needs to use a running sandbox: printed as the first stdout line of the
/// `yespo-sandbox` binary. It holds the sandbox's own fake credentials, never real ones.
#[derive(Debug, Clone, Serialize)]
pub struct SandboxInfo {
    /// e.g. `http://127.0.0.1:8080`; the API is under `{base_url}/api/v1`, OAuth under `{base_url}/uaa/oauth`.
    pub base_url: String,
    pub demo_user: String,
    pub demo_password: String,
    pub oauth_apps: Vec<OAuthApp>,
    pub api_keys: Vec<ApiKey>,
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl Sandbox {
    /// Generate the demo account, bind 127.0.0.1:`config.port` and serve in the background on
    /// the current tokio runtime.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let started = Instant::now();
        let store = store::Store::demo(config.seed, config.contacts, &base_url);
        let shared = Arc::new(Shared {
            base_url: base_url.clone(),
            knobs: RwLock::new(config.knobs.clone()),
            store: RwLock::new(store),
            auth: Mutex::new({
                let mut auth = auth::AuthState::seeded(config.seed, &config.callback_url);
                if let Some(path) = &config.state_file {
                    auth.load_grants(path);
                }
                auth
            }),
            limiter: Mutex::new(limits::RateLimiter::default()),
            duplicates: Mutex::new(limits::DuplicateGuard::default()),
            imports: import::Imports::default(),
            fault_rng: Mutex::new(prng::SeededRng::new(config.seed ^ 0xFA17)),
            api_requests: Default::default(),
            drops: Default::default(),
            token_requests: Default::default(),
            requests: Default::default(),
            config,
        });
        import::spawn_worker(shared.clone());
        let app = router(shared.clone());
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let server = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stop_rx.await;
            });
            if let Err(error) = server.await {
                tracing::error!(%error, "the Yespo sandbox stopped with an error");
            }
        });
        tracing::info!(%base_url, contacts = shared.config.contacts, ms = started.elapsed().as_millis() as u64, "Yespo sandbox listening");
        Ok(Sandbox { shared, addr, stop: Some(stop_tx) })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Credentials and addresses of this sandbox.
    pub fn info(&self) -> SandboxInfo {
        self.shared.info()
    }

    /// The seeded API key with `rights`.
    pub fn api_key(&self, rights: Right) -> String {
        let auth = self.shared.auth.lock().expect("auth lock");
        auth.keys.iter().find(|k| k.rights == rights).map(|k| k.key.clone()).expect("a key per right")
    }

    /// The seeded OAuth app with `rights`.
    pub fn oauth_app(&self, rights: Right) -> OAuthApp {
        let auth = self.shared.auth.lock().expect("auth lock");
        auth.apps.iter().find(|a| a.rights == rights).cloned().expect("an app per right")
    }

    /// Register another OAuth app, e.g. with a test's own Callback URL. It accepts both client
    /// authentication methods at the token endpoint, as the seeded apps do.
    pub fn register_app(&self, name: &str, callback_url: &str, rights: Right) -> OAuthApp {
        self.shared.auth.lock().expect("auth lock").register_app(name, callback_url, rights)
    }

    /// Register another OAuth app that accepts only the client authentication `methods` given
    /// (HTTP Basic, parameters, or both). A token request that authenticates with another method
    /// is refused as a wrong secret is (401 `invalid_client`), without a hint of what would work.
    pub fn register_app_with(
        &self,
        name: &str,
        callback_url: &str,
        rights: Right,
        methods: ClientAuthMethods,
    ) -> OAuthApp {
        self.shared.auth.lock().expect("auth lock").register_app_with(name, callback_url, rights, methods)
    }

    pub fn knobs(&self) -> Knobs {
        self.shared.knobs()
    }

    /// How many API requests reached the sandbox so far.
    pub fn api_requests(&self) -> u64 {
        self.shared.api_requests()
    }

    /// How many requests reached the OAuth token endpoint (`POST /uaa/oauth/token`) so far with
    /// this `grant_type` (`"authorization_code"`, `"refresh_token"`, or whatever was sent),
    /// accepted or not. E.g. a test checks that exactly one refresh reached the server.
    pub fn token_requests(&self, grant_type: &str) -> u64 {
        self.shared.token_requests(grant_type)
    }

    /// Every `POST contacts` that reached the handler, in order (also those whose answer was then
    /// dropped).
    pub fn bulk_requests(&self) -> Vec<BulkRequest> {
        self.shared.imports.log.lock().expect("log lock").clone()
    }

    /// The requests that reached the sandbox after the one numbered `seq`, oldest first (all that
    /// are kept, the last [`MAX_LOGGED_REQUESTS`], for 0): API calls, OAuth, view pages, images
    /// and unknown paths alike, but not `/__sandbox/...`. E.g. take [`Sandbox::last_request_seq`]
    /// before showing a message, then check which images were fetched.
    pub fn requests_since(&self, seq: u64) -> Vec<LoggedRequest> {
        self.shared.requests.since(seq)
    }

    /// The number of the latest logged request; 0 before the first.
    pub fn last_request_seq(&self) -> u64 {
        self.shared.requests.last_seq()
    }

    /// A digest (SHA-256, lower-case hex) of everything an API call can change: the contacts
    /// (every field, deleted ones too), segments and their members, email, SMS and mobile-push
    /// messages, events received, subscription categories, custom fields, and the bulk imports
    /// started (their sessions and requests). Two equal fingerprints mean no data changed in
    /// between, e.g. around a check that must only read. OAuth grants, knobs, the request log
    /// and counters are not data and do not count. While a bulk import runs, its session's status
    /// moves on, and so does the fingerprint.
    pub fn data_fingerprint(&self) -> String {
        use sha2::Digest;
        /// Feeds formatted text straight into the digest.
        struct DigestWriter(sha2::Sha256);
        impl std::fmt::Write for DigestWriter {
            fn write_str(&mut self, s: &str) -> std::fmt::Result {
                self.0.update(s.as_bytes());
                Ok(())
            }
        }
        let mut out = DigestWriter(sha2::Sha256::new());
        let written = self
            .shared
            .store
            .read()
            .expect("store lock")
            .write_data(&mut out)
            .and_then(|()| self.shared.imports.write_data(&mut out));
        written.expect("writing to a digest cannot fail");
        out.0.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Change knobs while the sandbox runs; also clears the rate limiter's memory.
    pub fn update_knobs(&self, change: impl FnOnce(&mut Knobs)) {
        change(&mut self.shared.knobs.write().expect("knobs lock"));
        self.shared.limiter.lock().expect("limiter lock").reset();
    }

    /// Stop serving and wait a moment for open connections to finish.
    pub fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The 404 text for a path the sandbox does not serve (unlike "Contact with id='…' not found").
pub const NO_SUCH_METHOD: &str = "Not found: the Yespo sandbox has no such method";

fn router(shared: Arc<Shared>) -> Router {
    let api = routes::api_router().route_layer(axum::middleware::from_fn_with_state(shared.clone(), api_gate));
    Router::new()
        .merge(api)
        .merge(oauth::router())
        .route("/", get(routes::index))
        .route("/view/email/{id}", get(routes::messages::view_page))
        .route("/img/{name}", get(routes::image))
        .route("/__sandbox/knobs", get(routes::get_knobs).put(routes::put_knobs))
        .route("/__sandbox/stats", get(routes::get_stats))
        .route("/__sandbox/requests", get(routes::get_requests))
        .route("/__sandbox/info", get(routes::get_info))
        .fallback(|| async { ApiError::NotFound(NO_SUCH_METHOD.into()) })
        // Outermost, after the fallback: every request passes it, whatever answers it.
        .layer(axum::middleware::from_fn_with_state(shared.clone(), log_request))
        .with_state(shared)
}

/// Record the request in the log before anything else sees it.
async fn log_request(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let user_agent = request.headers().get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok());
    shared.requests.record(request.method().as_str(), request.uri().path(), request.uri().query(), user_agent);
    next.run(request).await
}

/// Every API request passes here: injected faults, authentication, rights, rate limits.
async fn api_gate(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    shared.api_requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let knobs = shared.knobs();
    if knobs.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(knobs.latency_ms)).await;
    }
    let (drop_now, fail_now) = {
        let mut rng = shared.fault_rng.lock().expect("fault rng lock");
        (knobs.drop_rate > 0.0 && rng.chance(knobs.drop_rate), knobs.error_rate > 0.0 && rng.chance(knobs.error_rate))
    };
    // Every other dropped connection drops after the request was handled: then it took effect
    // and only its answer is lost, the case a client cannot tell apart. (Counted, not drawn, so
    // the seeded sequence of faults stays what the tests were written against.)
    let drop_after = drop_now && shared.drops.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 2 == 1;
    if drop_now && !drop_after {
        return dropped_connection();
    }
    if fail_now {
        return ApiError::ServerError.into_response();
    }
    let header = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let caller = match shared.auth.lock().expect("auth lock").authenticate(header, Instant::now()) {
        Ok(caller) => caller,
        Err(failure) => return ApiError::Unauthorized(failure.message()).into_response(),
    };
    let method = request.method().as_str().to_string();
    let path = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_default();
    // A wrong method for a known path has no endpoint: let the router answer 405.
    if let Some(endpoint) = rights::endpoint(&method, &path) {
        if !caller.rights.allows(endpoint.group) {
            let needed = Right::needed_for(endpoint.group);
            return ApiError::Forbidden(format!(
                "Access is denied: {method} {} is in the group '{}', which needs the right '{}'; this {} has '{}'",
                path.trim_start_matches("/api/"),
                endpoint.group.label(),
                needed.label(),
                caller.via,
                caller.rights.label()
            ))
            .into_response();
        }
        if knobs.burst_429 > 0 {
            let mut k = shared.knobs.write().expect("knobs lock");
            if k.burst_429 > 0 {
                k.burst_429 -= 1;
                return ApiError::TooManyRequests { wait: Duration::from_secs(1), limit: "request burst".into() }
                    .into_response();
            }
        }
        if knobs.rate_limits {
            let verdict = shared.limiter.lock().expect("limiter lock").check(endpoint.rate, &knobs, Instant::now());
            if let Err(wait) = verdict {
                let limit = match endpoint.rate {
                    rights::RateFamily::ContactsSearch => {
                        format!("More than {} requests per 1 second", knobs.contacts_search_per_sec)
                    }
                    rights::RateFamily::MessageReads => {
                        format!("More than {} requests per 1 hour", knobs.message_reads_per_hour)
                    }
                    rights::RateFamily::Events => format!("More than {} requests per 1 second", knobs.events_per_sec),
                    rights::RateFamily::Default => format!("More than {} requests per 1 second", knobs.default_per_sec),
                };
                return ApiError::TooManyRequests { wait, limit }.into_response();
            }
        }
    }
    let mut request = request;
    request.extensions_mut().insert(caller);
    let response = next.run(request).await;
    tracing::debug!(%method, %path, status = response.status().as_u16(), "sandbox request");
    if drop_after {
        return dropped_connection();
    }
    response
}

/// An answer whose body fails after the status line: the client sees the connection drop.
fn dropped_connection() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "dropped by the sandbox",
        ))
    });
    (StatusCode::OK, Body::from_stream(stream)).into_response()
}
