//! E2E: every screen passes axe-core (Deque's accessibility rules, WCAG 2.x A and AA) in the real
//! window, in the light and the dark theme, with no serious or critical violation. axe-core comes
//! pinned from `tests/typecheck/package.json` (`./dev test` installs it) and is injected through
//! WebDriver.

mod common;

use common::demo::log_in_demo;
use common::{require_keychain, App, Launch};
use serde_json::Value;

/// One window at a time: the keyboard goes to the window that has the focus, and a focus ring
/// shows only in a focused window.
static ONE_WINDOW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const AXE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/typecheck/node_modules/axe-core/axe.min.js");

/// The serious and critical violations axe finds on what the window shows now, one line each.
async fn violations(app: &App, screen: &str) -> Vec<String> {
    let loaded = app.client.execute("return typeof window.axe !== 'undefined'", vec![]).await.unwrap();
    if loaded != Value::Bool(true) {
        let source =
            std::fs::read_to_string(AXE).unwrap_or_else(|e| panic!("{AXE}: {e} (run ./dev test, which installs it)"));
        app.client.execute(&source, vec![]).await.unwrap();
    }
    let found = app
        .run_async_script(
            "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, \
             resultTypes: ['violations'] }).then((r) => done(r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical') \
             .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' — ' + n.failureSummary.replace(/\\s+/g, ' ')) }))), \
             (e) => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));",
        )
        .await;
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "[{screen}] {} ({}): {}\n    {}",
                v["id"],
                v["impact"],
                v["help"],
                v["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n.as_str().unwrap_or_default().to_string())
                    .collect::<Vec<_>>()
                    .join("\n    ")
            )
        })
        .collect()
}

/// Each area, what to click there so it shows its details (a contact, an email, a report), and
/// what shows once it is ready.
const SCREENS: [(&str, Option<&str>, &str); 9] = [
    ("accounts", None, "[data-account]"),
    ("registration", Some("[data-action='check']"), "#registration-report"),
    ("contacts", Some(".vt-layer .vt-row:not(.loading) .vt-cell"), "#contact-detail"),
    (
        "segments",
        Some(".segment-list .vt-layer .vt-row:not(.loading) .vt-cell"),
        ".segment-members .vt-layer .vt-row:not(.loading)",
    ),
    ("messages", Some(".vt-layer .vt-row:not(.loading) .vt-cell"), "#message-detail iframe.email-frame"),
    ("account", None, "#account-balance"),
    ("token-import", None, ".drop-zone"),
    ("settings", None, "#settings-keychain"),
    ("about", None, "#keychain"),
];

async fn every_screen(app: &App, theme: &str, found: &mut Vec<String>) {
    app.client.execute(&format!("document.documentElement.dataset.theme = '{theme}'"), vec![]).await.unwrap();
    for (area, click, ready) in SCREENS {
        app.open(area).await;
        if let Some(click) = click {
            app.wait_for(click).await.click().await.unwrap();
        }
        app.wait_for(ready).await;
        found.extend(violations(app, &format!("{theme} {area}")).await);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_screen_passes_axe_in_light_and_dark() {
    require_keychain();
    let _alone = ONE_WINDOW.lock().await;
    let app = App::launch(Launch { args: vec!["--demo"], ..Launch::default() }).await;
    log_in_demo(&app).await;
    let mut found = Vec::new();
    every_screen(&app, "light", &mut found).await;
    every_screen(&app, "dark", &mut found).await;
    app.quit().await;
    assert!(found.is_empty(), "{} serious or critical accessibility violations:\n{}", found.len(), found.join("\n"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_keyboard_reaches_every_area_with_a_visible_focus_ring() {
    let _alone = ONE_WINDOW.lock().await;
    let app = App::launch(Launch::default()).await;
    let mut reached = std::collections::BTreeSet::new();
    for _ in 0..40 {
        app.press(fantoccini::key::Key::Tab.into()).await;
        let focused = app
            .client
            .execute(
                "const e = document.activeElement; const s = getComputedStyle(e); \
                 return { area: e.dataset.area ?? null, tag: e.tagName, outline: s.outlineStyle, width: parseFloat(s.outlineWidth) };",
                vec![],
            )
            .await
            .unwrap();
        if focused["tag"] == "BODY" {
            continue;
        }
        assert!(
            // The app's own ring (solid, 2 px), not the engine's default, which varies.
            focused["outline"] == "solid" && focused["width"].as_f64().unwrap_or(0.0) >= 2.0,
            "the focus is not visible on {focused}"
        );
        if let Some(area) = focused["area"].as_str() {
            reached.insert(area.to_string());
        }
    }
    for area in
        ["accounts", "registration", "contacts", "segments", "messages", "account", "token-import", "settings", "about"]
    {
        assert!(reached.contains(area), "Tab never reached {area}: {reached:?}");
    }
    app.quit().await;
}
