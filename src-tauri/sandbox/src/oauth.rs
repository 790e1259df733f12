//! Yespo's OAuth 2.0 server as seed 000 documents it: `GET /uaa/oauth/authorize` (login and
//! consent page), `POST /uaa/oauth/authorize` (the form), `POST /uaa/oauth/token`
//! (`authorization_code` and rotating `refresh_token` grants; RFC 6749 errors; PKCE if asked).
//!
//! Clients authenticate at the token endpoint with HTTP Basic or with `client_id` and
//! `client_secret` parameters (query string or form body), whichever their app accepts
//! ([`ClientAuthMethods`](super::auth::ClientAuthMethods); the seeded apps accept both). A method
//! the app does not accept gets the wrong-secret answer, 401 `invalid_client`, before any grant
//! is looked at.

use super::auth::CodeGrant;
use super::http::query_map;
use super::Shared;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use yespo_core::html::escape;
use yespo_core::secret::constant_time_eq;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/uaa/oauth/authorize", get(authorize_page).post(authorize_submit))
        .route("/uaa/oauth/token", post(token))
}

/// The authorize request's parameters, checked. An error here is shown on a page and never
/// redirected: the redirect target itself is not trusted yet.
struct AuthorizeRequest {
    client_id: String,
    app_name: String,
    rights_label: &'static str,
    redirect_uri: String,
    state: Option<String>,
    challenge: Option<(String, String)>,
}

fn check_authorize(shared: &Shared, p: &HashMap<String, String>) -> Result<AuthorizeRequest, (StatusCode, String)> {
    let bad = |m: &str| (StatusCode::BAD_REQUEST, m.to_string());
    let client_id = p.get("client_id").filter(|s| !s.is_empty()).ok_or_else(|| bad("client_id is missing."))?;
    let auth = shared.auth.lock().expect("auth lock");
    let app = auth.app(client_id).ok_or_else(|| bad("Unknown client: no app is registered with this Client ID."))?;
    if app.callback_url.is_empty() {
        return Err(bad("This app has no Callback URL registered. Add one in the app's settings in Yespo."));
    }
    let redirect_uri = match p.get("redirect_uri") {
        Some(r) if r == &app.callback_url => r.clone(),
        Some(_) => {
            return Err(bad(
                "Invalid redirect: the redirect_uri does not match the Callback URL registered for this app \
                 (they must be identical, character for character).",
            ))
        }
        None => app.callback_url.clone(),
    };
    let challenge = match p.get("code_challenge").filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => {
            let method = p.get("code_challenge_method").cloned().unwrap_or_else(|| "plain".into());
            if method != "S256" && method != "plain" {
                return Err(bad("code_challenge_method must be S256 or plain."));
            }
            Some((c.clone(), method))
        }
    };
    Ok(AuthorizeRequest {
        client_id: client_id.clone(),
        app_name: app.name.clone(),
        rights_label: app.rights.label(),
        redirect_uri,
        state: p.get("state").cloned(),
        challenge,
    })
}

fn redirect_to(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let mut url = redirect_uri.to_string();
    let query: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    url.push(if url.contains('?') { '&' } else { '?' });
    url.push_str(&query);
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(&url) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn authorize_page(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let p = query_map(q.as_deref());
    match check_authorize(&shared, &p) {
        Err((status, message)) => error_page(status, &message),
        Ok(req) => {
            if p.get("response_type").map(String::as_str) != Some("code") {
                // The redirect target is known good, so the error can go back to the app.
                let mut params = vec![("error", "unsupported_response_type")];
                if let Some(s) = &req.state {
                    params.push(("state", s));
                }
                return redirect_to(&req.redirect_uri, &params);
            }
            login_page(&shared, &req, None, StatusCode::OK)
        }
    }
}

async fn authorize_submit(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let p: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let req = match check_authorize(&shared, &p) {
        Err((status, message)) => return error_page(status, &message),
        Ok(req) => req,
    };
    let mut params: Vec<(&str, String)> = Vec::new();
    if p.get("decision").map(String::as_str) != Some("approve") {
        params.push(("error", "access_denied".into()));
        if let Some(s) = &req.state {
            params.push(("state", s.clone()));
        }
        let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        return redirect_to(&req.redirect_uri, &borrowed);
    }
    let code = {
        let mut auth = shared.auth.lock().expect("auth lock");
        let user_ok = p.get("username").is_some_and(|u| u.trim().eq_ignore_ascii_case(&auth.demo_user));
        let password_ok =
            p.get("password").is_some_and(|pw| constant_time_eq(pw.as_bytes(), auth.demo_password.as_bytes()));
        if !(user_ok && password_ok) {
            drop(auth);
            return login_page(&shared, &req, Some("Wrong login or password."), StatusCode::UNAUTHORIZED);
        }
        let ttl = shared.knobs().code_ttl_secs;
        auth.issue_code(CodeGrant {
            client_id: req.client_id.clone(),
            redirect_uri: req.redirect_uri.clone(),
            code_challenge: req.challenge.clone(),
            expires: Instant::now() + Duration::from_secs(ttl),
        })
    };
    params.push(("code", code));
    if let Some(s) = &req.state {
        params.push(("state", s.clone()));
    }
    let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    redirect_to(&req.redirect_uri, &borrowed)
}

/// RFC 6749 §5.2 error answer.
fn token_error(status: StatusCode, error: &str, description: &str, basic_used: bool) -> Response {
    let body = json!({"error": error, "error_description": description});
    let mut r = (status, [(header::CONTENT_TYPE, "application/json;charset=UTF-8")], body.to_string()).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if basic_used && status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"oauth\""));
    }
    r
}

