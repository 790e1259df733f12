//! Contract tests: every endpoint of the sandbox, called over HTTP, answers JSON that validates
//! against the schema of that operation in Yespo's OpenAPI spec, in normal and in quirk mode.

mod common;

use common::*;
use serde_json::{json, Value};
use yespo_sandbox::{rights, Right, Sandbox};

/// An operation to call: how to call it, and which spec operation describes its answer.
struct Case {
    method: &'static str,
    path: String,
    body: Option<Value>,
    spec_path: &'static str,
    /// Whether two calls give the same answer (then quirk mode must normalise back to it).
    stable: bool,
}

fn case(method: &'static str, path: impl Into<String>, spec_path: &'static str) -> Case {
    Case { method, path: path.into(), body: None, spec_path, stable: method == "GET" }
}

/// The answer schema for a case. `version` is not in the spec; GET contact/{id}/subscriptions
/// is a list of the spec's single object (see the sandbox's note on it).
fn schema_of(c: &Case) -> Value {
    match c.spec_path {
        "version" => {
            json!({"type": "object", "required": ["version", "protocolVersion"], "additionalProperties": false,
                             "properties": {"version": {"type": "string"}, "protocolVersion": {"type": "string"}}})
        }
        "/api/v1/contact/{id}/subscriptions" => {
            json!({"type": "array", "items": response_schema(c.spec_path, "get")})
        }
        p => response_schema(p, &c.method.to_lowercase()),
    }
}

async fn first_member(api: &Api, segment: i64) -> i64 {
    let a = api.get(&format!("v1/group/{segment}/contacts?maxrows=1")).await;
    a.json()[0]["id"].as_i64().expect("a member")
}

