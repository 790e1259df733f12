//! The main window's events the app acts on: files dragged over it (forwarded to the page,
//! which shows the drop overlay and opens what is dropped) and a close while an upload runs
//! (asked first; the upload then stops where it is and is offered for resume next time).

use crate::AppState;
use serde::Serialize;
use std::sync::atomic::Ordering;
use tauri::ipc::Channel;
use tauri::{DragDropEvent, Manager, Window, WindowEvent};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

/// What the page hears of a drag over the window (paths, never file contents).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum DropEvent {
    Enter { paths: Vec<String> },
    Drop { paths: Vec<String> },
    Leave,
}

/// The page's channel for drag-and-drop; a reloaded page replaces it.
#[tauri::command(async)]
pub fn drops_watch(state: tauri::State<'_, AppState>, on_drop: Channel<DropEvent>) {
    *state.drops.lock().unwrap_or_else(|e| e.into_inner()) = Some(on_drop);
}

fn texts(paths: &[std::path::PathBuf]) -> Vec<String> {
    paths.iter().map(|p| p.display().to_string()).collect()
}

pub fn on_window_event(window: &Window, event: &WindowEvent) {
    // Before setup has put the state in place there is nothing to act on.
    let Some(state) = window.try_state::<AppState>() else { return };
    match event {
        WindowEvent::DragDrop(drag) => {
            let forwarded = match drag {
                DragDropEvent::Enter { paths, .. } => DropEvent::Enter { paths: texts(paths) },
                DragDropEvent::Drop { paths, .. } => DropEvent::Drop { paths: texts(paths) },
                DragDropEvent::Leave => DropEvent::Leave,
                // Moves over the window: the overlay needs no position.
                _ => return,
            };
            if let Some(channel) = state.drops.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
                let _ = channel.send(forwarded);
            }
        }
        WindowEvent::CloseRequested { api, .. } => {
            if !state.imports.any_running() || state.quitting.load(Ordering::SeqCst) {
                return;
            }
            api.prevent_close();
            let app = window.app_handle().clone();
            window
                .dialog()
                .message(
                    "An upload is running. Closing the window stops it where it is: what was sent stays \
                     recorded, and Yespo Admin offers to resume it the next time it starts.",
                )
                .title("Stop the upload and close?")
                .kind(MessageDialogKind::Warning)
                .buttons(MessageDialogButtons::OkCancelCustom("Stop and close".into(), "Keep uploading".into()))
                .show(move |close| {
                    if !close {
                        return;
                    }
                    let state = app.state::<AppState>();
                    state.quitting.store(true, Ordering::SeqCst);
                    let imports = state.imports.clone();
                    tauri::async_runtime::spawn(async move {
                        // Requests in flight get a moment to be recorded; the journal has the rest.
                        imports.cancel_all(std::time::Duration::from_secs(5)).await;
                        app.exit(0);
                    });
                });
        }
        _ => {}
    }
}
