//! Check 2: the Client ID and Client Secret, without a login. A token request with a code that
//! was never issued: the server authenticates the client before it looks at the code, so
//! `invalid_client` (401) means the pair is wrong for that client authentication method and
//! `invalid_grant` (400) means the pair is right and only the made-up code was refused. Nothing
//! is issued and nothing is spent. Both methods Yespo documents are tried, HTTP Basic and the
//! parameters in the body, because a server may accept only one.

use super::report::{CheckId, CheckResult, Finding, Verdict};
use crate::login::accounts::ClientAuthStyle;
use crate::secret::Secret;

/// What the token endpoint said to one method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MethodOutcome {
    /// `invalid_grant`: the pair is right.
    Accepted,
    /// `invalid_client` or 401: the pair is wrong for this method.
    Refused(String),
    /// Any other answer, or none.
    Unclear(String),
}

/// The name of a client authentication method, for people.
pub fn style_name(style: ClientAuthStyle) -> &'static str {
    match style {
        ClientAuthStyle::Basic => "HTTP Basic",
        ClientAuthStyle::Params | ClientAuthStyle::Unknown => "parameters in the request body",
    }
}

/// A code no server issued: random, and marked so it is recognisable in a server's log.
fn made_up_code() -> String {
    format!("yespo-admin-registration-check-{}", crate::random::random_hex(8))
}

/// One token request with `style`.
pub async fn try_method(
    http: &reqwest::Client,
    token_url: &str,
    client_id: &str,
    secret: &Secret,
    redirect_uri: &str,
    style: ClientAuthStyle,
) -> MethodOutcome {
    let code = made_up_code();
    let mut form = vec![("grant_type", "authorization_code"), ("code", code.as_str()), ("redirect_uri", redirect_uri)];
    let mut request = http.post(token_url).header(reqwest::header::ACCEPT, "application/json");
    match style {
        ClientAuthStyle::Basic => {
            // RFC 6749 §2.3.1: form-urlencode both before they go into Basic.
            let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            request = request.basic_auth(enc(client_id), Some(enc(secret.expose_secret())));
        }
        ClientAuthStyle::Params | ClientAuthStyle::Unknown => {
            form.push(("client_id", client_id));
            form.push(("client_secret", secret.expose_secret()));
        }
    }
    let response = match request.form(&form).send().await {
        Ok(r) => r,
        Err(e) => {
            return MethodOutcome::Unclear(format!(
                "no answer from {}: {}",
                host_of(token_url),
                crate::secret::scrub(&e.without_url().to_string())
            ))
        }
    };
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let error = json.get("error").and_then(|v| v.as_str()).unwrap_or("").to_string();
    let said = json
        .get("error_description")
        .and_then(|v| v.as_str())
        .map(|d| format!(": {}", d.trim_end_matches('.')))
        .unwrap_or_default();
    let words = crate::secret::scrub(&format!("HTTP {status} {error}{said}")).into_owned();
    match (status, error.as_str()) {
        (_, "invalid_grant") => MethodOutcome::Accepted,
        // Spring's UAA answers an unauthenticated client with `unauthorized`.
        (401, _) | (_, "invalid_client") | (_, "unauthorized") => MethodOutcome::Refused(words),
        (200, _) => {
            MethodOutcome::Unclear("HTTP 200: the server issued tokens for a code that was never issued".into())
        }
        _ => MethodOutcome::Unclear(words),
    }
}

fn host_of(url: &str) -> String {
    url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_else(|| url.to_string())
}

