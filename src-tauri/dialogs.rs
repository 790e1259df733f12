//! Native file dialogs (tauri-plugin-dialog, on rfd), asked from Rust so the page never gets
//! file-system permissions: it receives only what the user picked.
//!
//! `YESPO_ADMIN_TEST_SAVE_DIR` makes every save dialog answer at once with that folder and the
//! suggested name, and `YESPO_ADMIN_TEST_PICK_LOGO` the logo's open dialog with that file: an
//! E2E test cannot click in a GTK dialog, and everything else stays real.

use std::path::PathBuf;
use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

const TEST_SAVE_DIR: &str = "YESPO_ADMIN_TEST_SAVE_DIR";
const TEST_PICK_LOGO: &str = "YESPO_ADMIN_TEST_PICK_LOGO";

/// The token-file formats the reader takes, for the open dialog's filter.
const TOKEN_FILE_EXTENSIONS: &[&str] = &["json", "ndjson", "jsonl", "csv", "tsv", "txt", "xlsx"];

/// Asks for one or more token files; empty when the user cancelled.
pub fn pick_token_files(app: &AppHandle) -> Vec<PathBuf> {
    app.dialog()
        .file()
        .set_title("Choose token files")
        .add_filter("Token files", TOKEN_FILE_EXTENSIONS)
        .add_filter("All files", &["*"])
        .blocking_pick_files()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.into_path().ok())
        .collect()
}

/// Asks where to save a CSV, offering `suggested`; `None` when the user cancelled.
pub fn save_csv(app: &AppHandle, title: &str, suggested: &str) -> Option<PathBuf> {
    save_file(app, title, suggested, "CSV", "csv")
}

/// Asks where to save a file of one kind (`filter`, `extension`), offering `suggested`; `None`
/// when the user cancelled.
pub fn save_file(app: &AppHandle, title: &str, suggested: &str, filter: &str, extension: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(TEST_SAVE_DIR) {
        return Some(PathBuf::from(dir).join(suggested));
    }
    app.dialog()
        .file()
        .set_title(title)
        .set_file_name(suggested)
        .add_filter(filter, &[extension])
        .blocking_save_file()
        .and_then(|p| p.into_path().ok())
}

/// The picture formats Yespo's authorization form takes, for the open dialog's filter (the
/// check itself goes by the content).
const LOGO_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif"];

/// Asks for a logo file; `None` when the user cancelled.
pub fn pick_logo(app: &AppHandle) -> Option<PathBuf> {
    if let Some(file) = std::env::var_os(TEST_PICK_LOGO) {
        return Some(PathBuf::from(file));
    }
    app.dialog()
        .file()
        .set_title("Choose the logo")
        .add_filter("Images (PNG, JPG, GIF)", LOGO_EXTENSIONS)
        .add_filter("All files", &["*"])
        .blocking_pick_file()
        .and_then(|p| p.into_path().ok())
}
