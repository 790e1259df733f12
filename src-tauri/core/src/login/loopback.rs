//! The loopback listener that receives the OAuth redirect (RFC 8252 §7.3): bound before the
//! browser opens, on the loopback address only, one path, GET only; a stray or forged request
//! gets a 400 page and the listener keeps waiting.

use crate::error::{AppError, AppResult, ErrorCode};
use crate::html::escape;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// A Callback URL the app can serve, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackUrl {
    pub url: String,
    pub ip: IpAddr,
    pub port: u16,
    pub path: String,
}

impl CallbackUrl {
    /// Accepts `http://127.0.0.1:<port>/<path>`, `http://localhost:<port>/<path>` and
    /// `http://[::1]:<port>/<path>`, with an explicit port.
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
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("must not have a query or fragment"));
        }
        Ok(CallbackUrl { url: text.trim().to_string(), ip, port, path: url.path().to_string() })
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
    results: mpsc::Receiver<CallbackResult>,
    stop: Option<oneshot::Sender<()>>,
}

struct ListenerState {
    expected_state: String,
    results: mpsc::Sender<CallbackResult>,
    app_name: &'static str,
    done: Mutex<bool>,
}

impl Listener {
    /// Bind now (so a busy port is known before the browser opens) and serve `callback.path`.
    pub async fn bind(callback: &CallbackUrl, expected_state: &str) -> AppResult<Listener> {
        let addr = SocketAddr::new(callback.ip, callback.port);
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| match e.kind() {
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
        })?;
        let addr =
            listener.local_addr().map_err(|e| AppError::internal("No local address").with_details(e.to_string()))?;
        let (tx, rx) = mpsc::channel(4);
        let state = Arc::new(ListenerState {
            expected_state: expected_state.to_string(),
            results: tx,
            app_name: "Yespo Admin",
            done: Mutex::new(false),
        });
        let app = axum::Router::new()
            .route(&callback.path, axum::routing::get(receive))
            .fallback(|| async {
                page(StatusCode::NOT_FOUND, "Not found", "This address is only for the Yespo Admin login.")
            })
            .with_state(state);
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop_rx.await;
                })
                .await;
        });
        Ok(Listener { addr, results: rx, stop: Some(stop_tx) })
    }

    /// Wait for the redirect, at most `timeout`, or until `cancel`. The port is freed either way.
    pub async fn wait(mut self, timeout: Duration, cancel: &CancellationToken) -> AppResult<CallbackResult> {
        let outcome = tokio::select! {
            r = self.results.recv() => r.ok_or_else(|| AppError::internal("The login listener stopped")),
            _ = tokio::time::sleep(timeout) => Err(AppError::new(ErrorCode::AuthRequired, format!(
                "The login was not finished within {}. Start it again.", human(timeout)
            ))),
            _ = cancel.cancelled() => Err(AppError::new(ErrorCode::Cancelled, "Login cancelled")),
        };
        self.shutdown();
        // Give the server a moment to release the port before the caller may bind it again.
        tokio::time::sleep(Duration::from_millis(20)).await;
        outcome
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.shutdown();
    }
}

async fn receive(State(state): State<Arc<ListenerState>>, RawQuery(q): RawQuery) -> Response {
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
        for bad in [
            "https://127.0.0.1:8917/cb",
            "http://example.com:8917/cb",
            "http://127.0.0.1/cb",
            "http://10.0.0.1:80/cb",
            "nonsense",
            "http://127.0.0.1:8917/cb?x=1",
        ] {
            let e = CallbackUrl::parse(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::Validation, "{bad}");
        }
    }
}
