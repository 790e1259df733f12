//! Events (group 5), contact activity (group 4) and message status (group 6): enough for the app's
//! registration check to probe every method group; the sandbox sends no messages.

use crate::http::*;
use crate::Shared;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use serde_json::{json, Value};
use std::sync::Arc;

/// Largest event body (published: 20 KB).
const MAX_EVENT_BYTES: usize = 20 * 1024;

pub async fn register(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> ApiResult {
    if body.len() > MAX_EVENT_BYTES {
        return Err(ApiError::BadRequest("the event is larger than 20 KB".into()));
    }
    let value = json_body(&headers, &body)?;
    let key = value.get("eventTypeKey").and_then(Value::as_str).unwrap_or("");
    if key.is_empty() || key.chars().count() > 100 {
        return Err(ApiError::BadRequest("eventTypeKey is required (at most 100 characters)".into()));
    }
    shared.store.write().expect("store lock").push_event(value);
    Ok(empty_ok())
}

pub async fn activity(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> ApiResult {
    let q = query_map(q.as_deref());
    for required in ["dateFrom", "dateTo"] {
        if q.get(required).is_none_or(|v| v.trim().is_empty()) {
            return Err(ApiError::BadRequest(format!("{required} is required")));
        }
    }
    // The sandbox records no deliveries, so there is no activity to report.
    Ok(json_ok(json!([]), shared.knobs().quirks))
}

pub async fn message_status(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> ApiResult {
    let q = query_map(q.as_deref());
    if q.get("ids").is_none_or(|v| v.trim().is_empty()) {
        return Err(ApiError::BadRequest("ids is required".into()));
    }
    // No message was ever sent through the sandbox: no request id is known. The spec types the
    // answer as a list of InstantMessagesStatusDto (yespo-api.md §6.3 shows one bare object);
    // following the spec, an empty list.
    Ok(json_ok(json!([]), shared.knobs().quirks))
}
