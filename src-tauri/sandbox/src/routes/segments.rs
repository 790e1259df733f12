//! Segments (Yespo calls them groups): search, members, attach/detach for static ones.

use crate::http::*;
use crate::model::{Segment, SegmentRule};
use crate::store;
use crate::Shared;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use serde_json::Value;
use std::sync::Arc;

/// Most ids in one attach/detach (spec: max. 500).
const MAX_IDS: usize = 500;

pub async fn search(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> ApiResult {
    let q = query_map(q.as_deref());
    let paging = Paging::from_query(&q, 500)?;
    let name = q.get("name").map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    let store = shared.store.read().expect("store lock");
    let found: Vec<&Segment> = store
        .segments
        .values()
        .filter(|s| name.as_ref().is_none_or(|n| s.name.to_lowercase().contains(n.as_str())))
        .collect();
    // No TotalCount here: the spec does not give one for groups.
    let page: Vec<Value> = paging.slice(found).into_iter().map(Segment::to_json).collect();
    drop(store);
    Ok(json_ok(Value::Array(page), shared.knobs().quirks))
}

fn segment_id(store: &store::Store, raw: &str) -> Result<i64, ApiError> {
    let id = path_id(raw)?;
    if store.segments.contains_key(&id) {
        Ok(id)
    } else {
        Err(ApiError::NotFound(format!("Group with id='{id}' not found")))
    }
}

pub async fn contacts(State(shared): State<Arc<Shared>>, Path(id): Path<String>, RawQuery(q): RawQuery) -> ApiResult {
    let q = query_map(q.as_deref());
    let paging = Paging::from_query(&q, 500)?;
    let asc = !matches!(q.get("asc").map(String::as_str), Some("false"));
    let store = shared.store.read().expect("store lock");
    let id = segment_id(&store, &id)?;
    // orderByTs is accepted; the sandbox does not record when a contact joined, so the order is
    // by contact id either way. The spec gives no TotalCount header here.
    let mut members = store.segment_members(id);
    if !asc {
        members.reverse();
    }
    let page: Vec<Value> = paging.slice(members).into_iter().map(|c| store.full_json(c)).collect();
    drop(store);
    Ok(json_ok(Value::Array(page), shared.knobs().quirks))
}

pub async fn attach(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    modify(&shared, &id, &headers, &body, true)
}

pub async fn detach(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    modify(&shared, &id, &headers, &body, false)
}

fn modify(shared: &Shared, id: &str, headers: &HeaderMap, body: &[u8], attach: bool) -> ApiResult {
    let value = json_body(headers, body)?;
    let list = |key: &str| -> Result<Vec<Value>, ApiError> {
        match value.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) => Ok(a.clone()),
            Some(single) if !single.is_object() => Ok(vec![single.clone()]),
            Some(_) => Err(ApiError::BadRequest(format!("{key} must be a list"))),
        }
    };
    let contact_ids = list("contactIds")?;
    let external_ids = list("externalCustomerIds")?;
    if !contact_ids.is_empty() && !external_ids.is_empty() {
        return Err(ApiError::BadRequest("send either contactIds or externalCustomerIds, not both".into()));
    }
    if contact_ids.len() > MAX_IDS || external_ids.len() > MAX_IDS {
        return Err(ApiError::BadRequest(format!("at most {MAX_IDS} ids per request")));
    }
    let mut store = shared.store.write().expect("store lock");
    let segment = segment_id(&store, id)?;
    if !matches!(store.segments[&segment].rule, SegmentRule::Static(_)) {
        return Err(ApiError::BadRequest("contacts can only be attached to or detached from static segments".into()));
    }
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    for v in &contact_ids {
        let cid = store::lenient_i64(v).ok_or_else(|| ApiError::BadRequest("contactIds must be numbers".into()))?;
        if store.live(cid).is_some() {
            ids.push(cid)
        } else {
            unknown.push(cid.to_string())
        }
    }
    for v in &external_ids {
        let x = store::opt_string(Some(v)).unwrap_or_default();
        match store.find_external(&x).filter(|c| store.live(*c).is_some()) {
            Some(cid) => ids.push(cid),
            None => unknown.push(x),
        }
    }
    let everyone = contact_ids.is_empty() && external_ids.is_empty();
    if attach && everyone {
        return Err(ApiError::BadRequest("no contacts to attach: send contactIds or externalCustomerIds".into()));
    }
    let Some(SegmentRule::Static(members)) = store.segments.get_mut(&segment).map(|s| &mut s.rule) else {
        return Err(ApiError::ServerError);
    };
    let text = if everyone {
        // "If don't specify any ids, all contacts will be deleted from the segment."
        let n = members.len();
        members.clear();
        format!("{n} contacts were detached from the segment")
    } else {
        for cid in &ids {
            if attach {
                members.insert(*cid);
            } else {
                members.remove(cid);
            }
        }
        let verb = if attach { "attached to" } else { "detached from" };
        let mut t = format!("{} contacts were {verb} the segment", ids.len());
        if !unknown.is_empty() {
            t.push_str(&format!("; not found: {}", unknown.join(", ")));
        }
        t
    };
    Ok(text_ok(text))
}
