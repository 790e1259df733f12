//! The installed package's app, in the real window: tests/package/install-test.sh installs the
//! .deb with apt, then runs this against `/usr/bin/yespo-admin` (through `YESPO_ADMIN_APP_BINARY`).
//! Ignored in a plain `cargo test`, which has no package installed.

mod common;

use common::demo::{log_in_demo, open_files};
use common::{app_binary, require_keychain, App, Launch};
use fantoccini::Locator;
use std::path::Path;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the installed package: tests/package/install-test.sh (part of ./dev test) runs it"]
async fn the_installed_app_opens_connects_the_demo_account_and_opens_a_token_file() {
    require_keychain();
    let binary = app_binary();
    assert!(binary.starts_with("/usr/"), "YESPO_ADMIN_APP_BINARY must name the installed app, not {binary}");
    let app = App::launch(Launch { args: vec!["--demo"], ..Launch::default() }).await;
    assert_eq!(app.text("#demo-badge").await.to_lowercase(), "demo");

    log_in_demo(&app).await;
    app.wait_for("[data-account][data-state='connected']").await;

    app.open("token-import").await;
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/package/sample-tokens.csv");
    open_files(&app, &[&sample]).await;
    app.wait_for("[data-state='open']").await;
    assert_eq!(app.text("[data-field='format']").await, "CSV / TSV");
    let rows = app.client.find_all(Locator::Css("#preview-table .vt-row:not(.vt-head)")).await.unwrap();
    assert_eq!(rows.len(), 5, "the sample's five rows");
    app.screenshot("installed-token-import").await;
    app.quit().await;
}
