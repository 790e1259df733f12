//! The sandbox's OAuth server, driven the way a browser and the app would: over HTTP.

mod common;

use axum::extract::RawQuery;
use axum::routing::get;
use base64::Engine;
use common::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use yespo_sandbox::{ClientAuthMethods, OAuthApp, Right, Sandbox};

/// A stand-in for the app's loopback listener: records every query string it gets.
async fn callback_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/callback",
        get(move |RawQuery(q): RawQuery| {
            let record = record.clone();
            async move {
                record.lock().unwrap().push(q.unwrap_or_default());
                "You can close this window."
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/callback", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

fn query(s: &str) -> HashMap<String, String> {
    form_urlencoded::parse(s.as_bytes()).into_owned().collect()
}

fn authorize_url(sandbox: &Sandbox, app: &OAuthApp, extra: &str) -> String {
    let q: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &app.client_id)
        .append_pair("redirect_uri", &app.callback_url)
        .append_pair("state", "st-\u{2713} &x")
        .finish();
    format!("{}/uaa/oauth/authorize?{q}{extra}", sandbox.base_url())
}

/// Open the login page, submit the form; returns the redirect Location.
async fn login(sandbox: &Sandbox, url: &str, password: &str, decision: &str) -> reqwest::Response {
    let client = http();
    let page = client.get(url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let info = sandbox.info();
    assert!(html.contains(&info.demo_user) && html.contains(&info.demo_password), "demo credentials are shown");
    let mut form = hidden_fields(&html);
    form.push(("username".into(), info.demo_user.clone()));
    form.push(("password".into(), password.into()));
    form.push(("decision".into(), decision.into()));
    client.post(format!("{}/uaa/oauth/authorize", sandbox.base_url())).form(&form).send().await.unwrap()
}

fn location(r: &reqwest::Response) -> String {
    assert_eq!(r.status(), 302, "expected a redirect");
    r.headers()["location"].to_str().unwrap().to_string()
}

/// Exchange a code; `basic` picks HTTP Basic client authentication, else parameters.
async fn exchange(sandbox: &Sandbox, app: &OAuthApp, params: &[(&str, &str)], basic: bool) -> (u16, Value) {
    let url = format!("{}/uaa/oauth/token", sandbox.base_url());
    let mut form: Vec<(&str, &str)> = params.to_vec();
    let mut req = http().post(url);
    if basic {
        req = req.basic_auth(&app.client_id, Some(&app.client_secret));
    } else {
        form.push(("client_id", &app.client_id));
        form.push(("client_secret", &app.client_secret));
    }
    let r = req.form(&form).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

async fn code_for(sandbox: &Sandbox, app: &OAuthApp, extra: &str) -> String {
    let r = login(sandbox, &authorize_url(sandbox, app, extra), &sandbox.info().demo_password, "approve").await;
    let loc = location(&r);
    query(loc.split_once('?').unwrap().1)["code"].clone()
}

#[tokio::test]
async fn full_code_flow_to_the_callback_and_api_calls_with_the_token() {
    let sandbox = sandbox(100, |_| {}).await;
    let (callback, seen) = callback_server().await;
    let app = sandbox.register_app("Yespo Admin test", &callback, Right::EventsAndContacts);
    let r = login(&sandbox, &authorize_url(&sandbox, &app, ""), &sandbox.info().demo_password, "approve").await;
    let loc = location(&r);
    assert!(loc.starts_with(&callback), "{loc}");
    // Follow the redirect, as the browser would, to the app's listener.
    let landing = http().get(&loc).send().await.unwrap();
    assert_eq!(landing.status(), 200);
    let got = query(&seen.lock().unwrap()[0]);
    assert_eq!(got["state"], "st-\u{2713} &x", "state is echoed exactly");
    let code = got["code"].clone();

    let (status, tokens) = exchange(
        &sandbox,
        &app,
        &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", &callback)],
        true,
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "bearer");
    assert_eq!(tokens["scope"], "UseRestApi");
    assert_eq!(tokens["expires_in"], 172_800);
    let access = tokens["access_token"].as_str().unwrap();
    let api = Api::with_bearer(&sandbox, access);
    let version = api.get("v2/version").await;
    assert_eq!(version.status, 200);
    assert_eq!(api.get("v1/contacts?maxrows=1").await.status, 200);
    // The code is single use.
    let (status, err) = exchange(&sandbox, &app, &[("grant_type", "authorization_code"), ("code", &code)], true).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("invalid_grant")));
}

#[tokio::test]
async fn basic_and_parameter_client_authentication_both_work() {
    let sandbox = sandbox(10, |_| {}).await;
    let app = sandbox.oauth_app(Right::FullAccess);
    for basic in [true, false] {
        let code = code_for(&sandbox, &app, "").await;
        let (status, tokens) =
            exchange(&sandbox, &app, &[("grant_type", "authorization_code"), ("code", &code)], basic).await;
        assert_eq!(status, 200, "basic={basic}: {tokens}");
    }
    // The documented query-string form works too.
    let code = code_for(&sandbox, &app, "").await;
    let url = format!(
        "{}/uaa/oauth/token?grant_type=authorization_code&client_id={}&client_secret={}&code={code}&redirect_uri={}",
        sandbox.base_url(),
        app.client_id,
        app.client_secret,
        app.callback_url
    );
    assert_eq!(http().post(url).send().await.unwrap().status(), 200);
    // A wrong secret: invalid_client, 401.
    let mut wrong = app.clone();
    wrong.client_secret = "0".repeat(64);
    let code = code_for(&sandbox, &app, "").await;
    let (status, err) =
        exchange(&sandbox, &wrong, &[("grant_type", "authorization_code"), ("code", &code)], true).await;
    assert_eq!((status, err["error"].as_str()), (401, Some("invalid_client")));
    // Other grant types are refused; a missing grant type is a bad request.
    let (status, err) = exchange(&sandbox, &app, &[("grant_type", "client_credentials")], true).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("unsupported_grant_type")));
    let (status, err) = exchange(&sandbox, &app, &[], false).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("invalid_request")));
}

