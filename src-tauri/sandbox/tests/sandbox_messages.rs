//! Message templates beyond email and SMS reads: mobile push search and reads, adding an email
//! message, the images the demo messages show, and the request log that tells a test which of
//! them the app fetched.

mod common;

use common::*;
use serde_json::{json, Value};
use yespo_sandbox::demo_data::{FIRST_PUSH_ID, HOSTILE_EMAIL_NAME};
use yespo_sandbox::{LoggedRequest, Right, Sandbox};

fn names(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn mobile_push_messages_are_searched_paged_and_read_by_id() {
    let sandbox = sandbox(10, |_| {}).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let all = api.get("v1/messages/mobilepush").await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(all.total_count(), Some(6));
    let all = all.json();
    assert_eq!(
        names(&all),
        [
            "Flash sale push",
            "Order shipped push",
            "Welcome push",
            "Back in stock push",
            "Weekend picks carousel",
            "App update available"
        ]
    );
    // `search` is a part of the name (any case) or a whole tag.
    let by_name = api.get("v1/messages/mobilepush?search=PUSH").await;
    assert_eq!(by_name.total_count(), Some(4));
    let by_tag = api.get("v1/messages/mobilepush?search=trigger").await.json();
    assert_eq!(names(&by_tag), ["Welcome push", "Back in stock push"]);
    assert_eq!(api.get("v1/messages/mobilepush?search=trig").await.total_count(), Some(0), "tags match whole");
    // Paging: TotalCount is every match, the page is the window asked for.
    let page = api.get("v1/messages/mobilepush?startindex=2&maxrows=2").await;
    assert_eq!(page.total_count(), Some(6));
    assert_eq!(names(&page.json()), ["Order shipped push", "Welcome push"]);
    assert_eq!(api.get("v1/messages/mobilepush?maxrows=501").await.status, 400);
    assert_eq!(api.get("v1/messages/mobilepush?startindex=0").await.status, 400);

    // By id: the same message as in the search, with its language versions.
    let welcome = api.get(&format!("v1/messages/mobilepush/{}", FIRST_PUSH_ID + 2)).await.json();
    assert_eq!(welcome, all[2]);
    assert_eq!(welcome["languages"], json!(["en", "uk"]));
    let uk = &welcome["translations"][0];
    assert_eq!((uk["languageCode"].as_str(), uk["id"].as_i64()), (Some("uk"), Some(FIRST_PUSH_ID + 2)));
    assert!(uk["title"].as_str().unwrap().starts_with("Ласкаво просимо"), "{uk}");
    assert_eq!(api.get("v1/messages/mobilepush/1").await.status, 404);
    assert!(api.get("v1/messages/mobilepush/1").await.text.contains("id='1'"));
    assert_eq!(api.get("v1/messages/mobilepush/abc").await.status, 400);

    // The demo set has what the Messages screen must show.
    let flash = &all[0];
    assert_eq!(flash["imageSource"], json!(format!("{}/img/promo.png", sandbox.base_url())));
    assert_eq!(flash["buttons"].as_array().unwrap().len(), 2);
    assert_eq!(flash["buttons"][0]["actionId"], "shop_now");
    assert_eq!(flash["subscriptionsKeys"], json!(["promo"]));
    assert!(all[1]["link"].as_str().unwrap().starts_with("demostore://"), "a deep link: {}", all[1]);
    assert!(all[1]["subtitle"].is_string());
    assert!(all[3]["text"].as_str().unwrap().contains('👟'), "emoji: {}", all[3]);
    assert_eq!(all[4]["images"].as_array().unwrap().len(), 2, "a carousel");
    assert_eq!(all[5]["tags"], json!([]));
    serde_json::from_str::<Value>(all[5]["customData"].as_str().unwrap()).expect("customData is JSON");
}

#[tokio::test]
async fn mobile_push_reads_are_general_methods_and_count_as_message_reads() {
    let sandbox = sandbox(10, |k| {
        k.rate_limits = true;
        k.message_reads_per_hour = 5;
    })
    .await;
    // Every right reads templates (seed 000's group 1), push ones included.
    for right in Right::ALL {
        let a = Api::with_key(&sandbox, right).get("v1/messages/mobilepush?maxrows=1").await;
        assert_eq!(a.status, 200, "{right:?}: {}", a.text);
    }
    // Those 4 reads, one more push read, then the hourly message budget is spent for every
    // kind of message read, email included.
    let api = Api::with_key(&sandbox, Right::FullAccess);
    assert_eq!(api.get(&format!("v1/messages/mobilepush/{FIRST_PUSH_ID}")).await.status, 200);
    for path in ["v1/messages/mobilepush", "v1/messages/email/3000001"] {
        let a = api.get(path).await;
        assert_eq!(a.status, 429, "{path}: {}", a.text);
        assert!(a.text.contains("More than 5 requests per 1 hour"), "{}", a.text);
    }
    // Other families keep their budget.
    assert_eq!(api.get("v1/account/info").await.status, 200);
}

#[tokio::test]
async fn an_added_email_message_is_served_like_the_demo_ones() {
    let sandbox = sandbox(10, |_| {}).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let before = api.get("v1/messages/email?maxrows=1").await.total_count().unwrap();
    let html = format!(
        "<html><body><h1>Hello</h1><img src=\"{}/img/logo.png\" alt=\"logo\"></body></html>",
        sandbox.base_url()
    );
    let body = json!({
        "name": "Test-added newsletter", "from": "\"Demo Store\" <news@demo-store.example>",
        "subject": "Hello from a test", "htmlText": html, "tags": ["test-added"],
        "subscriptionsKeys": ["news"], "css": "h1{color:red}",
        "id": 1, "translations": [{"languageCode": "uk"}]
    });
    let added = api.post("v1/messages/email", &body).await;
    assert_eq!(added.status, 200, "{}", added.text);
    let id = added.json()["id"].as_i64().unwrap();
    assert!(id > 3_000_041, "a new id, not the one sent: {id}");
    validate(&response_schema("/api/v1/messages/email", "post"), &added.json()).unwrap();

    let all = api.get("v1/messages/email?maxrows=1").await;
    assert_eq!(all.total_count(), Some(before + 1));
    let found = api.get("v1/messages/email?search=test-added").await.json();
    assert_eq!(found.as_array().unwrap().len(), 1, "found by its tag and by its name: {found}");
    let one = api.get(&format!("v1/messages/email/{id}")).await.json();
    assert_eq!(found[0], one);
    assert_eq!(
        (one["name"].as_str(), one["subject"].as_str(), one["htmlText"].as_str()),
        (Some("Test-added newsletter"), Some("Hello from a test"), Some(html.as_str()))
    );
    assert_eq!((one["languageCode"].as_str(), one["css"].as_str()), (Some("en"), Some("h1{color:red}")));
    assert_eq!(one["translations"], json!([]), "translations are not written by POST");
    validate(&response_schema("/api/v1/messages/email/{id}", "get"), &one).unwrap();
    let link = api.get(&format!("v1/messages/email/{id}/viewLink")).await.json()["link"].as_str().unwrap().to_string();
    let page = http().get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.text().await.unwrap(), html);

    // Quirk mode answers the id as a string, as older Yespo did.
    sandbox.update_knobs(|k| k.quirks = true);
    let quirky = api
        .post(
            "v1/messages/email",
            &json!({"name": "Q", "from": "q@demo-store.example", "subject": "Q", "htmlText": "<p>Q</p>"}),
        )
        .await;
    assert_eq!(quirky.json()["id"], json!((id + 1).to_string()));
}

