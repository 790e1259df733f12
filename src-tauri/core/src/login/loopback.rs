//! The loopback listener that receives the OAuth redirect (RFC 8252 §7.3): bound before the
//! browser opens, on the loopback address only, one path, GET only; a stray or forged request
//! gets a 400 page and the listener keeps waiting. Each connection gets a few seconds to send
//! its headers and 16 KiB for them, and serves one request: a local program cannot hold the
//! listener up or make it buffer much.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::html::escape;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a connection may take to send its request headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest a connection may stay open in all.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(15);
/// Most bytes of request line and headers (hyper's minimum is 8 KiB); the redirect's URL holds
/// a code and a state, far less.
const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Connections served at once; more wait to be accepted.
const MAX_CONNECTIONS: usize = 16;

/// A Callback URL the app can serve, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackUrl {
    pub url: String,
    pub ip: IpAddr,
    pub port: u16,
    pub path: String,
    /// The host is `localhost`: the browser may resolve it to 127.0.0.1 or to [::1], so both
    /// are bound.
    pub localhost: bool,
}

impl CallbackUrl {
    /// Accepts `http://127.0.0.1:<port>/<path>`, `http://localhost:<port>/<path>` and
    /// `http://[::1]:<port>/<path>`, with an explicit port. A query is allowed (RFC 6749 §3.1.2:
    /// Yespo adds its parameters to it, and the listener reads only `code` and `state`); a
    /// fragment is not (it never reaches a server).
    pub fn parse(text: &str) -> AppResult<CallbackUrl> {
        let bad = |why: &str| AppError::validation(format!("The Callback URL {why}"));
        let url = url::Url::parse(text.trim()).map_err(|_| bad("is not a valid URL"))?;
        if url.scheme() != "http" {
            return Err(bad("must start with http:// (the app listens on this computer, without TLS)"));
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) if ip.is_loopback() => IpAddr::V6(ip),
            Some(url::Host::Domain("localhost")) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            _ => return Err(bad("must point at this computer: 127.0.0.1, localhost or [::1]")),
        };
        let port = url.port().ok_or_else(|| bad("needs a port, e.g. http://127.0.0.1:8917/callback"))?;
        if url.fragment().is_some() {
            return Err(bad("must not have a fragment (#...): a browser never sends it to the app"));
        }
        let localhost = matches!(url.host(), Some(url::Host::Domain("localhost")));
        Ok(CallbackUrl { url: text.trim().to_string(), ip, port, path: url.path().to_string(), localhost })
    }

    /// Bind every address the login would listen on and let go at once: whether the port can
    /// be had now (busy, or not allowed to this user).
    pub async fn try_bind_now(&self) -> std::io::Result<()> {
        for (i, addr) in self.addresses().into_iter().enumerate() {
            match tokio::net::TcpListener::bind(addr).await {
                Ok(_) => {}
                // As in `Listener::bind`: `localhost` without an IPv6 loopback serves on 127.0.0.1.
                Err(e) if i > 0 && e.kind() != std::io::ErrorKind::AddrInUse => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// The addresses to listen on: the URL's, and for `localhost` both loopback addresses.
    fn addresses(&self) -> Vec<SocketAddr> {
        let mut addresses = vec![SocketAddr::new(self.ip, self.port)];
        if self.localhost {
            addresses.push(SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), self.port));
        }
        addresses
    }
}

/// What came back to the listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackResult {
    Code(String),
    /// The provider's `error` and `error_description`.
    Denied {
        error: String,
        description: Option<String>,
    },
}

/// A bound listener waiting for the redirect.
pub struct Listener {
    pub addr: SocketAddr,
    /// Every address bound (two for `localhost` where IPv6 is available).
    pub addresses: Vec<SocketAddr>,
    results: mpsc::Receiver<CallbackResult>,
    stop: CancellationToken,
    accept_loops: Vec<JoinHandle<()>>,
}

struct ListenerState {
    /// The Callback URL's path, as the browser sends it.
    path: String,
    expected_state: String,
    results: mpsc::Sender<CallbackResult>,
    app_name: &'static str,
    done: Mutex<bool>,
}

