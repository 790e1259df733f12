//! E2E: the app shell in the real window (tauri-driver + WebKitWebDriver, under Xvfb in CI).

mod common;

use common::{app_binary, App, Launch};
use fantoccini::Locator;
use std::process::Command;
use std::time::{Duration, Instant};

const AREAS: [&str; 8] =
    ["Accounts", "Registration check", "Contacts", "Segments", "Messages", "Account", "Token import", "Settings"];
/// Areas that work already.
const READY: [&str; 8] =
    ["Accounts", "Registration check", "Contacts", "Segments", "Messages", "Account", "Token import", "Settings"];

fn expected_profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

fn test_keychain_is_up() -> bool {
    std::env::var_os("YESPO_ADMIN_TEST_KEYCHAIN").is_some()
}

#[tokio::test(flavor = "multi_thread")]
async fn shell_lists_every_area_and_shows_facts_from_rust() {
    let app = App::launch(Launch::default()).await;

    // Sidebar: every product area, in order; the ones not built yet disabled with "coming soon".
    let items = app.client.find_all(Locator::Css("#nav .nav-item")).await.unwrap();
    assert_eq!(items.len(), AREAS.len());
    for (item, label) in items.iter().zip(AREAS) {
        let text = item.text().await.unwrap();
        assert!(text.contains(label), "sidebar item `{text}` should be `{label}`");
        if READY.contains(&label) {
            assert!(!text.to_lowercase().contains("coming soon"), "`{label}` is built: {text}");
            assert!(item.attr("href").await.unwrap().is_some(), "{label} links to its screen");
            continue;
        }
        assert!(text.to_lowercase().contains("coming soon"), "`{label}` should say coming soon: {text}");
        assert_eq!(item.attr("aria-disabled").await.unwrap().as_deref(), Some("true"), "{label}");
        assert_eq!(item.attr("href").await.unwrap(), None, "a disabled area must not link anywhere: {label}");
    }
    // The first screen is Accounts.
    app.wait_for(".nav-item.active[data-area='accounts']").await;
    app.open("about").await;
    let about = app.wait_for("#nav-footer .nav-item[data-area='about']").await;
    assert_eq!(about.attr("aria-current").await.unwrap().as_deref(), Some("page"));

    // IPC round trip: these values exist only in Rust.
    assert_eq!(app.text("[data-field='version']").await, env!("CARGO_PKG_VERSION"));
    assert_eq!(app.text("[data-field='build-profile']").await, expected_profile());
    assert_eq!(app.text("[data-field='identifier']").await, "org.yespoadmin.desktop");
    assert_eq!(app.text("[data-field='log-dir']").await, app.log_dir().display().to_string());
    assert_eq!(app.text("#status-version").await, format!("v{} · {}", env!("CARGO_PKG_VERSION"), expected_profile()));

    if test_keychain_is_up() {
        assert_eq!(app.text("[data-field='keychain']").await, "Available: Secret Service");
        assert_eq!(app.text("#status-keychain").await, "Keychain: Secret Service");
    }

    // Rust logs to the OS log folder (here: the test profile's).
    let log = app.app_log_text();
    assert!(log.contains("Yespo Admin starting"), "log file: {log}");

    // Not in demo mode: no badge, live mode.
    let badge = app.client.find(Locator::Css("#demo-badge")).await.unwrap();
    assert!(!badge.is_displayed().await.unwrap(), "no Demo badge outside demo mode");
    assert_eq!(app.text("[data-field='mode']").await, "Live: your Yespo account");

    app.screenshot("shell").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_from_rust_is_shown_with_its_code() {
    // No D-Bus session: the Secret Service cannot be reached, so the keychain check fails in Rust
    // with `keychain_unavailable`, and the UI must show that code, the message and the details.
    let app = App::launch(Launch {
        set: vec![("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/yespo-e2e-bus")],
        ..Launch::default()
    })
    .await;
    app.open("about").await;

    let banner = app.wait_for("#keychain .error-banner").await;
    assert_eq!(banner.attr("data-error-code").await.unwrap().as_deref(), Some("keychain_unavailable"));
    assert_eq!(app.text("#keychain .error-code").await, "keychain_unavailable");
    assert_eq!(app.text("#keychain .error-label").await, "Keychain unavailable");
    let message = app.text("#keychain .error-message").await;
    assert!(message.contains("Secret Service could not be reached"), "{message}");
    assert_eq!(app.text("#status-keychain").await, "Keychain unavailable");

    // Details on demand.
    let details = app.wait_for("#keychain .error-details").await;
    assert!(!details.is_displayed().await.unwrap(), "details start hidden");
    app.wait_for("#keychain .error-details-toggle").await.click().await.unwrap();
    assert!(details.is_displayed().await.unwrap(), "details show after the click");
    assert!(!details.text().await.unwrap().is_empty());

    // An error nobody handles still reaches the user, as a toast with its code.
    app.client.execute("window.__TAURI__.core.invoke('plugin:app|version'); return true;", vec![]).await.unwrap();
    let toast = app.wait_for(".toast .error-banner[data-error-code='internal']").await;
    let toast_text = toast.text().await.unwrap();
    assert!(toast_text.contains("not allowed"), "{toast_text}");
    app.wait_for(".toast .toast-close").await.click().await.unwrap();
    assert!(app.client.find_all(Locator::Css(".toast")).await.unwrap().is_empty(), "the toast is dismissed");

    // The failure is logged by the command layer with its code.
    let log = app.app_log_text();
    assert!(log.contains("command failed") && log.contains("keychain_unavailable"), "log file: {log}");

    app.screenshot("error-keychain-unavailable").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_security_baseline_holds_in_the_window() {
    let app = App::launch(Launch::default()).await;
    let call = |command: &str| {
        format!("window.__TAURI__.core.invoke('{command}').then(v => done({{ok: v}}), e => done({{err: String(e)}}));")
    };
    // Granted: one of our own commands.
    let granted = app.run_async_script(&call("app_info")).await;
    assert_eq!(granted["ok"]["version"], env!("CARGO_PKG_VERSION"), "{granted}");
    // Not granted: a core plugin command the main window has no permission for.
    let refused = app.run_async_script(&call("plugin:app|version")).await;
    let error = refused["err"].as_str().unwrap_or_else(|| panic!("expected a refusal, got {refused}"));
    assert!(error.contains("not allowed"), "{error}");

    // The CSP is in force: an injected inline script and a remote script are both refused, and
    // the browser reports each as a CSP violation (so it is the policy, not the closed network).
    let csp = app
        .run_async_script(
            "const violations = [];
             document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
             window.__inlineRan = false;
             const inline = document.createElement('script');
             inline.textContent = 'window.__inlineRan = true';
             document.head.append(inline);
             const remote = document.createElement('script');
             remote.src = 'https://example.com/x.js';
             const finish = () => setTimeout(() => done({inline: window.__inlineRan, violations: violations.length}), 50);
             remote.onload = finish;
             remote.onerror = finish;
             document.head.append(remote);",
        )
        .await;
    assert_eq!(csp, serde_json::json!({"inline": false, "violations": 2}), "{csp}");

    // freezePrototype: built-in prototypes cannot be polluted.
    let frozen = app.run_async_script("done(Object.isFrozen(Object.prototype));").await;
    assert_eq!(frozen, serde_json::json!(true));
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_launch_focuses_the_first_window_and_exits() {
    let app = App::launch(Launch::default()).await;

    // The same profile, started the way a user would: the binary, directly.
    let started = Instant::now();
    let mut second = Command::new(app_binary()).env("YESPO_ADMIN_HOME", app.profile.path()).spawn().unwrap();
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = second.kill();
            panic!("the second launch did not exit: single-instance is not working");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "the second launch should hand over and exit cleanly: {status}");

    // The first instance got the hand-over and is still alive and responsive.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !app.app_log_text().contains("second launch: focusing the main window") {
        assert!(Instant::now() < deadline, "the first instance never saw the second launch:\n{}", app.app_log_text());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.open("about").await;
    assert_eq!(app.text("[data-field='version']").await, env!("CARGO_PKG_VERSION"));
    app.quit().await;
}