#[tokio::test]
async fn adding_an_email_message_without_a_required_field_is_refused() {
    let sandbox = sandbox(10, |_| {}).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let full = json!({"name": "N", "from": "n@demo-store.example", "subject": "S", "htmlText": "<p>H</p>"});
    let before = api.get("v1/messages/email?maxrows=1").await.total_count();
    for field in ["name", "from", "subject", "htmlText"] {
        for missing in [Value::Null, json!(""), json!("   ")] {
            let mut body = full.clone();
            if missing.is_null() {
                body.as_object_mut().unwrap().remove(field);
            } else {
                body[field] = missing;
            }
            let a = api.post("v1/messages/email", &body).await;
            assert_eq!(a.status, 400, "{field}: {}", a.text);
            assert_eq!(a.text, format!("Bad request: {field} is required"));
        }
    }
    let a = api
        .post(
            "v1/messages/email",
            &json!({"name": "N", "from": "f", "subject": "S", "htmlText": "H", "tags": [{"a": 1}]}),
        )
        .await;
    assert_eq!((a.status, a.text.as_str()), (400, "Bad request: tags must be a list of strings"));
    let a = api.post("v1/messages/email", &json!({"name": ["N"], "from": "f", "subject": "S", "htmlText": "H"})).await;
    assert_eq!((a.status, a.text.as_str()), (400, "Bad request: name must be text"));
    assert_eq!(api.post("v1/messages/email", &json!([full])).await.status, 400);
    let url = format!("{}/api/v1/messages/email", sandbox.base_url());
    let plain = api.client.post(&url).header("Authorization", &api.auth).body(full.to_string()).send().await.unwrap();
    assert_eq!(plain.status(), 415);
    assert_eq!(api.get("v1/messages/email?maxrows=1").await.total_count(), before, "nothing was added");
    // Whoever may read templates may add one (seed 000 puts both in group 1).
    let events_key = Api::with_key(&sandbox, Right::Events);
    assert_eq!(events_key.post("v1/messages/email", &full).await.status, 200);
}