async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, RawQuery(q): RawQuery, body: Bytes) -> Response {
    // Yespo documents both the parameters in the query string and a form body; accept both.
    let mut p = query_map(q.as_deref());
    p.extend(form_urlencoded::parse(&body).into_owned());
    shared.count_token_request(p.get("grant_type").map(String::as_str).unwrap_or(""));
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(id, secret)| (decode_component(id), decode_component(secret))));
    let basic_used = basic.is_some();
    let (client_id, client_secret) = match (&basic, p.get("client_id"), p.get("client_secret")) {
        (Some(_), _, Some(_)) => {
            return token_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Use one client authentication method, not two.",
                true,
            )
        }
        (Some((id, secret)), param_id, None) => {
            if param_id.is_some_and(|p| p != id) {
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "client_id does not match the Basic credentials.",
                    true,
                );
            }
            (id.clone(), secret.clone())
        }
        (None, Some(id), Some(secret)) => (id.clone(), secret.clone()),
        (None, _, _) => {
            return token_error(StatusCode::UNAUTHORIZED, "invalid_client", "Client authentication is required.", false)
        }
    };
    let knobs = shared.knobs();
    let now = Instant::now();
    let mut auth = shared.auth.lock().expect("auth lock");
    // A method the app does not accept is refused as a wrong secret is: no hint of what works.
    let client_ok = auth.app(&client_id).is_some_and(|a| {
        constant_time_eq(a.client_secret.as_bytes(), client_secret.as_bytes()) && a.client_auth.accepts(basic_used)
    });
    if !client_ok {
        return token_error(StatusCode::UNAUTHORIZED, "invalid_client", "Bad client credentials.", basic_used);
    }
    let bad_grant = |why: &str| token_error(StatusCode::BAD_REQUEST, "invalid_grant", why, basic_used);
    let bad_request = |why: &str| token_error(StatusCode::BAD_REQUEST, "invalid_request", why, basic_used);
    let grant_type = p.get("grant_type").map(String::as_str).unwrap_or("");
    match grant_type {
        "authorization_code" => {
            let Some(code) = p.get("code") else {
                return bad_request("code is missing.");
            };
            // Single use: the code is gone whatever happens next.
            let Some(grant) = auth.codes.remove(code) else {
                return bad_grant("Invalid authorization code.");
            };
            if grant.expires <= now {
                return bad_grant("The authorization code has expired.");
            }
            if grant.client_id != client_id {
                return bad_grant("The code was issued to another client.");
            }
            if p.get("redirect_uri").is_some_and(|r| r != &grant.redirect_uri) {
                return bad_grant("Redirect URI mismatch.");
            }
            if let Some((challenge, method)) = &grant.code_challenge {
                let Some(verifier) = p.get("code_verifier") else {
                    return bad_grant("code_verifier is missing.");
                };
                let computed = if method == "S256" {
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
                } else {
                    verifier.clone()
                };
                if !constant_time_eq(computed.as_bytes(), challenge.as_bytes()) {
                    return bad_grant("The code_verifier does not match the code_challenge.");
                }
            }
            issue(&mut auth, &shared, &client_id, &knobs, now)
        }
        "refresh_token" => {
            let Some(refresh) = p.get("refresh_token") else {
                return bad_request("refresh_token is missing.");
            };
            // Rotation: the presented refresh token is spent whatever happens next.
            let Some(grant) = auth.refresh.remove(&super::auth::token_key(refresh)) else {
                return bad_grant("Invalid refresh token.");
            };
            if grant.expires <= now {
                return bad_grant("Invalid refresh token (expired).");
            }
            if grant.client_id != client_id {
                return bad_grant("The refresh token was issued to another client.");
            }
            issue(&mut auth, &shared, &client_id, &knobs, now)
        }
        "" => bad_request("grant_type is missing."),
        other => token_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            &format!("Unsupported grant type: {other}"),
            basic_used,
        ),
    }
}

