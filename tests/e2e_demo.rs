//! Demo mode in the real window: `--demo` starts the embedded Yespo sandbox, and the window says
//! so clearly.

mod common;

use common::{App, Launch};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread")]
async fn demo_mode_shows_a_badge_and_runs_a_live_sandbox() {
    let app = App::launch(Launch { args: vec!["--demo"], ..Launch::default() }).await;

    let badge = app.wait_for("#demo-badge").await;
    assert!(badge.is_displayed().await.unwrap(), "the Demo badge is visible");
    assert_eq!(badge.text().await.unwrap().to_lowercase(), "demo");
    let status = app.text("#status-account").await;
    assert!(status.starts_with("Demo mode"), "{status}");

    app.open("about").await;
    let mode = app.text("[data-field='mode']").await;
    let url = mode.strip_prefix("Demo: Yespo sandbox at ").unwrap_or_else(|| panic!("mode row: {mode}"));
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    // The sandbox the window names is really there: it answers like Yespo (401 without a key).
    let response = http_get(&format!("{url}/api/v1/version")).await;
    assert!(response.starts_with("HTTP/1.1 401"), "{response}");
    let log = app.app_log_text();
    assert!(log.contains("demo mode: the embedded Yespo sandbox is running"), "{log}");

    // Badge is in the sidebar on every screen; hovering tells what it means.
    let title = app.client.find(Locator::Css("#demo-badge")).await.unwrap().attr("title").await.unwrap().unwrap();
    assert!(title.contains(url), "{title}");

    app.screenshot("demo").await;
    app.quit().await;
}

/// A bare HTTP/1.1 GET: the app crate has no HTTP client, and the sandbox is plain loopback HTTP.
async fn http_get(url: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!("GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}
