//! E2E: the Accounts screen in demo mode. Log in to the embedded sandbox through the loopback
//! flow (this test plays the browser), see "Connected as …", restart and still be connected
//! (the tokens come from the keychain), log out; then no secret is in the config or log folders.

mod common;

use common::demo::{consent, files_text, keychain_secret, sandbox_url, wait_text, ORGANISATION};
use common::{App, Launch};
use yespo_sandbox::{Right, SandboxConfig};

#[tokio::test(flavor = "multi_thread")]
async fn log_in_to_the_demo_account_survive_a_restart_and_log_out() {
    if std::env::var_os("YESPO_ADMIN_TEST_KEYCHAIN").is_none() {
        panic!("this test needs the test keychain: run it with ./dev test");
    }
    let profile = tempfile::Builder::new().prefix("yespo-e2e-accounts-").tempdir().unwrap();
    let launch = || Launch { args: vec!["--demo"], profile: Some(profile.path()), ..Launch::default() };

    let app = App::launch(launch()).await;
    let card = app.wait_for("[data-account][data-state='logged_out']").await;
    let account_id = card.attr("data-account").await.unwrap().unwrap();
    assert!(card.text().await.unwrap().to_lowercase().contains("sandbox"));
    app.screenshot("accounts-logged-out").await;

    // The Add account form checks its input in Rust and says what is wrong.
    let sandbox_url = sandbox_url(&app).await;
    app.wait_for(".add-account-summary").await.click().await.unwrap();
    app.wait_for("#add-account input[name='name']").await.send_keys("Second shop").await.unwrap();
    app.wait_for("#add-account button[type='submit']").await.click().await.unwrap();
    let banner = app.wait_for("#add-account .error-banner").await;
    assert_eq!(banner.attr("data-error-code").await.unwrap().as_deref(), Some("validation"));
    assert!(banner.text().await.unwrap().contains("Client ID must not be empty"));
    // An API-key account is checked against the API when added.
    let demo = yespo_sandbox::auth::AuthState::seeded(SandboxConfig::default().seed, "");
    let key = demo.keys.iter().find(|k| k.rights == Right::FullAccess).unwrap().key.clone();
    app.wait_for("#add-account select[name='kind']").await.select_by_value("api_key").await.unwrap();
    let address = app.wait_for("#add-account input[name='apiBaseUrl']").await;
    address.clear().await.unwrap();
    address.send_keys(&format!("{sandbox_url}/api")).await.unwrap();
    app.wait_for("#add-account input[name='apiKey']").await.send_keys(&key).await.unwrap();
    app.wait_for("#add-account button[type='submit']").await.click().await.unwrap();
    let second = app.wait_for("[data-account][data-state='connected']").await;
    assert!(second.text().await.unwrap().contains("Second shop"));
    app.screenshot("accounts-api-key-added").await;
    let second_id = second.attr("data-account").await.unwrap().unwrap();
    let api_key_in_keychain = keychain_secret(&second_id, "api-key").expect("the API key is in the keychain");
    assert_eq!(api_key_in_keychain, key);

    // Remove asks in the card first: the way out keeps the account; Remove takes it and its key.
    let second_card = format!("[data-account='{second_id}']");
    app.wait_for(&format!("{second_card} button.remove")).await.click().await.unwrap();
    let question = app.text(&format!("{second_card} .confirm-box")).await;
    assert!(question.contains("Remove “Second shop”") && question.contains("API key"), "{question}");
    app.wait_for(&format!("{second_card} [data-action='keep']")).await.click().await.unwrap();
    app.wait_until("the question is gone", &format!("!document.querySelector(\"{second_card} .confirm-box\")")).await;
    assert!(keychain_secret(&second_id, "api-key").is_some(), "kept: the key is still there");
    app.wait_for(&format!("{second_card} button.remove")).await.click().await.unwrap();
    app.screenshot("accounts-remove-confirm").await;
    app.wait_for(&format!("{second_card} [data-action='confirm']")).await.click().await.unwrap();
    app.wait_until("the card is gone", &format!("!document.querySelector(\"{second_card}\")")).await;
    assert!(keychain_secret(&second_id, "api-key").is_none(), "removed: the key left the keychain");

    app.wait_for(&format!("[data-account='{account_id}'] button.login")).await.click().await.unwrap();
    let url = app.wait_for("#login-panel [data-field='login-url']").await.text().await.unwrap();
    assert!(url.contains("/uaa/oauth/authorize?") && url.contains("code_challenge_method=S256"), "{url}");
    app.screenshot("accounts-login-waiting").await;
    tokio::task::spawn_blocking(move || consent(&url)).await.unwrap();

    let card = format!("[data-account='{account_id}']");
    wait_text(&app, &format!("{card} [data-field='organisation']"), ORGANISATION).await;
    assert_eq!(app.text(&format!("{card} [data-field='state']")).await, "Connected");
    let status = app.text("#status-account").await;
    assert!(status.contains(ORGANISATION), "{status}");
    app.screenshot("accounts-connected").await;
    let access = keychain_secret(&account_id, "access-token").expect("the access token is in the keychain");
    let refresh = keychain_secret(&account_id, "refresh-token").expect("the refresh token is in the keychain");
    let client_secret = keychain_secret(&account_id, "client-secret").expect("the client secret is in the keychain");
    app.quit().await;

    // Restart: still connected, and the tokens from the keychain really work.
    let app = App::launch(launch()).await;
    wait_text(&app, &format!("{card} [data-field='state']"), "Connected").await;
    app.wait_for(&format!("{card} button.check")).await.click().await.unwrap();
    wait_text(&app, &format!("{card} [data-field='checked']"), "The connection works.").await;
    app.screenshot("accounts-after-restart").await;

    app.wait_for(&format!("{card} button.logout")).await.click().await.unwrap();
    wait_text(&app, &format!("{card} [data-field='state']"), "Not logged in").await;
    assert!(keychain_secret(&account_id, "access-token").is_none(), "log out deleted the access token");
    assert!(keychain_secret(&account_id, "refresh-token").is_none(), "log out deleted the refresh token");
    app.screenshot("accounts-logged-out-again").await;
    app.quit().await;

    // No secret in the config or log folders (or anywhere in the profile).
    let everything = files_text(profile.path());
    assert!(everything.contains(&account_id), "the scan read the account list");
    for (what, secret) in
        [("access token", &access), ("refresh token", &refresh), ("client secret", &client_secret), ("API key", &key)]
    {
        assert!(!everything.contains(secret.as_str()), "the {what} is in a file of the profile");
    }
}
