//! Helpers for tests that drive a sandbox over HTTP: the sandbox's own tests and the core's
//! tests of the Yespo client and the login. They panic on anything unexpected, as a test should.
//!
//! Only with the `testing` feature, which the crates' dev-dependencies turn on; the app's demo
//! build does without.

use crate::{Knobs, Right, Sandbox, SandboxConfig};
use base64::Engine;
use serde_json::Value;

/// A sandbox with `contacts` demo contacts, no rate limits and instant bulk imports (tests that
/// need limits turn them on in `knobs`).
pub async fn sandbox(contacts: usize, knobs: impl FnOnce(&mut Knobs)) -> Sandbox {
    let mut config = SandboxConfig { contacts, ..SandboxConfig::default() };
    config.knobs.rate_limits = false;
    config.knobs.import_speed = 0;
    knobs(&mut config.knobs);
    Sandbox::start(config).await.expect("the sandbox starts")
}

/// An HTTP client that does not follow redirects (OAuth tests look at them).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("a reqwest client")
}

/// The `Authorization` header value for an API key (HTTP Basic, any username).
pub fn basic(key: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("user:{key}")))
}

/// An OAuth access token for the seeded app with `right`, through the real endpoints (the form
/// post of the login page, then the token exchange).
pub async fn oauth_token(sandbox: &Sandbox, right: Right) -> String {
    let app = sandbox.oauth_app(right);
    let info = sandbox.info();
    let client = http();
    let base = sandbox.base_url();
    let form = [
        ("client_id", app.client_id.as_str()),
        ("redirect_uri", app.callback_url.as_str()),
        ("username", info.demo_user.as_str()),
        ("password", info.demo_password.as_str()),
        ("decision", "approve"),
    ];
    let r = client.post(format!("{base}/uaa/oauth/authorize")).form(&form).send().await.unwrap();
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let code = location.split("code=").nth(1).unwrap().split('&').next().unwrap().to_string();
    let tokens: Value = client
        .post(format!("{base}/uaa/oauth/token"))
        .basic_auth(&app.client_id, Some(&app.client_secret))
        .form(&[("grant_type", "authorization_code"), ("code", &code)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokens["access_token"].as_str().unwrap().to_string()
}

/// HTML entities back to text (the sandbox's pages escape what they echo).
pub fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// The hidden inputs of the sandbox's login form, as a browser would send them back.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    html.split("<input type=\"hidden\" ")
        .skip(1)
        .map(|rest| {
            let name = rest.split("name=\"").nth(1).unwrap().split('"').next().unwrap();
            let value = rest.split("value=\"").nth(1).unwrap().split('"').next().unwrap();
            (name.to_string(), unescape(value))
        })
        .collect()
}
