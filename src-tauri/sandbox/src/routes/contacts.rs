//! Contacts: search, read, single writes, bulk import and its status.

use crate::auth::Caller;
use crate::http::*;
use crate::import::ImportJob;
use crate::model::Contact;
use crate::prng::random_uuid;
use crate::store::{self, parse_contact, Dedupe, UpdateScope};
use crate::Shared;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method};
use axum::Extension;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most contacts in one `POST contacts` (spec and seed 002).
pub const MAX_BULK: usize = 3000;

pub async fn search(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> ApiResult {
    let q = query_map(q.as_deref());
    let paging = Paging::from_query(&q, 500)?;
    let param = |name: &str| q.get(name).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let external = param("externalCustomerId");
    let email = param("email").map(|e| e.to_lowercase());
    let sms = param("sms");
    let first = param("firstname").map(|s| s.to_lowercase());
    let last = param("lastname").map(|s| s.to_lowercase());
    if external.is_some() && (email.is_some() || sms.is_some() || first.is_some() || last.is_some()) {
        return Err(ApiError::BadRequest("externalCustomerId cannot be combined with other search parameters".into()));
    }
    let sms = match sms {
        Some(s) => Some(
            store::normalise_phone(&s)
                .ok_or_else(|| ApiError::BadRequest(format!("'{s}' is not a valid phone number")))?,
        ),
        None => None,
    };
    let store = shared.store.read().expect("store lock");
    let matches = |c: &&Contact| {
        !c.deleted
            && external.as_ref().is_none_or(|x| c.external_customer_id.as_ref() == Some(x))
            && email
                .as_ref()
                .is_none_or(|e| c.channels.iter().any(|ch| ch.kind == "email" && ch.value.to_lowercase() == *e))
            && sms.as_ref().is_none_or(|p| c.channels.iter().any(|ch| ch.kind == "sms" && ch.value == *p))
            && first
                .as_ref()
                .is_none_or(|f| c.first_name.as_ref().is_some_and(|n| n.to_lowercase().starts_with(f.as_str())))
            && last
                .as_ref()
                .is_none_or(|l| c.last_name.as_ref().is_some_and(|n| n.to_lowercase().starts_with(l.as_str())))
    };
    // Order: by contact id. Yespo orders unfiltered searches by update date unless
    // sortBy=contactId; the sandbox always uses id so pages are stable while importing.
    // Exact keys go through the indexes; name searches scan.
    let candidates: Option<Vec<i64>> = if let Some(x) = &external {
        Some(store.find_external(x).into_iter().collect())
    } else if let Some(e) = &email {
        Some(store.all_with_email(e))
    } else {
        sms.as_ref().map(|p| store.all_with_phone(p))
    };
    let found: Vec<&Contact> = match candidates {
        Some(mut ids) => {
            ids.sort_unstable();
            ids.dedup();
            ids.iter().filter_map(|id| store.contacts.get(id)).filter(matches).collect()
        }
        None => store.contacts.values().filter(matches).collect(),
    };
    let total = found.len();
    let page: Vec<Value> = paging.slice(found).into_iter().map(Contact::to_base_json).collect();
    drop(store);
    Ok(with_total_count(json_ok(Value::Array(page), shared.knobs().quirks), total))
}

pub async fn get_one(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let id = path_id(&id)?;
    let store = shared.store.read().expect("store lock");
    let c = store.live(id).ok_or_else(|| not_found(id))?;
    let v = store.full_json(c);
    drop(store);
    Ok(json_ok(v, shared.knobs().quirks))
}

fn not_found(id: i64) -> ApiError {
    ApiError::NotFound(format!("Contact with id='{id}' not found"))
}

pub async fn emails(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> ApiResult {
    let q = query_map(q.as_deref());
    let ids = q
        .get("ids")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::BadRequest("ids is required".into()))?;
    let ids: Vec<i64> = ids.split(',').map(path_id).collect::<Result<_, _>>()?;
    let store = shared.store.read().expect("store lock");
    let results: Vec<Value> =
        ids.iter().filter_map(|id| store.live(*id)).filter_map(store::contact_email_json).collect();
    drop(store);
    Ok(json_ok(json!({"results": results}), shared.knobs().quirks))
}

pub async fn subscriptions(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let id = path_id(&id)?;
    let store = shared.store.read().expect("store lock");
    let c = store.live(id).ok_or_else(|| not_found(id))?;
    // The spec shows one ContactSubscriptionCategoryDto; a contact has several categories, so
    // the canonical answer is a list of them (the spec's single object is the one-element form).
    let list: Vec<Value> = store
        .categories
        .iter()
        .filter(|cat| c.subscriptions.iter().any(|s| s == cat.key))
        .map(|cat| json!({"id": cat.id, "key": cat.key, "groupId": cat.group_id, "name": cat.name}))
        .collect();
    drop(store);
    Ok(json_ok(Value::Array(list), shared.knobs().quirks))
}

/// 409 when the same caller sends the same single-contact write within the window.
fn guard_repeat(shared: &Shared, caller: &Caller, method: &Method, path: &str, body: &[u8]) -> Result<(), ApiError> {
    let window = Duration::from_secs(shared.knobs().duplicate_window_secs);
    if window.is_zero() {
        return Ok(());
    }
    let fp = crate::limits::fingerprint(&[caller.name.as_bytes(), method.as_str().as_bytes(), path.as_bytes(), body]);
    if shared.duplicates.lock().expect("duplicates lock").is_repeat(fp, window, Instant::now()) {
        return Err(ApiError::Conflict);
    }
    Ok(())
}

/// `POST contact`: add, or update the contact with the same externalCustomerId, email or phone.
pub async fn add(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let value = json_body(&headers, &body)?;
    guard_repeat(&shared, &caller, &Method::POST, "/contact", &body)?;
    let mut store = shared.store.write().expect("store lock");
    let incoming = parse_contact(&store, &value).map_err(ApiError::BadRequest)?;
    let existing = incoming
        .external_customer_id
        .as_deref()
        .and_then(|x| store.find_external(x))
        .or_else(|| incoming.channel("email").and_then(|e| store.find_email(e)))
        .or_else(|| incoming.channel("sms").and_then(|p| store.find_phone(p)));
    let id = match existing {
        Some(id) => {
            let mut stored = store.contacts[&id].clone();
            stored.deleted = false;
            UpdateScope::default().merge(&mut stored, &incoming, None);
            store.save(stored);
            id
        }
        None => {
            let mut created = incoming;
            created.id = store.new_contact_id();
            let id = created.id;
            store.save(created);
            id
        }
    };
    drop(store);
    Ok(json_ok(json!({"id": id}), shared.knobs().quirks))
}

/// `PUT contact/{id}`: update (and restore, if deleted); plain-text answer as Yespo sends it.
pub async fn update(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let id = path_id(&id)?;
    let value = json_body(&headers, &body)?;
    guard_repeat(&shared, &caller, &Method::PUT, &format!("/contact/{id}"), &body)?;
    let mut store = shared.store.write().expect("store lock");
    if !store.contacts.contains_key(&id) {
        return Err(not_found(id));
    }
    let incoming = parse_contact(&store, &value).map_err(ApiError::BadRequest)?;
    if let Some(x) = &incoming.external_customer_id {
        if store.find_external(x).is_some_and(|owner| owner != id) {
            return Err(ApiError::BadRequest(format!("externalCustomerId '{x}' belongs to another contact")));
        }
    }
    let mut stored = store.contacts[&id].clone();
    stored.deleted = false;
    UpdateScope::default().merge(&mut stored, &incoming, None);
    store.save(stored);
    Ok(text_ok(format!("Contact with id='{id}' has been updated")))
}

pub async fn delete(State(shared): State<Arc<Shared>>, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    let id = path_id(&id)?;
    let q = query_map(q.as_deref());
    let erase = match q.get("erase").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => return Err(ApiError::BadRequest(format!("erase must be true or false, not '{other}'"))),
    };
    let mut store = shared.store.write().expect("store lock");
    if store.live(id).is_none() {
        return Err(not_found(id));
    }
    if erase {
        store.erase(id);
    } else if let Some(c) = store.contacts.get_mut(&id) {
        c.deleted = true;
    }
    Ok(text_ok(format!("Contact with id='{id}' has been deleted")))
}