/// The `src` of every `<img>`, and every CSS `url(…)`, in an HTML text.
fn image_urls(html: &str) -> Vec<String> {
    let tags = html.split("<img ").skip(1).map(|rest| rest.split('>').next().unwrap());
    let mut urls: Vec<String> = tags
        .filter_map(|tag| tag.split("src=\"").nth(1))
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect();
    urls.extend(html.split("url(").skip(1).map(|rest| rest.split(')').next().unwrap().to_string()));
    urls
}

#[tokio::test]
async fn the_demo_messages_show_images_served_by_the_sandbox() {
    let sandbox = sandbox(10, |_| {}).await;
    let base = sandbox.base_url().to_string();
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let emails = api.get("v1/messages/email").await.json();
    let pushes = api.get("v1/messages/mobilepush").await.json();
    let mut urls = std::collections::BTreeSet::new();
    for m in emails.as_array().unwrap() {
        let html = m["htmlText"].as_str().unwrap();
        let found = image_urls(html);
        assert!(found.iter().any(|u| u.ends_with("/img/logo.png")), "{}: no logo", m["name"]);
        for t in m["translations"].as_array().unwrap() {
            urls.extend(image_urls(t["htmlText"].as_str().unwrap()));
        }
        urls.extend(found);
    }
    for m in pushes.as_array().unwrap() {
        urls.extend(m["imageSource"].as_str().map(str::to_string));
        urls.extend(m["images"].as_array().unwrap().iter().map(|u| u.as_str().unwrap().to_string()));
    }
    assert!(urls.len() >= 4, "{urls:?}");
    for url in &urls {
        assert!(url.starts_with(&format!("{base}/img/")), "an image not on the sandbox: {url}");
        let r = http().get(url).send().await.unwrap();
        if url.ends_with("/img/missing.png") {
            // The hostile email's broken image, there to fire its onerror.
            assert_eq!(r.status(), 404);
            continue;
        }
        assert_eq!(r.status(), 200, "{url}");
        let kind = r.headers()["content-type"].to_str().unwrap().to_string();
        let bytes = r.bytes().await.unwrap();
        match kind.as_str() {
            "image/png" => assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{url}"),
            "image/gif" => assert!(bytes.starts_with(b"GIF89a"), "{url}"),
            other => panic!("{url}: {other}"),
        }
    }
    for name in ["logo.png", "promo.png", "banner.gif", "pixel.gif"] {
        assert_eq!(http().get(format!("{base}/img/{name}")).send().await.unwrap().status(), 200, "{name}");
    }
    assert_eq!(http().get(format!("{base}/img/nope.png")).send().await.unwrap().status(), 404);
    assert_eq!(http().get(format!("{base}/img/")).send().await.unwrap().status(), 404);

    // The hostile email keeps its script and onerror, and gains remote images on the sandbox.
    let hostile = emails.as_array().unwrap().iter().find(|m| m["name"] == HOSTILE_EMAIL_NAME).unwrap();
    let html = hostile["htmlText"].as_str().unwrap();
    assert!(html.contains("<script>") && html.contains("onerror="), "{html}");
    assert!(html.contains(&format!("<img src=\"{base}/img/logo.png\"")), "{html}");
    assert!(html.contains(&format!("url({base}/img/pixel.gif)")), "{html}");
    assert!(!html.contains("https://"), "every URL in it is the sandbox's: {html}");
}

fn paths(log: &[LoggedRequest]) -> Vec<(&str, &str, &str)> {
    log.iter().map(|r| (r.method.as_str(), r.path.as_str(), r.query.as_str())).collect()
}

