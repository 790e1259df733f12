//! E2E: sessions and login hardening in the real window, in demo mode. Two clicks on "Log in"
//! and a reload open one browser page and the login completes; two commands at once on an
//! expired token make one refresh; a damaged account list is kept aside and the window says where.

mod common;

use common::demo::{change_knobs, consent, sandbox_url, token_requests, wait_text};
use common::{App, Launch};
use serde_json::json;
use std::time::Duration;

/// A stand-in for the system browser: `xdg-open` that only notes each page it was asked to open.
fn fake_browser(dir: &std::path::Path) -> (String, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let opened = dir.join("opened.txt");
    let script = bin.join("xdg-open");
    std::fs::write(&script, format!("#!/bin/sh\necho \"$1\" >> '{}'\n", opened.display())).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    (path, opened)
}

fn pages_opened(opened: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(opened).unwrap_or_default().lines().map(str::to_string).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_log_in_clicks_and_two_commands_at_once_stay_one_login_and_one_refresh() {
    if std::env::var_os("YESPO_ADMIN_TEST_KEYCHAIN").is_none() {
        panic!("this test needs the test keychain: run it with ./dev test");
    }
    let scratch = tempfile::tempdir().unwrap();
    let (path, opened) = fake_browser(scratch.path());
    let app = App::launch(Launch { args: vec!["--demo"], set: vec![("PATH", &path)], ..Launch::default() }).await;
    let sandbox = sandbox_url(&app).await;
    let card = app.wait_for("[data-account][data-state='logged_out']").await;
    let id = card.attr("data-account").await.unwrap().unwrap();
    let card = format!("[data-account='{id}']");
    // Short-lived tokens for this login, so it can expire within the test.
    change_knobs(&sandbox, |k| k["access_token_ttl_secs"] = json!(3));

    // A double click on "Log in": the second click finds the button disabled.
    let clicked = app
        .run_async_script(&format!(
            "const b = document.querySelector(\"{card} button.login\"); b.click(); b.click(); done(b.disabled);"
        ))
        .await;
    assert_eq!(clicked, json!(true), "the button is disabled while the login starts");
    let url = app.wait_for(&format!("{card} #login-panel [data-field='login-url']")).await.text().await.unwrap();
    // Two commands at once, as a second window or a stale click would send them: one login.
    let both = app
        .run_async_script(&format!(
            "const invoke = window.__TAURI__.core.invoke;
             Promise.all([invoke('login_start', {{ id: '{id}' }}), invoke('login_start', {{ id: '{id}' }})])
               .then((r) => done(r.map((s) => [s.loginId, s.authorizeUrl, s.reused])), (e) => done(String(e)));"
        ))
        .await;
    let both = both.as_array().unwrap_or_else(|| panic!("{both}"));
    assert!(both.iter().all(|s| s[1] == json!(url) && s[2] == json!(true)), "{both:?}");
    // A reloaded window picks the waiting login up again.
    app.client.refresh().await.unwrap();
    app.wait_ready().await;
    let again = app.wait_for(&format!("{card} #login-panel [data-field='login-url']")).await.text().await.unwrap();
    assert_eq!(again, url);
    app.screenshot("sessions-login-resumed-after-reload").await;
    tokio::task::spawn_blocking(move || consent(&url)).await.unwrap();
    wait_text(&app, &format!("{card} [data-field='state']"), "Connected").await;
    assert_eq!(pages_opened(&opened).len(), 1, "one browser page: {:?}", pages_opened(&opened));

    // Let the access token expire (new ones live long again), then two commands at once.
    change_knobs(&sandbox, |k| k["access_token_ttl_secs"] = json!(172_800));
    tokio::time::sleep(Duration::from_millis(3300)).await;
    let refreshes = token_requests(&sandbox, "refresh_token");
    let verified = app
        .run_async_script(&format!(
            "const invoke = window.__TAURI__.core.invoke;
             Promise.all([invoke('account_verify', {{ id: '{id}' }}), invoke('account_verify', {{ id: '{id}' }})])
               .then((r) => done(r.map((a) => a.state)), (e) => done(JSON.stringify(e)));"
        ))
        .await;
    assert_eq!(verified, json!(["connected", "connected"]));
    assert_eq!(token_requests(&sandbox, "refresh_token") - refreshes, 1, "exactly one refresh");
    // And a double click on "Check connection" as a user would do it.
    app.run_async_script(&format!(
        "const b = document.querySelector(\"{card} button.check\"); b.click(); b.click(); done(true);"
    ))
    .await;
    wait_text(&app, &format!("{card} [data-field='checked']"), "The connection works.").await;
    wait_text(&app, &format!("{card} [data-field='state']"), "Connected").await;
    assert_eq!(token_requests(&sandbox, "refresh_token") - refreshes, 1);
    app.screenshot("sessions-connected-after-one-refresh").await;

    // Edit: a new name keeps the login; the form sends only what changed.
    app.wait_for(&format!("{card} button.edit")).await.click().await.unwrap();
    let name = app.wait_for(&format!("{card} form.edit-account input[name='name']")).await;
    name.clear().await.unwrap();
    name.send_keys("Demo store EU").await.unwrap();
    app.screenshot("sessions-edit-form").await;
    app.wait_for(&format!("{card} button.save-edit")).await.click().await.unwrap();
    wait_text(&app, &format!("{card} h2"), "Demo store EU").await;
    assert_eq!(app.text(&format!("{card} [data-field='state']")).await, "Connected");
    // A Callback URL that is not this computer's is refused, with the reason, and nothing changes.
    app.wait_for(&format!("{card} button.edit")).await.click().await.unwrap();
    let callback = app.wait_for(&format!("{card} form.edit-account input[name='callbackUrl']")).await;
    callback.clear().await.unwrap();
    callback.send_keys("https://example.com/callback").await.unwrap();
    app.wait_for(&format!("{card} button.save-edit")).await.click().await.unwrap();
    let banner = app.wait_for(&format!("{card} .card-banner .error-banner")).await;
    assert_eq!(banner.attr("data-error-code").await.unwrap().as_deref(), Some("validation"));
    assert!(banner.text().await.unwrap().contains("Callback URL"));
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_account_list_is_kept_aside_and_the_window_says_where() {
    let profile = tempfile::Builder::new().prefix("yespo-e2e-damaged-").tempdir().unwrap();
    let config = profile.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    let damaged = b"{\"accounts\": [{\"id\": \"acc-1\", \"name\": \"Shop\"";
    std::fs::write(config.join("accounts.json"), damaged).unwrap();

    let app = App::launch(Launch { profile: Some(profile.path()), ..Launch::default() }).await;
    let kept_at = app.text("#damaged-accounts [data-field='damaged-file']").await;
    assert!(kept_at.contains("accounts.damaged-"), "{kept_at}");
    assert_eq!(std::fs::read(&kept_at).expect("the old file is where the window says"), damaged);
    // The app works: the list is empty and an account can be added.
    app.wait_for("#no-accounts").await;
    app.wait_for("#add-account").await;
    app.screenshot("accounts-damaged-list-kept-aside").await;
    app.quit().await;
}
