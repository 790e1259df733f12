//! The registration check against the Yespo sandbox over HTTP: each seeded app's rights matrix,
//! a wrong secret, a wrong client authentication method, a Callback URL that differs by a slash,
//! localhost and a busy port, and a full check that changes no data.

mod common;

use common::*;
use std::sync::Arc;
use std::time::Duration;
use yespo_core::login::*;
use yespo_core::registration::report::{CheckData, CheckId, Verdict};
use yespo_core::registration::rights::Access;
use yespo_core::registration::{CheckInput, Endpoints, Registration, Report, RoundTripEvent};
use yespo_core::Secret;
use yespo_sandbox::auth::ClientAuthMethods;
use yespo_sandbox::{OAuthApp, Right, Sandbox, SandboxConfig};

/// A sandbox whose seeded apps are registered with a free loopback port.
async fn sandbox_with_callback() -> (Sandbox, String) {
    let callback = format!("http://127.0.0.1:{}/callback", free_port());
    let mut config = SandboxConfig { contacts: 100, callback_url: callback.clone(), ..SandboxConfig::default() };
    config.knobs.rate_limits = false;
    config.knobs.import_speed = 0;
    (Sandbox::start(config).await.unwrap(), callback)
}

/// A sandbox, an empty account list, and the checks over them.
struct Fixture {
    sandbox: Sandbox,
    callback: String,
    sessions: Sessions,
    reg: Registration,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let (sandbox, callback) = sandbox_with_callback().await;
    let dir = tempfile::tempdir().unwrap();
    let sessions = registry(&dir, Arc::new(MemoryStore::default()));
    // Long enough for the test playing the browser; a lost login fails in 30 s, not 5 min.
    let reg = Registration::with_timeout(Endpoints::sandbox(sandbox.base_url()), Duration::from_secs(30));
    Fixture { sandbox, callback, sessions, reg, _dir: dir }
}

fn typed(app: &OAuthApp, callback: &str) -> CheckInput {
    CheckInput {
        client_id: app.client_id.clone(),
        client_secret: Some(Secret::new(app.client_secret.clone())),
        callback_url: callback.to_string(),
        ..CheckInput::default()
    }
}

/// The whole check with its login, the test playing the user in the browser.
async fn full_check(sandbox: &Sandbox, reg: &Registration, sessions: &Sessions, input: &CheckInput) -> Report {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let check = reg.round_trip(sessions, input, move |RoundTripEvent::Browser { authorize_url }| {
        let _ = tx.send(authorize_url);
    });
    let user = async {
        if let Some(url) = rx.recv().await {
            let (status, page) = browser(sandbox, &url, "approve").await;
            assert_eq!(status, 200, "{page}");
        }
    };
    let (report, ()) = tokio::join!(check, user);
    report.unwrap()
}

fn matrix(report: &Report) -> &yespo_core::registration::rights::RightsMatrix {
    match &report.check(CheckId::Rights).unwrap().data {
        Some(CheckData::Rights(m)) => m,
        other => panic!("no rights matrix: {other:?}\n{}", report.to_text()),
    }
}

#[tokio::test]
async fn each_seeded_app_gets_the_matrix_of_its_right_and_the_features_that_go_with_it() {
    let Fixture { sandbox, callback, sessions, reg, _dir } = fixture().await;
    for right in Right::ALL {
        let app = sandbox.oauth_app(right);
        let report = full_check(&sandbox, &reg, &sessions, &typed(&app, &callback)).await;
        let text = report.to_text();
        assert_eq!(report.check(CheckId::RoundTrip).unwrap().verdict, Verdict::Pass, "{text}");
        assert_eq!(report.check(CheckId::Credentials).unwrap().verdict, Verdict::Pass, "{text}");
        let m = matrix(&report);
        assert_eq!(m.right, Some(right), "{text}");
        assert_eq!(m.right_label, right.label());
        for p in &m.probes {
            let expected = if right.allows(p.group) { Access::Allowed } else { Access::Denied };
            assert_eq!(p.access, expected, "{right:?} {:?}: {}", p.group, p.note);
            assert!(p.status.is_some(), "{:?}", p.group);
        }
        let works = |name: &str| m.features.iter().find(|f| f.feature.starts_with(name)).unwrap().works;
        let contacts = right.allows(yespo_core::yespo::rights::MethodGroup::ReadContacts);
        assert_eq!(works("Token files"), right.allows(yespo_core::yespo::rights::MethodGroup::UpdateContacts));
        assert_eq!(works("Contacts"), contacts);
        assert_eq!(works("Segments"), contacts);
        assert!(works("Messages") && works("Account panel"));
        let Some(CheckData::RoundTrip(facts)) = &report.check(CheckId::RoundTrip).unwrap().data else { panic!() };
        assert_eq!(facts.access_lifetime_secs, Some(172_800));
        assert_eq!((facts.rotates, facts.old_refresh_refused), (Some(true), Some(true)), "{text}");
        assert!(facts.version.is_some());
        assert_eq!(facts.scope.as_deref(), Some("UseRestApi"));
    }
}

