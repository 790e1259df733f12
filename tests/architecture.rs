//! Architecture rule: `yespo-core` builds without Tauri, WebKit or GTK, so the Yespo client,
//! OAuth, token-file pipeline and sandbox are tested on any machine. Checked on the real
//! dependency tree, so a new dependency that drags them in fails here.

use std::process::Command;

const FORBIDDEN_PREFIXES: [&str; 7] = ["tauri", "wry", "tao", "webkit2gtk", "javascriptcore", "gtk", "soup"];

#[test]
fn core_depends_on_no_ui_toolkit() {
    let output = Command::new(env!("CARGO"))
        .args(["tree", "--locked", "-p", "yespo-core", "-e", "normal,build", "--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo tree");
    assert!(output.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&output.stderr));
    let tree = String::from_utf8(output.stdout).unwrap();
    let crates: Vec<&str> = tree.lines().filter_map(|line| line.split_whitespace().next()).collect();
    assert!(crates.contains(&"yespo-core") && crates.len() > 5, "unexpected cargo tree output:\n{tree}");
    let offending: Vec<&&str> =
        crates.iter().filter(|name| FORBIDDEN_PREFIXES.iter().any(|prefix| name.starts_with(prefix))).collect();
    assert!(offending.is_empty(), "yespo-core must not depend on {offending:?}");
}