#[tokio::test]
async fn refresh_tokens_rotate_and_tokens_expire() {
    let sandbox = sandbox(10, |k| {
        k.access_token_ttl_secs = 1;
        k.refresh_token_ttl_secs = 3;
    })
    .await;
    let app = sandbox.oauth_app(Right::FullAccess);
    let code = code_for(&sandbox, &app, "").await;
    let (_, first) = exchange(&sandbox, &app, &[("grant_type", "authorization_code"), ("code", &code)], true).await;
    assert_eq!(first["expires_in"], 1);
    let old_refresh = first["refresh_token"].as_str().unwrap().to_string();
    let (status, second) =
        exchange(&sandbox, &app, &[("grant_type", "refresh_token"), ("refresh_token", &old_refresh)], false).await;
    assert_eq!(status, 200, "{second}");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    // Rotation: the old refresh token no longer works.
    let (status, err) =
        exchange(&sandbox, &app, &[("grant_type", "refresh_token"), ("refresh_token", &old_refresh)], true).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("invalid_grant")));
    // Another client cannot use this client's refresh token.
    let other = sandbox.oauth_app(Right::Events);
    let new_refresh = second["refresh_token"].as_str().unwrap().to_string();
    let (status, _) =
        exchange(&sandbox, &other, &[("grant_type", "refresh_token"), ("refresh_token", &new_refresh)], true).await;
    assert_eq!(status, 400);
    // The access token expires: 401 on the API.
    let third = {
        let code = code_for(&sandbox, &app, "").await;
        exchange(&sandbox, &app, &[("grant_type", "authorization_code"), ("code", &code)], true).await.1
    };
    let api = Api::with_bearer(&sandbox, third["access_token"].as_str().unwrap());
    assert_eq!(api.get("v1/version").await.status, 200);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let expired = api.get("v1/version").await;
    assert_eq!(expired.status, 401);
    assert!(expired.text.contains("expired"), "{}", expired.text);
    // So does the refresh token.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let r = third["refresh_token"].as_str().unwrap().to_string();
    let (status, err) = exchange(&sandbox, &app, &[("grant_type", "refresh_token"), ("refresh_token", &r)], true).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("invalid_grant")));
}

