//! Message templates: email, SMS and mobile push search and reads, adding an email message, and
//! the email's view-in-browser page.

use crate::http::*;
use crate::model::{EmailMessage, MobilePushMessage, SmsMessage};
use crate::store::{opt_string, Store};
use crate::Shared;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{json, Value};
use std::sync::Arc;

fn matches(search: &Option<String>, name: &str, tags: &[String]) -> bool {
    // "Search condition (a part of the message name or a tag)".
    search
        .as_ref()
        .is_none_or(|s| name.to_lowercase().contains(s.as_str()) || tags.iter().any(|t| t.to_lowercase() == *s))
}

/// `GET messages/{channel}`: the messages whose name has `search` in it or with it as a tag,
/// a page of them (max 500) as `to_json` writes each, with `TotalCount`.
fn search<T>(
    shared: &Shared,
    q: Option<&str>,
    list: impl Fn(&Store) -> &[T],
    name_tags: impl Fn(&T) -> (&str, &[String]),
    to_json: impl Fn(&T) -> Value,
) -> ApiResult {
    let q = query_map(q);
    let paging = Paging::from_query(&q, 500)?;
    let search = q.get("search").map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    let store = shared.store.read().expect("store lock");
    let found: Vec<&T> = list(&store)
        .iter()
        .filter(|m| {
            let (name, tags) = name_tags(m);
            matches(&search, name, tags)
        })
        .collect();
    let total = found.len();
    let page: Vec<Value> = paging.slice(found).into_iter().map(to_json).collect();
    drop(store);
    Ok(with_total_count(json_ok(Value::Array(page), shared.knobs().quirks), total))
}

/// `GET messages/{channel}/{id}`: one message, or 404 in Yespo's words.
fn get_one<T>(
    shared: &Shared,
    id: &str,
    list: impl Fn(&Store) -> &[T],
    id_of: impl Fn(&T) -> i64,
    to_json: impl Fn(&T) -> Value,
) -> ApiResult {
    let id = path_id(id)?;
    let store = shared.store.read().expect("store lock");
    let m = list(&store)
        .iter()
        .find(|m| id_of(m) == id)
        .ok_or_else(|| ApiError::NotFound(format!("Message with id='{id}' not found")))?;
    let v = to_json(m);
    drop(store);
    Ok(json_ok(v, shared.knobs().quirks))
}

pub async fn search_email(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> ApiResult {
    search(&shared, q.as_deref(), |s| &s.emails, |m| (&m.name, &m.tags), EmailMessage::to_full_json)
}

pub async fn get_email(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    get_one(&shared, &id, |s| &s.emails, |m| m.id, EmailMessage::to_full_json)
}

/// The token in a view link: derived from the id and seed, so links stay valid across restarts
/// of the same sandbox but cannot be guessed from the id alone.
fn view_token(shared: &Shared, id: i64) -> String {
    format!("{:016x}", crate::limits::fingerprint(&[b"view", &id.to_le_bytes(), &shared.config.seed.to_le_bytes()]))
}

pub async fn view_link(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let id = path_id(&id)?;
    let exists = shared.store.read().expect("store lock").emails.iter().any(|m| m.id == id);
    if !exists {
        return Err(ApiError::NotFound(format!("Message with id='{id}' not found")));
    }
    let link = format!("{}/view/email/{id}?t={}", shared.base_url, view_token(&shared, id));
    Ok(json_ok(json!({"link": link}), shared.knobs().quirks))
}

/// `GET /view/email/{id}?t=…`: the message as a web page, the way Yespo's view link shows it.
pub async fn view_page(State(shared): State<Arc<Shared>>, Path(id): Path<String>, RawQuery(q): RawQuery) -> Response {
    let q = query_map(q.as_deref());
    let Ok(id) = id.parse::<i64>() else { return StatusCode::NOT_FOUND.into_response() };
    if q.get("t") != Some(&view_token(&shared, id)) {
        return (StatusCode::NOT_FOUND, "This link is not valid.").into_response();
    }
    let html = shared.store.read().expect("store lock").emails.iter().find(|m| m.id == id).map(|m| m.html.clone());
    match html {
        None => (StatusCode::NOT_FOUND, "This message no longer exists.").into_response(),
        Some(html) => {
            let mut r = Html(html).into_response();
            // Shown as-is, like Yespo's page, but scripts never run, even in the hostile sample.
            r.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("script-src 'none'; object-src 'none'; frame-src 'none'; form-action 'none'"),
            );
            r
        }
    }
}

pub async fn search_sms(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> ApiResult {
    search(&shared, q.as_deref(), |s| &s.sms, |m| (&m.name, &m.tags), SmsMessage::to_json)
}
pub async fn get_sms(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    get_one(&shared, &id, |s| &s.sms, |m| m.id, SmsMessage::to_json)
}
/// `POST messages/email` (`addEmail`): a `BaseEmailMessage` with `from`, `htmlText`, `name` and
/// `subject` → `IDResult`. `id`, `languages` and `translations` are for reads only and ignored.
pub async fn add_email(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let value = json_body(&headers, &body)?;
    let obj = value.as_object().ok_or_else(|| ApiError::BadRequest("the message must be a JSON object".into()))?;
    // Blank counts as missing; a list or an object where text belongs is refused.
    let text = |key: &str| -> Result<Option<String>, ApiError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => opt_string(Some(v))
                .map(|s| (!s.trim().is_empty()).then_some(s))
                .ok_or_else(|| ApiError::BadRequest(format!("{key} must be text"))),
        }
    };
    let required = |key: &str| text(key)?.ok_or_else(|| ApiError::BadRequest(format!("{key} is required")));
    let list = |key: &str| -> Result<Vec<String>, ApiError> {
        // One value may come bare, as elsewhere in Yespo's JSON.
        let items: &[Value] = match obj.get(key) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(a)) => a,
            Some(one) => std::slice::from_ref(one),
        };
        items
            .iter()
            .map(|v| {
                opt_string(Some(v)).ok_or_else(|| ApiError::BadRequest(format!("{key} must be a list of strings")))
            })
            .collect()
    };
    let message = EmailMessage {
        id: 0,
        name: required("name")?,
        from: required("from")?,
        subject: required("subject")?,
        html: required("htmlText")?,
        raw_html: text("rawHtml")?,
        amp_html: text("ampHtml")?,
        css: text("css")?,
        tags: list("tags")?,
        // Yespo's default language is the account's; the demo account's is English.
        language: text("languageCode")?.unwrap_or_else(|| "en".into()),
        translations: Vec::new(),
        subscription_keys: list("subscriptionsKeys")?,
    };
    let id = shared.store.write().expect("store lock").add_email(message);
    Ok(json_ok(json!({"id": id}), shared.knobs().quirks))
}

pub async fn search_push(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> ApiResult {
    search(&shared, q.as_deref(), |s| &s.pushes, |m| (&m.name, &m.tags), MobilePushMessage::to_json)
}
pub async fn get_push(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    get_one(&shared, &id, |s| &s.pushes, |m| m.id, MobilePushMessage::to_json)
}
