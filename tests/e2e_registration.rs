//! E2E: the Registration check in demo mode. The demo app (full access, the app's default
//! Callback URL) is checked with its own login in the real window, this test playing the browser;
//! the report shows the verdicts first, the rights matrix, the logo's preview; it is exported to
//! Markdown and JSON, and neither file holds the Client Secret. Then a wrong secret typed in
//! fails the credentials check with its fix.

mod common;

use common::demo::{consent, keychain_secret};
use common::{require_keychain, App, Launch};
use fantoccini::Locator;

/// A 96×96 PNG, as Yespo recommends.
fn square_logo(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("logo.png");
    let image = image::RgbaImage::from_fn(96, 96, |x, y| {
        image::Rgba([91, 60, 196, if (x / 12 + y / 12) % 2 == 0 { 255 } else { 160 }])
    });
    image.save(&path).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_app_passes_its_registration_check_and_the_report_exports_without_the_secret() {
    require_keychain();
    let files = tempfile::tempdir().unwrap();
    let saves = files.path().join("saved");
    std::fs::create_dir_all(&saves).unwrap();
    let logo = square_logo(files.path());
    let (save_dir, logo_path) = (saves.display().to_string(), logo.display().to_string());
    let app = App::launch(Launch {
        args: vec!["--demo"],
        set: vec![("YESPO_ADMIN_TEST_SAVE_DIR", &save_dir), ("YESPO_ADMIN_TEST_PICK_LOGO", &logo_path)],
        ..Launch::default()
    })
    .await;
    app.open("registration").await;
    // The demo account is the app checked; its Client ID and Callback URL are filled in.
    let form = "#registration-form";
    let client_id = app.wait_for(&format!("{form} input[name='clientId']")).await.prop("value").await.unwrap().unwrap();
    assert_eq!(client_id.len(), 32, "the demo app's Client ID: {client_id}");
    let callback =
        app.wait_for(&format!("{form} input[name='callbackUrl']")).await.prop("value").await.unwrap().unwrap();
    assert_eq!(callback, "http://127.0.0.1:8917/callback");
    app.wait_for("[data-action='choose-logo']").await.click().await.unwrap();
    assert!(app.text("[data-field='logo-path']").await.ends_with("logo.png"));
    app.screenshot("registration-form").await;

    app.wait_for("[data-action='login-check']").await.click().await.unwrap();
    let url = app.wait_for("#registration-login-panel [data-field='login-url']").await.text().await.unwrap();
    assert!(url.contains("/uaa/oauth/authorize?") && url.contains("code_challenge_method=S256"), "{url}");
    tokio::task::spawn_blocking(move || consent(&url)).await.unwrap();

    let report = app.wait_for("#registration-report[data-verdict]").await;
    assert_eq!(
        report.attr("data-verdict").await.unwrap().as_deref(),
        Some("pass"),
        "{}",
        app.text("#registration-report").await
    );
    // The verdicts come first, one per check.
    let verdicts = app.client.find_all(Locator::Css("#registration-verdicts .verdict-list li")).await.unwrap();
    let mut seen = Vec::new();
    for li in &verdicts {
        seen.push((li.attr("data-check").await.unwrap().unwrap(), li.attr("data-verdict").await.unwrap().unwrap()));
    }
    let expected = ["callback_url", "credentials", "round_trip", "rights", "logo", "usage"];
    assert_eq!(seen.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(), expected);
    assert!(seen.iter().all(|(_, v)| v == "pass"), "{seen:?}");
    assert_eq!(app.text("#check-rights [data-field='named-right']").await, "Full access to API");
    let allowed = app.client.find_all(Locator::Css("#rights-matrix tr[data-access='allowed']")).await.unwrap();
    assert_eq!(allowed.len(), 7, "every method group is open to full access");
    let summary = app.text("#check-round_trip [data-field='summary']").await;
    assert!(summary.contains("The login works end to end") && summary.contains("rotates"), "{summary}");
    let preview = app.wait_for("#check-logo .logo-frame img").await;
    assert!(preview.attr("src").await.unwrap().unwrap().starts_with("data:image/png;base64,"));
    app.screenshot("registration-report").await;
    app.run_async_script("document.getElementById('check-rights').scrollIntoView(); arguments[0](true);").await;
    app.screenshot("registration-rights").await;

    // Export: Markdown and JSON, without the secret.
    app.wait_for("[data-action='export-markdown']").await.click().await.unwrap();
    let saved = app.text("[data-field='export-status']").await;
    assert!(saved.contains("registration-check-") && saved.ends_with(".md"), "{saved}");
    app.wait_for("[data-action='export-json']").await.click().await.unwrap();
    common::demo::wait_text_contains(&app, "[data-field='export-status']", ".json").await;
    let mut exported = Vec::new();
    for entry in std::fs::read_dir(&saves).unwrap() {
        let path = entry.unwrap().path();
        exported
            .push((path.extension().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&path).unwrap()));
    }
    exported.sort();
    assert_eq!(exported.iter().map(|(e, _)| e.as_str()).collect::<Vec<_>>(), ["json", "md"]);
    let markdown = &exported[1].1;
    assert!(markdown.starts_with("# Registration check: Pass"), "{markdown}");
    assert!(markdown.contains("| Method group | Probe | Result | Why the probe is harmless |"));
    assert!(markdown.contains(&client_id));
    let json: serde_json::Value = serde_json::from_str(&exported[0].1).unwrap();
    assert_eq!(json["verdict"], "pass");
    let account_id = app.wait_for(&format!("{form} select[name='app']")).await.prop("value").await.unwrap().unwrap();
    let secret = keychain_secret(&account_id, "client-secret").expect("the demo app's secret is in the keychain");
    for (kind, text) in &exported {
        assert!(!text.contains(&secret), "the Client Secret is in the {kind} report");
    }
    assert!(!app.app_log_text().contains(&secret), "the Client Secret is in the log");

    // By hand, with a wrong secret: the credentials check fails and says what to do.
    app.wait_for(&format!("{form} select[name='app']")).await.select_by_value("").await.unwrap();
    let id_field = app.wait_for(&format!("{form} input[name='clientId']")).await;
    id_field.send_keys(&client_id).await.unwrap();
    app.wait_for(&format!("{form} input[name='clientSecret']")).await.send_keys(&"0".repeat(64)).await.unwrap();
    app.wait_for("[data-action='check']").await.click().await.unwrap();
    let credentials = app.wait_for("#check-credentials[data-verdict='fail']").await;
    let fix = credentials.find(Locator::Css("[data-field='fix']")).await.unwrap().text().await.unwrap();
    assert!(fix.contains("Copy the Client ID and the Client Secret again"), "{fix}");
    assert_eq!(app.wait_for("#check-round_trip").await.attr("data-verdict").await.unwrap().as_deref(), Some("skipped"));
    app.screenshot("registration-wrong-secret").await;

    // The right one: it passes, and only "Add as an account" puts it in the keychain.
    let secret_field = app.wait_for(&format!("{form} input[name='clientSecret']")).await;
    secret_field.clear().await.unwrap();
    secret_field.send_keys(&secret).await.unwrap();
    app.wait_for("[data-action='check']").await.click().await.unwrap();
    app.wait_for("#check-credentials[data-verdict='pass']").await;
    let name = app.wait_for("#registration-add-account input[name='accountName']").await;
    name.clear().await.unwrap();
    name.send_keys("Checked app").await.unwrap();
    app.wait_for("#registration-add-account button[type='submit']").await.click().await.unwrap();
    let chosen = "(() => { const s = document.querySelector(\"#registration-form select[name='app']\"); \
                  return s && s.value ? [s.value, s.selectedOptions[0].textContent] : null; })()";
    let added = app.wait_until("the added account is chosen", chosen).await;
    assert_eq!(added[1], "Checked app (account)");
    let added_id = added[0].as_str().unwrap().to_string();
    assert_ne!(added_id, account_id);
    assert_eq!(keychain_secret(&added_id, "client-secret").as_deref(), Some(secret.as_str()));
    app.quit().await;
}
