//! E2E: the Browse screens in demo mode, over the sandbox. The Account panel shows the
//! organisation, the balance, the address-book fields, the subscription categories and the
//! senders, each from its own read.

mod common;

use common::demo::{log_in_demo, ORGANISATION};
use common::{App, Launch};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread")]
async fn the_account_panel_shows_what_the_account_is() {
    if std::env::var_os("YESPO_ADMIN_TEST_KEYCHAIN").is_none() {
        panic!("this test needs the test keychain: run it with ./dev test");
    }
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
async fn a_contact_found_by_email_shows_its_push_device_fields_and_segments() {
    if std::env::var_os("YESPO_ADMIN_TEST_KEYCHAIN").is_none() {
        panic!("this test needs the test keychain: run it with ./dev test");
    }
    let app = App::launch(Launch { args: vec!["--demo"], ..Launch::default() }).await;
    log_in_demo(&app).await;
    app.open("contacts").await;
    app.wait_for(".vt-layer .vt-row:not(.loading)").await;
    let total = app.text("[data-field='total']").await;
    assert!(total.contains("contacts, as Yespo answered at"), "{total}");
    app.screenshot("contacts").await;

    // A demo contact with a push device and an email, found by that email.
    let page = app
        .invoke("contacts_rows", serde_json::json!({ "view": 99, "query": {}, "start": 0, "count": 500 }))
        .await
        .expect("rows");
    let row = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["pushDevices"].as_u64().unwrap_or(0) > 0 && r["email"].is_string())
        .expect("a contact with a push device and an email")
        .clone();
    let email = row["email"].as_str().unwrap();
    app.wait_for("input[name='contact-search']").await.send_keys(email).await.unwrap();
    app.wait_until("one contact found", "document.querySelectorAll('.vt-layer .vt-row:not(.loading)').length === 1")
        .await;
    app.wait_for(".vt-layer .vt-row").await.click().await.unwrap();
    let detail = app.wait_for("#contact-detail").await;
    let text = detail.text().await.unwrap();
    assert!(text.contains(email), "{text}");
    let push = app.text("#contact-detail [data-channel='mobilepush']").await;
    assert!(push.contains('…'), "the token is masked: {push}");
    assert!(!app.text("#contact-detail [data-field='device-appId']").await.is_empty());
    app.screenshot("contacts-detail").await;
    app.quit().await;
}
