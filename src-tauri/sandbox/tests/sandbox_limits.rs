//! Limits and knobs: published rate limits (429 with Retry-After), 409 for repeats, injected
//! latency, 5xx errors, dropped connections and 429 bursts, and the knobs endpoint.

mod common;

use common::*;
use serde_json::json;
use std::time::{Duration, Instant};
use yespo_sandbox::Right;

#[tokio::test]
async fn contacts_search_is_limited_to_its_published_rate() {
    let sandbox = sandbox(100, |k| k.rate_limits = true).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    // 120 requests at once: the first 50 fit the 50/s budget, most others must wait.
    let calls = (0..120).map(|_| api.get("v1/contacts?maxrows=1"));
    let answers = futures_util::future::join_all(calls).await;
    for a in answers.iter().filter(|a| a.status == 429) {
        let wait: u64 = a.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=2).contains(&wait), "Retry-After {wait}");
        assert!(a.text.contains("More than 50 requests per 1 second"), "{}", a.text);
    }
    let ok = answers.iter().filter(|a| a.status == 200).count();
    assert!((50..100).contains(&ok), "{ok} of 120 went through");
    // Another family still has budget.
    assert_eq!(api.get("v1/version").await.status, 200);
}

#[tokio::test]
async fn message_reads_are_limited_per_hour() {
    let sandbox = sandbox(10, |k| {
        k.rate_limits = true;
        k.message_reads_per_hour = 3;
    })
    .await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    for _ in 0..3 {
        assert_eq!(api.get("v1/messages/sms").await.status, 200);
    }
    let a = api.get("v1/messages/email/3000001").await;
    assert_eq!(a.status, 429);
    assert!(a.text.contains("per 1 hour"), "{}", a.text);
    let wait: u64 = a.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait > 60, "Retry-After {wait}");
}

#[tokio::test]
async fn a_burst_of_429_then_normal_service() {
    let sandbox = sandbox(10, |k| k.burst_429 = 3).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(api.get("v1/version").await.status);
    }
    assert_eq!(statuses, vec![429, 429, 429, 200, 200]);
}

#[tokio::test]
async fn injected_server_errors_and_dropped_connections() {
    let sandbox = sandbox(10, |k| k.error_rate = 1.0).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    assert_eq!(api.get("v1/version").await.status, 500);
    sandbox.update_knobs(|k| k.error_rate = 0.3);
    let mut errors = 0;
    for _ in 0..200 {
        if api.get("v1/version").await.status == 500 {
            errors += 1;
        }
    }
    assert!((30..=90).contains(&errors), "{errors} of 200 failed at a 30% rate");
    sandbox.update_knobs(|k| {
        k.error_rate = 0.0;
        k.drop_rate = 1.0;
    });
    let url = format!("{}/api/v1/version", sandbox.base_url());
    let outcome = match http().get(&url).header("Authorization", &api.auth).send().await {
        Err(e) => Err(e),
        Ok(r) => r.text().await.map(|_| ()),
    };
    assert!(outcome.is_err(), "the connection should drop");
    sandbox.update_knobs(|k| k.drop_rate = 0.0);
    assert_eq!(api.get("v1/version").await.status, 200);
}

#[tokio::test]
async fn latency_is_added() {
    let sandbox = sandbox(10, |k| k.latency_ms = 300).await;
    let api = Api::with_key(&sandbox, Right::FullAccess);
    let started = Instant::now();
    assert_eq!(api.get("v1/version").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());
}

#[tokio::test]
async fn knobs_can_be_read_and_changed_over_http() {
    let sandbox = sandbox(10, |_| {}).await;
    let url = format!("{}/__sandbox/knobs", sandbox.base_url());
    let knobs: serde_json::Value = http().get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(knobs["quirks"], false);
    assert_eq!(knobs["access_token_ttl_secs"], 172_800);
    let r = http().put(&url).json(&json!({"quirks": true, "burst_429": 1})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(sandbox.knobs().quirks);
    let api = Api::with_key(&sandbox, Right::FullAccess);
    assert_eq!(api.get("v1/version").await.status, 429);
    let r = http().put(&url).json(&json!({"error_rate": "lots"})).send().await.unwrap();
    assert_eq!(r.status(), 400);
}
