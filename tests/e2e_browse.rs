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