async fn cases(api: &Api) -> Vec<Case> {
    let vip = 200_001;
    let member = first_member(api, vip).await;
    let email = api.get(&format!("v1/contact/{member}")).await.json();
    let email = email["channels"].as_array().unwrap().iter().find(|c| c["type"] == "email").map(|c| c["value"].clone());
    let mut list = vec![
        case("GET", "v1/version", "version"),
        case("GET", "v2/version", "version"),
        case("GET", "v1/account/info", "/api/v1/account/info"),
        case("GET", "v1/balance", "/api/v1/balance"),
        case("GET", "v1/subscriptions", "/api/v1/subscriptions"),
        case("GET", "v1/addressbooks", "/api/v1/addressbooks"),
        case("GET", "v1/interfaces/email", "/api/v1/interfaces/email"),
        case("GET", "v1/interfaces/sms", "/api/v1/interfaces/sms"),
        case("GET", "v1/workflows", "/api/v1/workflows"),
        case("GET", "v1/contacts?maxrows=25", "/api/v1/contacts"),
        case("GET", "v1/contacts?startindex=400&maxrows=3&sortBy=contactId", "/api/v1/contacts"),
        case("GET", "v1/contacts?externalCustomerId=cus-000010", "/api/v1/contacts"),
        case("GET", "v1/contacts?firstname=ol&lastname=s&maxrows=10", "/api/v1/contacts"),
        case("GET", format!("v1/contact/{member}"), "/api/v1/contact/{id}"),
        case("GET", format!("v1/contacts/email?ids={member},100000002,100000003"), "/api/v1/contacts/email"),
        case("GET", "v1/contacts/email?ids=100000002", "/api/v1/contacts/email"),
        case("GET", format!("v1/contact/{member}/subscriptions"), "/api/v1/contact/{id}/subscriptions"),
        case("GET", "v1/groups", "/api/v1/groups"),
        case("GET", "v1/groups?name=vip&maxrows=1", "/api/v1/groups"),
        case("GET", format!("v1/group/{vip}/contacts?maxrows=20"), "/api/v1/group/{id}/contacts"),
        case("GET", "v1/group/200006/contacts?maxrows=5&asc=false&orderByTs=true", "/api/v1/group/{id}/contacts"),
        case("GET", "v1/messages/email?maxrows=50", "/api/v1/messages/email"),
        case("GET", "v1/messages/email?search=promo", "/api/v1/messages/email"),
        case("GET", "v1/messages/email/3000001", "/api/v1/messages/email/{id}"),
        case("GET", "v1/messages/email/3000001/viewLink", "/api/v1/messages/email/{id}/viewLink"),
        case("GET", "v1/messages/sms", "/api/v1/messages/sms"),
        case("GET", "v1/messages/sms/4000001", "/api/v1/messages/sms/{id}"),
        case("GET", "v1/messages/mobilepush", "/api/v1/messages/mobilepush"),
        case("GET", "v1/messages/mobilepush?search=trigger&maxrows=1", "/api/v1/messages/mobilepush"),
        case("GET", "v1/messages/mobilepush/5000001", "/api/v1/messages/mobilepush/{id}"),
        case("GET", "v1/messages/mobilepush/5000003", "/api/v1/messages/mobilepush/{id}"),
        case("GET", "v2/contacts/activity?dateFrom=2026-11-01&dateTo=2026-11-20", "/api/v2/contacts/activity"),
        case("GET", "v1/message/status?ids=3ff28330-0000-4000-a000-000000000000", "/api/v1/message/status"),
    ];
    if let Some(email) = email {
        list.push(case("GET", format!("v1/contacts?email={}", email.as_str().unwrap()), "/api/v1/contacts"));
    }
    let mut post = |method, path: String, body: Value, spec_path| {
        list.push(Case { method, path, body: Some(body), spec_path, stable: false });
    };
    post(
        "POST",
        "v1/contact".into(),
        json!({"firstName": "Contract", "channels": [{"type": "email", "value": format!("contract-{}@example.com", member)}]}),
        "/api/v1/contact",
    );
    post(
        "PUT",
        format!("v1/contact/{member}"),
        json!({"firstName": "Updated", "channels": [{"type": "sms", "value": "+380 67 000 0001"}]}),
        "/api/v1/contact/{id}",
    );
    post(
        "POST",
        "v1/contacts".into(),
        json!({"dedupeOn": "email", "contacts": [
            {"firstName": "Bulk", "channels": [{"type": "email", "value": "bulk-contract@example.com"}]},
            {"firstName": "Broken", "channels": [{"type": "email", "value": "not-an-email"}]}]}),
        "/api/v1/contacts",
    );
    post(
        "POST",
        "v1/messages/email".into(),
        json!({"name": "contract-message", "from": "\"Demo Store\" <news@demo-store.example>", "subject": "Contract",
               "htmlText": "<p>Contract</p>", "tags": ["contract"]}),
        "/api/v1/messages/email",
    );
    post(
        "POST",
        format!("v1/group/{vip}/contacts/attach"),
        json!({"contactIds": [100000009]}),
        "/api/v1/group/{id}/contacts/attach",
    );
    post(
        "POST",
        format!("v1/group/{vip}/contacts/detach"),
        json!({"contactIds": [100000009]}),
        "/api/v1/group/{id}/contacts/detach",
    );
    list
}

async fn check_all(sandbox: &Sandbox, quirks: bool) {
    let api = Api::with_key(sandbox, Right::FullAccess);
    for c in cases(&api).await {
        sandbox.update_knobs(|k| k.quirks = false);
        let canonical = api.call(c.method, &c.path, c.body.as_ref()).await;
        assert_eq!(canonical.status, 200, "{} {}: {}", c.method, c.path, canonical.text);
        let schema = schema_of(&c);
        let value = parsed(&canonical, &schema);
        validate(&schema, &value).unwrap_or_else(|e| panic!("{} {}: {e}\n{}", c.method, c.path, canonical.text));
        if !quirks {
            continue;
        }
        sandbox.update_knobs(|k| k.quirks = true);
        let quirky = if c.stable {
            api.call(c.method, &c.path, c.body.as_ref()).await
        } else {
            // Writes change state; send a fresh variant so none is a duplicate.
            let body = c.body.as_ref().map(vary);
            api.call(c.method, &c.path, body.as_ref()).await
        };
        assert_eq!(quirky.status, 200, "quirks {} {}: {}", c.method, c.path, quirky.text);
        let normalised = normalise(&parsed(&quirky, &schema), &schema);
        validate(&schema, &normalised)
            .unwrap_or_else(|e| panic!("quirks {} {}: {e}\n{}", c.method, c.path, quirky.text));
        if c.stable {
            assert!(
                same_json(&normalised, &value),
                "quirks {} {}: normalised answer differs\n{}\n{}",
                c.method,
                c.path,
                quirky.text,
                canonical.text
            );
        }
    }
}