/// Issue a token pair, keep the grants (if a state file is set), and answer with them.
fn issue(
    auth: &mut super::auth::AuthState,
    shared: &Shared,
    client_id: &str,
    knobs: &super::Knobs,
    now: Instant,
) -> Response {
    let (access, refresh) =
        auth.issue_tokens(client_id, knobs.access_token_ttl_secs, knobs.refresh_token_ttl_secs, now);
    if let Some(path) = &shared.config.state_file {
        auth.save_grants(path);
    }
    token_ok(&access, &refresh, knobs.access_token_ttl_secs)
}

fn token_ok(access: &str, refresh: &str, ttl: u64) -> Response {
    let body = json!({
        "access_token": access,
        "token_type": "bearer",
        "refresh_token": refresh,
        "scope": "UseRestApi",
        "expires_in": ttl,
    });
    let mut r =
        (StatusCode::OK, [(header::CONTENT_TYPE, "application/json;charset=UTF-8")], body.to_string()).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

/// RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64.
fn decode_component(s: &str) -> String {
    form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

const PAGE_STYLE: &str = "body{font-family:system-ui,Arial,sans-serif;background:#f4f5f7;margin:0;color:#1d2330}\
main{max-width:420px;margin:48px auto;background:#fff;border-radius:8px;padding:32px;box-shadow:0 2px 12px #0001}\
h1{font-size:20px;margin:0 0 8px}label{display:block;margin:16px 0 4px;font-size:14px}\
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:10px;border:1px solid #c9ced6;border-radius:4px;font-size:15px}\
.buttons{display:flex;gap:12px;margin-top:24px}button{flex:1;padding:12px;border-radius:4px;border:0;font-size:15px;cursor:pointer}\
.approve{background:#0b5fff;color:#fff}.deny{background:#e9ecf1;color:#1d2330}\
.hint{background:#fff8e1;border:1px solid #f0d58c;padding:10px;border-radius:4px;font-size:14px;margin-top:16px}\
.error{background:#fdecea;border:1px solid #f5b7b1;padding:10px;border-radius:4px;font-size:14px;margin-top:16px}\
.rights{font-size:14px;color:#3c4257}";

fn login_page(shared: &Shared, req: &AuthorizeRequest, error: Option<&str>, status: StatusCode) -> Response {
    let (user, password) = {
        let auth = shared.auth.lock().expect("auth lock");
        (auth.demo_user.clone(), auth.demo_password.clone())
    };
    let hidden =
        |name: &str, value: &str| format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(value));
    let mut fields = hidden("client_id", &req.client_id)
        + &hidden("redirect_uri", &req.redirect_uri)
        + &hidden("response_type", "code");
    if let Some(s) = &req.state {
        fields += &hidden("state", s);
    }
    if let Some((c, m)) = &req.challenge {
        fields += &hidden("code_challenge", c);
        fields += &hidden("code_challenge_method", m);
    }
    let hint = if shared.config.show_demo_credentials {
        format!(
            "<p class=\"hint\" id=\"demo-credentials\">Yespo sandbox (demo): log in as <b>{}</b> with password <b>{}</b>.</p>",
            escape(&user),
            escape(&password)
        )
    } else {
        String::new()
    };
    let error = error.map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e))).unwrap_or_default();
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Log in to Yespo</title>\
         <style>{PAGE_STYLE}</style></head><body><main><h1>Log in to Yespo</h1>\
         <p><b>{app}</b> asks for access to your Yespo account.</p>\
         <p class=\"rights\">Access requested: {rights}</p>{hint}{error}\
         <form method=\"post\" action=\"/uaa/oauth/authorize\">{fields}\
         <label for=\"username\">Login (email)</label><input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\">\
         <label for=\"password\">Password</label><input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\">\
         <div class=\"buttons\"><button class=\"approve\" name=\"decision\" value=\"approve\" type=\"submit\">Allow access</button>\
         <button class=\"deny\" name=\"decision\" value=\"deny\" type=\"submit\">Deny</button></div></form></main></body></html>",
        app = escape(&req.app_name),
        rights = escape(req.rights_label),
    );
    page(status, html)
}

fn error_page(status: StatusCode, message: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Authorization error</title>\
         <style>{PAGE_STYLE}</style></head><body><main><h1>Authorization error</h1>\
         <p class=\"error\" id=\"oauth-error\">{}</p></main></body></html>",
        escape(message)
    );
    page(status, html)
}

fn page(status: StatusCode, html: String) -> Response {
    let mut r = (status, Html(html)).into_response();
    // The page is a login form: never framed, no scripts. No `form-action`: browsers apply it to
    // the redirect after the post too, and that goes to the app's loopback address.
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"),
    );
    r.headers_mut().insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