/// Try both methods and say what they show. `configured`: the account's method, if there is
/// an account. Returns the result and the method that works (Basic first when both do).
pub async fn check_credentials(
    http: &reqwest::Client,
    token_url: &str,
    client_id: &str,
    secret: &Secret,
    redirect_uri: &str,
    configured: Option<ClientAuthStyle>,
) -> (CheckResult, Option<ClientAuthStyle>) {
    let mut findings = Vec::new();
    let (id, raw_secret) = (client_id.trim(), secret.expose_secret());
    if id != client_id {
        findings.push(Finding::new(
            Verdict::Warn,
            "The Client ID had a space or line break at the start or end; it was left out for the check.",
        ));
    }
    if raw_secret.trim() != raw_secret {
        findings.push(Finding::new(Verdict::Warn, "The Client Secret had a space or line break at the start or end; it was left out for the check (the app leaves it out when it saves the secret too)."));
    }
    if id.is_empty() || raw_secret.trim().is_empty() {
        return (CheckResult::skipped(CheckId::Credentials, "The Client ID or the Client Secret is empty."), None);
    }
    let secret = Secret::new(raw_secret.trim());
    if raw_secret.trim().chars().any(char::is_whitespace) {
        findings.push(Finding::new(Verdict::Warn, "The Client Secret has a space or line break inside it; secrets don't, so it was probably pasted with extra text."));
    }
    let basic = try_method(http, token_url, id, &secret, redirect_uri, ClientAuthStyle::Basic).await;
    let params = try_method(http, token_url, id, &secret, redirect_uri, ClientAuthStyle::Params).await;
    for (style, outcome) in [(ClientAuthStyle::Basic, &basic), (ClientAuthStyle::Params, &params)] {
        let name = style_name(style);
        findings.push(match outcome {
            MethodOutcome::Accepted => Finding::new(
                Verdict::Pass,
                format!("With {name}: accepted (the server refused only the made-up code: invalid_grant)."),
            ),
            MethodOutcome::Refused(w) => Finding::new(Verdict::Pass, format!("With {name}: refused ({w}).")),
            MethodOutcome::Unclear(w) => Finding::new(Verdict::Warn, format!("With {name}: no clear answer ({w}).")),
        });
    }
    let works = |o: &MethodOutcome| *o == MethodOutcome::Accepted;
    let working = match (works(&basic), works(&params)) {
        (true, _) => Some(ClientAuthStyle::Basic),
        (false, true) => Some(ClientAuthStyle::Params),
        _ => None,
    };
    let refused = |o: &MethodOutcome| matches!(o, MethodOutcome::Refused(_));
    let (summary, fix, verdict) = match (works(&basic), works(&params)) {
        (true, true) => ("Yespo accepts the Client ID and Client Secret, with HTTP Basic and with parameters in the body.".to_string(), None, Verdict::Pass),
        (true, false) | (false, true) => {
            let (good, bad) = if works(&basic) { (ClientAuthStyle::Basic, ClientAuthStyle::Params) } else { (ClientAuthStyle::Params, ClientAuthStyle::Basic) };
            let summary = format!("Yespo accepts the Client ID and Client Secret only with {}; with {} it refuses them.", style_name(good), style_name(bad));
            match configured {
                Some(c) if c == bad || c == ClientAuthStyle::Unknown => (
                    format!("{summary} The account is set to {}.", style_name(bad)),
                    Some(format!("Edit the account and set Client authentication to {}.", style_name(good))),
                    Verdict::Fail,
                ),
                _ => (summary, None, Verdict::Pass),
            }
        }
        (false, false) if refused(&basic) && refused(&params) => (
            "Yespo refused the Client ID and Client Secret with both methods (invalid_client): the pair is wrong.".to_string(),
            Some("Copy the Client ID and the Client Secret again from the app's page in Yespo (For partners); check they belong to the same app and that it was not deleted.".to_string()),
            Verdict::Fail,
        ),
        _ => (
            format!("The token endpoint at {} did not answer clearly.", host_of(token_url)),
            Some("Check the network and the token URL, then run the check again.".to_string()),
            Verdict::Warn,
        ),
    };
    let mut result = CheckResult::from_findings(CheckId::Credentials, summary, fix, findings);
    result.verdict = result.verdict.max(verdict);
    (result, working)
}
