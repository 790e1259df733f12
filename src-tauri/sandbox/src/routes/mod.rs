//! The sandbox's API routes, one module per area, and its own small pages.

mod contacts;
mod events;
mod general;
pub mod messages;
mod segments;

use super::config::Knobs;
use super::http::{json_body, query_map, ApiError};
use super::Shared;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// Every `/api` route. Each must also be listed in [`super::rights::ENDPOINTS`].
pub fn api_router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v1/version", get(general::version))
        .route("/api/v2/version", get(general::version))
        .route("/api/v1/account/info", get(general::account_info))
        .route("/api/v1/balance", get(general::balance))
        .route("/api/v1/subscriptions", get(general::subscriptions))
        .route("/api/v1/addressbooks", get(general::addressbooks))
        .route("/api/v1/interfaces/email", get(general::interfaces_email))
        .route("/api/v1/interfaces/sms", get(general::interfaces_sms))
        .route("/api/v1/workflows", get(general::workflows))
        .route("/api/v1/contacts", get(contacts::search).post(contacts::bulk_update))
        .route("/api/v1/contacts/email", get(contacts::emails))
        .route("/api/v1/contact", post(contacts::add))
        .route("/api/v1/contact/{id}", get(contacts::get_one).put(contacts::update).delete(contacts::delete))
        .route("/api/v1/contact/{id}/subscriptions", get(contacts::subscriptions))
        .route("/api/v1/importstatus/{id}", get(contacts::import_status))
        .route("/api/v1/groups", get(segments::search))
        .route("/api/v1/group/{id}/contacts", get(segments::contacts))
        .route("/api/v1/group/{id}/contacts/attach", post(segments::attach))
        .route("/api/v1/group/{id}/contacts/detach", post(segments::detach))
        .route("/api/v1/messages/email", get(messages::search_email).post(messages::add_email))
        .route("/api/v1/messages/email/{id}", get(messages::get_email))
        .route("/api/v1/messages/email/{id}/viewLink", get(messages::view_link))
        .route("/api/v1/messages/sms", get(messages::search_sms))
        .route("/api/v1/messages/sms/{id}", get(messages::get_sms))
        .route("/api/v1/messages/mobilepush", get(messages::search_push))
        .route("/api/v1/messages/mobilepush/{id}", get(messages::get_push))
        .route("/api/v2/contacts/activity", get(events::activity))
        .route("/api/v1/event", post(events::register))
        .route("/api/v2/event", post(events::register))
        .route("/api/v1/message/status", get(events::message_status))
}

/// `GET /`: what this server is.
pub async fn index(State(shared): State<Arc<Shared>>) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Yespo sandbox</title></head>\
         <body style=\"font-family:system-ui,sans-serif;max-width:640px;margin:40px auto\">\
         <h1>Yespo sandbox</h1><p>A local emulator of the Yespo API and OAuth server for Yespo Admin.</p>\
         <ul><li>API: <code>{0}/api/v1/…</code> (HTTP Basic with an API key, or Bearer)</li>\
         <li>OAuth: <code>{0}/uaa/oauth/authorize</code>, <code>{0}/uaa/oauth/token</code></li>\
         <li>Knobs: <code>{0}/__sandbox/knobs</code>; counters: <code>{0}/__sandbox/stats</code>; \
         requests received: <code>{0}/__sandbox/requests?since=0</code>; credentials: <code>{0}/__sandbox/info</code></li>\
         <li>Images of the demo messages: <code>{0}/img/logo.png</code>, <code>promo.png</code>, \
         <code>banner.gif</code>, <code>pixel.gif</code></li></ul>\
         </body></html>",
        shared.base_url
    ))
}

/// `GET /__sandbox/info`: the sandbox's own fake credentials (demo user, OAuth apps, one API key
/// per right), for scripts and tests that add accounts of their own. Never real ones.
pub async fn get_info(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(shared.info()).into_response()
}

pub async fn get_knobs(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(shared.knobs()).into_response()
}

/// What reached the sandbox so far: `{"apiRequests": n, "tokenRequests": {"authorization_code": n,
/// "refresh_token": n}}`. Both grant types are always there; any other `grant_type` sent to the
/// token endpoint is counted under its own name (`""` when it was missing).
pub async fn get_stats(State(shared): State<Arc<Shared>>) -> Response {
    let mut tokens = serde_json::Map::new();
    for grant_type in ["authorization_code", "refresh_token"] {
        tokens.insert(grant_type.into(), 0.into());
    }
    for (grant_type, n) in shared.token_requests.lock().expect("token requests lock").iter() {
        tokens.insert(grant_type.clone(), (*n).into());
    }
    axum::Json(serde_json::json!({"apiRequests": shared.api_requests(), "tokenRequests": tokens})).into_response()
}

/// `GET /__sandbox/requests?since=N`: the requests logged after `N` (all kept, for 0 or none), as
/// a JSON array of `{seq, method, path, query, at}`, oldest first.
pub async fn get_requests(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let q = query_map(q.as_deref());
    let since = match q.get("since").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => 0,
        Some(s) => match s.parse::<u64>() {
            Ok(n) => n,
            Err(_) => return ApiError::BadRequest(format!("since must be a whole number, not '{s}'")).into_response(),
        },
    };
    axum::Json(shared.requests.since(since)).into_response()
}

/// `GET /img/{name}`: an image of the demo messages, public like a real email's remote images.
pub async fn image(Path(name): Path<String>) -> Response {
    match crate::images::get(&name) {
        // Not cached, so every time a preview shows the image it shows in the request log too.
        Some(image) => {
            ([(header::CONTENT_TYPE, image.content_type), (header::CACHE_CONTROL, "no-store")], image.bytes.as_slice())
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "No such image").into_response(),
    }
}

/// Replace the knobs with a JSON object; fields left out keep their defaults.
pub async fn put_knobs(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let value = match json_body(&headers, &body) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    match serde_json::from_value::<Knobs>(value) {
        Ok(knobs) => {
            *shared.knobs.write().expect("knobs lock") = knobs.clone();
            shared.limiter.lock().expect("limiter lock").reset();
            axum::Json(knobs).into_response()
        }
        Err(e) => ApiError::BadRequest(format!("knobs: {e}")).into_response(),
    }
}
