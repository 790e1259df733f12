//! E2E: the Settings screen. The theme applies at once and from the start after a restart; the
//! upload concurrency and the log level are saved in the config folder; a value out of range is
//! refused; a damaged settings file is kept aside, the defaults are used and the screen says so.

mod common;

use common::{App, Launch};
use serde_json::{json, Value};

const DARK_BACKGROUND: &str = "rgb(23, 21, 31)";
const LIGHT_BACKGROUND: &str = "rgb(247, 246, 251)";

async fn background(app: &App) -> Value {
    app.client.execute("return getComputedStyle(document.documentElement).backgroundColor", vec![]).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_are_saved_applied_and_survive_a_restart_and_a_damaged_file() {
    let profile = tempfile::Builder::new().prefix("yespo-e2e-settings-").tempdir().unwrap();
    let launch = || Launch { profile: Some(profile.path()), ..Launch::default() };
    let file = profile.path().join("config").join("settings.json");

    let app = App::launch(launch()).await;
    assert_eq!(background(&app).await, json!(LIGHT_BACKGROUND), "the system (Xvfb, no GTK theme) is light");
    app.open("settings").await;
    app.wait_for("#settings-form input[name='theme'][value='dark']").await.click().await.unwrap();
    app.wait_until("the dark theme", "document.documentElement.dataset.theme === 'dark'").await;
    assert_eq!(background(&app).await, json!(DARK_BACKGROUND));
    let concurrency = app.wait_for("#settings-form input[name='uploadConcurrency']").await;
    concurrency.clear().await.unwrap();
    concurrency.send_keys("4\t").await.unwrap();
    app.wait_for("#settings-form select[name='logLevel']").await.select_by_value("debug").await.unwrap();
    app.wait_until("saved", "document.getElementById('settings-status').textContent === 'Saved.'").await;
    let saved = || -> Value { serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap() };
    // The last change (the log level) may still be on its way to the file.
    for _ in 0..50 {
        if saved()["logLevel"] == "debug" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(saved(), json!({ "theme": "dark", "uploadConcurrency": 4, "logLevel": "debug" }));
    app.screenshot("settings-dark").await;

    // Out of range: refused with a reason, nothing saved.
    concurrency.clear().await.unwrap();
    concurrency.send_keys("9\t").await.unwrap();
    let refused = app.wait_for("#settings-form .error-banner").await;
    assert_eq!(refused.attr("data-error-code").await.unwrap().as_deref(), Some("validation"));
    assert!(refused.text().await.unwrap().contains("1 to 6"));
    assert_eq!(saved()["uploadConcurrency"], 4);
    app.quit().await;

    // After a restart: dark from the first screen, the values as saved.
    let app = App::launch(launch()).await;
    assert_eq!(
        app.client.execute("return document.documentElement.dataset.theme", vec![]).await.unwrap(),
        json!("dark")
    );
    assert_eq!(background(&app).await, json!(DARK_BACKGROUND));
    app.open("settings").await;
    let value = app.wait_for("#settings-form input[name='uploadConcurrency']").await.prop("value").await.unwrap();
    assert_eq!(value.as_deref(), Some("4"));
    app.quit().await;

    // A damaged file: kept aside, the defaults used, and the screen says where the old one is.
    std::fs::write(&file, "{ this is not json").unwrap();
    let app = App::launch(launch()).await;
    assert_eq!(background(&app).await, json!(LIGHT_BACKGROUND), "the defaults: as the system");
    app.open("settings").await;
    let notice = app.wait_for("#settings-damaged code").await.text().await.unwrap();
    assert!(notice.contains("settings.damaged-"), "{notice}");
    assert_eq!(std::fs::read_to_string(&notice).unwrap(), "{ this is not json");
    assert!(!file.exists(), "the damaged file was moved, not left to be read again");
    app.screenshot("settings-damaged").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn forget_everything_names_what_goes_then_removes_accounts_secrets_and_settings() {
    common::require_keychain();
    let app = App::launch(Launch { args: vec!["--demo"], ..Launch::default() }).await;
    let account = common::demo::log_in_demo(&app).await;
    assert!(common::demo::keychain_secret(&account, "refresh-token").is_some());
    app.open("settings").await;
    app.wait_for("#settings-form input[name='theme'][value='dark']").await.click().await.unwrap();
    app.wait_until("saved", "document.getElementById('settings-status').textContent === 'Saved.'").await;

    app.wait_for("[data-action='forget-start']").await.click().await.unwrap();
    let list = app.text("[data-field='forget-list']").await;
    assert!(list.contains("1 account (Demo store (sandbox))") && list.contains("keychain"), "{list}");
    assert!(list.contains("upload history") && list.contains("These settings"), "{list}");
    app.screenshot("settings-forget-confirm").await;
    app.wait_for("[data-action='forget-confirm']").await.click().await.unwrap();
    common::demo::wait_text(&app, "#settings-status", "Everything was forgotten.").await;
    assert_eq!(
        app.client.execute("return document.documentElement.dataset.theme", vec![]).await.unwrap(),
        json!("light")
    );
    for kind in ["client-secret", "access-token", "refresh-token"] {
        assert!(common::demo::keychain_secret(&account, kind).is_none(), "{kind} is still in the keychain");
    }
    let config = app.profile.path().join("config");
    assert!(!config.join("settings.json").exists() && !config.join("accounts.json").exists());
    app.open("accounts").await;
    app.wait_for(".add-account-summary").await;
    let cards = app.client.find_all(fantoccini::Locator::Css("[data-account]")).await.unwrap();
    assert!(cards.is_empty(), "no account is left");
    app.quit().await;
}
