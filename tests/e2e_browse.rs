//! E2E: the Browse screens in demo mode, over the sandbox: the Account panel; Contacts (a search,
//! the detail pane, scrolling all 20,000 contacts, export to CSV); Segments and their members;
//! the palette; a key without the right to read contacts.

mod common;

use common::demo::{
    basic, last_request_seq, log_in_demo, requests_since, sandbox_key, sandbox_url, send_with, ORGANISATION,
};
use common::{require_keychain, App, Launch};
use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A JSON list, or none when the key is absent.
fn list(v: &Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_default()
}

/// The `GET /api/v1/contacts` requests among `log`.
fn contact_searches(log: &[Value]) -> usize {
    log.iter().filter(|r| r["method"] == "GET" && r["path"] == "/api/v1/contacts").count()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_account_panel_shows_what_the_account_is() {
    require_keychain();
    let app = App::launch(Launch { args: vec!["--demo"], ..Launch::default() }).await;
    log_in_demo(&app).await;
    app.open("account").await;

    assert_eq!(app.text("#account-organisation [data-field='organisation']").await, ORGANISATION);
    let balance = app.text("#account-balance [data-field='balance']").await;
    assert!(balance.chars().any(|c| c.is_ascii_digit()), "a balance in money: {balance}");
    for part in ["organisation", "balance", "fields", "subscriptions", "email-senders", "sms-senders"] {
        let state = app.wait_for(&format!("#account-{part}")).await.attr("data-state").await.unwrap();
        assert_eq!(state.as_deref(), Some("ok"), "{part}");
    }
    let fields = app.client.find_all(Locator::Css("#account-fields tbody tr")).await.unwrap();
    assert!(!fields.is_empty(), "the demo account has custom fields");
    let id = fields[0].find(Locator::Css("td")).await.unwrap().text().await.unwrap();
    assert!(id.parse::<i64>().is_ok(), "a field's id comes first: {id}");
    assert!(app.text(".view-header").await.contains("As Yespo answered at"));
    app.screenshot("account").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_contact_found_by_email_shows_its_push_device_fields_segments_and_subscriptions() {
    require_keychain();
    let app = App::launch(Launch { args: vec!["--demo"], ..Launch::default() }).await;
    log_in_demo(&app).await;
    app.open("contacts").await;
    app.wait_for(".vt-layer .vt-row:not(.loading)").await;
    let total = app.text("[data-field='total']").await;
    assert!(total.contains("contacts, as Yespo answered at"), "{total}");

    // A demo contact with a push device, an email, custom fields and a segment.
    let page = app
        .invoke("contacts_rows", json!({ "view": 99, "source": { "search": {} }, "start": 0, "count": 500 }))
        .await
        .expect("rows");
    let mut chosen = None;
    for row in page["rows"].as_array().unwrap() {
        if row["pushDevices"].as_u64().unwrap_or(0) == 0 || !row["email"].is_string() {
            continue;
        }
        let detail = app.invoke("contact_detail", json!({ "id": row["id"] })).await.expect("detail");
        if !list(&detail["fields"]).is_empty() && !list(&detail["contact"]["groups"]).is_empty() {
            chosen = Some(detail);
            break;
        }
    }
    let detail = chosen.expect("a demo contact with a push device, fields and a segment");
    let email = detail["contact"]["channels"].as_array().unwrap().iter().find(|c| c["type"] == "email").unwrap()
        ["value"]
        .as_str()
        .unwrap()
        .to_string();
    app.wait_for("input[name='contact-search']").await.send_keys(&email).await.unwrap();
    app.wait_until("one contact found", "document.querySelectorAll('.vt-layer .vt-row:not(.loading)').length === 1")
        .await;
    app.wait_for(".vt-layer .vt-row").await.click().await.unwrap();
    let text = app.text("#contact-detail").await;
    assert!(text.contains(&email), "{text}");
    let push = app.text("#contact-detail [data-channel='mobilepush']").await;
    assert!(push.contains('…'), "the token is masked: {push}");
    let device = detail["contact"]["channels"].as_array().unwrap().iter().find(|c| c["type"] == "mobilepush").unwrap()
        ["device"]
        .clone();
    let token = detail["contact"]["channels"].as_array().unwrap().iter().find(|c| c["type"] == "mobilepush").unwrap()
        ["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!push.contains(&token), "the whole token is not on screen");
    for (key, field) in [("appId", "device-appId"), ("deviceModel", "device-deviceModel"), ("os", "device-os")] {
        if let Some(value) = device[key].as_str() {
            assert!(app.text(&format!("#contact-detail [data-field='{field}']")).await.contains(value), "{key}");
        }
    }
    // Fields by their address-book names, segments and subscription categories.
    let fields = app.text("#contact-detail [data-field='fields']").await;
    for f in list(&detail["fields"]) {
        assert!(fields.contains(f["name"].as_str().expect("a field name")), "{fields}");
    }
    let segments = app.text("#contact-detail [data-field='segments']").await;
    for g in list(&detail["contact"]["groups"]) {
        assert!(segments.contains(g["name"].as_str().unwrap()), "{segments}");
    }
    if !list(&detail["subscriptions"]["value"]).is_empty() {
        app.wait_for("#contact-detail [data-field='subscriptions']").await;
    }
    // Ids and values have Copy buttons.
    let copies = app.client.find_all(Locator::Css("#contact-detail .copy-button")).await.unwrap();
    assert!(copies.len() >= 3, "copy buttons on the id, the channels and the fields: {}", copies.len());
    app.screenshot("contacts-detail").await;
    app.quit().await;
}

/// Scrolls the unfiltered list of 20,000 demo contacts down inside the page, 90 rows at a time
/// (less than the table's 100-row fetches, so every row's page is asked for, as a fast wheel
/// would), checking the DOM at each step; stops after about 10 s (a WebDriver script's time
/// limit) to be called again until the end.
const SCROLL_DOWN: &str = r#"
const viewport = document.querySelector('.vt-viewport');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const frame = () => new Promise((r) => requestAnimationFrame(r));
// Two frames: the table draws in the frame after the scroll event, which may come after ours.
const loaded = async () => {
  for (let i = 0; i < 500; i += 1) {
    await frame();
    await frame();
    const rows = document.querySelectorAll('.vt-layer .vt-row');
    if (rows.length && !document.querySelector('.vt-layer .vt-row.loading')) return rows.length;
    await sleep(10);
  }
  throw new Error('rows never loaded at ' + viewport.scrollTop);
};
let maxRows = await loaded();
let steps = 0;
const started = performance.now();
let end = false;
while (performance.now() - started < 10000) {
  if (viewport.scrollTop + viewport.clientHeight >= viewport.scrollHeight - 1) { end = true; break; }
  viewport.scrollTop += 90 * 32;
  maxRows = Math.max(maxRows, await loaded());
  steps += 1;
}
const lastIndex = () => [...document.querySelectorAll('.vt-layer .vt-row:not(.loading)')]
  .map((r) => Number(r.dataset.index)).reduce((a, b) => Math.max(a, b), 0);
// At the bottom, let the last scroll's drawing settle (at most 100 frames) before reading it.
for (let i = 0; end && i < 100 && lastIndex() < 19999; i += 1) await frame();
if (end) maxRows = Math.max(maxRows, await loaded());
const last = lastIndex();
done({ end, maxRows, steps, last, ms: Math.round(performance.now() - started) });
"#;

#[tokio::test(flavor = "multi_thread")]
async fn twenty_thousand_contacts_scroll_with_a_small_dom_and_few_requests_and_export_in_full() {
    require_keychain();
    let saves = tempfile::tempdir().unwrap();
    let save_dir = saves.path().to_str().unwrap().to_string();
    let app = App::launch(Launch {
        args: vec!["--demo"],
        set: vec![("YESPO_ADMIN_TEST_SAVE_DIR", &save_dir)],
        ..Launch::default()
    })
    .await;
    log_in_demo(&app).await;
    let sandbox = sandbox_url(&app).await;
    let before = last_request_seq(&sandbox);

    // From the click on Contacts to the first rows on screen.
    let first_rows = app
        .run_async_script(
            "const t0 = performance.now();
             document.querySelector(\".nav-item[data-area='contacts']\").click();
             const wait = () => document.querySelector('.vt-layer .vt-row:not(.loading)')
               ? done(Math.round(performance.now() - t0)) : requestAnimationFrame(wait);
             wait();",
        )
        .await;
    let total = app.text("[data-field='total']").await;
    assert!(total.starts_with("20,000 contacts"), "{total}");
    let (mut max_rows, mut steps, mut ms) = (0, 0, 0);
    let last = loop {
        let part = app.run_async_script(SCROLL_DOWN).await;
        max_rows = max_rows.max(part["maxRows"].as_u64().unwrap());
        steps += part["steps"].as_u64().unwrap();
        ms += part["ms"].as_u64().unwrap();
        if part["end"] == true {
            break part["last"].as_u64().unwrap();
        }
    };
    let requests = contact_searches(&requests_since(&sandbox, before));
    println!(
        "figures: first rows {first_rows} ms after opening Contacts; scrolled 20,000 rows in {steps} steps \
         ({ms} ms); at most {max_rows} rows in the DOM; {requests} contact requests"
    );
    assert!(max_rows <= 300, "{max_rows} rows in the DOM");
    assert_eq!(last, 19_999, "the last row was reached");
    assert!(requests <= 20_000usize.div_ceil(500) + 2, "{requests} contact requests");
    assert!(requests >= 40, "every page was fetched: {requests}");
    app.screenshot("contacts-scrolled-to-the-end").await;

    // Export every contact: Rust reads them page by page (by id) and writes the CSV.
    app.wait_for("[data-action='export']").await.click().await.unwrap();
    let done = app.wait_for("[data-field='export-done']").await.text().await.unwrap();
    assert!(done.starts_with("20,000 rows written to"), "{done}");
    let path = saves.path().join("contacts.csv");
    let bytes = std::fs::read(&path).expect("the CSV is where the screen says");
    assert!(bytes.starts_with(b"\xef\xbb\xbfid,"), "UTF-8 with a BOM, the id first");
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let exported: BTreeMap<i64, (String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].parse().unwrap(), (r[4].to_string(), r[1].to_string()))
        })
        .collect();
    assert_eq!(exported.len(), 20_000, "20,000 rows with distinct ids");
    // The sandbox's own data, read with its full-access key.
    let key = sandbox_key(&sandbox, "full_access");
    let mut expected = BTreeMap::new();
    for start in (1..=20_000).step_by(500) {
        let page = send_with(
            "GET",
            &format!("{sandbox}/api/v1/contacts?sortBy=contactId&startindex={start}&maxrows=500"),
            &[("Authorization", &basic(&key))],
            None,
        );
        assert_eq!(page.status, 200, "{}", page.body);
        for c in page.json().as_array().unwrap() {
            let email = c["channels"].as_array().unwrap().iter().find(|ch| ch["type"] == "email");
            let email = email.map(|e| e["value"].as_str().unwrap().to_string()).unwrap_or_default();
            let external = c["externalCustomerId"].as_str().unwrap_or_default().to_string();
            expected.insert(c["id"].as_i64().unwrap(), (email, external));
        }
    }
    assert_eq!(expected.len(), 20_000);
    assert!(exported == expected, "the export matches the sandbox's contacts (ids, emails, external ids)");
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn segments_by_type_with_their_members_and_the_palette_jumps_to_a_contact() {
    require_keychain();
    let app = App::launch(Launch { args: vec!["--demo"], ..Launch::default() }).await;
    log_in_demo(&app).await;
    app.open("segments").await;
    app.wait_for(".segment-list .vt-layer .vt-row:not(.loading)").await;
    let status = app.text("[data-field='segments-total']").await;
    assert!(status.contains("segments, as Yespo answered at"), "{status}");
    // Only static segments: every row says Static.
    app.wait_for(".filter-chips [data-kind='static']").await.click().await.unwrap();
    app.wait_until(
        "static segments only",
        "[...document.querySelectorAll('.segment-list .vt-layer .vt-row:not(.loading)')].every((r) => r.children[2].textContent === 'Static')
         && document.querySelector(\".filter-chips [data-kind='static']\").classList.contains('on')",
    )
    .await;
    // Enter on the first segment shows its members ("n+" while Yespo gives no count).
    app.wait_for(".segment-list .vt-viewport").await.click().await.unwrap();
    app.press(Key::Down.into()).await;
    app.press(Key::Enter.into()).await;
    app.wait_for(".segment-members .vt-layer .vt-row:not(.loading)").await;
    let members = app.text(".segment-members [data-field='total']").await;
    assert!(members.contains("members"), "{members}");
    app.wait_for(".segment-members .vt-layer .vt-row:not(.loading)").await.click().await.unwrap();
    app.wait_for("#contact-detail").await;
    app.screenshot("segments").await;

    // Palette: Ctrl+K, a contact's email, Enter → its detail.
    let page = app
        .invoke("contacts_rows", json!({ "view": 98, "source": { "search": {} }, "start": 0, "count": 50 }))
        .await
        .unwrap();
    let email = page["rows"].as_array().unwrap().iter().find_map(|r| r["email"].as_str()).unwrap().to_string();
    app.chord(Key::Control.into(), 'k').await;
    let input = app.wait_for(".palette-input").await;
    input.send_keys(&email).await.unwrap();
    app.wait_until(
        "the contact entry comes first",
        &format!("document.querySelector('.palette-entry.selected')?.textContent.includes({email:?})"),
    )
    .await;
    app.screenshot("palette").await;
    app.press(Key::Enter.into()).await;
    let detail = app.text("#contact-detail").await;
    assert!(detail.contains(&email), "{detail}");
    assert!(app.client.current_url().await.unwrap().as_str().ends_with("#/contacts"));
    // The shortcut sheet.
    app.chord(Key::Control.into(), '/').await;
    assert!(app.text("#shortcut-sheet").await.contains("Open the palette"));
    app.press(Key::Escape.into()).await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_messages_only_key_on_contacts_says_which_right_is_missing() {
    require_keychain();
    let app = App::launch(Launch { args: vec!["--demo"], ..Launch::default() }).await;
    log_in_demo(&app).await;
    let sandbox = sandbox_url(&app).await;
    let key = sandbox_key(&sandbox, "messages");
    let added = app
        .invoke(
            "account_add",
            json!({ "input": { "name": "Messages only", "kind": "api_key", "apiBaseUrl": format!("{sandbox}/api"), "apiKey": key } }),
        )
        .await
        .expect("the account is added");
    app.invoke("account_select", json!({ "id": added["id"] })).await.expect("selected");
    app.open("contacts").await;
    let right = app
        .wait_until("the missing-right notice", "document.querySelector('.missing-right')?.dataset.missingRight")
        .await;
    assert_eq!(right, json!("Access to events and contacts"));
    let text = app.text(".missing-right").await;
    assert!(text.contains("What to change in Yespo"), "{text}");
    assert!(text.contains("API keys"), "says where keys are edited: {text}");
    assert!(!text.contains(&key), "the key is never shown");
    app.screenshot("contacts-missing-right").await;
    app.quit().await;
}