#[tokio::test]
async fn a_wrong_secret_fails_the_credentials_check_with_the_fix_and_a_padded_one_is_cleaned() {
    let Fixture { sandbox, callback, sessions, reg, _dir } = fixture().await;
    let app = sandbox.oauth_app(Right::FullAccess);
    let mut input = typed(&app, &callback);
    input.client_secret = Some(Secret::new("0".repeat(64)));
    let report = reg.run(&sessions, &input).await.unwrap();
    let c = report.check(CheckId::Credentials).unwrap();
    assert_eq!(c.verdict, Verdict::Fail, "{c:?}");
    assert!(c.summary.contains("refused") && c.summary.contains("both methods"), "{}", c.summary);
    assert!(c.fix.as_deref().unwrap().contains("Copy the Client ID and the Client Secret again"));
    assert_eq!(report.working_client_auth, None);
    // The round trip does not open a browser for a pair Yespo refuses.
    let report = reg.round_trip(&sessions, &input, |_| panic!("no browser for a refused pair")).await.unwrap();
    assert_eq!(report.check(CheckId::RoundTrip).unwrap().verdict, Verdict::Skipped);

    input.client_secret = Some(Secret::new(format!("{} \n", app.client_secret)));
    let report = reg.run(&sessions, &input).await.unwrap();
    let c = report.check(CheckId::Credentials).unwrap();
    assert_eq!(c.verdict, Verdict::Warn, "{c:?}");
    assert!(c.findings.iter().any(|f| f.text.contains("space or line break at the start or end")));
    assert!(c.summary.contains("accepts"), "{}", c.summary);
    // The login uses it without the space too.
    let report = full_check(&sandbox, &reg, &sessions, &input).await;
    assert_eq!(report.check(CheckId::RoundTrip).unwrap().verdict, Verdict::Pass, "{}", report.to_text());
}

#[tokio::test]
async fn the_right_secret_with_the_wrong_client_authentication_says_which_method_works() {
    let Fixture { sandbox, callback, sessions, reg, _dir } = fixture().await;
    for (methods, works, other, configured) in [
        (ClientAuthMethods::BasicOnly, "HTTP Basic", "parameters in the request body", ClientAuthStyle::Params),
        (ClientAuthMethods::ParamsOnly, "parameters in the request body", "HTTP Basic", ClientAuthStyle::Basic),
    ] {
        let app = sandbox.register_app_with("One method", &callback, Right::FullAccess, methods);
        // An account set to the method the app refuses.
        let base = sandbox.base_url();
        let account = Account::new(
            accounts::new_account_id(),
            format!("{methods:?} account"),
            format!("{base}/api"),
            AccountAuth::OAuth {
                client_id: app.client_id.clone(),
                callback_url: callback.clone(),
                authorize_url: format!("{base}/uaa/oauth/authorize"),
                token_url: format!("{base}/uaa/oauth/token"),
                client_auth: configured,
            },
        );
        sessions
            .env()
            .accounts
            .update(|f| {
                f.accounts.push(account.clone());
                Ok(())
            })
            .unwrap();
        sessions
            .env()
            .secrets
            .set(&account.id, SecretKind::ClientSecret, &Secret::new(app.client_secret.clone()))
            .unwrap();
        let input = CheckInput {
            account_id: Some(account.id.clone()),
            callback_url: callback.clone(),
            ..CheckInput::default()
        };
        let report = reg.run(&sessions, &input).await.unwrap();
        let c = report.check(CheckId::Credentials).unwrap();
        assert_eq!(c.verdict, Verdict::Fail, "{c:?}");
        assert!(
            c.summary.contains(&format!("only with {works}"))
                && c.summary.contains(&format!("with {other} it refuses")),
            "{}",
            c.summary
        );
        assert!(c.fix.as_deref().unwrap().contains(&format!("set Client authentication to {works}")), "{:?}", c.fix);
        // The round trip logs in with the method that works.
        let report = full_check(&sandbox, &reg, &sessions, &input).await;
        assert_eq!(report.check(CheckId::RoundTrip).unwrap().verdict, Verdict::Pass, "{}", report.to_text());
        // Typed in, without an account, the same pair passes and names its method.
        let report = reg.run(&sessions, &typed(&app, &callback)).await.unwrap();
        let c = report.check(CheckId::Credentials).unwrap();
        assert_eq!(c.verdict, Verdict::Pass, "{c:?}");
        assert!(c.summary.contains(&format!("only with {works}")), "{}", c.summary);
    }
}

