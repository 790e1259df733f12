// Tauri's build step: embeds tauri.conf.json and the ACL. App commands are declared here so each
// one gets `allow-<command>` / `deny-<command>` permissions and is callable only where a
// capability grants it (anchors.md A.5). Keep this list equal to `generate_handler!` in lib.rs;
// tests/security_config.rs checks that.
const COMMANDS: &[&str] = &[
    "app_info",
    "keychain_status",
    "accounts_list",
    "account_add",
    "account_edit",
    "account_select",
    "account_logout",
    "account_remove",
    "account_verify",
    "login_start",
    "login_status",
    "login_wait",
    "login_reopen",
    "login_cancel",
    "sessions_watch",
    "drops_watch",
    "account_overview",
    "contacts_rows",
    "contacts_refresh",
    "segments_list",
    "segments_refresh",
    "messages_rows",
    "messages_refresh",
    "messages_budget",
    "messages_cached",
    "email_preview",
    "email_preview_images",
    "email_open_in_browser",
    "sms_detail",
    "push_detail",
    "images_load",
    "list_export",
    "list_export_cancel",
    "contact_detail",
    "token_targets",
    "token_files_pick",
    "token_file_open",
    "token_file_reread",
    "token_file_choose",
    "token_file_check",
    "token_file_cancel_check",
    "token_file_rows",
    "token_file_export_problems",
    "token_file_close",
    "token_dry_run",
    "token_upload_start",
    "token_upload_watch",
    "token_upload_cancel",
    "token_upload_resume",
    "token_jobs",
    "token_jobs_unfinished",
    "token_job",
    "token_job_recheck",
    "token_job_discard",
    "token_job_delete",
    "token_job_export_report",
];

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("failed to run tauri-build");
}
