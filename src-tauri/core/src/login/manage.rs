//! Adding and editing accounts (with every field checked), the list the UI shows, and the demo
//! account bound to the sandbox.

use super::accounts::*;
use super::loopback::CallbackUrl;
use super::oauth::LoginEnv;
use super::secrets::{self, SecretKind};
use super::sessions::{SessionWarning, Sessions};
use crate::error::{AppError, AppResult};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};

/// What the Add account form sends. Secrets arrive here once and go straight to the keychain.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAccount {
    pub name: String,
    pub api_base_url: Option<String>,
    /// `oauth` or `api_key`.
    pub kind: String,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub callback_url: Option<String>,
    pub authorize_url: Option<String>,
    pub token_url: Option<String>,
    pub client_auth: Option<ClientAuthStyle>,
    pub api_key: Option<Secret>,
}

/// What the Edit form sends: `None` (or an empty secret) leaves a field as it is.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountEdit {
    pub name: Option<String>,
    pub callback_url: Option<String>,
    pub client_auth: Option<ClientAuthStyle>,
    pub client_secret: Option<Secret>,
    pub api_key: Option<Secret>,
}

/// The account list as the UI sees it: no secret is ever in it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountsView {
    pub accounts: Vec<Account>,
    pub active: Option<String>,
    /// Set when `accounts.json` was damaged this run: where the old file was kept.
    pub damaged_file_kept_at: Option<String>,
    /// Accounts whose new tokens wait in memory for the keychain.
    pub warnings: Vec<SessionWarning>,
}

/// The list, the active account, and what the user should know about them.
pub fn accounts_view(sessions: &Sessions) -> AppResult<AccountsView> {
    let file = sessions.env().accounts.load()?;
    Ok(AccountsView {
        accounts: file.accounts,
        active: file.active,
        damaged_file_kept_at: sessions.env().accounts.damaged_file_kept_at().map(|p| p.display().to_string()),
        warnings: sessions.status().borrow().warnings.clone(),
    })
}

fn required(value: &Option<String>, what: &str) -> AppResult<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .ok_or_else(|| AppError::validation(format!("{what} must not be empty")))
}

fn https_url(value: &str, what: &str) -> AppResult<String> {
    let url = url::Url::parse(value.trim()).map_err(|_| AppError::validation(format!("{what} is not a valid URL")))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1") | Some("localhost") | Some("[::1]"));
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        return Err(AppError::validation(format!("{what} must start with https://")));
    }
    Ok(value.trim().trim_end_matches('/').to_string())
}

/// A secret as entered: trimmed (a copied key often carries a space or a line break); `None`
/// when nothing is left.
fn entered(secret: &Option<Secret>) -> Option<Secret> {
    secret.as_ref().map(|s| s.expose_secret().trim()).filter(|s| !s.is_empty()).map(Secret::new)
}

/// Check a new account; returns it and the secrets to keep.
pub fn check_new_account(input: &NewAccount) -> AppResult<(Account, Vec<(SecretKind, Secret)>)> {
    let name = required(&Some(input.name.clone()), "The account name")?;
    let api_base_url =
        https_url(input.api_base_url.as_deref().unwrap_or(crate::yespo::DEFAULT_BASE_URL), "The API address")?;
    let (auth, secrets) = match input.kind.as_str() {
        "oauth" => {
            let client_id = required(&input.client_id, "The Client ID")?;
            let secret = entered(&input.client_secret)
                .ok_or_else(|| AppError::validation("The Client Secret must not be empty"))?;
            let callback =
                required(&input.callback_url, "The Callback URL").unwrap_or_else(|_| DEFAULT_CALLBACK_URL.to_string());
            CallbackUrl::parse(&callback)?;
            let authorize_url =
                https_url(input.authorize_url.as_deref().unwrap_or(YESPO_AUTHORIZE_URL), "The authorize URL")?;
            let token_url = https_url(input.token_url.as_deref().unwrap_or(YESPO_TOKEN_URL), "The token URL")?;
            (
                AccountAuth::OAuth {
                    client_id,
                    callback_url: callback,
                    authorize_url,
                    token_url,
                    client_auth: input.client_auth.unwrap_or_default(),
                },
                vec![(SecretKind::ClientSecret, secret)],
            )
        }
        "api_key" => {
            let key = entered(&input.api_key).ok_or_else(|| AppError::validation("The API key must not be empty"))?;
            (AccountAuth::ApiKey, vec![(SecretKind::ApiKey, key)])
        }
        other => return Err(AppError::validation(format!("Unknown account kind '{other}'"))),
    };
    let account = Account::new(new_account_id(), name, api_base_url, auth);
    Ok((account, secrets))
}