impl Listener {
    /// Bind now (so a busy port is known before the browser opens) and serve `callback.path`.
    pub async fn bind(callback: &CallbackUrl, expected_state: &str) -> AppResult<Listener> {
        Self::bind_with(callback, expected_state, HEADER_READ_TIMEOUT).await
    }

    async fn bind_with(
        callback: &CallbackUrl,
        expected_state: &str,
        header_read_timeout: Duration,
    ) -> AppResult<Listener> {
        let mut sockets = Vec::new();
        for (i, addr) in callback.addresses().into_iter().enumerate() {
            match tokio::net::TcpListener::bind(addr).await {
                Ok(socket) => sockets.push(socket),
                // `localhost` where the machine has no IPv6 loopback (or IPv6 is off): 127.0.0.1
                // serves alone. Only another program on [::1] is a reason to stop.
                Err(e) if i > 0 && e.kind() != std::io::ErrorKind::AddrInUse => {
                    tracing::debug!(%addr, error = %e, "no IPv6 loopback; listening on 127.0.0.1 only");
                }
                Err(e) => return Err(bind_error(callback, addr, e)),
            }
        }
        let addresses: Vec<SocketAddr> = sockets.iter().filter_map(|s| s.local_addr().ok()).collect();
        let addr = *addresses.first().ok_or_else(|| AppError::internal("No local address"))?;
        let (tx, rx) = mpsc::channel(4);
        let state = Arc::new(ListenerState {
            path: callback.path.clone(),
            expected_state: expected_state.to_string(),
            results: tx,
            app_name: "Yespo Admin",
            done: Mutex::new(false),
        });
        // The path is compared, not routed: a Callback URL path is the user's text, and axum's
        // router would take `:name` or `*rest` in it for parameters.
        let app = axum::Router::new().fallback(receive).with_state(state);
        let stop = CancellationToken::new();
        let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        let accept_loops = sockets
            .into_iter()
            .map(|socket| {
                tokio::spawn(accept_loop(socket, app.clone(), stop.clone(), slots.clone(), header_read_timeout))
            })
            .collect();
        Ok(Listener { addr, addresses, results: rx, stop, accept_loops })
    }

    /// Wait for the redirect, at most `timeout`, or until `cancel`. The port is free again when
    /// this returns, either way.
    pub async fn wait(mut self, timeout: Duration, cancel: &CancellationToken) -> AppResult<CallbackResult> {
        let outcome = tokio::select! {
            r = self.results.recv() => r.ok_or_else(|| AppError::internal("The login listener stopped")),
            _ = tokio::time::sleep(timeout) => Err(AppError::new(ErrorCode::AuthRequired, format!(
                "The login was not finished within {}. Start it again.", human(timeout)
            ))),
            _ = cancel.cancelled() => Err(AppError::new(ErrorCode::Cancelled, "Login cancelled")),
        };
        self.close().await;
        outcome
    }

    /// Stop accepting and wait until every listening socket is closed.
    pub async fn close(mut self) {
        self.stop.cancel();
        for accept_loop in self.accept_loops.drain(..) {
            let _ = accept_loop.await;
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        // Not awaited here; `close` is for callers that need the port back at once.
        self.stop.cancel();
    }
}

fn bind_error(callback: &CallbackUrl, addr: SocketAddr, e: std::io::Error) -> AppError {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => AppError::validation(format!(
            "Port {} is busy: another program uses it. Close that program, or choose another port in the \
             Callback URL (and change it in the app's registration in Yespo to match).",
            callback.port
        )),
        std::io::ErrorKind::PermissionDenied => AppError::validation(format!(
            "The system does not allow listening on port {}. Choose another port (1024–49151) in the Callback URL \
             and in Yespo's registration.",
            callback.port
        )),
        _ => AppError::validation(format!("Cannot listen on {addr} for the login")).with_details(e.to_string()),
    }
}

