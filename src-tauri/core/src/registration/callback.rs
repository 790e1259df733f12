//! Check 1: the Callback URL. Whether this app can serve it (http, a loopback host, an explicit
//! port, a path), whether its port can be had now, what may go wrong with it (RFC 8252 §7.3 and
//! §8.3), and whether it is, character for character, what the app sends.

use super::report::{CheckId, CheckResult, Finding, Verdict};
use crate::login::loopback::CallbackUrl;
use std::io::ErrorKind;

/// First port of the ephemeral range (IANA, RFC 6335): the system hands these out to any program.
pub const EPHEMERAL_PORTS_FROM: u16 = 49152;

/// Check `registered` (the Callback URL as registered in Yespo) against `sends` (what the app
/// sends as `redirect_uri`: the account's Callback URL; the same string when there is no account).
pub async fn check_callback(registered: &str, sends: &str) -> CheckResult {
    let mut findings = Vec::new();
    let mut fix: Option<String> = None;
    let set_fix = |f: &mut Option<String>, text: String| {
        if f.is_none() {
            *f = Some(text);
        }
    };
    if registered.trim().is_empty() {
        return CheckResult::skipped(CheckId::CallbackUrl, "No Callback URL was given.");
    }
    if registered != registered.trim() {
        findings.push(Finding::new(
            Verdict::Warn,
            "The Callback URL starts or ends with a space or a line break; Yespo compares it as typed.",
        ));
    }
    if sends.trim() != registered.trim() {
        findings.push(Finding::new(
            Verdict::Fail,
            format!(
                "The app sends \"{}\", the registration says \"{}\": {}. Yespo compares them character for character.",
                sends.trim(),
                registered.trim(),
                describe_difference(sends.trim(), registered.trim())
            ),
        ));
        set_fix(
            &mut fix,
            format!(
                "Make them equal: set the account's Callback URL to \"{}\", or register \"{}\" in Yespo.",
                registered.trim(),
                sends.trim()
            ),
        );
    }
    let text = sends.trim();
    let url = match url::Url::parse(text) {
        Ok(url) => url,
        Err(_) => {
            findings.push(Finding::new(Verdict::Fail, format!("\"{text}\" is not a valid URL.")));
            return CheckResult::from_findings(
                CheckId::CallbackUrl,
                "The Callback URL is not a valid URL.",
                Some("Use a URL such as http://127.0.0.1:8917/callback, in the app and in Yespo.".into()),
                findings,
            );
        }
    };
    let loopback_host = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "http" => {
            findings.push(Finding::new(Verdict::Pass, "http: the app receives the redirect itself, on this computer."))
        }
        "https" if loopback_host => {
            // The app serves plain http: an https address on this computer would need a
            // certificate the browser trusts, which the app does not have. The login cannot work.
            findings.push(Finding::new(
                Verdict::Fail,
                "https on this computer needs a certificate the browser trusts; the app listens with plain http, so the browser would fail to connect.",
            ));
            set_fix(
                &mut fix,
                format!(
                    "Register the http:// form in Yespo and in the account: {}.",
                    text.replacen("https://", "http://", 1)
                ),
            );
        }
        other => {
            findings.push(Finding::new(
                Verdict::Fail,
                format!("{other}:// cannot come back to the app; it listens with http on this computer."),
            ));
        }
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) if ip.is_loopback() => findings
            .push(Finding::new(Verdict::Pass, format!("{ip}: a loopback address, reachable only from this computer."))),
        Some(url::Host::Ipv6(ip)) if ip.is_loopback() => findings.push(Finding::new(
            Verdict::Pass,
            format!("[{ip}]: the IPv6 loopback address, reachable only from this computer."),
        )),
        Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => {
            // RFC 8252 §8.3: a name may resolve to 127.0.0.1 or to ::1, or be redirected by a
            // hosts file or a proxy; the app listens on both, but an IP literal removes the doubt.
            findings.push(Finding::new(
                Verdict::Warn,
                "localhost may resolve to 127.0.0.1 or to [::1] (IPv4 or IPv6), and proxies or hosts files can redirect it; the app listens on both, but 127.0.0.1 is certain (RFC 8252 §8.3).",
            ));
            set_fix(
                &mut fix,
                format!("Prefer {} (in Yespo and in the account).", text.replacen("localhost", "127.0.0.1", 1)),
            );
        }
        _ => {
            findings.push(Finding::new(
                Verdict::Fail,
                format!(
                    "{} is not this computer: the browser would take the code to that host, not to the app. A desktop app needs 127.0.0.1, [::1] or localhost.",
                    url.host_str().unwrap_or("(no host)")
                ),
            ));
            set_fix(
                &mut fix,
                "Register a loopback address such as http://127.0.0.1:8917/callback and use it in the account.".into(),
            );
        }
    }
    match url.port() {
        None => {
            findings.push(Finding::new(
                Verdict::Fail,
                "No port: the app needs one it can listen on (1024–49151), such as :8917.",
            ));
            set_fix(&mut fix, "Add a port, e.g. http://127.0.0.1:8917/callback, in Yespo and in the account.".into());
        }
        Some(port) if port >= EPHEMERAL_PORTS_FROM => {
            findings.push(Finding::new(
                Verdict::Warn,
                format!("Port {port} is in the ephemeral range (49152–65535): the system lends these to any program, so it may be taken when you log in."),
            ));
            set_fix(&mut fix, "Choose a port between 1024 and 49151, in Yespo and in the account.".into());
        }
        Some(port) => findings
            .push(Finding::new(Verdict::Pass, format!("Port {port} is explicit and outside the ephemeral range."))),
    }
    match url.path() {
        "" | "/" => findings.push(Finding::new(
            Verdict::Warn,
            "No path: any page opened at this address would look like the login's answer; a path such as /callback is clearer.",
        )),
        path => findings.push(Finding::new(Verdict::Pass, format!("Path {path}."))),
    }
    if url.query().is_some() {
        findings.push(Finding::new(
            Verdict::Warn,
            "It has a query string: Yespo adds its own parameters to it, and some servers compare queries strictly; a plain path is safer.",
        ));
    }
    if text.contains('#') {
        findings.push(Finding::new(
            Verdict::Fail,
            "It has a fragment (#...): a browser never sends it, and OAuth forbids it (RFC 6749 §3.1.2).",
        ));
        set_fix(&mut fix, "Remove the # part, in Yespo and in the account.".into());
    }
    if let Ok(callback) = CallbackUrl::parse(text) {
        match callback.try_bind_now().await {
            Ok(()) => findings.push(Finding::new(Verdict::Pass, format!("Port {} is free now.", callback.port))),
            Err(e) if e.kind() == ErrorKind::AddrInUse => {
                findings.push(Finding::new(
                    Verdict::Warn,
                    format!("Port {} is in use now by another program (or a login waiting in this app); the login cannot start until it is free.", callback.port),
                ));
                set_fix(
                    &mut fix,
                    format!(
                        "Close the program on port {}, or choose another port in Yespo and in the account.",
                        callback.port
                    ),
                );
            }
            Err(e) if e.kind() == ErrorKind::PermissionDenied => {
                findings.push(Finding::new(
                    Verdict::Fail,
                    format!("The system does not let this app listen on port {}.", callback.port),
                ));
                set_fix(&mut fix, "Choose a port between 1024 and 49151, in Yespo and in the account.".into());
            }
            Err(e) => {
                findings.push(Finding::new(Verdict::Warn, format!("Port {} could not be tried: {e}.", callback.port)))
            }
        }
    }
    let verdict = findings.iter().map(|f| f.verdict).max().unwrap_or(Verdict::Pass);
    let summary = match verdict {
        Verdict::Fail => format!("The app cannot log in with \"{text}\"."),
        Verdict::Warn => format!("\"{text}\" works, with a warning."),
        _ => format!("\"{text}\" is a loopback address the app can serve."),
    };
    CheckResult::from_findings(CheckId::CallbackUrl, summary, fix, findings).with_copy(text)
}

