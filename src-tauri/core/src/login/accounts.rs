//! Accounts: what the app knows about each Yespo account it can work with, kept as JSON in the
//! config folder (atomic writes). Never a secret: those live in the keychain.

use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Yespo's OAuth endpoints (seed 000).
pub const YESPO_AUTHORIZE_URL: &str = "https://uaa.yespo.io/uaa/oauth/authorize";
pub const YESPO_TOKEN_URL: &str = "https://uaa.yespo.io/uaa/oauth/token";
/// The default Callback URL: a fixed port below the ephemeral range, so it can be registered.
pub const DEFAULT_CALLBACK_URL: &str = "http://127.0.0.1:8917/callback";

/// How the client authenticates at the token endpoint; Yespo documents both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuthStyle {
    /// HTTP Basic `client_id:client_secret` (Yespo's Python sample).
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Params,
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
        }
    }
}

/// Everything in `accounts.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AccountsFile {
    pub accounts: Vec<Account>,
    pub active: Option<String>,
}

/// Reads and writes `accounts.json` in the config folder.
#[derive(Debug, Clone)]
pub struct AccountStore {
    path: PathBuf,
    lock: std::sync::Arc<std::sync::Mutex<()>>,
}

impl AccountStore {
    pub fn new(config_dir: &Path) -> AccountStore {
        AccountStore { path: config_dir.join("accounts.json"), lock: Default::default() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn load(&self) -> AppResult<AccountsFile> {
        let _guard = self.lock.lock().expect("accounts lock");
        self.read()
    }

    fn read(&self) -> AppResult<AccountsFile> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                AppError::internal(format!("The account list {} is damaged", self.path.display()))
                    .with_details(e.to_string())
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AccountsFile::default()),
            Err(e) => {
                Err(AppError::internal(format!("Cannot read {}", self.path.display())).with_details(e.to_string()))
            }
        }
    }

    /// Read, change and write back under one lock; the write is atomic (temp file + rename).
    pub fn update<T>(&self, change: impl FnOnce(&mut AccountsFile) -> AppResult<T>) -> AppResult<T> {
        let _guard = self.lock.lock().expect("accounts lock");
        let mut file = self.read()?;
        let result = change(&mut file)?;
        write_atomically(&self.path, serde_json::to_string_pretty(&file).expect("accounts serialise").as_bytes())?;
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

fn write_atomically(path: &Path, bytes: &[u8]) -> AppResult<()> {
    use std::io::Write;
    let fail =
        |e: std::io::Error| AppError::internal(format!("Cannot save {}", path.display())).with_details(e.to_string());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let tmp = path.with_extension("json.tmp");
    {
        let mut f = std::fs::File::create(&tmp).map_err(fail)?;
        f.write_all(bytes).map_err(fail)?;
        f.sync_all().map_err(fail)?;
    }
    std::fs::rename(&tmp, path).map_err(fail)
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
}