/// Accept connections until `stop`; the socket closes when this returns.
async fn accept_loop(
    socket: tokio::net::TcpListener,
    app: axum::Router,
    stop: CancellationToken,
    slots: Arc<Semaphore>,
    header_read_timeout: Duration,
) {
    loop {
        let slot = tokio::select! {
            _ = stop.cancelled() => return,
            slot = slots.clone().acquire_owned() => match slot { Ok(slot) => slot, Err(_) => return },
        };
        let stream = tokio::select! {
            _ = stop.cancelled() => return,
            accepted = socket.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::debug!(%error, "the login listener could not accept a connection");
                    continue;
                }
            },
        };
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let _slot = slot;
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_read_timeout)
                .max_buf_size(MAX_HEADER_BYTES)
                .keep_alive(false)
                .serve_connection(TokioIo::new(stream), service);
            match tokio::time::timeout(CONNECTION_TIMEOUT, connection).await {
                Ok(Err(error)) => tracing::debug!(%error, "a connection to the login listener failed"),
                Err(_) => tracing::debug!("a connection to the login listener took too long"),
                Ok(Ok(())) => {}
            }
        });
    }
}

async fn receive(
    State(state): State<Arc<ListenerState>>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    RawQuery(q): RawQuery,
) -> Response {
    if uri.path() != state.path {
        return page(StatusCode::NOT_FOUND, "Not found", "This address is only for the Yespo Admin login.");
    }
    if method != axum::http::Method::GET {
        return page(StatusCode::METHOD_NOT_ALLOWED, "Not allowed", "The login comes back with GET only.");
    }
    let params: HashMap<String, String> =
        form_urlencoded::parse(q.unwrap_or_default().as_bytes()).into_owned().collect();
    let state_ok = params
        .get("state")
        .is_some_and(|s| crate::secret::constant_time_eq(s.as_bytes(), state.expected_state.as_bytes()));
    if !state_ok {
        // A stray or forged request: refuse it, keep waiting for the real one.
        return page(
            StatusCode::BAD_REQUEST,
            "Not this login",
            "This request does not belong to the login in progress. Go back to Yespo Admin and try again if needed.",
        );
    }
    let result = match (params.get("code"), params.get("error")) {
        (Some(code), None) if !code.is_empty() => CallbackResult::Code(code.clone()),
        (_, Some(error)) => {
            CallbackResult::Denied { error: error.clone(), description: params.get("error_description").cloned() }
        }
        _ => {
            return page(StatusCode::BAD_REQUEST, "Login failed", "Yespo sent neither a code nor an error.");
        }
    };
    {
        let mut done = state.done.lock().expect("done lock");
        if *done {
            return page(
                StatusCode::OK,
                "Already done",
                &format!("This login is finished. You can close this tab and return to {}.", state.app_name),
            );
        }
        *done = true;
    }
    let response = match &result {
        CallbackResult::Code(_) => page(
            StatusCode::OK,
            "Logged in",
            &format!("You are logged in to Yespo. You can close this tab and return to {}.", state.app_name),
        ),
        CallbackResult::Denied { error, description } => page(
            StatusCode::OK,
            "Login not completed",
            &format!(
                "Yespo answered: {}{}. You can close this tab and return to {}.",
                error,
                description.as_ref().map(|d| format!(" ({d})")).unwrap_or_default(),
                state.app_name
            ),
        ),
    };
    let _ = state.results.send(result).await;
    response
}

