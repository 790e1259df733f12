//! `ui/types/ipc.d.ts` is what ts-rs makes of the Rust payload types now: the UI's type check
//! (`./dev test` runs tsc) then holds the JavaScript to what Rust really sends.

use std::path::Path;

#[test]
fn the_ui_has_the_current_ipc_types() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/types/ipc.d.ts");
    let now = yespo_admin::ipc_types::declarations();
    if std::env::var_os("UPDATE_IPC_TYPES").is_some() {
        std::fs::write(&file, &now).unwrap();
        return;
    }
    let kept = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        kept == now,
        "{} is out of date with the Rust types: run `UPDATE_IPC_TYPES=1 cargo test --test ipc_types` and commit it",
        file.display()
    );
}
