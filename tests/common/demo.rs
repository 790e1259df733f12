//! Demo mode helpers: talk to the embedded sandbox (knobs, counters) and play the user's part
//! of a login in the browser, over a tiny HTTP/1.1 client (the app crate has none of its own).

use super::App;
use fantoccini::Locator;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

pub const ORGANISATION: &str = "Demo Store (Yespo sandbox)";

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One request, `Connection: close`; `body` is `(content type, bytes)`.
pub fn send(method: &str, url: &str, body: Option<(&str, &str)>) -> Response {
    send_with(method, url, &[], body)
}

/// [`send`] with extra headers.
pub fn send_with(method: &str, url: &str, headers: &[(&str, &str)], body: Option<(&str, &str)>) -> Response {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, "/".into()));
    let mut stream = TcpStream::connect(host).expect("connect");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some((content_type, bytes)) = body {
        request.push_str(&format!("Content-Type: {content_type}\r\nContent-Length: {}\r\n", bytes.len()));
    }
    request.push_str("\r\n");
    request.push_str(body.map(|(_, b)| b).unwrap_or(""));
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    Response { status, headers, body: body.to_string() }
}

/// The embedded sandbox's address, as the Demo badge says it.
pub async fn sandbox_url(app: &App) -> String {
    let title = app.wait_for("#demo-badge").await.attr("title").await.unwrap().unwrap();
    title.rsplit(' ').next().unwrap().to_string()
}

/// Change the running sandbox's knobs (`GET`, change, `PUT` back).
pub fn change_knobs(sandbox_url: &str, change: impl FnOnce(&mut Value)) {
    let mut knobs = send("GET", &format!("{sandbox_url}/__sandbox/knobs"), None).json();
    change(&mut knobs);
    let put = send("PUT", &format!("{sandbox_url}/__sandbox/knobs"), Some(("application/json", &knobs.to_string())));
    assert_eq!(put.status, 200, "{}", put.body);
}

/// How many token requests of `grant_type` reached the sandbox.
pub fn token_requests(sandbox_url: &str, grant_type: &str) -> u64 {
    send("GET", &format!("{sandbox_url}/__sandbox/stats"), None).json()["tokenRequests"][grant_type]
        .as_u64()
        .expect("a count")
}

/// The requests the sandbox received after `since` (its request log), oldest first.
pub fn requests_since(sandbox_url: &str, since: u64) -> Vec<Value> {
    let answer = send("GET", &format!("{sandbox_url}/__sandbox/requests?since={since}"), None).json();
    answer.as_array().expect("a list of requests").clone()
}

/// The number of the last request the sandbox received (0 for none).
pub fn last_request_seq(sandbox_url: &str) -> u64 {
    requests_since(sandbox_url, 0).last().and_then(|r| r["seq"].as_u64()).unwrap_or(0)
}

/// The sandbox's own fake credentials: its OAuth apps and one API key per right.
pub fn sandbox_info(sandbox_url: &str) -> Value {
    send("GET", &format!("{sandbox_url}/__sandbox/info"), None).json()
}

/// The sandbox's API key with `rights` (`full_access`, `events`, `events_and_contacts`, `messages`).
pub fn sandbox_key(sandbox_url: &str, rights: &str) -> String {
    let info = sandbox_info(sandbox_url);
    let keys = info["api_keys"].as_array().expect("api_keys");
    let key = keys.iter().find(|k| k["rights"] == rights).unwrap_or_else(|| panic!("no key with {rights}"));
    key["key"].as_str().expect("a key").to_string()
}

/// HTTP Basic with an API key, as Yespo takes it (any user name).
pub fn basic(key: &str) -> String {
    use base64::Engine;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("user:{key}")))
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
pub fn consent(authorize_url: &str) {
    let page = send("GET", authorize_url, None);
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
    let posted =
        send("POST", &format!("{base}/uaa/oauth/authorize"), Some(("application/x-www-form-urlencoded", &body)));
    assert_eq!(posted.status, 302, "{}", posted.body);
    let landing = send("GET", posted.header("location").unwrap(), None);
    assert_eq!(landing.status, 200);
    assert!(landing.body.contains("You can close this tab"), "{}", landing.body);
}

/// Opens files the way a drop on the window does (the same module function, the same command).
pub async fn open_files(app: &App, paths: &[&Path]) {
    let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let script = format!(
        "import('./screens/token-import.js').then((m) => m.openPaths({})).then(() => done(true), (e) => done(String(e)));",
        serde_json::json!(paths)
    );
    assert_eq!(app.run_async_script(&script).await, serde_json::json!(true));
}

/// Wait until `css` shows exactly `expected`.
pub async fn wait_text(app: &App, css: &str, expected: &str) {
    wait_text_where(app, css, expected, |text| text == expected).await
}

/// Wait until `css` shows text containing `part`.
pub async fn wait_text_contains(app: &App, css: &str, part: &str) {
    wait_text_where(app, css, part, |text| text.contains(part)).await
}

/// Poll `css`'s text (30 s at most) until `wanted` holds; `what` names it in the failure.
async fn wait_text_where(app: &App, css: &str, what: &str, wanted: impl Fn(&str) -> bool) {
    for _ in 0..300 {
        if let Ok(el) = app.client.find(Locator::Css(css)).await {
            if wanted(&el.text().await.unwrap_or_default()) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never showed {what:?}");
}

/// Every file under `dir`, as text, for scans.
pub fn files_text(dir: &Path) -> String {
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

/// A secret the app stored in the test keychain.
pub fn keychain_secret(account_id: &str, kind: &str) -> Option<String> {
    let entry = keyring::Entry::new("yespo-admin", &format!("{account_id}/{kind}")).ok()?;
    entry.get_password().ok()
}

/// One login at a time in a test binary: every demo app listens on the same Callback URL port.
static LOGINS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Logs the demo account in (the test plays the browser); its id.
pub async fn log_in_demo(app: &App) -> String {
    let _one_at_a_time = LOGINS.lock().await;
    let card = app.wait_for("[data-account][data-state='logged_out']").await;
    let id = card.attr("data-account").await.unwrap().unwrap();
    let started = app.invoke("login_start", serde_json::json!({ "id": id })).await.expect("login starts");
    let url = started["authorizeUrl"].as_str().expect("an authorize URL").to_string();
    let waiting = app.invoke("login_wait", serde_json::json!({ "loginId": started["loginId"] }));
    let (account, ()) = tokio::join!(waiting, async {
        tokio::task::spawn_blocking(move || consent(&url)).await.unwrap();
    });
    assert_eq!(account.expect("logged in")["state"], "connected");
    id
}