async fn logged_over_http(sandbox: &Sandbox, since: u64) -> Vec<Value> {
    let url = format!("{}/__sandbox/requests?since={since}", sandbox.base_url());
    let r = http().get(url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap().as_array().unwrap().clone()
}

#[tokio::test]
async fn every_request_is_logged_in_order_but_the_sandboxs_own() {
    let sandbox = sandbox(10, |k| k.burst_429 = 1).await;
    let base = sandbox.base_url().to_string();
    assert_eq!(sandbox.last_request_seq(), 0);
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let started = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    // Refused before any handler (429 burst, 401), answered, unknown, wrong method, not an API
    // call at all: all logged alike.
    assert_eq!(api.get("v1/version").await.status, 429);
    assert_eq!(http().get(format!("{base}/api/v1/version")).send().await.unwrap().status(), 401);
    assert_eq!(api.get("v1/messages/mobilepush?search=push&maxrows=2").await.status, 200);
    assert_eq!(http().get(format!("{base}/no/such/path?x=1")).send().await.unwrap().status(), 404);
    assert_eq!(api.call("DELETE", "v1/version", None).await.status, 405);
    http().get(format!("{base}/__sandbox/stats")).send().await.unwrap();
    http().get(format!("{base}/__sandbox/knobs")).send().await.unwrap();
    let link = api.get("v1/messages/email/3000001/viewLink").await.json()["link"].as_str().unwrap().to_string();
    let token = link.split("t=").nth(1).unwrap().to_string();
    assert_eq!(http().get(&link).send().await.unwrap().status(), 200);
    assert_eq!(http().head(format!("{base}/img/logo.png")).send().await.unwrap().status(), 200);
    http().get(format!("{base}/uaa/oauth/authorize?client_id=nope")).send().await.unwrap();

    let log = sandbox.requests_since(0);
    assert_eq!(
        paths(&log),
        [
            ("GET", "/api/v1/version", ""),
            ("GET", "/api/v1/version", ""),
            ("GET", "/api/v1/messages/mobilepush", "search=push&maxrows=2"),
            ("GET", "/no/such/path", "x=1"),
            ("DELETE", "/api/v1/version", ""),
            ("GET", "/api/v1/messages/email/3000001/viewLink", ""),
            ("GET", "/view/email/3000001", &*format!("t={token}")),
            ("HEAD", "/img/logo.png", ""),
            ("GET", "/uaa/oauth/authorize", "client_id=nope"),
        ]
    );
    assert_eq!(log.iter().map(|r| r.seq).collect::<Vec<_>>(), (1..=9).collect::<Vec<u64>>());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    assert!(log.iter().all(|r| (started..=now).contains(&r.at)), "{log:?}");
    assert!(log.windows(2).all(|w| w[0].at <= w[1].at));
    assert_eq!(sandbox.last_request_seq(), 9);
    assert_eq!(paths(&sandbox.requests_since(7)), paths(&log[7..]));

    // Over HTTP: the same entries, and reading them adds none.
    let over_http = logged_over_http(&sandbox, 0).await;
    assert_eq!(over_http, serde_json::to_value(&log).unwrap().as_array().unwrap().clone());
    assert_eq!(
        over_http[2],
        json!({"seq": 3, "method": "GET", "path": "/api/v1/messages/mobilepush", "query": "search=push&maxrows=2", "at": log[2].at,
            "userAgent": log[2].user_agent})
    );
    assert_eq!(logged_over_http(&sandbox, 8).await.len(), 1);
    assert!(logged_over_http(&sandbox, 9).await.is_empty());
    let bad = http().get(format!("{base}/__sandbox/requests?since=-1")).send().await.unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(sandbox.last_request_seq(), 9);
}

#[tokio::test]
async fn a_dropped_or_failed_api_call_is_logged_too() {
    let sandbox = sandbox(10, |k| k.error_rate = 1.0).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    assert_eq!(api.get("v1/balance").await.status, 500);
    sandbox.update_knobs(|k| {
        k.error_rate = 0.0;
        k.drop_rate = 1.0;
    });
    let url = format!("{}/api/v1/balance?n=2", sandbox.base_url());
    let outcome = http().get(&url).header("Authorization", &api.auth).send().await;
    assert!(outcome.is_err() || outcome.unwrap().text().await.is_err(), "the connection drops");
    assert_eq!(paths(&sandbox.requests_since(0)), [("GET", "/api/v1/balance", ""), ("GET", "/api/v1/balance", "n=2")]);
}
