//! Accounts: what the app knows about each Yespo account it can work with, kept as JSON in the
//! config folder (atomic writes). Never a secret: those live in the keychain.
//!
//! The file must never lock the user out: a damaged one is kept aside under a dated name and the
//! app starts with an empty list (and says where the old file is); values written by a newer
//! version read as `Unknown` and fields this version does not know are kept as they were.

use crate::config_file;
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Yespo's OAuth endpoints (seed 000).
pub const YESPO_AUTHORIZE_URL: &str = "https://uaa.yespo.io/uaa/oauth/authorize";
pub const YESPO_TOKEN_URL: &str = "https://uaa.yespo.io/uaa/oauth/token";
/// The default Callback URL: a fixed port below the ephemeral range, so it can be registered.
pub const DEFAULT_CALLBACK_URL: &str = "http://127.0.0.1:8917/callback";

/// How the client authenticates at the token endpoint; Yespo documents both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuthStyle {
    /// HTTP Basic `client_id:client_secret` (Yespo's Python sample).
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Params,
    /// A style a newer version wrote; the user picks one again in Edit.
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccountAuth {
    /// A registered OAuth app; its Client Secret is in the keychain.
    #[serde(rename = "oauth", rename_all = "camelCase")]
    OAuth {
        client_id: String,
        callback_url: String,
        authorize_url: String,
        token_url: String,
        #[serde(default)]
        client_auth: ClientAuthStyle,
    },
    /// An API key (in the keychain).
    ApiKey,
    /// A kind of sign-in a newer version wrote: listed, removable, not usable here. (Its other
    /// fields are lost if this version saves the account; it only ever changes its state.)
    #[serde(other)]
    Unknown,
}

/// Where an account stands, for the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LoginState {
    /// Never logged in, or logged out.
    #[default]
    LoggedOut,
    Connected,
    /// The refresh token stopped working: the user must log in again.
    NeedsLogin,
    /// A state a newer version wrote; shown as "not logged in".
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// Stable id; keychain entries are named after it.
    pub id: String,
    pub name: String,
    /// e.g. `https://yespo.io/api`.
    pub api_base_url: String,
    pub auth: AccountAuth,
    #[serde(default)]
    pub state: LoginState,
    /// Organisation name from `account/info`, once connected.
    #[serde(default)]
    pub organisation: Option<String>,
    /// Unix seconds when the access token expires / was obtained.
    #[serde(default)]
    pub access_expires_at: Option<u64>,
    #[serde(default)]
    pub access_obtained_at: Option<u64>,
    /// Unix seconds when the refresh token is expected to expire (Yespo: 30 days after issue).
    #[serde(default)]
    pub refresh_expires_at: Option<u64>,
    /// Whether this account is bound to the embedded demo sandbox.
    #[serde(default)]
    pub demo: bool,
    /// Fields a newer version wrote: kept, and written back unchanged.
    #[serde(flatten)]
    pub unknown_fields: Map<String, Value>,
}

impl Account {
    /// A new, logged-out account.
    pub fn new(id: String, name: String, api_base_url: String, auth: AccountAuth) -> Account {
        Account {
            id,
            name,
            api_base_url,
            auth,
            state: LoginState::LoggedOut,
            organisation: None,
            access_expires_at: None,
            access_obtained_at: None,
            refresh_expires_at: None,
            demo: false,
            unknown_fields: Map::new(),
        }
    }
}

/// Everything in `accounts.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AccountsFile {
    pub accounts: Vec<Account>,
    pub active: Option<String>,
    /// Fields a newer version wrote: kept, and written back unchanged.
    #[serde(flatten)]
    pub unknown_fields: Map<String, Value>,
}

/// Reads and writes `accounts.json` in the config folder.
#[derive(Debug, Clone)]
pub struct AccountStore {
    path: PathBuf,
    lock: std::sync::Arc<std::sync::Mutex<Recovery>>,
}

/// What happened to a damaged account list this run.
#[derive(Debug, Default)]
struct Recovery {
    /// Where the damaged file was kept aside.
    kept_aside: Option<PathBuf>,
}

impl AccountStore {
    pub fn new(config_dir: &Path) -> AccountStore {
        AccountStore { path: config_dir.join("accounts.json"), lock: Default::default() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// If the list was damaged this run: where the old file now is.
    pub fn damaged_file_kept_at(&self) -> Option<PathBuf> {
        self.lock.lock().expect("accounts lock").kept_aside.clone()
    }

    pub fn load(&self) -> AppResult<AccountsFile> {
        let mut recovery = self.lock.lock().expect("accounts lock");
        self.read(&mut recovery)
    }

    /// The list; a file that does not parse is renamed `accounts.damaged-<UTC time>.json` and
    /// the list starts empty, so the user can go on (and find the old file).
    fn read(&self, recovery: &mut Recovery) -> AppResult<AccountsFile> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(AccountsFile::default()),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => String::new(), // not UTF-8: damaged
            Err(e) => {
                return Err(
                    AppError::internal(format!("Cannot read {}", self.path.display())).with_details(e.to_string())
                )
            }
        };
        let error = match serde_json::from_str::<AccountsFile>(&text) {
            Ok(file) => return Ok(file),
            Err(e) => e.to_string(),
        };
        let aside = self.path.with_file_name(format!("accounts.damaged-{}.json", config_file::utc_stamp()));
        std::fs::rename(&self.path, &aside).map_err(|e| {
            AppError::internal(format!("The account list {} is damaged and cannot be moved aside", self.path.display()))
                .with_details(e.to_string())
        })?;
        tracing::error!(kept_aside = %aside.display(), %error, "the account list was damaged; starting with an empty one");
        recovery.kept_aside = Some(aside);
        Ok(AccountsFile::default())
    }

