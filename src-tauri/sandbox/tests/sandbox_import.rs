//! Bulk import: POST contacts in batches, poll importstatus, and find what was imported.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use yespo_sandbox::Right;

fn token_contact(i: usize) -> Value {
    json!({
        "firstName": "Import",
        "lastName": format!("N{i}"),
        "channels": [
            {"type": "mobilepush", "value": format!("tok-{i:06}-abcdef"),
             "device": {"appId": "83b77a49-fc28-409b-aeaa-68c9d544ab9d", "deviceModel": "iPhone 13", "os": "iOS", "locale": "en_GB", "appVersion": "4.1.6"}},
            {"type": "email", "value": format!("import{i}@example.com")}
        ],
        "externalCustomerId": format!("imp-{i:06}"),
        "fields": [{"id": 12345, "value": "writer"}, {"id": 12346, "value": "1814-03-09"}]
    })
}

async fn wait_finished(api: &Api, session: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    loop {
        let status = api.get(&format!("v1/importstatus/{session}")).await.json();
        let s = status["status"].as_str().unwrap().to_string();
        if seen.last() != Some(&s) {
            seen.push(s.clone());
        }
        if s == "FINISHED" || s == "ERROR" {
            assert!(status["timestamp"].as_str().is_some_and(|t| t.contains('T')), "{status}");
            return status;
        }
        assert!(["STARTED", "IMPORTING"].contains(&s.as_str()), "{status}");
        assert!(Instant::now() < deadline, "import stuck: {seen:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn ten_thousand_contacts_in_four_requests_are_all_findable() {
    let sandbox = sandbox(1000, |k| k.import_speed = 20_000).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let mut sessions = Vec::new();
    let mut failed = 0;
    for batch in 0..4 {
        let mut contacts: Vec<Value> = (batch * 2500..(batch + 1) * 2500).map(token_contact).collect();
        // Two broken rows per batch: a bad email and an unknown field.
        contacts[10]["channels"][1]["value"] = json!("broken-email");
        contacts[20]["fields"][0]["id"] = json!(99999);
        let a = api
            .post(
                "v1/contacts",
                &json!({"dedupeOn": "externalCustomerId", "contacts": contacts, "groupNames": ["Imported tokens"]}),
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
        let answer = a.json();
        let bad = answer["failedContacts"].as_array().unwrap();
        assert_eq!(bad.len(), 2, "{answer}");
        assert!(bad[0]["error"].as_str().unwrap().contains("not a valid email"), "{}", bad[0]);
        assert!(bad[1]["error"].as_str().unwrap().contains("unknown additional field id 99999"), "{}", bad[1]);
        assert_eq!(bad[0]["externalCustomerId"], json!(format!("imp-{:06}", batch * 2500 + 10)));
        failed += bad.len();
        sessions.push(answer["asyncSessionId"].as_str().unwrap().to_string());
    }
    let mut mapped = 0;
    for s in &sessions {
        let status = wait_finished(&api, s).await;
        assert_eq!(status["status"], "FINISHED");
        let mapping = status["mapping"].as_array().unwrap();
        assert!(mapping
            .iter()
            .all(|m| m["dedupeValue"].as_str().unwrap().starts_with("imp-") && m["contactId"].is_i64()));
        mapped += mapping.len();
    }
    assert_eq!(mapped, 10_000 - failed);
    assert_eq!(api.get("v1/contacts?maxrows=1").await.total_count(), Some(1000 + 10_000 - failed));

    // Every valid contact is found by its externalCustomerId; every invalid one is not.
    let mut handles = Vec::new();
    for worker in 0..8 {
        let api = Api { base: api.base.clone(), auth: api.auth.clone(), client: api.client.clone() };
        handles.push(tokio::spawn(async move {
            let (mut found, mut missing) = (0, Vec::new());
            for i in (worker..10_000).step_by(8) {
                let list = api.get(&format!("v1/contacts?externalCustomerId=imp-{i:06}")).await.json();
                match list.as_array().unwrap().len() {
                    1 => found += 1,
                    0 => missing.push(i),
                    n => panic!("imp-{i:06} found {n} times"),
                }
            }
            (found, missing)
        }));
    }
    let (mut found, mut missing) = (0, Vec::new());
    for h in handles {
        let (f, m) = h.await.unwrap();
        found += f;
        missing.extend(m);
    }
    missing.sort();
    assert_eq!(found, 10_000 - failed);
    assert_eq!(missing, vec![10, 20, 2510, 2520, 5010, 5020, 7510, 7520]);
    // The new static segment holds them.
    let groups = api.get("v1/groups?name=Imported%20tokens").await.json();
    let id = groups[0]["id"].as_i64().unwrap();
    assert_eq!(groups[0]["type"], "Static");
    let members = api.get(&format!("v1/group/{id}/contacts?startindex=9990&maxrows=500")).await.json();
    assert_eq!(members.as_array().unwrap().len(), 10_000 - failed - 9989);
}

#[tokio::test]
async fn updates_respect_dedupe_contact_fields_and_deleted_contacts() {
    let sandbox = sandbox(10, |_| {}).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let id = api.post("v1/contact", &json!({"firstName": "Old", "lastName": "Name", "channels": [{"type": "email", "value": "dedupe@example.com"}, {"type": "sms", "value": "380501234567"}]})).await.json()["id"].as_i64().unwrap();
    // dedupeOn email, only firstName updated: lastName and phone stay.
    let a = api.post("v1/contacts", &json!({"dedupeOn": "email", "contactFields": ["firstName"],
        "contacts": [{"firstName": "New", "lastName": "Changed", "channels": [{"type": "email", "value": "DEDUPE@example.com"}]}]})).await;
    let status = wait_finished(&api, a.json()["asyncSessionId"].as_str().unwrap()).await;
    assert_eq!(status["mapping"][0]["contactId"], json!(id));
    let c = api.get(&format!("v1/contact/{id}")).await.json();
    assert_eq!((c["firstName"].as_str(), c["lastName"].as_str()), (Some("New"), Some("Name")));
    assert_eq!(c["channels"].as_array().unwrap().len(), 2);
    // A deleted contact is skipped unless restoreDeleted.
    api.call("DELETE", &format!("v1/contact/{id}"), None).await;
    let body = |restore: bool| json!({"dedupeOn": "sms", "restoreDeleted": restore, "contacts": [{"firstName": "Again", "channels": [{"type": "sms", "value": "+380 50 123 45 67"}]}]});
    let a = api.post("v1/contacts", &body(false)).await;
    let status = wait_finished(&api, a.json()["asyncSessionId"].as_str().unwrap()).await;
    assert_eq!(status["mapping"], json!([]));
    assert_eq!(api.get(&format!("v1/contact/{id}")).await.status, 404);
    let a = api.post("v1/contacts", &body(true)).await;
    let status = wait_finished(&api, a.json()["asyncSessionId"].as_str().unwrap()).await;
    assert_eq!(status["mapping"][0]["contactId"], json!(id));
    assert_eq!(api.get(&format!("v1/contact/{id}")).await.json()["firstName"], "Again");
    // groupNames adds to a static segment (made on first use); groupNamesExclude takes out again.
    let in_segment = |names: (&str, &str)| {
        json!({"dedupeOn": "sms", names.0: [names.1],
        "contacts": [{"firstName": "Again", "channels": [{"type": "sms", "value": "380501234567"}]}]})
    };
    let a = api.post("v1/contacts", &in_segment(("groupNames", "Dedupe test"))).await;
    wait_finished(&api, a.json()["asyncSessionId"].as_str().unwrap()).await;
    let segment = api.get("v1/groups?name=Dedupe%20test").await.json()[0]["id"].as_i64().unwrap();
    let members = api.get(&format!("v1/group/{segment}/contacts")).await.json();
    assert_eq!(members[0]["id"], json!(id));
    assert_eq!(members[0]["groups"][0]["name"], "Dedupe test");
    let a = api.post("v1/contacts", &in_segment(("groupNamesExclude", "Dedupe test"))).await;
    wait_finished(&api, a.json()["asyncSessionId"].as_str().unwrap()).await;
    assert_eq!(api.get(&format!("v1/group/{segment}/contacts")).await.json(), json!([]));
    // A contact without the dedupe value (and no externalCustomerId) fails up front.
    let a = api.post("v1/contacts", &json!({"dedupeOn": "push", "contacts": [{"channels": [{"type": "email", "value": "nopush@example.com"}]}]})).await;
    assert!(a.json()["failedContacts"][0]["error"].as_str().unwrap().contains("no push"), "{}", a.text);
}

#[tokio::test]
async fn a_failing_import_ends_in_error_and_a_slow_one_is_seen_importing() {
    let sandbox = sandbox(10, |k| k.import_fail = true).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let a = api.post("v1/contacts", &json!({"dedupeOn": "email", "contacts": [token_contact(1)]})).await;
    let status = wait_finished(&api, a.json()["asyncSessionId"].as_str().unwrap()).await;
    assert_eq!(status["status"], "ERROR");
    assert!(status["description"].as_str().is_some());

    sandbox.update_knobs(|k| {
        k.import_fail = false;
        k.import_speed = 500;
    });
    let contacts: Vec<Value> = (0..1000).map(token_contact).collect();
    let a = api.post("v1/contacts", &json!({"dedupeOn": "externalCustomerId", "contacts": contacts})).await;
    let session = a.json()["asyncSessionId"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mid = api.get(&format!("v1/importstatus/{session}")).await.json();
    assert_eq!(mid["status"], "IMPORTING", "at 500 contacts/s a 1000-contact import takes about 2 s: {mid}");
    assert_eq!(wait_finished(&api, &session).await["status"], "FINISHED");
}