/// How two Callback URLs differ, in words: the trailing slash, letter case, host, port, or the
/// first character that differs.
pub fn describe_difference(a: &str, b: &str) -> String {
    if a == b {
        return "they are the same".into();
    }
    if a.trim_end_matches('/') == b.trim_end_matches('/') {
        let (with, without) = if a.ends_with('/') { (a, b) } else { (b, a) };
        return format!("they differ by a trailing slash (\"{with}\" has it, \"{without}\" does not)");
    }
    if a.eq_ignore_ascii_case(b) {
        let at = a.chars().zip(b.chars()).position(|(x, y)| x != y).unwrap_or(0);
        return format!("they differ only in letter case, from character {} on", at + 1);
    }
    if let (Ok(x), Ok(y)) = (url::Url::parse(a), url::Url::parse(b)) {
        let mut parts = Vec::new();
        if x.scheme() != y.scheme() {
            parts.push(format!("the scheme ({} and {})", x.scheme(), y.scheme()));
        }
        if x.host_str() != y.host_str() {
            parts.push(format!("the host ({} and {})", x.host_str().unwrap_or("none"), y.host_str().unwrap_or("none")));
        }
        if x.port() != y.port() {
            let p = |u: &url::Url| u.port().map_or("none".to_string(), |p| p.to_string());
            parts.push(format!("the port ({} and {})", p(&x), p(&y)));
        }
        if x.path() != y.path() {
            parts.push(format!("the path ({} and {})", x.path(), y.path()));
        }
        if x.query() != y.query() {
            parts.push("the query".to_string());
        }
        if !parts.is_empty() {
            return format!("they differ in {}", parts.join(", "));
        }
    }
    let at =
        a.chars().zip(b.chars()).position(|(x, y)| x != y).unwrap_or_else(|| a.chars().count().min(b.chars().count()));
    format!("they differ from character {} on", at + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_named() {
        let d = describe_difference("http://127.0.0.1:8917/callback/", "http://127.0.0.1:8917/callback");
        assert!(d.contains("trailing slash") && d.contains("\"http://127.0.0.1:8917/callback/\" has it"), "{d}");
        assert!(describe_difference("http://127.0.0.1:8917/Callback", "http://127.0.0.1:8917/callback")
            .contains("letter case"));
        let d = describe_difference("http://localhost:8917/callback", "http://127.0.0.1:8918/callback");
        assert!(d.contains("the host (localhost and 127.0.0.1)") && d.contains("the port (8917 and 8918)"), "{d}");
    }

    #[tokio::test]
    async fn a_good_url_passes_and_the_copy_is_what_the_app_sends() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // Below the ephemeral range when the OS allows; the test only needs a free port.
        let url = format!("http://127.0.0.1:{port}/callback");
        let r = check_callback(&url, &url).await;
        assert!(r.verdict <= Verdict::Warn, "{r:?}");
        assert_eq!(r.copy.as_deref(), Some(url.as_str()));
    }

    #[tokio::test]
    async fn what_the_app_cannot_serve_fails() {
        for (url, words) in [
            ("https://127.0.0.1:8917/callback", "certificate"),
            ("http://example.com:8917/callback", "not this computer"),
            ("http://127.0.0.1/callback", "No port"),
            ("http://127.0.0.1:8917/callback#x", "fragment"),
            ("127.0.0.1:8917", "not a valid URL"),
        ] {
            let r = check_callback(url, url).await;
            assert_eq!(r.verdict, Verdict::Fail, "{url}: {r:?}");
            assert!(r.findings.iter().any(|f| f.text.contains(words)), "{url}: {r:?}");
            assert!(r.fix.is_some(), "{url}");
        }
    }

    #[tokio::test]
    async fn risky_choices_warn() {
        for (url, words) in [
            ("http://127.0.0.1:50123/callback", "ephemeral"),
            ("http://127.0.0.1:8917/callback?from=yespo", "query string"),
            ("http://127.0.0.1:8917/", "No path"),
        ] {
            let r = check_callback(url, url).await;
            assert!(r.findings.iter().any(|f| f.verdict == Verdict::Warn && f.text.contains(words)), "{url}: {r:?}");
        }
    }
}
