//! Architecture rule: `yespo-core`, `yespo-sandbox` and `yespo-admin-cli` build and test without
//! Tauri, WebKit or GTK, so the Yespo client, OAuth, token-file pipeline, sandbox and command line
//! are tested (and run) on any machine.
//! Checked on the real dependency trees (dev-dependencies included: `cargo test -p yespo-core`
//! builds them), so a new dependency that drags them in fails here.

use std::process::Command;

const FORBIDDEN_PREFIXES: [&str; 7] = ["tauri", "wry", "tao", "webkit2gtk", "javascriptcore", "gtk", "soup"];

/// The crates in `package`'s normal, build and dev dependency tree (itself included).
fn dependency_tree(package: &str) -> Vec<String> {
    let output = Command::new(env!("CARGO"))
        .args(["tree", "--locked", "-p", package, "-e", "normal,build,dev", "--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo tree");
    assert!(output.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&output.stderr));
    let tree = String::from_utf8(output.stdout).unwrap();
    let crates: Vec<String> =
        tree.lines().filter_map(|line| line.split_whitespace().next()).map(String::from).collect();
    assert!(crates.iter().any(|c| c == package) && crates.len() > 5, "unexpected cargo tree output:\n{tree}");
    crates
}

fn assert_no_ui_toolkit(package: &str) {
    let crates = dependency_tree(package);
    let offending: Vec<&String> =
        crates.iter().filter(|name| FORBIDDEN_PREFIXES.iter().any(|prefix| name.starts_with(prefix))).collect();
    assert!(offending.is_empty(), "{package} must not depend on {offending:?}");
}

#[test]
fn core_depends_on_no_ui_toolkit() {
    assert_no_ui_toolkit("yespo-core");
}

#[test]
fn cli_depends_on_no_ui_toolkit() {
    assert_no_ui_toolkit("yespo-admin-cli");
}

#[test]
fn sandbox_depends_on_no_ui_toolkit() {
    assert_no_ui_toolkit("yespo-sandbox");
}
