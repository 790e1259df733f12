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

#[tokio::test]
async fn an_empty_request_is_refused_before_anything_and_only_with_the_right_is_it_a_400() {
    let sandbox = sandbox(10, |_| {}).await;
    let full = Api::with_key(&sandbox, Right::FullAccess);
    let empty = json!({"dedupeOn": "push", "contacts": []});
    let a = full.post("v1/contacts", &empty).await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert!(a.text.contains("contacts must not be empty"), "{}", a.text);
    // Without the right to update contacts the same request is a 403: a rights probe that
    // changes nothing either way.
    let events = Api::with_key(&sandbox, Right::Events);
    assert_eq!(events.post("v1/contacts", &empty).await.status, 403);
    assert!(sandbox.bulk_requests().is_empty(), "neither reached an import");
}

#[tokio::test]
async fn import_fail_next_fails_exactly_that_many_imports_and_every_request_is_logged() {
    let sandbox = sandbox(10, |k| k.import_fail_next = 1).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let mut statuses = Vec::new();
    for i in 0..3 {
        let a =
            api.post("v1/contacts", &json!({"dedupeOn": "externalCustomerId", "contacts": [token_contact(i)]})).await;
        let session = a.json()["asyncSessionId"].as_str().unwrap().to_string();
        statuses.push(wait_finished(&api, &session).await["status"].as_str().unwrap().to_string());
    }
    assert_eq!(statuses, ["ERROR", "FINISHED", "FINISHED"]);
    assert_eq!(sandbox.knobs().import_fail_next, 0);
    let log = sandbox.bulk_requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[1].first_key.as_deref(), Some("imp-000001"));
    assert_eq!(log[1].contacts, 1);
}

#[tokio::test]
async fn every_other_dropped_answer_comes_after_the_request_took_effect() {
    let sandbox = sandbox(0, |k| k.drop_rate = 1.0).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let url = format!("{}/api/v1/contacts", sandbox.base_url());
    for i in 0..20 {
        let body = json!({"dedupeOn": "externalCustomerId", "contacts": [token_contact(i)]});
        let sent = http().post(&url).header("Authorization", &api.auth).json(&body).send().await;
        let answered = match sent {
            Ok(r) => r.text().await.is_ok(),
            Err(_) => false,
        };
        assert!(!answered, "every answer is dropped");
    }
    assert_eq!(sandbox.bulk_requests().len(), 10, "every other one took effect before its answer was lost");
}