/// A small self-contained page: no external resources, every echoed text escaped.
fn page(status: StatusCode, title: &str, text: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} · Yespo Admin</title>\
         <style>body{{font-family:system-ui,sans-serif;background:#f7f6fb;color:#1d1b26;margin:0}}\
         main{{max-width:440px;margin:15vh auto;background:#fff;border:1px solid #e4e2ec;border-radius:8px;padding:28px}}\
         h1{{font-size:20px;margin:0 0 10px}}p{{line-height:1.5;margin:0}}</style></head>\
         <body><main><h1 id=\"title\">{t}</h1><p id=\"message\">{m}</p></main></body></html>",
        t = escape(title),
        m = escape(text)
    );
    let mut r = (status, Html(html)).into_response();
    let h = r.headers_mut();
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    r
}

fn human(d: Duration) -> String {
    match d.as_secs() {
        s if s >= 120 => format!("{} minutes", s / 60),
        s => format!("{s} seconds"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_urls_must_be_loopback_with_a_port() {
        let ok = CallbackUrl::parse("http://127.0.0.1:8917/callback").unwrap();
        assert_eq!((ok.port, ok.path.as_str()), (8917, "/callback"));
        assert!(CallbackUrl::parse("http://localhost:8917/cb").is_ok());
        assert!(CallbackUrl::parse("http://[::1]:8917/cb").is_ok());
        assert!(CallbackUrl::parse("http://localhost:8917/cb").unwrap().localhost);
        assert!(!CallbackUrl::parse("http://127.0.0.1:8917/cb").unwrap().localhost);
        // A query is kept in the URL and left out of the path the listener compares.
        let queried = CallbackUrl::parse("http://127.0.0.1:8917/cb?x=1").unwrap();
        assert_eq!((queried.path.as_str(), queried.url.as_str()), ("/cb", "http://127.0.0.1:8917/cb?x=1"));
        for bad in [
            "https://127.0.0.1:8917/cb",
            "http://example.com:8917/cb",
            "http://127.0.0.1/cb",
            "http://10.0.0.1:80/cb",
            "nonsense",
            "http://127.0.0.1:8917/cb#x",
        ] {
            let e = CallbackUrl::parse(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::Validation, "{bad}");
        }
    }

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    #[tokio::test]
    async fn slow_and_oversized_requests_are_cut_off() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let callback = CallbackUrl::parse(&format!("http://127.0.0.1:{}/callback", free_port())).unwrap();
        let listener = Listener::bind_with(&callback, "state", Duration::from_millis(300)).await.unwrap();
        // Headers that never end: the connection is closed after the header-read timeout.
        let mut slow = tokio::net::TcpStream::connect(listener.addr).await.unwrap();
        slow.write_all(b"GET /callback HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buf)).await;
        assert!(read.is_ok(), "the slow connection was not closed");
        // A request line larger than the cap: refused without a page.
        let mut big = tokio::net::TcpStream::connect(listener.addr).await.unwrap();
        let line = format!("GET /callback?state={} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(64 * 1024));
        let _ = big.write_all(line.as_bytes()).await;
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), big.read_to_end(&mut answer)).await.unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(!answer.contains("200 OK") && !answer.contains("Not this login"), "{answer}");
        // The listener still serves a normal request.
        let mut ok = tokio::net::TcpStream::connect(listener.addr).await.unwrap();
        ok.write_all(b"GET /callback?state=wrong HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        let mut answer = Vec::new();
        ok.read_to_end(&mut answer).await.unwrap();
        assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 400"));
        listener.close().await;
        assert!(std::net::TcpListener::bind(("127.0.0.1", callback.port)).is_ok(), "the port is free after close");
    }

    #[tokio::test]
    async fn any_path_text_is_served_as_it_is_written() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        // `:` and `*` mean parameters to a router; here they are just the path.
        let callback = CallbackUrl::parse(&format!("http://127.0.0.1:{}/:cb/*x", free_port())).unwrap();
        let listener = Listener::bind(&callback, "state").await.unwrap();
        let ask = |request: &'static str| async move {
            let mut stream = tokio::net::TcpStream::connect(listener.addr).await.unwrap();
            stream.write_all(request.as_bytes()).await.unwrap();
            let mut answer = Vec::new();
            stream.read_to_end(&mut answer).await.unwrap();
            String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_string()
        };
        assert!(ask("GET /:cb/*x?state=wrong HTTP/1.1\r\nHost: x\r\n\r\n").await.contains(" 400 "));
        assert!(ask("GET /other?state=wrong HTTP/1.1\r\nHost: x\r\n\r\n").await.contains(" 404 "));
        assert!(ask("POST /:cb/*x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").await.contains(" 405 "));
        listener.close().await;
    }

    #[tokio::test]
    async fn localhost_is_served_on_both_loopback_addresses() {
        let port = free_port();
        let callback = CallbackUrl::parse(&format!("http://localhost:{port}/callback")).unwrap();
        let listener = Listener::bind(&callback, "state").await.unwrap();
        assert!(listener.addresses.iter().any(|a| a.is_ipv4()));
        let has_ipv6 = std::net::TcpListener::bind("[::1]:0").is_ok();
        assert_eq!(listener.addresses.iter().any(|a| a.is_ipv6()), has_ipv6, "{:?}", listener.addresses);
        for addr in &listener.addresses {
            assert!(tokio::net::TcpStream::connect(addr).await.is_ok(), "{addr} answers");
        }
        listener.close().await;
    }
}