#[tokio::test]
async fn a_callback_url_with_a_trailing_slash_fails_the_round_trip_showing_both_strings() {
    let Fixture { sandbox, callback, sessions, reg, _dir } = fixture().await;
    let app = sandbox.oauth_app(Right::FullAccess);
    let slashed = format!("{callback}/");
    let report = reg
        .round_trip(&sessions, &typed(&app, &slashed), |_| panic!("no browser for a refused redirect"))
        .await
        .unwrap();
    let c = report.check(CheckId::RoundTrip).unwrap();
    assert_eq!(c.verdict, Verdict::Fail, "{c:?}");
    for words in [slashed.as_str(), callback.as_str(), "trailing slash"] {
        assert!(c.summary.contains(words), "{words} not in: {}", c.summary);
    }
    assert!(c.fix.as_deref().unwrap().contains(&callback));
    assert_eq!(c.copy.as_deref(), Some(callback.as_str()), "the registered string, to copy");
    assert_eq!(report.check(CheckId::Rights).unwrap().verdict, Verdict::Skipped);

    // An account that sends the slashed URL, checked against the registration as typed: check 1
    // already shows the difference.
    let input = CheckInput { callback_url: callback.clone(), ..typed(&app, &slashed) };
    let report = reg.run(&sessions, &input).await.unwrap();
    assert_eq!(
        report.check(CheckId::CallbackUrl).unwrap().verdict,
        Verdict::Pass,
        "typed in: the app sends what was typed"
    );
}

#[tokio::test]
async fn localhost_and_a_port_in_use_are_warnings() {
    let Fixture { sandbox, sessions, reg, _dir, .. } = fixture().await;
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    let app = sandbox.register_app("Busy", &format!("http://127.0.0.1:{port}/callback"), Right::FullAccess);
    let report = reg.run(&sessions, &typed(&app, &format!("http://127.0.0.1:{port}/callback"))).await.unwrap();
    let c = report.check(CheckId::CallbackUrl).unwrap();
    assert_eq!(c.verdict, Verdict::Warn, "{c:?}");
    assert!(
        c.findings.iter().any(|f| f.verdict == Verdict::Warn && f.text.contains(&format!("Port {port} is in use"))),
        "{c:?}"
    );
    // The login cannot bind it either: the round trip says so, and no browser opens.
    let report = reg
        .round_trip(&sessions, &typed(&app, &format!("http://127.0.0.1:{port}/callback")), |_| panic!("no browser"))
        .await
        .unwrap();
    let trip = report.check(CheckId::RoundTrip).unwrap();
    assert_eq!(trip.verdict, Verdict::Fail, "{trip:?}");
    assert!(trip.summary.contains(&format!("Port {port} is busy")), "{}", trip.summary);
    drop(held);

    let local = format!("http://localhost:{}/callback", free_port());
    let app = sandbox.register_app("Local", &local, Right::FullAccess);
    let report = reg.run(&sessions, &typed(&app, &local)).await.unwrap();
    let c = report.check(CheckId::CallbackUrl).unwrap();
    assert_eq!(c.verdict, Verdict::Warn, "{c:?}");
    assert!(c
        .findings
        .iter()
        .any(|f| f.verdict == Verdict::Warn && f.text.contains("localhost may resolve to 127.0.0.1 or to [::1]")));
    assert!(c.fix.as_deref().unwrap().contains("http://127.0.0.1:"), "{:?}", c.fix);
}