/// `GET importstatus/{id}` and `DELETE contact/{id}`: their inputs come from earlier answers.
async fn check_import_status_and_delete(sandbox: &Sandbox, quirks: bool) {
    let api = Api::with_key(sandbox, Right::FullAccess);
    sandbox.update_knobs(|k| k.quirks = false);
    let body = json!({"dedupeOn": "externalCustomerId", "contacts": [
        {"channels": [{"type": "email", "value": "status-contract@example.com"}], "externalCustomerId": "status-1"}]});
    let session = api.post("v1/contacts", &body).await.json()["asyncSessionId"].as_str().unwrap().to_string();
    let schema = response_schema("/api/v1/importstatus/{sessionId}", "get");
    let path = format!("v1/importstatus/{session}");
    let mut status = api.get(&path).await.json();
    for _ in 0..200 {
        if status["status"] == "FINISHED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        status = api.get(&path).await.json();
    }
    assert_eq!(status["status"], "FINISHED", "{status}");
    validate(&schema, &status).unwrap_or_else(|e| panic!("importstatus: {e}\n{status}"));
    let delete_schema = response_schema("/api/v1/contact/{id}", "delete");
    let deleted = api.call("DELETE", "v1/contact/100000050", None).await;
    assert_eq!(deleted.status, 200);
    validate(&delete_schema, &parsed(&deleted, &delete_schema)).unwrap();
    if quirks {
        sandbox.update_knobs(|k| k.quirks = true);
        let quirky = api.get(&path).await.json();
        assert!(quirky["mapping"].is_object(), "a mapping of one comes as a bare object: {quirky}");
        let normalised = normalise(&quirky, &schema);
        validate(&schema, &normalised).unwrap();
        assert_eq!(normalised["mapping"], status["mapping"]);
        let deleted = api.call("DELETE", "v1/contact/100000051", None).await;
        assert_eq!(deleted.text, "Contact with id='100000051' has been deleted");
        sandbox.update_knobs(|k| k.quirks = false);
    }
}

/// Plain-text answers (schema `string`) are taken as a JSON string.
fn parsed(a: &Answer, schema: &Value) -> Value {
    if schema.get("type") == Some(&json!("string")) {
        assert!(!a.text.starts_with('"'), "plain text expected, got {}", a.text);
        Value::String(a.text.clone())
    } else {
        a.json()
    }
}

