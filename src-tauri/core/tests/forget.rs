//! "Forget everything": accounts and their keychain secrets, the upload history and mappings,
//! the settings go; the logs stay.

mod common;

use common::*;
use std::sync::Arc;
use yespo_core::browse::Browse;
use yespo_core::forget::{forget_everything, preview};
use yespo_core::login::*;
use yespo_core::paths::AppPaths;
use yespo_core::settings::{Settings, SettingsStore, Theme};
use yespo_core::tokens::imports::Imports;

#[tokio::test]
async fn everything_goes_but_the_logs_and_the_preview_names_it_first() {
    let store = Arc::new(MemoryStore::default());
    let s = setup(store.clone(), |_| {}).await;
    log_in(&s).await;
    let key = s.sandbox.api_key(yespo_sandbox::Right::Events);
    add_account(&s.sessions, &key_account(&s.sandbox, &key)).await.unwrap();
    let root = tempfile::tempdir().unwrap();
    let paths = AppPaths::under(root.path());
    paths.create_all().unwrap();
    let imports = Imports::in_profile(&paths);
    let settings = SettingsStore::open(&paths.config_dir);
    settings.set(Settings { theme: Theme::Dark, ..Settings::default() }).unwrap();
    // An empty journal (opening it creates it) and remembered mappings.
    assert!(imports.history().unwrap().is_empty());
    std::fs::write(paths.data_dir.join("mappings.json"), b"{}").unwrap();
    std::fs::write(paths.log_dir.join("yespo-admin.log"), b"a log line").unwrap();
    let ids: Vec<String> = s.env().accounts.load().unwrap().accounts.into_iter().map(|a| a.id).collect();
    assert_eq!(ids.len(), 2);
    assert!(store.peek(&ids[0], SecretKind::RefreshToken).is_some());
    assert!(store.peek(&ids[1], SecretKind::ApiKey).is_some());

    let log_dir = paths.log_dir.display().to_string();
    let p = preview(&s.sessions, &imports, &settings, &log_dir).unwrap();
    assert_eq!(p.accounts, vec!["Sandbox".to_string(), "Key account".to_string()]);
    assert_eq!(p.uploads, 0);
    for name in ["accounts.json", "settings.json", "uploads.sqlite", "mappings.json"] {
        assert!(p.files.iter().any(|f| f.ends_with(name)), "{name} not in {:?}", p.files);
    }
    assert!(!p.upload_running);

    forget_everything(&s.sessions, &imports, &settings, &Browse::default()).await.unwrap();
    assert!(s.env().accounts.load().unwrap().accounts.is_empty());
    for id in &ids {
        for kind in SecretKind::ALL {
            assert!(store.peek(id, kind).is_none(), "{id} {kind:?} is still in the keychain");
        }
    }
    for file in imports.files() {
        assert!(!file.exists(), "{} is still there", file.display());
    }
    assert!(!s.env().accounts.path().exists());
    assert!(!settings.path().exists());
    assert_eq!(settings.get(), Settings::default());
    assert!(paths.log_dir.join("yespo-admin.log").exists(), "the logs stay");
}
