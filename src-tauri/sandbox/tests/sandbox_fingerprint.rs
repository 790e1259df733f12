//! `Sandbox::data_fingerprint`: the same after reads (and OAuth, and refused writes), different
//! after each write an API call can make.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use yespo_sandbox::{Right, Sandbox};

/// Wait until no bulk import is still running (its session's status moves the fingerprint).
async fn imports_settle(api: &Api, session: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = api.get(&format!("v1/importstatus/{session}")).await.json();
        if status["status"] == "FINISHED" || status["status"] == "ERROR" {
            return;
        }
        assert!(Instant::now() < deadline, "import stuck: {status}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn first_contact_id(contacts: &Value) -> i64 {
    contacts[0]["id"].as_i64().expect("a contact id")
}

/// Assert the fingerprint moved, and return the new one.
fn changed(sandbox: &Sandbox, before: &str, what: &str) -> String {
    let after = sandbox.data_fingerprint();
    assert_ne!(after, before, "{what} changed no data");
    after
}

#[tokio::test]
async fn reads_oauth_and_refused_writes_leave_the_fingerprint_alone() {
    let sandbox = sandbox(30, |_| {}).await;
    let before = sandbox.data_fingerprint();
    assert_eq!(before.len(), 64, "SHA-256, hex: {before}");
    assert!(before.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{before}");
    assert_eq!(sandbox.data_fingerprint(), before, "stable");

    let api = Api::with_key(&sandbox, Right::FullAccess);
    let contacts = api.get("v1/contacts?maxrows=5").await;
    assert_eq!(contacts.status, 200);
    let id = first_contact_id(&contacts.json());
    let groups = api.get("v1/groups").await.json();
    let group = groups[0]["id"].as_i64().unwrap();
    let emails = api.get("v1/messages/email").await.json();
    let email = emails[0]["id"].as_i64().unwrap();
    for path in [
        "v1/version".to_string(),
        "v2/version".into(),
        "v1/account/info".into(),
        "v1/balance".into(),
        "v1/subscriptions".into(),
        "v1/addressbooks".into(),
        "v1/interfaces/email".into(),
        "v1/interfaces/sms".into(),
        "v1/workflows".into(),
        format!("v1/contact/{id}"),
        format!("v1/contact/{id}/subscriptions"),
        format!("v1/contacts/email?ids={id}"),
        format!("v1/group/{group}/contacts"),
        format!("v1/messages/email/{email}"),
        format!("v1/messages/email/{email}/viewLink"),
        "v1/messages/sms".into(),
        "v1/messages/mobilepush".into(),
        "v2/contacts/activity?dateFrom=2025-01-01T00:00:00&dateTo=2025-01-02T00:00:00".into(),
    ] {
        let a = api.get(&path).await;
        assert!(a.status < 500, "GET {path}: {}", a.status);
    }
    assert_eq!(sandbox.data_fingerprint(), before, "GET requests changed data");

    // Logging in, refreshing and failing to: grants are not data.
    let token = oauth_token(&sandbox, Right::EventsAndContacts).await;
    assert_eq!(Api::with_bearer(&sandbox, &token).get("v1/contacts?maxrows=1").await.status, 200);
    // Refused writes: forbidden for the right, or a body Yespo refuses.
    let messages_only = Api::with_key(&sandbox, Right::Messages);
    let event = json!({"eventTypeKey": "probe", "keyValue": "x"});
    assert_eq!(messages_only.post("v1/event", &event).await.status, 403);
    assert_eq!(api.post("v1/event", &json!({"keyValue": "no type"})).await.status, 400);
    assert_eq!(api.post("v1/contact", &json!({"channels": [{"type": "email", "value": "nope"}]})).await.status, 400);
    assert_eq!(api.post("v1/contacts", &json!({"contacts": []})).await.status, 400);
    assert_eq!(sandbox.data_fingerprint(), before, "OAuth or a refused write changed data");
}

#[tokio::test]
async fn each_write_changes_the_fingerprint() {
    let sandbox = sandbox(30, |_| {}).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let fp = sandbox.data_fingerprint();

    let a = api.post("v1/event", &json!({"eventTypeKey": "fingerprint_test", "keyValue": "k1"})).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let fp = changed(&sandbox, &fp, "POST v1/event");

    let contact = json!({"firstName": "Print", "channels": [{"type": "email", "value": "print@example.com"}]});
    let a = api.post("v1/contact", &contact).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let fp = changed(&sandbox, &fp, "POST v1/contact");

    let bulk = json!({"dedupeOn": "email", "contacts": [
        {"firstName": "Bulk", "channels": [{"type": "email", "value": "bulk-print@example.com"}]}
    ]});
    let a = api.post("v1/contacts", &bulk).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let session = a.json()["asyncSessionId"].as_str().unwrap().to_string();
    // The import session is there at once (the contact a moment later, or already).
    changed(&sandbox, &fp, "POST v1/contacts");
    imports_settle(&api, &session).await;
    let fp = sandbox.data_fingerprint();
    assert_eq!(api.get("v1/contacts?email=bulk-print@example.com").await.json().as_array().map(Vec::len), Some(1));
    assert_eq!(sandbox.data_fingerprint(), fp, "stable once the import finished");

    // A change to one field of one contact counts too.
    let id = first_contact_id(&api.get("v1/contacts?maxrows=1").await.json());
    let full = api.get(&format!("v1/contact/{id}")).await.json();
    let mut edited = full.clone();
    edited["lastName"] = json!("Fingerprinted");
    edited.as_object_mut().unwrap().remove("groups");
    let a = api.call("PUT", &format!("v1/contact/{id}"), Some(&edited)).await;
    assert!(a.status < 300, "{}: {}", a.status, a.text);
    let fp = changed(&sandbox, &fp, "PUT v1/contact");
    let a = api.call("DELETE", &format!("v1/contact/{id}"), None).await;
    assert!(a.status < 300, "{}: {}", a.status, a.text);
    changed(&sandbox, &fp, "DELETE v1/contact");
}