    /// Read, change and write back under one lock; the write is atomic (temp file + rename).
    pub fn update<T>(&self, change: impl FnOnce(&mut AccountsFile) -> AppResult<T>) -> AppResult<T> {
        let mut recovery = self.lock.lock().expect("accounts lock");
        let mut file = self.read(&mut recovery)?;
        let result = change(&mut file)?;
        config_file::write_atomically(
            &self.path,
            serde_json::to_string_pretty(&file).expect("accounts serialise").as_bytes(),
        )?;
        Ok(result)
    }

    pub fn get(&self, id: &str) -> AppResult<Account> {
        self.load()?
            .accounts
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| AppError::not_found("No such account; it may have been removed"))
    }
}

/// A new account id: random, so keychain entries of a removed account are never reused.
pub fn new_account_id() -> String {
    format!("acc-{}", crate::random::random_hex(8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_round_trip_through_an_atomic_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = AccountStore::new(dir.path());
        assert_eq!(store.load().unwrap(), AccountsFile::default());
        let account = Account::new(
            new_account_id(),
            "Shop".into(),
            "https://yespo.io/api".into(),
            AccountAuth::OAuth {
                client_id: "abc".into(),
                callback_url: DEFAULT_CALLBACK_URL.into(),
                authorize_url: YESPO_AUTHORIZE_URL.into(),
                token_url: YESPO_TOKEN_URL.into(),
                client_auth: ClientAuthStyle::Basic,
            },
        );
        store
            .update(|f| {
                f.accounts.push(account.clone());
                f.active = Some(account.id.clone());
                Ok(())
            })
            .unwrap();
        assert_eq!(store.get(&account.id).unwrap(), account);
        assert!(!dir.path().join("accounts.json.tmp").exists());
        let text = std::fs::read_to_string(store.path()).unwrap();
        assert!(text.contains("\"kind\": \"oauth\""), "{text}");
    }

    #[test]
    fn a_damaged_file_is_kept_aside_and_the_list_starts_empty() {
        let dir = tempfile::tempdir().unwrap();
        let store = AccountStore::new(dir.path());
        std::fs::write(store.path(), b"{\"accounts\": [ {\"id\": ").unwrap();
        assert_eq!(store.load().unwrap(), AccountsFile::default());
        let aside = store.damaged_file_kept_at().expect("the damaged file was kept");
        assert!(aside.file_name().unwrap().to_str().unwrap().starts_with("accounts.damaged-"), "{aside:?}");
        assert_eq!(std::fs::read(&aside).unwrap(), b"{\"accounts\": [ {\"id\": ");
        assert!(!store.path().exists());
        // The app goes on: an account can be added.
        store
            .update(|f| {
                f.active = Some("x".into());
                Ok(())
            })
            .unwrap();
        assert_eq!(store.load().unwrap().active.as_deref(), Some("x"));
        // Bytes that are not UTF-8 count as damaged too.
        std::fs::write(store.path(), [0xff, 0xfe, 0x00]).unwrap();
        assert_eq!(store.load().unwrap(), AccountsFile::default());
    }

    #[test]
    fn values_and_fields_of_a_newer_version_are_tolerated_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = AccountStore::new(dir.path());
        let newer = r#"{"accounts": [
            {"id": "a", "name": "A", "apiBaseUrl": "https://yespo.io/api", "state": "suspended",
             "auth": {"kind": "oauth", "clientId": "c", "callbackUrl": "http://127.0.0.1:8917/callback",
                      "authorizeUrl": "https://x/a", "tokenUrl": "https://x/t", "clientAuth": "private_key_jwt"},
             "colour": "teal"},
            {"id": "b", "name": "B", "apiBaseUrl": "https://yespo.io/api", "auth": {"kind": "sso", "tenant": "t"}}
        ], "active": "a", "layout": {"compact": true}}"#;
        std::fs::write(store.path(), newer).unwrap();
        let file = store.load().unwrap();
        assert_eq!(file.accounts[0].state, LoginState::Unknown);
        assert!(matches!(file.accounts[0].auth, AccountAuth::OAuth { client_auth: ClientAuthStyle::Unknown, .. }));
        assert_eq!(file.accounts[1].auth, AccountAuth::Unknown);
        assert!(store.damaged_file_kept_at().is_none());
        store
            .update(|f| {
                f.accounts[0].name = "A2".into();
                Ok(())
            })
            .unwrap();
        let text = std::fs::read_to_string(store.path()).unwrap();
        assert!(text.contains("\"colour\": \"teal\"") && text.contains("\"compact\": true"), "{text}");
    }

    #[test]
    fn a_failed_write_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a folder: the rename fails after the temp file was written.
        let target = dir.path().join("accounts.json");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("keep"), b"x").unwrap();
        assert!(config_file::write_atomically(&target, b"{}").is_err());
        assert!(!dir.path().join("accounts.json.tmp").exists());
    }
}
