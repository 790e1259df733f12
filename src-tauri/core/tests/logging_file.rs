//! `logging::init` writes to a log file in the given folder, scrubbed of live secrets. Its own
//! test binary, because it installs the process-wide subscriber.

use yespo_core::{logging, Secret};

#[test]
fn init_writes_a_scrubbed_log_file() {
    let dir = tempfile::tempdir().unwrap();
    let log_dir = dir.path().join("logs");
    std::env::set_var(logging::FILTER_ENV, "info");
    logging::init(&log_dir).unwrap();

    let token = Secret::new("refresh-9b2e6f1d0c3a4b5e8f7a6d5c4b3a2910");
    tracing::info!(token = %token, "stored the refresh token");
    tracing::info!("oops: {}", token.expose_secret());

    let files: Vec<_> = std::fs::read_dir(&log_dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("yespo-admin.") && name.ends_with(".log"), "{name}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("stored the refresh token"), "{text}");
    assert!(text.contains("oops: <redacted>"), "{text}");
    assert!(!text.contains(token.expose_secret()), "{text}");

    assert!(logging::init(&log_dir).is_err(), "a second init is refused, not silently ignored");
}