#[tokio::test]
async fn codes_expire() {
    let sandbox = sandbox(10, |k| k.code_ttl_secs = 1).await;
    let app = sandbox.oauth_app(Right::FullAccess);
    let code = code_for(&sandbox, &app, "").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let (status, err) = exchange(&sandbox, &app, &[("grant_type", "authorization_code"), ("code", &code)], true).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("invalid_grant")));
    assert!(err["error_description"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn a_wrong_redirect_uri_or_client_shows_an_error_page_and_never_redirects() {
    let sandbox = sandbox(10, |_| {}).await;
    let app = sandbox.oauth_app(Right::FullAccess);
    let base = sandbox.base_url();
    let variants = [
        // Byte for byte: a trailing slash, another port, localhost for 127.0.0.1.
        format!(
            "{base}/uaa/oauth/authorize?response_type=code&client_id={}&redirect_uri={}/",
            app.client_id, app.callback_url
        ),
        format!(
            "{base}/uaa/oauth/authorize?response_type=code&client_id={}&redirect_uri=http://127.0.0.1:1/callback",
            app.client_id
        ),
        format!(
            "{base}/uaa/oauth/authorize?response_type=code&client_id={}&redirect_uri=http://localhost:53682/callback",
            app.client_id
        ),
        format!("{base}/uaa/oauth/authorize?response_type=code&client_id=unknown&redirect_uri={}", app.callback_url),
    ];
    for url in variants {
        let r = http().get(&url).send().await.unwrap();
        assert_eq!(r.status(), 400, "{url}");
        assert!(r.headers().get("location").is_none(), "{url} redirected");
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"oauth-error\""), "{html}");
    }
    // A tampered form post is checked again.
    let form =
        [("client_id", app.client_id.as_str()), ("redirect_uri", "http://evil.example/cb"), ("decision", "approve")];
    let r = http().post(format!("{base}/uaa/oauth/authorize")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.headers().get("location").is_none());
}

#[tokio::test]
async fn denying_or_a_wrong_password() {
    let sandbox = sandbox(10, |_| {}).await;
    let app = sandbox.oauth_app(Right::Messages);
    let r = login(&sandbox, &authorize_url(&sandbox, &app, ""), &sandbox.info().demo_password, "deny").await;
    let q = query(location(&r).split_once('?').unwrap().1);
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], "st-\u{2713} &x");
    assert!(!q.contains_key("code"));
    let r = login(&sandbox, &authorize_url(&sandbox, &app, ""), "wrong-password", "approve").await;
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("Wrong login or password"));
}

#[tokio::test]
async fn pkce_s256_is_verified_when_a_challenge_was_sent() {
    let sandbox = sandbox(10, |_| {}).await;
    let app = sandbox.oauth_app(Right::FullAccess);
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "RFC 7636 appendix B");
    let extra = format!("&code_challenge={challenge}&code_challenge_method=S256");
    let code = code_for(&sandbox, &app, &extra).await;
    let (status, err) = exchange(
        &sandbox,
        &app,
        &[("grant_type", "authorization_code"), ("code", &code), ("code_verifier", "wrong")],
        true,
    )
    .await;
    assert_eq!((status, err["error"].as_str()), (400, Some("invalid_grant")));
    let code = code_for(&sandbox, &app, &extra).await;
    let (status, err) = exchange(&sandbox, &app, &[("grant_type", "authorization_code"), ("code", &code)], true).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("invalid_grant")), "a verifier is required");
    let code = code_for(&sandbox, &app, &extra).await;
    let (status, tokens) = exchange(
        &sandbox,
        &app,
        &[("grant_type", "authorization_code"), ("code", &code), ("code_verifier", verifier)],
        true,
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
}

#[tokio::test]
async fn with_a_state_file_logins_survive_a_restart_and_no_token_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let state_file = dir.path().join("sandbox-grants.json");
    let start = || {
        let mut config =
            yespo_sandbox::SandboxConfig { contacts: 10, state_file: Some(state_file.clone()), ..Default::default() };
        config.knobs.rate_limits = false;
        Sandbox::start(config)
    };
    let first = start().await.unwrap();
    let app = first.oauth_app(Right::FullAccess);
    let code = code_for(&first, &app, "").await;
    let (_, tokens) = exchange(&first, &app, &[("grant_type", "authorization_code"), ("code", &code)], true).await;
    first.stop();
    let saved = std::fs::read_to_string(&state_file).unwrap();
    for key in ["access_token", "refresh_token"] {
        assert!(!saved.contains(tokens[key].as_str().unwrap()), "{key} written in clear");
    }
    let second = start().await.unwrap();
    let api = Api::with_bearer(&second, tokens["access_token"].as_str().unwrap());
    assert_eq!(api.get("v1/version").await.status, 200);
    let (status, _) = exchange(
        &second,
        &app,
        &[("grant_type", "refresh_token"), ("refresh_token", tokens["refresh_token"].as_str().unwrap())],
        true,
    )
    .await;
    assert_eq!(status, 200);
}

