//! E2E: the Messages screen in demo mode, over the sandbox (which logs every request it gets).
//! Hostile email HTML runs nothing, navigates nowhere and fetches nothing until "Load images",
//! and then only the images, by the app's Rust client; a message read twice costs one read; the
//! hourly read limit shows the budget message; SMS and push previews.

mod common;

use common::demo::{
    basic, change_knobs, last_request_seq, log_in_demo, requests_since, sandbox_key, sandbox_url, send_with,
};
use common::{require_keychain, App, Launch};
use fantoccini::Locator;
use serde_json::{json, Value};
use std::time::Duration;

/// Adds an email template to the sandbox through Yespo's own `POST messages/email`.
fn add_template(sandbox: &str, key: &str, name: &str, html: &str) -> i64 {
    let body =
        json!({ "name": name, "from": "\"Tests\" <tests@demo-store.example>", "subject": name, "htmlText": html });
    let answer = send_with(
        "POST",
        &format!("{sandbox}/api/v1/messages/email"),
        &[("Authorization", &basic(key))],
        Some(("application/json", &body.to_string())),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["id"].as_i64().expect("an id")
}

/// Requests the sandbox got after `since` that are not the app's own API calls.
fn not_api(log: &[Value]) -> Vec<String> {
    log.iter()
        .map(|r| format!("{} {}", r["path"].as_str().unwrap(), r["userAgent"].as_str().unwrap_or_default()))
        .filter(|r| !r.starts_with("/api/"))
        .collect()
}

/// Searches the current tab for `name` and opens the first row.
async fn open_message(app: &App, name: &str) {
    let input = app.wait_for("input[name='message-search']").await;
    input.clear().await.unwrap();
    input.send_keys(name).await.unwrap();
    input.send_keys("\u{e007}").await.unwrap();
    app.wait_until(
        "the search is shown",
        &format!(
            "(() => {{ const rows = [...document.querySelectorAll('.vt-layer .vt-row:not(.loading)')];
            return rows.length > 0 && rows.every((r) => r.children[1].textContent.includes({name:?})); }})()"
        ),
    )
    .await;
    let index = app
        .wait_until(
            "the row's index",
            &format!("[...document.querySelectorAll('.vt-layer .vt-row:not(.loading)')].find((r) => r.children[1].textContent === {name:?})?.dataset.index"),
        )
        .await;
    let row = format!(".vt-layer .vt-row[data-index='{}'] .vt-cell", index.as_str().unwrap());
    app.wait_for(&row).await.click().await.unwrap();
    app.wait_until("the message is open", "!!document.querySelector('#message-detail') && !document.querySelector('#message-detail').textContent.includes('Opening…')").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_emails_run_nothing_and_fetch_nothing_until_images_are_loaded_by_rust() {
    require_keychain();
    let app = App::launch(Launch { args: vec!["--demo"], ..Launch::default() }).await;
    log_in_demo(&app).await;
    let sandbox = sandbox_url(&app).await;
    let key = sandbox_key(&sandbox, "full_access");
    // One template per trick; every address is on the sandbox, so whatever gets through shows in
    // its request log.
    let s = &sandbox;
    let tricks = [
        ("Test: javascript link", format!("<p><a href=\"javascript:fetch('{s}/pwned/js-link')\">Open</a> <a href=\"JaVaScRiPt:fetch('{s}/pwned/js2')\">Two</a></p>")),
        ("Test: svg onload", format!("<svg onload=\"fetch('{s}/pwned/svg')\"><circle r=\"4\"/></svg><p>svg</p>")),
        ("Test: meta refresh", format!("<html><head><meta http-equiv=\"refresh\" content=\"0;url={s}/pwned/refresh\"></head><body><p>refresh</p></body></html>")),
        ("Test: form posting elsewhere", format!("<form action=\"{s}/pwned/form\" method=\"post\"><input name=\"password\" value=\"x\"><button type=\"submit\">Send</button></form>")),
        ("Test: css url", format!("<html><head><style>body {{ background: #fafafa url({s}/pwned/css-block.png) }} @import url({s}/pwned/import.css);</style></head><body><div style=\"background-image:url({s}/pwned/css-inline.png)\">css</div></body></html>")),
        ("Test: remote image", format!("<p>Logo:</p><img src=\"{s}/img/logo.png\" width=\"140\" height=\"40\" alt=\"logo\"><img src=\"{s}/img/banner.gif\" alt=\"banner\">")),
    ];
    for (name, html) in &tricks {
        add_template(&sandbox, &key, name, html);
    }
    app.open("messages").await;
    app.wait_for(".vt-layer .vt-row:not(.loading)").await;

    let mut names: Vec<&str> = tricks.iter().map(|(n, _)| *n).collect();
    names.push("Security test: script and onerror");
    for name in &names {
        let before = last_request_seq(&sandbox);
        open_message(&app, name).await;
        let frame = app.wait_for("#message-detail iframe.email-frame").await;
        assert_eq!(frame.attr("sandbox").await.unwrap().as_deref(), Some(""), "no scripts, no same origin");
        let document = frame.attr("srcdoc").await.unwrap().unwrap_or_default().to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onload",
            "javascript:",
            "http-equiv=\"refresh",
            "<form",
            "url(",
            "/pwned/",
            "/attacker/",
            "<iframe",
            "<svg",
        ] {
            assert!(!document.contains(bad), "{name}: {bad} survived the sanitiser");
        }
        assert!(document.contains("content-security-policy"), "{name}: the frame has its own CSP");
        // Click every link in the frame as a user would: nothing navigates.
        let url = app.client.current_url().await.unwrap();
        app.client.enter_frame(0).await.unwrap();
        for link in app.client.find_all(Locator::Css("a")).await.unwrap_or_default() {
            let _ = link.click().await;
        }
        let inside = app.client.execute("return [typeof window.__pwned, location.href]", vec![]).await.unwrap();
        app.client.enter_parent_frame().await.unwrap();
        assert_eq!(inside, json!(["undefined", "about:srcdoc"]), "{name}: nothing ran or navigated in the frame");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(app.client.current_url().await.unwrap(), url, "{name}: the window did not navigate");
        let pwned = app.client.execute("return window.__pwned === undefined", vec![]).await.unwrap();
        assert_eq!(pwned, json!(true), "{name}: nothing ran in the window");
        let leaked = not_api(&requests_since(&sandbox, before));
        assert!(leaked.is_empty(), "{name}: the preview made requests: {leaked:?}");
        app.wait_for("#message-detail").await; // still showing
        if name.starts_with("Security test") {
            app.screenshot("messages-hostile-email").await;
        }
    }

    // "Load images": the images, and only them, fetched by the app (not the web view).
    open_message(&app, "Test: remote image").await;
    let before = last_request_seq(&sandbox);
    app.wait_for("[data-action='load-images']").await.click().await.unwrap();
    app.wait_until(
        "images loaded",
        "document.querySelector(\"[data-field='images']\").textContent.includes('loaded by the app')",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let fetched = not_api(&requests_since(&sandbox, before));
    assert_eq!(fetched.len(), 2, "{fetched:?}");
    assert!(fetched.iter().all(|r| r.starts_with("/img/") && r.contains("YespoAdmin/")), "{fetched:?}");
    let document = app.wait_for("#message-detail iframe.email-frame").await.attr("srcdoc").await.unwrap().unwrap();
    assert!(document.contains("data:image/png;base64,") && document.contains("data:image/gif;base64,"), "inlined");
    app.screenshot("messages-images-loaded").await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_read_twice_costs_one_read_and_the_hourly_limit_shows_the_budget() {
    require_keychain();
    let app = App::launch(Launch { args: vec!["--demo"], ..Launch::default() }).await;
    log_in_demo(&app).await;
    let sandbox = sandbox_url(&app).await;
    app.open("messages").await;
    app.wait_for(".vt-layer .vt-row:not(.loading)").await;
    let first_id = app
        .wait_until("an id", "document.querySelector('.vt-layer .vt-row:not(.loading)').children[0].textContent")
        .await
        .as_str()
        .unwrap()
        .to_string();
    let before = last_request_seq(&sandbox);
    for _ in 0..2 {
        app.wait_for(".vt-layer .vt-row[data-index='0'] .vt-cell").await.click().await.unwrap();
        app.wait_for("#message-detail iframe.email-frame").await;
        app.press('\u{e00c}').await; // Esc closes it
        app.wait_until("closed", "!document.querySelector('#message-detail')").await;
    }
    let log = requests_since(&sandbox, before);
    println!("{first_id}: {:?}", log.iter().map(|r| r["path"].to_string()).collect::<Vec<_>>());
    let reads = log.iter().filter(|r| r["path"] == format!("/api/v1/messages/email/{first_id}")).count();
    assert_eq!(reads, 1, "the second opening came from the cache");
    app.wait_for(".vt-layer .vt-row[data-index='0'] .vt-cell").await.click().await.unwrap();
    app.wait_for("#message-detail iframe.email-frame").await;
    app.screenshot("messages-email").await;
    // The email looks as its author made it: its inline styles apply inside the frame (the
    // app's CSP, which a srcdoc frame inherits, allows inline styles; scripts stay off).
    app.client.enter_frame(0).await.unwrap();
    let background = app.client.execute("return getComputedStyle(document.body).backgroundColor", vec![]).await;
    app.client.enter_parent_frame().await.unwrap();
    assert_eq!(background.unwrap(), json!("rgb(244, 245, 247)"), "the email's own body colour");

    // SMS: the text as the phone shows it, with its length in parts.
    app.wait_for(".tabs [data-kind='sms']").await.click().await.unwrap();
    app.wait_for(".vt-layer .vt-row:not(.loading) .vt-cell").await.click().await.unwrap();
    let length = app.wait_for("#message-detail [data-field='sms-length']").await.text().await.unwrap();
    assert!(length.contains("part") && (length.contains("GSM-7") || length.contains("UCS-2")), "{length}");
    app.screenshot("messages-sms").await;
    // Mobile push: title and text as plain text.
    app.wait_for(".tabs [data-kind='push']").await.click().await.unwrap();
    app.wait_for(".vt-layer .vt-row:not(.loading) .vt-cell").await.click().await.unwrap();
    let title = app.wait_for("#message-detail [data-field='push-title']").await.text().await.unwrap();
    assert!(!title.is_empty());
    app.screenshot("messages-push").await;

    // Yespo's hourly limit reached: the next read says so, and the screen keeps working.
    change_knobs(&sandbox, |k| k["message_reads_per_hour"] = json!(1));
    app.wait_for(".tabs [data-kind='email']").await.click().await.unwrap();
    app.wait_for(".vt-layer .vt-row:not(.loading)").await;
    // New knobs start a new window: the first read may still go through, the next cannot.
    // Keyboard: the list has the focus, ↓ moves, Enter opens.
    app.client.execute("document.querySelector('.vt-viewport').focus()", vec![]).await.unwrap();
    app.press('\u{e00c}').await; // Esc: no message open
    for _ in 0..3 {
        app.press('\u{e015}').await; // ↓
    }
    for _ in 3..6 {
        app.press('\u{e015}').await; // ↓
        app.press('\u{e007}').await; // Enter
        app.wait_until("the message is open", "!!document.querySelector('#message-detail') && !document.querySelector('#message-detail').textContent.includes('Opening…')").await;
        if app.client.find(Locator::Css("#message-detail .error-banner")).await.is_ok() {
            break;
        }
    }
    let banner = app.wait_for("#message-detail .error-banner").await;
    assert_eq!(banner.attr("data-error-code").await.unwrap().as_deref(), Some("rate_limited"));
    let budget = app.wait_for("[data-field='budget'][data-state='blocked']").await.text().await.unwrap();
    assert!(budget.contains("message reads an hour"), "{budget}");
    app.screenshot("messages-read-limit").await;
    // The message read before still opens (from the cache, no read).
    app.wait_for(".vt-layer .vt-row[data-index='0'] .vt-cell").await.click().await.unwrap();
    app.wait_for("#message-detail iframe.email-frame").await;
    app.quit().await;
}