/// `POST contacts`: check the request and each contact now; apply the valid ones asynchronously.
pub async fn bulk_update(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let mut value = json_body(&headers, &body)?;
    // Taken out of the body, not copied: a request holds up to 3000 contacts.
    let contacts: Vec<Value> = match value.get_mut("contacts").map(Value::take) {
        Some(Value::Array(a)) => a,
        Some(one @ Value::Object(_)) => vec![one],
        _ => return Err(ApiError::BadRequest("contacts is required and must be a list".into())),
    };
    let obj = value.as_object().ok_or_else(|| ApiError::BadRequest("the body must be a JSON object".into()))?;
    if contacts.is_empty() {
        // Refused before anything is done: callers use it to learn whether they may update contacts.
        return Err(ApiError::BadRequest("contacts must not be empty".into()));
    }
    if contacts.len() > MAX_BULK {
        return Err(ApiError::BadRequest(format!(
            "too many contacts: at most {MAX_BULK} per request, this one has {}",
            contacts.len()
        )));
    }
    let field_id = obj.get("fieldId").and_then(store::lenient_i64);
    let dedupe_on = obj
        .get("dedupeOn")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::BadRequest("dedupeOn is required".into()))?;
    let dedupe = Dedupe::parse(dedupe_on, field_id).map_err(ApiError::BadRequest)?;
    let contact_fields = match obj.get("contactFields") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let list =
                string_list(v).ok_or_else(|| ApiError::BadRequest("contactFields must be a list of names".into()))?;
            if let Some(bad) = list.iter().find(|f| !yespo_core::yespo::CONTACT_FIELD_NAMES.contains(&f.as_str())) {
                return Err(ApiError::BadRequest(format!("contactFields: '{bad}' is not a contact field")));
            }
            Some(list.into_iter().collect::<HashSet<_>>())
        }
    };
    let custom_field_ids = match obj.get("customFieldsIDs") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let items: Vec<Value> = if let Value::Array(a) = v { a.clone() } else { vec![v.clone()] };
            let ids: Option<HashSet<i64>> = items.iter().map(store::lenient_i64).collect();
            Some(ids.ok_or_else(|| ApiError::BadRequest("customFieldsIDs must be a list of numbers".into()))?)
        }
    };
    let names = |key: &str| -> Result<Vec<String>, ApiError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(v) => string_list(v).ok_or_else(|| ApiError::BadRequest(format!("{key} must be a list of names"))),
        }
    };
    let group_names = names("groupNames")?;
    let group_names_exclude = names("groupNamesExclude")?;
    let restore_deleted = obj.get("restoreDeleted").and_then(store::lenient_bool).unwrap_or(false);
    if let Some(key) = obj.get("eventKeyForNewContacts").and_then(Value::as_str) {
        if key.chars().count() > 100 || key.chars().any(|c| "<;’\\/|\"`'^?!,>".contains(c)) {
            return Err(ApiError::BadRequest("eventKeyForNewContacts is too long or has a forbidden character".into()));
        }
    }

    let mut valid = Vec::with_capacity(contacts.len());
    let mut failed = Vec::new();
    {
        let store = shared.store.read().expect("store lock");
        for raw in &contacts {
            let result = parse_contact(&store, raw).and_then(|c| {
                if c.external_customer_id.is_none() && dedupe.value_of(&c).is_none() {
                    Err(format!("the contact has no {dedupe_on} to match on (and no externalCustomerId)"))
                } else {
                    Ok(c)
                }
            });
            match result {
                Ok(c) => valid.push(c),
                Err(error) => {
                    let mut f = if raw.is_object() { raw.clone() } else { json!({}) };
                    f["error"] = json!(error);
                    failed.push(f);
                }
            }
        }
    }
    let session_id = random_uuid();
    let first_key = contacts.first().and_then(|c| {
        let text = |v: &Value| v.as_str().map(str::to_string).or_else(|| v.as_i64().map(|n| n.to_string()));
        c.get("externalCustomerId").and_then(text).or_else(|| {
            let kind = match dedupe_on {
                "push" => "mobilepush",
                "email_or_sms" => "sms",
                other => other,
            };
            c.get("channels")?.as_array()?.iter().find(|ch| ch["type"] == kind).and_then(|ch| text(&ch["value"]))
        })
    });
    shared.imports.log.lock().expect("log lock").push(crate::import::BulkRequest {
        session_id: session_id.clone(),
        contacts: contacts.len(),
        first_key,
    });
    shared.imports.enqueue(ImportJob {
        session_id: session_id.clone(),
        contacts: valid,
        dedupe,
        scope: UpdateScope { contact_fields, custom_field_ids },
        group_names,
        group_names_exclude,
        restore_deleted,
    });
    let mut answer = json!({"asyncSessionId": session_id});
    if !failed.is_empty() {
        answer["failedContacts"] = Value::Array(failed);
    }
    Ok(json_ok(answer, shared.knobs().quirks))
}

fn string_list(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::Array(a) => a.iter().map(|x| x.as_str().map(str::to_string)).collect(),
        Value::String(s) => Some(vec![s.clone()]),
        _ => None,
    }
}

pub async fn import_status(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let status = shared.imports.sessions.lock().expect("sessions lock").get(&id).cloned();
    let status = status.ok_or_else(|| ApiError::NotFound(format!("Import session '{id}' not found")))?;
    Ok(json_ok(status.to_json(), shared.knobs().quirks))
}
