//! General methods (seed 000 group 1): version, account, balance, subscriptions, address books,
//! interfaces; plus workflows (in no group).

use crate::demo_data;
use crate::http::json_ok;
use crate::Shared;
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

pub async fn version(State(shared): State<Arc<Shared>>) -> Response {
    // Yespo sends both as strings: {"version":"55810","protocolVersion":"1.0"}.
    json_ok(json!({"version": "55810", "protocolVersion": "1.0"}), shared.knobs().quirks)
}

pub async fn account_info(State(shared): State<Arc<Shared>>) -> Response {
    // `orgId` is not in the spec's AccountInfo, but the official Shopify app reads it.
    json_ok(
        json!({"userEmail": demo_data::USER_EMAIL, "organisationName": demo_data::ORGANISATION, "orgId": demo_data::ORG_ID}),
        shared.knobs().quirks,
    )
}

pub async fn balance(State(shared): State<Arc<Shared>>) -> Response {
    json_ok(
        json!({
            "currentBalance": 1523.75,
            "creditLimit": 500.0,
            "currency": "USD",
            "sendersReservedBalances": {
                "sms": [{"senderId": 1, "balance": 120.5, "senderName": "DemoStore"}],
                "viber": [{"senderId": 2, "balance": 40.0, "senderName": "Demo Store Viber"}]
            },
            "bonusEmails": 2500,
            "bonusSmses": 10
        }),
        shared.knobs().quirks,
    )
}

pub async fn subscriptions(State(shared): State<Arc<Shared>>) -> Response {
    let store = shared.store.read().expect("store lock");
    let list: Vec<Value> = store
        .categories
        .iter()
        .map(|c| {
            let count =
                store.contacts.values().filter(|x| !x.deleted && x.subscriptions.iter().any(|s| s == c.key)).count();
            json!({
                "id": c.id, "key": c.key, "groupId": c.group_id, "contactsCount": count,
                "createdDate": "2025-02-01T09:00:00Z", "updatedDate": "2026-10-15T12:30:00Z", "name": c.name
            })
        })
        .collect();
    drop(store);
    json_ok(Value::Array(list), shared.knobs().quirks)
}

pub async fn addressbooks(State(shared): State<Arc<Shared>>) -> Response {
    let store = shared.store.read().expect("store lock");
    let mut groups: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for f in &store.fields {
        let mut description = json!({"type": f.kind, "required": false, "readonly": false});
        if !f.allowed.is_empty() {
            description["allowedValues"] = json!({"possibleValues": f.allowed});
        }
        groups.entry(f.group).or_default().push(json!({
            "id": f.id, "name": f.name, "fieldKey": f.key, "description": description
        }));
    }
    let field_groups: Vec<Value> = groups
        .into_iter()
        .map(|(name, fields)| json!({"name": name, "profileKey": name.to_uppercase(), "fields": fields}))
        .collect();
    drop(store);
    json_ok(
        json!({"addressBook": [{"addressBookId": crate::model::ADDRESS_BOOK_ID, "name": "Main", "fieldGroups": field_groups}]}),
        shared.knobs().quirks,
    )
}

pub async fn interfaces_email(State(shared): State<Arc<Shared>>) -> Response {
    let list: Vec<Value> = demo_data::EMAIL_SENDERS.iter().map(|v| json!({"type": "email", "value": v})).collect();
    json_ok(Value::Array(list), shared.knobs().quirks)
}

pub async fn interfaces_sms(State(shared): State<Arc<Shared>>) -> Response {
    let list: Vec<Value> = demo_data::SMS_SENDERS.iter().map(|v| json!({"type": "sms", "value": v})).collect();
    json_ok(Value::Array(list), shared.knobs().quirks)
}

pub async fn workflows(State(shared): State<Arc<Shared>>) -> Response {
    json_ok(
        json!([
            {"id": 501, "name": "Welcome series", "status": "active", "tags": ["welcome"]},
            {"id": 502, "name": "Abandoned cart", "status": "active", "tags": ["cart", "trigger"]},
            {"id": 503, "name": "Birthday", "status": "inactive", "tags": ["birthday"]}
        ]),
        shared.knobs().quirks,
    )
}
