//! E2E: the window follows the OS's light or dark setting (GTK's, here: `GTK_THEME=Adwaita:dark`
//! is how a desktop asks for dark), and a screenshot of every screen in each, under `target/e2e/`.
//! The email preview keeps the email's own colours in both.

mod common;

use common::demo::log_in_demo;
use common::{require_keychain, App, Launch};
use serde_json::json;

async fn every_screen(theme: &str, gtk_theme: &str) {
    require_keychain();
    let app =
        App::launch(Launch { args: vec!["--demo"], set: vec![("GTK_THEME", gtk_theme)], ..Launch::default() }).await;
    let dark = app.client.execute("return matchMedia('(prefers-color-scheme: dark)').matches", vec![]).await.unwrap();
    assert_eq!(dark, json!(theme == "dark"), "the page sees the OS setting");
    let background =
        app.client.execute("return getComputedStyle(document.documentElement).backgroundColor", vec![]).await.unwrap();
    let expected = if theme == "dark" { "rgb(23, 21, 31)" } else { "rgb(247, 246, 251)" };
    assert_eq!(background, json!(expected), "the app's own colours follow it");
    log_in_demo(&app).await;
    app.screenshot(&format!("theme-{theme}-accounts")).await;

    app.open("contacts").await;
    app.wait_for(".vt-layer .vt-row:not(.loading) .vt-cell").await.click().await.unwrap();
    app.wait_for("#contact-detail").await;
    app.screenshot(&format!("theme-{theme}-contacts")).await;

    app.open("segments").await;
    app.wait_for(".segment-list .vt-layer .vt-row:not(.loading) .vt-cell").await.click().await.unwrap();
    app.wait_for(".segment-members .vt-layer .vt-row:not(.loading)").await;
    app.screenshot(&format!("theme-{theme}-segments")).await;

    app.open("messages").await;
    app.wait_for(".vt-layer .vt-row:not(.loading) .vt-cell").await.click().await.unwrap();
    app.wait_for("#message-detail iframe.email-frame").await;
    app.client.enter_frame(0).await.unwrap();
    let email = app.client.execute("return getComputedStyle(document.body).backgroundColor", vec![]).await.unwrap();
    app.client.enter_parent_frame().await.unwrap();
    assert_eq!(email, json!("rgb(244, 245, 247)"), "the email keeps its author's colours");
    app.screenshot(&format!("theme-{theme}-messages-email")).await;
    app.wait_for(".tabs [data-kind='sms']").await.click().await.unwrap();
    app.wait_for(".vt-layer .vt-row:not(.loading) .vt-cell").await.click().await.unwrap();
    app.wait_for("#message-detail [data-field='sms-length']").await;
    app.screenshot(&format!("theme-{theme}-messages-sms")).await;
    app.wait_for(".tabs [data-kind='push']").await.click().await.unwrap();
    app.wait_for(".vt-layer .vt-row:not(.loading) .vt-cell").await.click().await.unwrap();
    app.wait_for("#message-detail [data-field='push-title']").await;
    app.screenshot(&format!("theme-{theme}-messages-push")).await;

    app.open("account").await;
    app.wait_for("#account-balance").await;
    app.screenshot(&format!("theme-{theme}-account")).await;
    app.open("token-import").await;
    app.screenshot(&format!("theme-{theme}-token-import")).await;
    app.open("about").await;
    app.screenshot(&format!("theme-{theme}-about")).await;
    app.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_screen_in_the_light_theme() {
    every_screen("light", "Adwaita").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_screen_in_the_dark_theme() {
    every_screen("dark", "Adwaita:dark").await;
}
