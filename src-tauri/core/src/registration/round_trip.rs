//! Check 3: the login round trip. Before the browser opens, the authorize request is tried once
//! without it (Yespo answers it with its login page, or with an error page when the app or its
//! Callback URL is wrong, so a mismatch shows at once, with the string Yespo does accept when a
//! near variant of it works). Then the whole loopback login as the app does it; with the tokens,
//! `GET v2/version` (Yespo's "Authorization testing"), the lifetimes granted, and one refresh to
//! see the refresh token rotate. The tokens are thrown away when the check ends.

use super::callback::describe_difference;
use super::credentials::style_name;
use super::report::{CheckData, CheckId, CheckResult, Finding, Verdict};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::login::oauth::{refresh_with, OAuthSettings, Tokens, REFRESH_TOKEN_LIFETIME};
use crate::secret::Secret;
use crate::yespo::{Auth, TokenProvider, YespoClient};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use ts_rs::TS;

/// Yespo's documented access token lifetime (seed 000).
pub const DOCUMENTED_ACCESS_LIFETIME_SECS: u64 = 172_800;

/// What the round trip learnt, for the screen and the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RoundTripFacts {
    /// The Callback URL the login used.
    pub callback_url: String,
    pub client_auth: String,
    pub version: Option<String>,
    pub protocol_version: Option<String>,
    /// `expires_in` of the token answer.
    pub access_lifetime_secs: Option<u64>,
    pub scope: Option<String>,
    /// The refresh answer carried a new refresh token.
    pub rotates: Option<bool>,
    /// Offering the old refresh token again was refused (it is single use).
    pub old_refresh_refused: Option<bool>,
}

/// What the authorize endpoint said to a request without a browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preflight {
    /// A login page, a redirect to one, or a login prompt: nothing was refused.
    Shown,
    /// An error page: Yespo refused the request itself.
    Refused { status: u16, said: String },
    /// No answer.
    NoAnswer(String),
}

/// `GET authorize?response_type=code&client_id&redirect_uri` without following redirects and
/// without cookies: nobody is logged in, so nothing can be granted.
pub async fn preflight(http: &reqwest::Client, authorize_url: &str, client_id: &str, redirect_uri: &str) -> Preflight {
    let query = [("response_type", "code"), ("client_id", client_id), ("redirect_uri", redirect_uri)];
    let response = match http.get(authorize_url).query(&query).send().await {
        Ok(r) => r,
        Err(e) => return Preflight::NoAnswer(crate::secret::scrub(&e.without_url().to_string()).into_owned()),
    };
    let status = response.status().as_u16();
    // 401: the server asks who is logging in (a Basic prompt instead of a login page); it has
    // not judged the request yet, so that is no refusal either.
    if status < 400 || status == 401 {
        return Preflight::Shown;
    }
    let body = response.text().await.unwrap_or_default();
    Preflight::Refused { status, said: page_message(&body) }
}

/// The message of an error page: its error element, else its text; at most 300 characters.
fn page_message(html: &str) -> String {
    let page = scraper::Html::parse_document(html);
    let pick = ["#oauth-error", "[role=alert]", ".error", "main", "body"].iter().find_map(|css| {
        let selector = scraper::Selector::parse(css).ok()?;
        let text = page.select(&selector).next()?.text().collect::<Vec<_>>().join(" ");
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        (!text.is_empty()).then_some(text)
    });
    let text = pick.unwrap_or_else(|| html.split_whitespace().collect::<Vec<_>>().join(" "));
    text.chars().take(300).collect()
}

/// Near variants of a Callback URL that a registration often holds instead: the other trailing
/// slash, another loopback host, lower case, and their mixes. At most eight.
pub fn variants(sends: &str) -> Vec<String> {
    let toggled = |u: &str| match u.strip_suffix('/') {
        Some(without) => without.to_string(),
        None => format!("{u}/"),
    };
    let mut hosts = Vec::new();
    for (from, to) in
        [("127.0.0.1", "localhost"), ("localhost", "127.0.0.1"), ("[::1]", "127.0.0.1"), ("127.0.0.1", "[::1]")]
    {
        if let Some(rest) = sends.strip_prefix(&format!("http://{from}")) {
            hosts.push(format!("http://{to}{rest}"));
        }
    }
    let mut out = vec![toggled(sends)];
    if sends.to_lowercase() != sends {
        out.push(sends.to_lowercase());
    }
    for h in &hosts {
        out.push(h.clone());
        out.push(toggled(h));
    }
    if let Some(rest) = sends.strip_prefix("https://") {
        out.push(format!("http://{rest}"));
    }
    out.dedup();
    out.retain(|v| v != sends);
    out.truncate(8);
    out
}

/// After a refusal: the variant of `sends` Yespo accepts, if one does.
pub async fn find_registered(
    http: &reqwest::Client,
    authorize_url: &str,
    client_id: &str,
    sends: &str,
) -> Option<String> {
    for candidate in variants(sends) {
        if preflight(http, authorize_url, client_id, &candidate).await == Preflight::Shown {
            return Some(candidate);
        }
    }
    None
}