async fn stats(sandbox: &Sandbox) -> Value {
    let r = http().get(format!("{}/__sandbox/stats", sandbox.base_url())).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn token_requests_are_counted_by_grant_type_accepted_or_not() {
    let sandbox = sandbox(10, |_| {}).await;
    assert_eq!(
        stats(&sandbox).await,
        json!({"apiRequests": 0, "tokenRequests": {"authorization_code": 0, "refresh_token": 0}})
    );
    let app = sandbox.oauth_app(Right::FullAccess);
    let code = code_for(&sandbox, &app, "").await;
    let (status, tokens) =
        exchange(&sandbox, &app, &[("grant_type", "authorization_code"), ("code", &code)], true).await;
    assert_eq!(status, 200, "{tokens}");
    // Refused requests count too: a spent code, a spent refresh token, a wrong client secret.
    let (status, _) = exchange(&sandbox, &app, &[("grant_type", "authorization_code"), ("code", &code)], true).await;
    assert_eq!(status, 400);
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, _) =
        exchange(&sandbox, &app, &[("grant_type", "refresh_token"), ("refresh_token", refresh)], false).await;
    assert_eq!(status, 200);
    let (status, _) =
        exchange(&sandbox, &app, &[("grant_type", "refresh_token"), ("refresh_token", refresh)], true).await;
    assert_eq!(status, 400);
    let wrong = OAuthApp { client_secret: "not-the-secret".into(), ..app.clone() };
    let (status, _) =
        exchange(&sandbox, &wrong, &[("grant_type", "refresh_token"), ("refresh_token", refresh)], true).await;
    assert_eq!(status, 401);
    // Any other grant type is counted under its own name.
    let (status, err) = exchange(&sandbox, &app, &[("grant_type", "password")], true).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("unsupported_grant_type")));
    // Only POSTs reach the token endpoint.
    let get = http().get(format!("{}/uaa/oauth/token?grant_type=refresh_token", sandbox.base_url())).send().await;
    assert_eq!(get.unwrap().status(), 405);

    assert_eq!(sandbox.token_requests("authorization_code"), 2);
    assert_eq!(sandbox.token_requests("refresh_token"), 3);
    assert_eq!(sandbox.token_requests("password"), 1);
    assert_eq!(sandbox.token_requests("client_credentials"), 0);
    // API requests are counted apart, answered or not.
    let api = Api::with_bearer(&sandbox, tokens["access_token"].as_str().unwrap());
    assert_eq!(api.get("v1/version").await.status, 200);
    assert_eq!(Api::with_bearer(&sandbox, "not-a-token").get("v1/version").await.status, 401);
    assert_eq!(sandbox.api_requests(), 2);
    assert_eq!(
        stats(&sandbox).await,
        json!({"apiRequests": 2, "tokenRequests": {"authorization_code": 2, "refresh_token": 3, "password": 1}})
    );
}

/// A token request for a made-up authorization code, authenticating with HTTP Basic, or with
/// parameters in the form body or (`query`) in the query string: status, body, and whether a
/// `WWW-Authenticate` header came back.
async fn made_up_code(sandbox: &Sandbox, app: &OAuthApp, basic: bool, query: bool) -> (u16, Value, bool) {
    let credentials = [("client_id", app.client_id.as_str()), ("client_secret", app.client_secret.as_str())];
    let mut form = vec![("grant_type", "authorization_code"), ("code", "made-up-code")];
    let mut url = format!("{}/uaa/oauth/token", sandbox.base_url());
    if query && !basic {
        url.push('?');
        url.push_str(&form_urlencoded::Serializer::new(String::new()).extend_pairs(credentials).finish());
    } else if !basic {
        form.extend(credentials);
    }
    let mut req = http().post(url).form(&form);
    if basic {
        req = req.basic_auth(&app.client_id, Some(&app.client_secret));
    }
    let r = req.send().await.unwrap();
    let challenged = r.headers().contains_key("www-authenticate");
    (r.status().as_u16(), r.json().await.unwrap(), challenged)
}