/// Add an account: secrets into the keychain first (if that fails, nothing is saved), then the
/// account list. An API-key account is checked against Yespo right away.
pub async fn add_account(sessions: &Sessions, input: &NewAccount) -> AppResult<Account> {
    let env = sessions.env();
    let (account, secrets_to_keep) = check_new_account(input)?;
    for (kind, value) in &secrets_to_keep {
        secrets::set(&env.secrets, &account.id, *kind, value).await?;
    }
    let saved = account.clone();
    env.accounts.update(move |f| {
        f.accounts.push(saved.clone());
        if f.active.is_none() {
            f.active = Some(saved.id.clone());
        }
        Ok(())
    })?;
    if matches!(account.auth, AccountAuth::ApiKey) {
        return match sessions.verify(&account.id).await {
            Ok(account) => Ok(account),
            Err(error) => {
                sessions.remove(&account.id).await?;
                Err(error)
            }
        };
    }
    Ok(account)
}

/// Edit an account: its name, Callback URL, client authentication, Client Secret or API key.
/// A new API key is checked against Yespo before it replaces the old one. A change to how the
/// account signs in ends its session (the next call starts a new one); a new name or Callback
/// URL does not touch it.
pub async fn edit_account(sessions: &Sessions, account_id: &str, edit: &AccountEdit) -> AppResult<Account> {
    let env = sessions.env();
    let account = env.accounts.get(account_id)?;
    let name = match &edit.name {
        Some(name) => Some(required(&Some(name.clone()), "The account name")?),
        None => None,
    };
    let secret = entered(&edit.client_secret);
    let key = entered(&edit.api_key);
    let is_oauth = matches!(account.auth, AccountAuth::OAuth { .. });
    if !is_oauth && (edit.callback_url.is_some() || edit.client_auth.is_some() || secret.is_some()) {
        return Err(AppError::validation(
            "Only an OAuth account has a Callback URL, client authentication or Client Secret",
        ));
    }
    if is_oauth && key.is_some() {
        return Err(AppError::validation("An OAuth account has no API key; it logs in through the browser"));
    }
    let callback = match &edit.callback_url {
        Some(url) => Some(CallbackUrl::parse(url)?.url),
        None => None,
    };
    if edit.client_auth == Some(ClientAuthStyle::Unknown) {
        return Err(AppError::validation("Choose HTTP Basic or the request body for the client authentication"));
    }
    if let Some(key) = &key {
        // The new key must work before it replaces one that does.
        sessions.check_api_key(account_id, key).await?;
    }
    let signs_in_anew = secret.is_some() || key.is_some() || edit.client_auth.is_some();
    if let Some(secret) = &secret {
        secrets::set(&env.secrets, account_id, SecretKind::ClientSecret, secret).await?;
    }
    if let Some(key) = &key {
        secrets::set(&env.secrets, account_id, SecretKind::ApiKey, key).await?;
    }
    let (id, client_auth) = (account_id.to_string(), edit.client_auth);
    let edited = env.accounts.update(move |f| {
        let a =
            f.accounts.iter_mut().find(|a| a.id == id).ok_or_else(|| AppError::not_found("The account was removed"))?;
        if let Some(name) = name {
            a.name = name;
        }
        if let AccountAuth::OAuth { callback_url, client_auth: style, .. } = &mut a.auth {
            if let Some(url) = callback {
                *callback_url = url;
            }
            if let Some(new_style) = client_auth {
                *style = new_style;
            }
        }
        if key.is_some() {
            a.state = LoginState::Connected;
        }
        Ok(a.clone())
    })?;
    if signs_in_anew {
        // After the writes: a session started from here on reads the new settings.
        sessions.end_session(account_id).await;
    }
    sessions.board().changed();
    Ok(edited)
}