/// The result when Yespo refused the authorize request before any login.
pub fn refused_result(sends: &str, status: u16, said: &str, registered: Option<&str>) -> CheckResult {
    let mut findings =
        vec![Finding::new(Verdict::Fail, format!("Yespo refused the authorize request (HTTP {status}): {said}"))];
    let (summary, fix) = match registered {
        Some(registered) => {
            let difference = describe_difference(sends, registered);
            findings.push(Finding::new(
                Verdict::Fail,
                format!("The app sends \"{sends}\"; Yespo accepts \"{registered}\": {difference}."),
            ));
            (
                format!("The Callback URL the app sends is not the registered one: \"{sends}\" and \"{registered}\" ({difference})."),
                format!("Set the account's Callback URL to \"{registered}\", or register \"{sends}\" in Yespo (For partners → the app → Edit)."),
            )
        }
        None => (
            "Yespo refused the authorize request before the login page.".to_string(),
            "Check the Client ID and that the app's Callback URL in Yespo is exactly the one the app sends."
                .to_string(),
        ),
    };
    CheckResult::from_findings(CheckId::RoundTrip, summary, Some(fix), findings).with_copy(registered.unwrap_or(sends))
}

/// A token that is never refreshed: the check's client uses the round trip's token alone.
pub struct FixedToken(pub Secret);

#[async_trait::async_trait]
impl TokenProvider for FixedToken {
    async fn access_token(&self) -> AppResult<Secret> {
        Ok(self.0.clone())
    }
    async fn refresh(&self, _rejected: &Secret) -> AppResult<Secret> {
        Err(AppError::new(ErrorCode::AuthExpired, "Yespo refused the token the login just issued"))
    }
}

/// What the round trip leaves for the rights check: a client with its newest access token.
pub(crate) struct AfterLogin {
    pub result: CheckResult,
    pub client: Option<YespoClient>,
}