#[tokio::test]
async fn a_full_check_changes_no_sandbox_data_and_no_secret_reaches_the_report() {
    let s = setup(Arc::new(MemoryStore::default()), |_| {}).await;
    let account = log_in(&s).await;
    let reg = Registration::with_timeout(Endpoints::sandbox(s.sandbox.base_url()), Duration::from_secs(30));
    let before = s.sandbox.data_fingerprint();
    let seq = s.sandbox.last_request_seq();
    let input =
        CheckInput { account_id: Some(account.id.clone()), callback_url: s.callback.clone(), ..CheckInput::default() };
    // Without a browser: the rights are probed with the account's own login.
    let quick = reg.run(&s.sessions, &input).await.unwrap();
    assert_eq!(matrix(&quick).right, Some(Right::FullAccess), "{}", quick.to_text());
    assert!(matrix(&quick).token_from.contains("Sandbox"));
    let usage = quick.check(CheckId::Usage).unwrap();
    assert!(usage.summary.contains("Used by 1 account: Sandbox"), "{}", usage.summary);
    assert_eq!(usage.verdict, Verdict::Pass);
    let before_full = s.sandbox.last_request_seq();
    let full = full_check(&s.sandbox, &reg, &s.sessions, &input).await;
    assert_eq!(full.verdict, Verdict::Pass, "{}", full.to_text());
    // What a full check costs: two token requests with a made-up code, the preflight of the
    // authorize page, the browser's page and form, the code exchange, a refresh and the old
    // refresh token offered again, v2/version and one probe per group.
    let sent = s.sandbox.requests_since(before_full);
    let count = |method: &str, path: &str| sent.iter().filter(|r| r.method == method && r.path == path).count();
    assert_eq!(count("POST", "/uaa/oauth/token"), 5, "{sent:?}");
    assert_eq!(count("GET", "/uaa/oauth/authorize"), 2, "the preflight and the browser");
    assert_eq!(sent.iter().filter(|r| r.path.starts_with("/api/")).count(), 1 + 7, "{sent:?}");
    assert_eq!(s.sandbox.data_fingerprint(), before, "a probe changed the sandbox's data");
    // The probes did reach the sandbox, the event probe included (refused as malformed).
    let requests = s.sandbox.requests_since(seq);
    for path in ["/api/v1/event", "/api/v1/importstatus/00000000-0000-0000-0000-000000000000", "/api/v2/version"] {
        assert!(requests.iter().any(|r| r.path == path), "{path} was not probed");
    }
    // The account's own login is untouched: it still works.
    s.sessions.client(&account.id).await.unwrap().version_v2().await.unwrap();

    let secret = s.env().secrets.get(&account.id, SecretKind::ClientSecret).unwrap().unwrap();
    let json = full.to_json().unwrap();
    for text in [full.to_markdown(), full.to_text(), json.clone()] {
        assert!(!text.contains(secret.expose_secret()), "the Client Secret is in the report");
    }
    let md = full.to_markdown();
    assert!(md.contains("| Method group | Probe | Result | Why the probe is harmless |"), "{md}");
    assert!(md.contains("Named right: **Full access to API**"), "{md}");
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed["verdict"], "pass");
    assert_eq!(parsed["checks"].as_array().unwrap().len(), 6);

    // Once the account needs a new login, "where it is used" says so.
    s.env()
        .accounts
        .update(|f| {
            f.accounts.iter_mut().for_each(|a| a.state = LoginState::NeedsLogin);
            Ok(())
        })
        .unwrap();
    let again = reg.run(&s.sessions, &input).await.unwrap();
    let usage = again.check(CheckId::Usage).unwrap();
    assert_eq!(usage.verdict, Verdict::Warn, "{usage:?}");
    assert!(usage.fix.as_deref().unwrap().contains("Log in again to \"Sandbox\""), "{:?}", usage.fix);
}

#[tokio::test]
async fn a_callback_url_with_a_query_warns_and_still_logs_in() {
    let Fixture { sandbox, sessions, reg, _dir, .. } = fixture().await;
    let queried = format!("http://127.0.0.1:{}/callback?from=yespo", free_port());
    let app = sandbox.register_app("Queried", &queried, Right::Messages);
    let report = full_check(&sandbox, &reg, &sessions, &typed(&app, &queried)).await;
    let c = report.check(CheckId::CallbackUrl).unwrap();
    assert_eq!(c.verdict, Verdict::Warn, "{c:?}");
    assert!(c.findings.iter().any(|f| f.text.contains("query string")));
    assert_eq!(report.check(CheckId::RoundTrip).unwrap().verdict, Verdict::Pass, "{}", report.to_text());
    assert_eq!(matrix(&report).right, Some(Right::Messages));
}
