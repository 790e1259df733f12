// The one command the page calls (its paint mark) gets its permission, as the app's do.
fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&["painted"]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("tauri build step");
}
