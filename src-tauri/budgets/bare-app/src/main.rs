//! A bare Tauri 2 window saying hello: the floor the budgets benchmark holds Yespo Admin against
//! (src-tauri/budgets/budgets.py). Nothing here but what every Tauri app has, plus the same paint
//! mark the app reports.

use std::io::Write;

/// The page's first paint (`at`: ms since the Unix epoch), on stdout the way Yespo Admin
/// reports its own.
#[tauri::command]
fn painted(at: f64) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "tauri-bare-app: painted at {at:.1}").and_then(|()| out.flush());
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![painted])
        .run(tauri::generate_context!())
        .expect("the bare app runs");
}