fn human_secs(secs: u64) -> String {
    match secs {
        s if s >= 3600 && s % 3600 == 0 => format!("{} h", s / 3600),
        s if s >= 3600 => format!("{:.1} h", s as f64 / 3600.0),
        s if s >= 60 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// With the tokens a login just got: `GET v2/version`, the lifetimes, a refresh (rotation), and
/// a client for the rights probes.
pub(crate) async fn after_login(
    http: &reqwest::Client,
    settings: &OAuthSettings,
    secret: &Secret,
    tokens: Tokens,
    api_base_url: &str,
) -> AfterLogin {
    let mut facts = RoundTripFacts {
        callback_url: settings.callback.url.clone(),
        client_auth: style_name(settings.client_auth).to_string(),
        access_lifetime_secs: tokens.expires_in.map(|d| d.as_secs()),
        scope: tokens.scope.clone(),
        ..RoundTripFacts::default()
    };
    let mut findings = vec![
        Finding::new(Verdict::Pass, format!("The browser came back to {} with a code.", settings.callback.url)),
        Finding::new(
            Verdict::Pass,
            format!("The code was exchanged for tokens with {}.", style_name(settings.client_auth)),
        ),
    ];
    match facts.access_lifetime_secs {
        Some(secs) => findings.push(Finding::new(
            Verdict::Pass,
            format!(
                "Access token lifetime: {} ({secs} s){}.",
                human_secs(secs),
                if secs <= DOCUMENTED_ACCESS_LIFETIME_SECS && secs + 600 >= DOCUMENTED_ACCESS_LIFETIME_SECS {
                    ", as Yespo documents".to_string()
                } else {
                    format!("; Yespo documents {}", human_secs(DOCUMENTED_ACCESS_LIFETIME_SECS))
                }
            ),
        )),
        None => findings.push(Finding::new(
            Verdict::Warn,
            "The token answer did not say how long the access token lives (no expires_in).",
        )),
    }
    findings.push(Finding::new(
        Verdict::Pass,
        format!(
            "Refresh token lifetime: not stated in the answer; Yespo documents {} days.",
            REFRESH_TOKEN_LIFETIME.as_secs() / 86_400
        ),
    ));
    if let Some(scope) = &facts.scope {
        findings.push(Finding::new(Verdict::Pass, format!("Scope granted: {scope}.")));
    }
    let mut access = tokens.access.clone();
    // Rotation: refresh once; the answer should carry a new refresh token and the old one
    // should then be refused (single use).
    match &tokens.refresh {
        None => findings.push(Finding::new(
            Verdict::Warn,
            "Yespo issued no refresh token: the login would end when the access token does.",
        )),
        Some(old) => match refresh_with(http, settings, secret, old).await {
            Err(e) => findings.push(Finding::new(Verdict::Fail, format!("Refreshing the token failed: {}", e.message))),
            Ok(new) => {
                access = new.access.clone();
                let rotated = new.refresh.as_ref().is_some_and(|n| n.expose_secret() != old.expose_secret());
                facts.rotates = Some(rotated);
                if rotated {
                    findings.push(Finding::new(Verdict::Pass, "Refreshing returned a new refresh token: it rotates."));
                    let again = refresh_with(http, settings, secret, old).await;
                    let refused = matches!(&again, Err(e) if e.code == ErrorCode::AuthExpired);
                    facts.old_refresh_refused = Some(refused);
                    findings.push(match &again {
                        Err(e) if e.code == ErrorCode::AuthExpired => {
                            Finding::new(Verdict::Pass, "The old refresh token is refused now: each one works once.")
                        }
                        Ok(_) => Finding::new(
                            Verdict::Warn,
                            "The old refresh token still works after the refresh: it is not single use.",
                        ),
                        Err(e) => Finding::new(
                            Verdict::Warn,
                            format!("Offering the old refresh token again gave: {}", e.message),
                        ),
                    });
                } else {
                    findings.push(Finding::new(
                        Verdict::Warn,
                        "Refreshing returned the same refresh token (or none): it does not rotate.",
                    ));
                }
            }
        },
    }
    let client = YespoClient::builder(api_base_url, Auth::Bearer(Arc::new(FixedToken(access)))).build();
    let client = match client {
        Ok(c) => Some(c),
        Err(e) => {
            findings.push(Finding::new(Verdict::Fail, format!("The API address cannot be used: {}", e.message)));
            None
        }
    };
    if let Some(c) = &client {
        match c.version_v2().await {
            Ok(v) => {
                findings.push(Finding::new(
                    Verdict::Pass,
                    format!(
                        "GET v2/version with the token: API version {}, protocol {}.",
                        v.version.as_deref().unwrap_or("?"),
                        v.protocol_version.as_deref().unwrap_or("?")
                    ),
                ));
                facts.version = v.version;
                facts.protocol_version = v.protocol_version;
            }
            Err(e) => findings
                .push(Finding::new(Verdict::Fail, format!("GET v2/version with the token failed: {}", e.message))),
        }
    }
    findings.push(Finding::new(Verdict::Pass, "The check's tokens were discarded; no account's login was changed."));
    let failed = findings.iter().any(|f| f.verdict == Verdict::Fail);
    let (summary, fix) = if failed {
        (
            "The login worked, but using its tokens did not.".to_string(),
            Some("See the failing line; then log in again with the check.".to_string()),
        )
    } else {
        (
            format!(
                "The login works end to end: Yespo {} answered with the token{}.",
                facts.version.as_deref().map(|v| format!("API {v}")).unwrap_or_else(|| "API".into()),
                if facts.rotates == Some(true) { ", and the refresh token rotates" } else { "" }
            ),
            None,
        )
    };
    let result =
        CheckResult::from_findings(CheckId::RoundTrip, summary, fix, findings).with_data(CheckData::RoundTrip(facts));
    AfterLogin { result, client }
}

/// The result when the login itself did not complete (refused in the browser, timed out, the
/// code exchange failed).
pub fn login_failed(error: &AppError, callback: &str) -> CheckResult {
    let fix = match error.code {
        ErrorCode::Cancelled => None,
        ErrorCode::Validation if error.message.contains("Port") => {
            Some("Free the port, or choose another one in Yespo and in the account.".to_string())
        }
        _ => Some(
            "Read Yespo's words above; fix the registration or the account, then log in with the check again."
                .to_string(),
        ),
    };
    let verdict = if error.code == ErrorCode::Cancelled { Verdict::Skipped } else { Verdict::Fail };
    let summary = if error.code == ErrorCode::Cancelled {
        "The login was cancelled.".to_string()
    } else {
        format!("The login did not complete: {}", error.message)
    };
    let mut r = CheckResult::from_findings(
        CheckId::RoundTrip,
        summary.clone(),
        fix,
        vec![Finding::new(verdict, format!("{summary} (Callback URL {callback})"))],
    );
    r.verdict = verdict;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_cover_slash_host_and_case() {
        let v = variants("http://127.0.0.1:8917/Callback/");
        assert!(v.contains(&"http://127.0.0.1:8917/Callback".to_string()));
        assert!(v.contains(&"http://127.0.0.1:8917/callback/".to_string()));
        assert!(v.contains(&"http://localhost:8917/Callback/".to_string()));
        assert!(v.len() <= 8 && !v.contains(&"http://127.0.0.1:8917/Callback/".to_string()));
    }

    #[test]
    fn an_error_page_is_read_for_its_message() {
        let html = "<html><head><title>Authorization error</title></head><body><main><h1>Authorization error</h1>\
                    <p class=\"error\" id=\"oauth-error\">Invalid redirect: no match</p></main></body></html>";
        assert_eq!(page_message(html), "Invalid redirect: no match");
        assert_eq!(page_message("plain words"), "plain words");
    }
}