fn vary(body: &Value) -> Value {
    let text = body.to_string().replace("contract-", "quirky-").replace("Updated", "Quirky").replace("0001", "0002");
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn every_endpoint_answers_as_the_spec_says() {
    let sandbox = sandbox(3000, |_| {}).await;
    check_all(&sandbox, false).await;
    check_import_status_and_delete(&sandbox, false).await;
}

#[tokio::test]
async fn quirk_mode_answers_normalise_back_to_the_same_data() {
    let sandbox = sandbox(3000, |_| {}).await;
    check_all(&sandbox, true).await;
    check_import_status_and_delete(&sandbox, true).await;
    // And quirk mode really is different on the wire.
    sandbox.update_knobs(|k| k.quirks = true);
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let books = api.get("v1/addressbooks").await.json();
    assert!(books["addressBook"].is_object(), "one address book comes as a bare object: {books}");
    assert_eq!(books["addressBook"]["addressBookId"], json!("7200"));
    let balance = api.get("v1/balance").await.json();
    assert_eq!(balance["bonusEmails"], json!("2500"));
}

#[tokio::test]
async fn every_listed_endpoint_is_routed_and_guarded_by_its_group() {
    let sandbox = sandbox(200, |_| {}).await;
    let events_only = Api::with_key(&sandbox, Right::Events);
    for e in rights::ENDPOINTS {
        let path = e.path.trim_start_matches("/api/").replace("{id}", "100000001");
        let body = (e.method != "GET").then(|| json!({}));
        let a = events_only.call(e.method, &path, body.as_ref()).await;
        if Right::Events.allows(e.group) {
            assert_ne!(a.status, 403, "{} {}", e.method, e.path);
        } else {
            assert_eq!(a.status, 403, "{} {}: {}", e.method, e.path, a.text);
        }
        assert_ne!(a.text, yespo_sandbox::NO_SUCH_METHOD, "{} {} is listed but not routed", e.method, e.path);
        assert_ne!(a.status, 405, "{} {} is listed but not routed", e.method, e.path);
    }
}

#[tokio::test]
async fn paging_edges() {
    let sandbox = sandbox(1234, |_| {}).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let past = api.get("v1/contacts?startindex=5000&maxrows=10").await;
    assert_eq!(past.status, 200);
    assert_eq!(past.json(), json!([]));
    assert_eq!(past.total_count(), Some(1234));
    for bad in ["maxrows=501", "maxrows=0", "startindex=0", "startindex=abc"] {
        let a = api.get(&format!("v1/contacts?{bad}")).await;
        assert_eq!(a.status, 400, "{bad}: {}", a.text);
        assert!(a.text.starts_with("Bad request: "), "{bad}: {}", a.text);
    }
    assert_eq!(api.get("v1/groups?maxrows=501").await.status, 400);
    assert_eq!(api.get("v1/messages/email?maxrows=501").await.status, 400);
    // Paging through everything visits each contact once, and TotalCount says how many.
    let mut seen = std::collections::BTreeSet::new();
    let mut start = 1;
    loop {
        let page = api.get(&format!("v1/contacts?startindex={start}&maxrows=500")).await;
        assert_eq!(page.total_count(), Some(1234));
        let items = page.json().as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        for c in &items {
            assert!(seen.insert(c["id"].as_i64().unwrap()), "contact listed twice");
        }
        start += items.len();
    }
    assert_eq!(seen.len(), 1234);
    // The last page is short.
    let last = api.get("v1/contacts?startindex=1001&maxrows=500").await.json();
    assert_eq!(last.as_array().unwrap().len(), 234);
}

#[tokio::test]
async fn bad_requests_get_clear_errors() {
    let sandbox = sandbox(100, |_| {}).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let url = format!("{}/api/v1/contact", sandbox.base_url());
    // Malformed JSON: 400 with the parser's words.
    let a = api
        .client
        .post(&url)
        .header("Authorization", &api.auth)
        .header("Content-Type", "application/json")
        .body("{\"channels\": [")
        .send()
        .await
        .unwrap();
    assert_eq!(a.status(), 400);
    let text = a.text().await.unwrap();
    assert!(text.contains("malformed JSON"), "{text}");
    // Not JSON at all: 415.
    let a = api
        .client
        .post(&url)
        .header("Authorization", &api.auth)
        .header("Content-Type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(a.status(), 415);
    // A contact without channels.
    let a = api.post("v1/contact", &json!({"firstName": "No channels"})).await;
    assert_eq!(a.status, 400);
    assert!(a.text.contains("at least one channel"), "{}", a.text);
    // Wrong method.
    assert_eq!(api.call("DELETE", "v1/contacts", None).await.status, 405);
    assert_eq!(api.call("POST", "v1/version", Some(&json!({}))).await.status, 405);
    // Unknown ids.
    let a = api.get("v1/contact/999").await;
    assert_eq!(a.status, 404);
    assert!(a.text.contains("999"), "{}", a.text);
    assert_eq!(api.get("v1/contact/abc").await.status, 400);
    assert_eq!(api.get("v1/group/1/contacts").await.status, 404);
    assert_eq!(api.get("v1/messages/email/1").await.status, 404);
    assert_eq!(api.get("v1/importstatus/nope").await.status, 404);
    // 3001 contacts in one bulk request: 400, nothing imported.
    let contacts: Vec<Value> =
        (0..3001).map(|i| json!({"channels": [{"type": "email", "value": format!("x{i}@example.com")}]})).collect();
    let a = api.post("v1/contacts", &json!({"dedupeOn": "email", "contacts": contacts})).await;
    assert_eq!(a.status, 400);
    assert!(a.text.contains("3000"), "{}", a.text);
    // Bulk request without dedupeOn, or with an unknown one.
    let one = json!([{"channels": [{"type": "email", "value": "y@example.com"}]}]);
    assert_eq!(api.post("v1/contacts", &json!({"contacts": one})).await.status, 400);
    let a = api.post("v1/contacts", &json!({"contacts": one, "dedupeOn": "mobilepush"})).await;
    assert_eq!(a.status, 400);
    assert!(a.text.contains("dedupeOn"), "{}", a.text);
    // Attach to a dynamic segment.
    let a = api.post("v1/group/200006/contacts/attach", &json!({"contactIds": [100000001]})).await;
    assert_eq!(a.status, 400);
    assert!(a.text.contains("static"), "{}", a.text);
}

#[tokio::test]
async fn single_contact_writes_behave_like_yespo() {
    let sandbox = sandbox(100, |_| {}).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let body = json!({"firstName": "Ann", "channels": [{"type": "email", "value": "ann@example.com"}], "externalCustomerId": "ann-1"});
    let a = api.post("v1/contact", &body).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let id = a.json()["id"].as_i64().unwrap();
    // The same write again within a minute: 409.
    let again = api.post("v1/contact", &body).await;
    assert_eq!(again.status, 409);
    assert!(again.text.contains("Duplicated request"), "{}", again.text);
    // Same externalCustomerId, different body: an update of the same contact.
    let a = api.post("v1/contact", &json!({"firstName": "Anna", "channels": [{"type": "sms", "value": "380501112233"}], "externalCustomerId": "ann-1"})).await;
    assert_eq!(a.json()["id"].as_i64(), Some(id));
    let c = api.get(&format!("v1/contact/{id}")).await.json();
    assert_eq!(c["firstName"], "Anna");
    assert_eq!(c["channels"].as_array().unwrap().len(), 2, "the email stays: {c}");
    // PUT answers in plain text.
    let a = api
        .call(
            "PUT",
            &format!("v1/contact/{id}"),
            Some(&json!({"lastName": "Lee", "channels": [{"type": "email", "value": "ann@example.com"}]})),
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.text, format!("Contact with id='{id}' has been updated"));
    assert_eq!(a.headers["content-type"], "application/json;charset=UTF-8");
    // Delete hides it; PUT restores it; erase removes it for good.
    let a = api.call("DELETE", &format!("v1/contact/{id}"), None).await;
    assert_eq!(a.text, format!("Contact with id='{id}' has been deleted"));
    assert_eq!(api.get(&format!("v1/contact/{id}")).await.status, 404);
    assert_eq!(api.get("v1/contacts?externalCustomerId=ann-1").await.json(), json!([]));
    let a = api
        .call(
            "PUT",
            &format!("v1/contact/{id}"),
            Some(&json!({"lastName": "Back", "channels": [{"type": "email", "value": "ann@example.com"}]})),
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(api.get(&format!("v1/contact/{id}")).await.json()["lastName"], "Back");
    api.call("DELETE", &format!("v1/contact/{id}?erase=true"), None).await;
    let a = api
        .call(
            "PUT",
            &format!("v1/contact/{id}"),
            Some(&json!({"lastName": "Gone", "channels": [{"type": "email", "value": "ann@example.com"}]})),
        )
        .await;
    assert_eq!(a.status, 404);
}

#[tokio::test]
async fn demo_data_is_deterministic_and_complete() {
    let a = sandbox(20_000, |_| {}).await;
    let b = sandbox(20_000, |_| {}).await;
    let (api_a, api_b) = (Api::with_key(&a, Right::FullAccess), Api::with_key(&b, Right::FullAccess));
    assert_eq!(api_a.get("v1/contact/100012345").await.text, api_b.get("v1/contact/100012345").await.text);
    assert_eq!(api_a.get("v1/contacts?maxrows=1").await.total_count(), Some(20_000));
    let segments = api_a.get("v1/groups").await.json();
    let segments = segments.as_array().unwrap();
    assert_eq!(segments.len(), 12);
    for kind in ["Static", "Dynamic", "Combined"] {
        let ids: Vec<i64> = segments.iter().filter(|s| s["type"] == kind).map(|s| s["id"].as_i64().unwrap()).collect();
        assert!(!ids.is_empty(), "no {kind} segment");
        for id in ids {
            let members = api_a.get(&format!("v1/group/{id}/contacts?maxrows=1")).await.json();
            assert_eq!(members.as_array().unwrap().len(), 1, "segment {id} ({kind}) is empty");
        }
    }
    // Contacts have all three channel kinds, devices with their details, fields and subscriptions.
    let page = api_a.get("v1/group/200006/contacts?maxrows=50").await.json();
    let push = page
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["channels"].as_array().unwrap().clone())
        .find(|ch| ch["type"] == "mobilepush")
        .unwrap();
    for key in ["appId", "deviceModel", "os", "locale", "appVersion"] {
        assert!(push["device"][key].is_string(), "device.{key}: {push}");
    }
    let emails = api_a.get("v1/messages/email").await;
    assert!(emails.total_count().unwrap() >= 40);
    let hostile = emails.json().as_array().unwrap().iter().find(|m| m["tags"] == json!(["security"])).cloned().unwrap();
    let html = hostile["htmlText"].as_str().unwrap();
    assert!(html.contains("<script>") && html.contains("onerror="));
    assert_eq!(api_a.get("v1/messages/sms").await.total_count(), Some(10));
    let info = a.info();
    for right in Right::ALL {
        assert_eq!(info.oauth_apps.iter().filter(|x| x.rights == right).count(), 1);
        assert_eq!(info.api_keys.iter().filter(|x| x.rights == right).count(), 1);
    }
    // The view link is served by the sandbox itself, with scripts switched off.
    let link = api_a.get(&format!("v1/messages/email/{}/viewLink", hostile["id"])).await.json()["link"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(link.starts_with(a.base_url()), "{link}");
    let page = http().get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("script-src 'none'"));
    assert!(page.text().await.unwrap().contains("Looks harmless"));
    assert_eq!(http().get(link.replace("t=", "t=0")).send().await.unwrap().status(), 404);
}

#[test]
fn the_validator_catches_wrong_shapes() {
    // The contract tests can fail: misspelt fields, wrong types and missing lists are caught.
    let contact = response_schema("/api/v1/contact/{id}", "get");
    assert!(validate(&contact, &json!({"channels": [], "id": 5})).is_ok());
    assert!(validate(&contact, &json!({"channels": [], "firstname": "x"})).is_err(), "unknown property");
    assert!(validate(&contact, &json!({"channels": [], "id": "5"})).is_err(), "string id");
    assert!(validate(&contact, &json!({"channels": {"type": "email"}})).is_err(), "bare object for a list");
    assert!(validate(&contact, &json!({"firstName": "x"})).is_err(), "channels are required");
    // Normalising undoes exactly the quirks.
    let quirky = json!({"channels": {"type": "email", "value": "a@b.c"}, "id": "5"});
    assert_eq!(normalise(&quirky, &contact), json!({"channels": [{"type": "email", "value": "a@b.c"}], "id": 5}));
}