/// Make `id` the active account.
pub fn select_account(env: &LoginEnv, id: &str) -> AppResult<()> {
    let id = id.to_string();
    env.accounts.update(move |f| {
        if !f.accounts.iter().any(|a| a.id == id) {
            return Err(AppError::not_found("No such account"));
        }
        f.active = Some(id);
        Ok(())
    })
}

/// The demo account for the embedded sandbox: created on first demo start, its addresses
/// updated to this run's sandbox, and made active when nothing else is.
pub async fn ensure_demo_account(
    env: &LoginEnv,
    sandbox_base: &str,
    client_id: &str,
    client_secret: &Secret,
) -> AppResult<Account> {
    let existing = env.accounts.load()?.accounts.into_iter().find(|a| a.demo);
    let id = existing.as_ref().map(|a| a.id.clone()).unwrap_or_else(new_account_id);
    secrets::set(&env.secrets, &id, SecretKind::ClientSecret, client_secret).await?;
    let base = sandbox_base.trim_end_matches('/').to_string();
    let client_id = client_id.to_string();
    env.accounts.update(move |f| {
        let auth = |client_auth| AccountAuth::OAuth {
            client_id: client_id.clone(),
            callback_url: DEFAULT_CALLBACK_URL.to_string(),
            authorize_url: format!("{base}/uaa/oauth/authorize"),
            token_url: format!("{base}/uaa/oauth/token"),
            client_auth,
        };
        let account = match f.accounts.iter_mut().find(|a| a.id == id) {
            Some(a) => {
                let style = match &a.auth {
                    AccountAuth::OAuth { client_auth, .. } => *client_auth,
                    AccountAuth::ApiKey | AccountAuth::Unknown => ClientAuthStyle::Basic,
                };
                a.api_base_url = format!("{base}/api");
                a.auth = auth(style);
                a.clone()
            }
            None => {
                let a = Account {
                    demo: true,
                    ..Account::new(
                        id.clone(),
                        "Demo store (sandbox)".into(),
                        format!("{base}/api"),
                        auth(ClientAuthStyle::Basic),
                    )
                };
                f.accounts.insert(0, a.clone());
                a
            }
        };
        if f.active.is_none() {
            f.active = Some(account.id.clone());
        }
        Ok(account)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str) -> NewAccount {
        NewAccount {
            name: "Shop".into(),
            api_base_url: None,
            kind: kind.into(),
            client_id: Some("abc".into()),
            client_secret: Some(Secret::new("s3cret-value")),
            callback_url: Some(DEFAULT_CALLBACK_URL.into()),
            authorize_url: None,
            token_url: None,
            client_auth: None,
            api_key: Some(Secret::new("key-value-123")),
        }
    }

    #[test]
    fn secrets_are_trimmed_alike() {
        let mut padded = input("oauth");
        padded.client_secret = Some(Secret::new("  s3cret-value\n"));
        let (_, secrets) = check_new_account(&padded).unwrap();
        assert_eq!(secrets[0].1.expose_secret(), "s3cret-value");
        let mut padded = input("api_key");
        padded.api_key = Some(Secret::new("\tkey-value-123 "));
        let (_, secrets) = check_new_account(&padded).unwrap();
        assert_eq!(secrets[0].1.expose_secret(), "key-value-123");
    }

    #[test]
    fn every_field_is_checked() {
        let (account, secrets) = check_new_account(&input("oauth")).unwrap();
        assert_eq!(account.api_base_url, "https://yespo.io/api");
        assert_eq!(secrets[0].0, SecretKind::ClientSecret);
        let mut bad = input("oauth");
        bad.client_id = Some("  ".into());
        assert!(check_new_account(&bad).unwrap_err().message.contains("Client ID"));
        let mut bad = input("oauth");
        bad.client_secret = None;
        assert!(check_new_account(&bad).unwrap_err().message.contains("Client Secret"));
        let mut bad = input("oauth");
        bad.callback_url = Some("https://example.com/cb".into());
        assert!(check_new_account(&bad).unwrap_err().message.contains("Callback URL"));
        let mut bad = input("oauth");
        bad.api_base_url = Some("http://yespo.io/api".into());
        assert!(check_new_account(&bad).unwrap_err().message.contains("https://"));
        let mut bad = input("api_key");
        bad.api_key = Some(Secret::new(" "));
        assert!(check_new_account(&bad).unwrap_err().message.contains("API key"));
        assert!(check_new_account(&input("other")).is_err());
    }
}
