//! Small helpers every handler uses: Yespo-shaped answers, errors, paging and body parsing.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

/// Yespo labels every answer, plain text included, as JSON (yespo-api.md §7.5).
pub const JSON_UTF8: &str = "application/json;charset=UTF-8";

/// A failed API call, shaped as Yespo answers it: plain text for most 4xx (its docs say "text
/// details can be added to the response body"), Spring-style JSON for 401/403.
#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    Unauthorized(&'static str),
    Forbidden(String),
    NotFound(String),
    Conflict,
    UnsupportedMediaType,
    TooManyRequests { wait: Duration, limit: String },
    ServerError,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let text = |status: StatusCode, body: String| {
            (status, [(header::CONTENT_TYPE, "text/plain;charset=UTF-8")], body).into_response()
        };
        match self {
            ApiError::BadRequest(m) => text(StatusCode::BAD_REQUEST, format!("Bad request: {m}")),
            ApiError::NotFound(m) => text(StatusCode::NOT_FOUND, m),
            ApiError::Conflict => text(
                StatusCode::CONFLICT,
                "Conflict: Duplicated request. The same request was repeated within 1 minute.".into(),
            ),
            ApiError::UnsupportedMediaType => text(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type: send Content-Type: application/json".into(),
            ),
            ApiError::TooManyRequests { wait, limit } => {
                let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
                let mut r = text(StatusCode::TOO_MANY_REQUESTS, format!("Too many requests: {limit}"));
                r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
                r
            }
            ApiError::ServerError => text(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error".into()),
            ApiError::Unauthorized(m) => {
                let body = json!({"status": 401, "error": "Unauthorized", "message": m});
                let mut r =
                    (StatusCode::UNAUTHORIZED, [(header::CONTENT_TYPE, JSON_UTF8)], body.to_string()).into_response();
                r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"Yespo API\""));
                r
            }
            ApiError::Forbidden(m) => {
                let body = json!({"status": 403, "error": "Forbidden", "message": m});
                (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, JSON_UTF8)], body.to_string()).into_response()
            }
        }
    }
}

pub type ApiResult = Result<Response, ApiError>;

/// A 200 JSON answer, rewritten in quirk mode.
pub fn json_ok(value: Value, quirks: bool) -> Response {
    let value = if quirks { super::quirks::apply(value) } else { value };
    (StatusCode::OK, [(header::CONTENT_TYPE, JSON_UTF8)], value.to_string()).into_response()
}

/// A 200 plain-text answer, labelled as JSON as Yespo does (`Contact with id='…' has been updated`).
pub fn text_ok(text: String) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, JSON_UTF8)], text).into_response()
}

/// An empty 200 (`POST event`).
pub fn empty_ok() -> Response {
    (StatusCode::OK, Body::empty()).into_response()
}

pub fn with_total_count(mut r: Response, total: usize) -> Response {
    r.headers_mut().insert("TotalCount", HeaderValue::from(total as u64));
    r
}

/// Query parameters, last value wins.
pub fn query_map(raw: Option<&str>) -> HashMap<String, String> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes()).into_owned().collect()
}

/// `startindex` (1-based) and `maxrows` (≤ 500), both optional.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub start: usize,
    pub max: usize,
}

impl Paging {
    pub fn from_query(q: &HashMap<String, String>, default_max: usize) -> Result<Paging, ApiError> {
        let int = |name: &str, default: usize| -> Result<usize, ApiError> {
            match q.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
                None => Ok(default),
                Some(s) => {
                    s.parse::<usize>().map_err(|_| ApiError::BadRequest(format!("{name} must be a positive number")))
                }
            }
        };
        let start = int("startindex", 1)?;
        let max = int("maxrows", default_max)?;
        if start < 1 {
            return Err(ApiError::BadRequest("startindex starts at 1".into()));
        }
        if !(1..=500).contains(&max) {
            return Err(ApiError::BadRequest(format!("maxrows must be between 1 and 500, not {max}")));
        }
        Ok(Paging { start, max })
    }

    /// The page of `items`.
    pub fn slice<T>(&self, items: Vec<T>) -> Vec<T> {
        items.into_iter().skip(self.start - 1).take(self.max).collect()
    }
}

/// A JSON request body: 415 without a JSON content type, 400 with the parser's words if malformed.
pub fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, ApiError> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !ct.to_ascii_lowercase().starts_with("application/json") {
        return Err(ApiError::UnsupportedMediaType);
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest("the request body is empty".into()));
    }
    serde_json::from_slice(body).map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))
}

/// A path id: 400 (as Yespo's JAX-RS does for a non-number), never a panic.
pub fn path_id(raw: &str) -> Result<i64, ApiError> {
    raw.trim().parse().map_err(|_| ApiError::BadRequest(format!("'{raw}' is not a valid id")))
}

/// ISO 8601 time in UTC, as `importstatus` reports it.
pub fn now_iso8601() -> String {
    time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