#[tokio::test]
async fn each_app_accepts_only_its_own_client_authentication_methods() {
    let sandbox = sandbox(10, |_| {}).await;
    let refused = json!({"error": "invalid_client", "error_description": "Bad client credentials."});
    let cases = [
        (ClientAuthMethods::Both, true, true),
        (ClientAuthMethods::BasicOnly, true, false),
        (ClientAuthMethods::ParamsOnly, false, true),
    ];
    for (methods, basic_ok, params_ok) in cases {
        let app = sandbox.register_app_with("Methods test", "http://127.0.0.1:1/callback", Right::FullAccess, methods);
        assert_eq!(app.client_auth, methods);
        let mut wrong = app.clone();
        wrong.client_secret = "0".repeat(64);
        // (Basic?, in the query string?, accepted?)
        for (basic, query, accepted) in [(true, false, basic_ok), (false, false, params_ok), (false, true, params_ok)] {
            let how = format!("{methods:?}, basic={basic}, query={query}");
            let (status, body, challenged) = made_up_code(&sandbox, &app, basic, query).await;
            if accepted {
                // The client passed: the made-up code is what is wrong.
                assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")), "{how}: {body}");
            } else {
                // Exactly the wrong-secret answer: nothing tells which method would work.
                assert_eq!((status, &body), (401, &refused), "{how}");
                assert_eq!(challenged, basic, "{how}: WWW-Authenticate only when Basic was used");
            }
            let (status, body, challenged) = made_up_code(&sandbox, &wrong, basic, query).await;
            assert_eq!((status, &body), (401, &refused), "{how}, wrong secret");
            assert_eq!(challenged, basic, "{how}, wrong secret");
        }
    }
    // The same for a refresh grant: the client check comes first.
    let app =
        sandbox.register_app_with("Basic only", "http://127.0.0.1:1/cb", Right::Events, ClientAuthMethods::BasicOnly);
    let made_up = [("grant_type", "refresh_token"), ("refresh_token", "made-up")];
    let (status, err) = exchange(&sandbox, &app, &made_up, true).await;
    assert_eq!((status, err["error"].as_str()), (400, Some("invalid_grant")));
    let (status, err) = exchange(&sandbox, &app, &made_up, false).await;
    assert_eq!((status, &err), (401, &refused));
}

#[tokio::test]
async fn a_full_login_works_with_the_one_method_an_app_accepts() {
    let sandbox = sandbox(10, |_| {}).await;
    for (methods, basic) in [(ClientAuthMethods::BasicOnly, true), (ClientAuthMethods::ParamsOnly, false)] {
        let app =
            sandbox.register_app_with("One method", "http://127.0.0.1:1/callback", Right::EventsAndContacts, methods);
        // The other method is refused, and the code it carried is spent (single use).
        let code = code_for(&sandbox, &app, "").await;
        let grant = [("grant_type", "authorization_code"), ("code", code.as_str())];
        let (status, err) = exchange(&sandbox, &app, &grant, !basic).await;
        assert_eq!((status, err["error"].as_str()), (401, Some("invalid_client")), "{methods:?}");
        let (status, tokens) = exchange(&sandbox, &app, &grant, basic).await;
        assert_eq!(status, 200, "{methods:?}: the refused request did not spend the code: {tokens}");
        let api = Api::with_bearer(&sandbox, tokens["access_token"].as_str().unwrap());
        assert_eq!(api.get("v1/contacts?maxrows=1").await.status, 200);
        // Refreshing follows the same rule.
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let (status, _) =
            exchange(&sandbox, &app, &[("grant_type", "refresh_token"), ("refresh_token", refresh)], !basic).await;
        assert_eq!(status, 401, "{methods:?}");
        let (status, tokens) =
            exchange(&sandbox, &app, &[("grant_type", "refresh_token"), ("refresh_token", refresh)], basic).await;
        assert_eq!(status, 200, "{methods:?}: {tokens}");
    }
}

#[tokio::test]
async fn sandbox_info_lists_each_apps_client_authentication_methods() {
    let sandbox = sandbox(10, |_| {}).await;
    let basic_only =
        sandbox.register_app_with("Basic only", "http://127.0.0.1:1/cb", Right::Messages, ClientAuthMethods::BasicOnly);
    let params_only = sandbox.register_app_with(
        "Params only",
        "http://127.0.0.1:1/cb",
        Right::Messages,
        ClientAuthMethods::ParamsOnly,
    );
    let both = sandbox.register_app("Both", "http://127.0.0.1:1/cb", Right::Messages);
    assert_eq!(both.client_auth, ClientAuthMethods::Both);
    let r = http().get(format!("{}/__sandbox/info", sandbox.base_url())).send().await.unwrap();
    let info: Value = r.json().await.unwrap();
    let apps = info["oauth_apps"].as_array().unwrap();
    let methods_of = |id: &str| apps.iter().find(|a| a["client_id"] == id).map(|a| a["client_auth"].clone());
    assert_eq!(methods_of(&basic_only.client_id), Some(json!("basic_only")));
    assert_eq!(methods_of(&params_only.client_id), Some(json!("params_only")));
    assert_eq!(methods_of(&both.client_id), Some(json!("both")));
    // The seeded apps accept both, as Yespo documents both.
    for right in Right::ALL {
        let seeded = sandbox.oauth_app(right);
        assert_eq!(seeded.client_auth, ClientAuthMethods::Both);
        assert_eq!(methods_of(&seeded.client_id), Some(json!("both")));
    }
    assert_eq!(apps.len(), Right::ALL.len() + 3);
}
