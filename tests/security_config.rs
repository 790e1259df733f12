//! The security baseline, read from the files that configure it: the CSP is set and strict, the
//! only capability is for the `main` window and grants only our own commands, and the command
//! list in build.rs (permissions), lib.rs (handlers) and the capability agree.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn config() -> Value {
    serde_json::from_str(&read("tauri.conf.json")).expect("tauri.conf.json is JSON")
}

/// The CSP as directive → sources, whether the config writes it as a string or as a map.
fn csp_directives(csp: &Value) -> Vec<(String, String)> {
    match csp {
        Value::String(text) => text
            .split(';')
            .filter_map(|part| {
                let mut words = part.split_whitespace();
                Some((words.next()?.to_owned(), words.collect::<Vec<_>>().join(" ")))
            })
            .collect(),
        Value::Object(map) => map
            .iter()
            .map(|(name, value)| {
                let sources = match value {
                    Value::String(s) => s.clone(),
                    Value::Array(items) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" "),
                    other => panic!("CSP directive {name} has an unexpected value {other}"),
                };
                (name.clone(), sources)
            })
            .collect(),
        other => panic!("the CSP must be set (a string or a map), found {other}"),
    }
}

#[test]
fn csp_is_set_and_strict() {
    let config = config();
    let security = &config["app"]["security"];
    let directives = csp_directives(&security["csp"]);
    let get = |name: &str| directives.iter().find(|(n, _)| n == name).map(|(_, s)| s.as_str());

    assert_eq!(get("default-src"), Some("'self'"));
    let script_src = get("script-src").or(get("default-src")).unwrap();
    for (name, sources) in &directives {
        assert!(!sources.contains("unsafe-eval"), "{name} allows eval: {sources}");
        if name == "script-src" || name == "default-src" {
            assert!(!sources.contains("unsafe-inline"), "{name} allows inline scripts: {sources}");
        }
    }
    for source in script_src.split_whitespace() {
        assert!(
            matches!(source, "'self'" | "'wasm-unsafe-eval'")
                || source.starts_with("'nonce-")
                || source.starts_with("'sha"),
            "script-src must not name hosts or wildcards: {source}"
        );
    }
    let connect = get("connect-src").expect("connect-src must be explicit");
    for source in connect.split_whitespace() {
        assert!(
            matches!(source, "ipc:" | "http://ipc.localhost" | "'self'"),
            "connect-src allows more than IPC: {source}"
        );
    }
    assert_eq!(get("object-src"), Some("'none'"));
    // A dev CSP, if present, must not loosen anything either.
    assert!(security.get("devCsp").is_none_or(|v| v == &security["csp"]), "devCsp differs from csp");
    assert_eq!(security["freezePrototype"], Value::Bool(true));
    // Tauri's hashes stay on for scripts. For styles they are off, on purpose: a hash would turn
    // 'unsafe-inline' off, and the email preview (a srcdoc frame, which inherits this CSP) needs
    // the email's inline styles. Styles may come from the app and inline, never from a host.
    let modification = security.get("dangerousDisableAssetCspModification");
    assert!(
        modification.is_none_or(|v| v == &Value::Bool(false) || v == &serde_json::json!(["style-src"])),
        "only style-src may skip Tauri's CSP hashes: {modification:?}"
    );
    for source in get("style-src").unwrap_or("'self'").split_whitespace() {
        assert!(matches!(source, "'self'" | "'unsafe-inline'"), "style-src must not name hosts: {source}");
    }
    for source in get("img-src").unwrap_or("'self'").split_whitespace() {
        assert!(
            matches!(source, "'self'" | "data:"),
            "img-src must not name hosts (images are inlined by Rust): {source}"
        );
    }
}

#[test]
fn only_the_main_window_exists() {
    let config = config();
    let labels: Vec<&str> =
        config["app"]["windows"].as_array().unwrap().iter().map(|w| w["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["main"]);
}

/// Commands named in `const COMMANDS: &[&str] = &[...]` in build.rs.
fn commands_in_build_rs() -> BTreeSet<String> {
    let text = read("src-tauri/build.rs");
    let start = text.find("const COMMANDS").expect("build.rs declares COMMANDS");
    let list = &text[start..];
    let list = &list[list.find("= &[").expect("COMMANDS = &[...]") + 4..list.find("];").unwrap()];
    list.split(',').map(|s| s.trim().trim_matches('"').to_owned()).filter(|s| !s.is_empty()).collect()
}

/// Commands in `generate_handler![...]` in lib.rs.
fn commands_in_handler() -> BTreeSet<String> {
    let text = read("src-tauri/lib.rs");
    let start = text.find("generate_handler![").expect("lib.rs registers commands") + "generate_handler![".len();
    let list = &text[start..start + text[start..].find(']').unwrap()];
    list.split(',').map(|s| s.trim().rsplit("::").next().unwrap().to_owned()).filter(|s| !s.is_empty()).collect()
}

#[test]
fn app_commands_are_declared_for_permissions() {
    let declared = commands_in_build_rs();
    assert!(!declared.is_empty());
    assert_eq!(declared, commands_in_handler(), "build.rs COMMANDS and generate_handler! must list the same commands");
}

#[test]
fn capabilities_grant_only_our_commands_to_main_only() {
    let mut capabilities: Vec<(String, Value)> = Vec::new();
    for entry in std::fs::read_dir(Path::new(ROOT).join("src-tauri/capabilities")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        capabilities.push((path.display().to_string(), serde_json::from_str(&text).unwrap()));
    }
    // Inline capabilities in tauri.conf.json count too.
    if let Some(Value::Array(inline)) = config()["app"]["security"].get("capabilities") {
        for capability in inline {
            if capability.is_object() {
                capabilities.push(("tauri.conf.json".into(), capability.clone()));
            }
        }
    }
    assert!(!capabilities.is_empty(), "there must be a capability for the main window");

    let allowed: BTreeSet<String> =
        commands_in_build_rs().iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
    let mut granted = BTreeSet::new();
    for (file, capability) in &capabilities {
        assert_eq!(capability["windows"], serde_json::json!(["main"]), "{file}: windows must be exactly [\"main\"]");
        assert!(capability.get("webviews").is_none(), "{file}: no webview-level grants");
        assert!(capability.get("remote").is_none(), "{file}: no remote URLs get IPC access");
        for permission in capability["permissions"].as_array().unwrap() {
            let id = permission.as_str().or(permission["identifier"].as_str()).unwrap().to_owned();
            assert!(allowed.contains(&id), "{file}: grants `{id}`, which is not one of our commands' permissions");
            granted.insert(id);
        }
    }
    assert_eq!(granted, allowed, "every command must be granted to the main window (or removed)");
}
