//! Rights: each seeded API key and OAuth app reaches the method groups its right opens (2xx) and
//! gets 403, naming the right it lacks, everywhere else.

mod common;

use common::*;
use serde_json::json;
use yespo_sandbox::{rights, MethodGroup, Right};

/// One harmless call per method group.
fn probe(group: MethodGroup) -> (&'static str, &'static str, Option<serde_json::Value>) {
    match group {
        MethodGroup::General => ("GET", "v1/account/info", None),
        MethodGroup::UpdateContacts => (
            "POST",
            "v1/contacts",
            Some(
                json!({"dedupeOn": "email", "contacts": [{"channels": [{"type": "email", "value": "rights@example.com"}]}]}),
            ),
        ),
        MethodGroup::ReadContacts => ("GET", "v1/contacts?maxrows=1", None),
        MethodGroup::ContactActivity => ("GET", "v2/contacts/activity?dateFrom=2026-11-01&dateTo=2026-11-02", None),
        MethodGroup::Events => ("POST", "v2/event", Some(json!({"eventTypeKey": "rights_probe", "params": []}))),
        MethodGroup::SendMessages => ("GET", "v1/message/status?ids=1", None),
        MethodGroup::Other => ("GET", "v1/workflows", None),
    }
}

const GROUPS: [MethodGroup; 7] = [
    MethodGroup::General,
    MethodGroup::UpdateContacts,
    MethodGroup::ReadContacts,
    MethodGroup::ContactActivity,
    MethodGroup::Events,
    MethodGroup::SendMessages,
    MethodGroup::Other,
];

async fn check(api: &Api, right: Right, who: &str) {
    for group in GROUPS {
        let (method, path, body) = probe(group);
        assert_eq!(
            rights::endpoint(method, &format!("/api/{}", path.split('?').next().unwrap())).unwrap().group,
            group
        );
        let a = api.call(method, path, body.as_ref()).await;
        if right.allows(group) {
            assert!((200..300).contains(&a.status), "{who} {right:?} {method} {path}: {} {}", a.status, a.text);
        } else {
            assert_eq!(a.status, 403, "{who} {right:?} {method} {path}: {}", a.text);
            let message = a.json()["message"].as_str().unwrap().to_string();
            assert!(message.contains(Right::needed_for(group).label()), "{message}");
            assert!(message.contains(group.label()), "{message}");
        }
    }
}

#[tokio::test]
async fn each_api_key_reaches_its_groups_only() {
    let sandbox = sandbox(50, |_| {}).await;
    for right in Right::ALL {
        check(&Api::with_key(&sandbox, right), right, "API key").await;
    }
}

#[tokio::test]
async fn each_oauth_app_reaches_its_groups_only() {
    let sandbox = sandbox(50, |_| {}).await;
    for right in Right::ALL {
        let token = oauth_token(&sandbox, right).await;
        check(&Api::with_bearer(&sandbox, &token), right, "OAuth app").await;
    }
}

#[tokio::test]
async fn missing_or_bad_credentials_get_401() {
    let sandbox = sandbox(10, |_| {}).await;
    let mut api = Api::with_key(&sandbox, Right::FullAccess);
    api.auth = basic("not-a-key");
    let a = api.get("v1/version").await;
    assert_eq!(a.status, 401);
    assert!(a.headers.contains_key("www-authenticate"));
    api.auth = "Bearer not-a-token".into();
    assert_eq!(api.get("v1/version").await.status, 401);
    let r = http().get(format!("{}/api/v1/version", sandbox.base_url())).send().await.unwrap();
    assert_eq!(r.status(), 401);
}
