//! Sandbox throughput, printed as figures (not a timed test):
//! `cargo bench -p yespo-sandbox --bench sandbox_throughput`.
//!
//! - `GET contacts` requests per second (rate limits off), for UI-sized and full pages;
//! - contacts per second for a 30,000-contact bulk import (10 requests of 3000, import speed
//!   unlimited), from the first POST to the last session FINISHED.

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use yespo_sandbox::testing::basic;
use yespo_sandbox::{Right, Sandbox, SandboxConfig};

const CLIENTS: usize = 8;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(run());
}

async fn run() {
    let mut config = SandboxConfig::default();
    config.knobs.rate_limits = false;
    config.knobs.import_speed = 0;
    let started = Instant::now();
    let sandbox = Sandbox::start(config).await.unwrap();
    println!("sandbox with 20,000 demo contacts up in {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);
    let auth = basic(&sandbox.api_key(Right::FullAccess));
    let client = reqwest::Client::new();

    for (label, query) in [
        ("GET contacts, 50 per page", "maxrows=50"),
        ("GET contacts, 500 per page", "maxrows=500"),
        ("GET contacts by externalCustomerId", "externalCustomerId=cus-001234"),
        ("GET contacts by first name (scan)", "firstname=olena&maxrows=50"),
    ] {
        let rate = requests_per_second(&sandbox, &client, &auth, query, Duration::from_secs(3)).await;
        println!("{label:<40} {rate:>8.0} requests/s ({CLIENTS} concurrent clients)");
    }

    let per_second = bulk_import(&sandbox, &client, &auth, 30_000).await;
    println!("{:<40} {per_second:>8.0} contacts/s (30,000 contacts in 10 requests of 3000)", "bulk import");
}

async fn requests_per_second(
    sandbox: &Sandbox,
    client: &reqwest::Client,
    auth: &str,
    query: &str,
    span: Duration,
) -> f64 {
    let url = format!("{}/api/v1/contacts?{query}", sandbox.base_url());
    let deadline = Instant::now() + span;
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (client, url, auth) = (client.clone(), url.clone(), auth.to_string());
            tokio::spawn(async move {
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let r = client.get(&url).header("Authorization", &auth).send().await.unwrap();
                    assert_eq!(r.status(), 200);
                    r.bytes().await.unwrap();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}

async fn bulk_import(sandbox: &Sandbox, client: &reqwest::Client, auth: &str, count: usize) -> f64 {
    let url = format!("{}/api/v1/contacts", sandbox.base_url());
    let bodies: Vec<String> = (0..count)
        .collect::<Vec<_>>()
        .chunks(3000)
        .map(|chunk| {
            let contacts: Vec<Value> = chunk
                .iter()
                .map(|i| json!({
                    "firstName": "Bench",
                    "channels": [{"type": "mobilepush", "value": format!("bench-token-{i:08}"),
                                  "device": {"appId": "83b77a49-fc28-409b-aeaa-68c9d544ab9d", "os": "iOS", "appVersion": "4.1.6"}},
                                 {"type": "email", "value": format!("bench{i}@example.com")}],
                    "externalCustomerId": format!("bench-{i:08}")
                }))
                .collect();
            json!({"dedupeOn": "externalCustomerId", "contacts": contacts}).to_string()
        })
        .collect();
    let started = Instant::now();
    let mut sessions = Vec::new();
    for body in bodies {
        let r = client
            .post(&url)
            .header("Authorization", auth)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let v: Value = r.json().await.unwrap();
        sessions.push(v["asyncSessionId"].as_str().unwrap().to_string());
    }
    for s in sessions {
        loop {
            let v: Value = client
                .get(format!("{}/api/v1/importstatus/{s}", sandbox.base_url()))
                .header("Authorization", auth)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if v["status"] == "FINISHED" {
                break;
            }
            assert_ne!(v["status"], "ERROR");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    count as f64 / started.elapsed().as_secs_f64()
}
