//! E2E: the Accounts screen in demo mode. Log in to the embedded sandbox through the loopback
//! flow (this test plays the browser), see "Connected as …", restart and still be connected
//! (the tokens come from the keychain), log out; then no secret is in the config or log folders.

mod common;

use common::{App, Launch};
use fantoccini::Locator;
use std::path::Path;
use std::time::Duration;
use yespo_core::sandbox::{Right, SandboxConfig};

const ORGANISATION: &str = "Demo Store (Yespo sandbox)";

fn http() -> reqwest_lite::Client {
    reqwest_lite::Client
}

/// A tiny HTTP/1.1 client over std (the app crate has no HTTP client of its own).
mod reqwest_lite {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    pub struct Client;
    pub struct Response {
        pub status: u16,
        pub headers: Vec<(String, String)>,
        pub body: String,
    }

    impl Response {
        pub fn header(&self, name: &str) -> Option<&str> {
            self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
        }
    }

    impl Client {
        pub fn send(&self, method: &str, url: &str, form: Option<&str>) -> Response {
            let rest = url.strip_prefix("http://").expect("http URL");
            let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, "/".into()));
            let mut stream = TcpStream::connect(host).expect("connect");
            let body = form.unwrap_or("");
            let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
            if form.is_some() {
                request.push_str(&format!(
                    "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                    body.len()
                ));
            }
            request.push_str("\r\n");
            request.push_str(body);
            stream.write_all(request.as_bytes()).unwrap();
            let mut raw = Vec::new();
            stream.read_to_end(&mut raw).unwrap();
            let text = String::from_utf8_lossy(&raw).to_string();
            let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
            let mut lines = head.lines();
            let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
            let headers = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect();
            Response { status, headers, body: body.to_string() }
        }
    }
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The user's part: open the authorize URL, read the demo credentials the sandbox shows, allow
/// access, follow the redirect to the app's listener.
fn consent(authorize_url: &str) {
    let client = http();
    let page = client.send("GET", authorize_url, None);
    assert_eq!(page.status, 200, "{}", page.body);
    let html = page.body;
    let hint = html.split("id=\"demo-credentials\"").nth(1).expect("demo credentials on the page");
    let bold: Vec<String> =
        hint.split("<b>").skip(1).take(2).map(|s| unescape(s.split("</b>").next().unwrap())).collect();
    let mut form: Vec<(String, String)> = html
        .split("<input type=\"hidden\" ")
        .skip(1)
        .map(|rest| {
            let name = rest.split("name=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
            let value = unescape(rest.split("value=\"").nth(1).unwrap().split('"').next().unwrap());
            (name, value)
        })
        .collect();
    form.push(("username".into(), bold[0].clone()));
    form.push(("password".into(), bold[1].clone()));
    form.push(("decision".into(), "approve".into()));
    let body = form.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
    let base = authorize_url.split("/uaa/").next().unwrap();
    let posted = client.send("POST", &format!("{base}/uaa/oauth/authorize"), Some(&body));
    assert_eq!(posted.status, 302, "{}", posted.body);
    let landing = client.send("GET", posted.header("location").unwrap(), None);
    assert_eq!(landing.status, 200);
    assert!(landing.body.contains("You can close this tab"), "{}", landing.body);
}

async fn wait_text(app: &App, css: &str, expected: &str) {
    for _ in 0..300 {
        if let Ok(el) = app.client.find(Locator::Css(css)).await {
            if el.text().await.unwrap_or_default() == expected {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never showed {expected:?}");
}

fn files_text(dir: &Path) -> String {
    let mut text = String::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                text.push_str(&files_text(&path));
            } else {
                text.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()));
            }
        }
    }
    text
}

fn keychain_secret(account_id: &str, kind: &str) -> Option<String> {
    let entry = keyring::Entry::new("yespo-admin", &format!("{account_id}/{kind}")).ok()?;
    entry.get_password().ok()
}

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
    let sandbox_url = app.wait_for("#demo-badge").await.attr("title").await.unwrap().unwrap();
    let sandbox_url = sandbox_url.rsplit(' ').next().unwrap().to_string();
    app.wait_for(".add-account-summary").await.click().await.unwrap();
    app.wait_for("#add-account input[name='name']").await.send_keys("Second shop").await.unwrap();
    app.wait_for("#add-account button[type='submit']").await.click().await.unwrap();
    let banner = app.wait_for("#add-account .error-banner").await;
    assert_eq!(banner.attr("data-error-code").await.unwrap().as_deref(), Some("validation"));
    assert!(banner.text().await.unwrap().contains("Client ID must not be empty"));
    // An API-key account is checked against the API when added.
    let demo = yespo_core::sandbox::auth::AuthState::seeded(SandboxConfig::default().seed, "");
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
