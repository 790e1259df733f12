//! No Authorization header value, API key or token ever appears in the logs, at any level, from
//! our code or from the HTTP stack underneath (its `log` records are captured too); nor does the
//! personal data in a search's query (the path and the parameter names are logged instead).

mod common;

use async_trait::async_trait;
use base64::Engine;
use std::io::Write;
use std::sync::{Arc, Mutex};
use yespo_core::yespo::*;
use yespo_core::{AppResult, Secret};
use yespo_sandbox::Right;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Fixed(Secret, Secret);

#[async_trait]
impl TokenProvider for Fixed {
    async fn access_token(&self) -> AppResult<Secret> {
        Ok(self.0.clone())
    }
    async fn refresh(&self, _rejected: &Secret) -> AppResult<Secret> {
        Ok(self.1.clone())
    }
}

#[tokio::test]
async fn no_credential_reaches_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let sandbox = common::sandbox(50, |k| k.error_rate = 0.2).await;
    let base = format!("{}/api", sandbox.base_url());
    let key = sandbox.api_key(Right::FullAccess);
    let events_key = sandbox.api_key(Right::Events);
    let token = "0a1b2c3d-bearer-token-that-must-not-leak";
    let fresh = "9f8e7d6c-refreshed-token-that-must-not-leak";

    let by_key = YespoClient::builder(&base, Auth::ApiKey(Secret::new(key.clone()))).build().unwrap();
    by_key.account_info().await.unwrap();
    by_key.search_contacts(&ContactSearch::default(), 1, 5).await.unwrap();
    let limited = YespoClient::builder(&base, Auth::ApiKey(Secret::new(events_key.clone()))).build().unwrap();
    let forbidden = limited.search_contacts(&ContactSearch::default(), 1, 5).await.unwrap_err();
    tracing::error!(?forbidden, "as an app would log a failure");
    let by_token = YespoClient::builder(&base, Auth::Bearer(Arc::new(Fixed(Secret::new(token), Secret::new(fresh)))))
        .build()
        .unwrap();
    let expired = by_token.version_v2().await.unwrap_err();
    tracing::error!(?expired, "as an app would log a failure");
    let (email, phone) = ("jane.roe@example.com", "380501112233");
    let personal = ContactSearch { email: Some(email.into()), sms: Some(phone.into()), ..ContactSearch::default() };
    by_key.search_contacts(&personal, 1, 5).await.unwrap();
    let down = YespoClient::builder("http://127.0.0.1:9/api", Auth::ApiKey(Secret::new(key.clone())))
        .retry(RetryPolicy {
            max_attempts: 2,
            base_delay: std::time::Duration::from_millis(5),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    let unreachable = down.search_contacts(&personal, 1, 5).await.unwrap_err();
    tracing::error!(?unreachable, "as an app would log a failure");

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("yespo call"), "logs were captured");
    assert!(logs.lines().count() > 20, "the HTTP stack logged too: {} lines", logs.lines().count());
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(format!("user:{s}"));
    for secret in [key.as_str(), events_key.as_str(), token, fresh, &b64(&key), &b64(&events_key)] {
        assert!(!logs.contains(secret), "a credential reached the logs");
    }
    assert!(logs.contains("path=v1/contacts") && logs.contains("params=\"startindex,maxrows,email,sms\""), "{logs}");
    assert!(!logs.contains(email) && !logs.contains(phone), "personal data reached the logs");
    for error in [&forbidden, &expired] {
        let text = format!("{error:?} {}", serde_json::to_string(error).unwrap());
        assert!(!text.contains(&key) && !text.contains(token) && !text.contains(fresh));
    }
}
