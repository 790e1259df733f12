//! The standalone `yespo-sandbox` binary: first stdout line is the JSON a script needs.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn prints_its_address_and_credentials_then_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yespo-sandbox"))
        .args(["--port", "0", "--contacts", "100", "--quirks"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).expect("the first line is JSON");
    let base = info["base_url"].as_str().unwrap().to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert!(info["demo_user"].is_string() && info["demo_password"].is_string());
    assert_eq!(info["oauth_apps"].as_array().unwrap().len(), 4);
    for app in info["oauth_apps"].as_array().unwrap() {
        for key in ["client_id", "client_secret", "callback_url", "rights"] {
            assert!(app[key].is_string(), "{key}: {app}");
        }
    }
    let key = info["api_keys"][0]["key"].as_str().unwrap();
    assert_eq!(info["api_keys"][0]["rights"], "full_access");

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let body: serde_json::Value = runtime.block_on(async {
        reqwest::Client::new()
            .get(format!("{base}/api/v1/contacts?maxrows=1"))
            .basic_auth("user", Some(key))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    // --quirks took effect: ids come as strings.
    assert!(body[0]["id"].is_string(), "{body}");
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let status = child.wait().unwrap();
    assert!(status.success() || status.code().is_none(), "{status:?}");
}

#[test]
fn help_and_bad_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_yespo-sandbox")).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("--port") && text.contains("--quirks") && text.contains("YESPO_SANDBOX_"));
    let out = Command::new(env!("CARGO_BIN_EXE_yespo-sandbox")).args(["--error-rate", "3"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("between 0 and 1"));
}
