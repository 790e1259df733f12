//! Adding accounts (with every field checked) and the demo account bound to the sandbox.

use super::accounts::*;
use super::loopback::CallbackUrl;
use super::oauth::LoginEnv;
use super::secrets::{self, SecretKind};
use crate::error::{AppError, AppResult};
use crate::secret::Secret;
use serde::Deserialize;

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

/// Check a new account; returns it and the secrets to keep.
pub fn check_new_account(input: &NewAccount) -> AppResult<(Account, Vec<(SecretKind, Secret)>)> {
    let name = required(&Some(input.name.clone()), "The account name")?;
    let api_base_url =
        https_url(input.api_base_url.as_deref().unwrap_or(crate::yespo::DEFAULT_BASE_URL), "The API address")?;
    let (auth, secrets) = match input.kind.as_str() {
        "oauth" => {
            let client_id = required(&input.client_id, "The Client ID")?;
            let secret = input
                .client_secret
                .clone()
                .filter(|s| !s.expose_secret().trim().is_empty())
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
            let key = input
                .api_key
                .clone()
                .filter(|s| !s.expose_secret().trim().is_empty())
                .ok_or_else(|| AppError::validation("The API key must not be empty"))?;
            (AccountAuth::ApiKey, vec![(SecretKind::ApiKey, Secret::new(key.expose_secret().trim()))])
        }
        other => return Err(AppError::validation(format!("Unknown account kind '{other}'"))),
    };
    let account = Account::new(new_account_id(), name, api_base_url, auth);
    Ok((account, secrets))
}

/// Add an account: secrets into the keychain first (if that fails, nothing is saved), then the
/// account list. An API-key account is checked against Yespo right away.
pub async fn add_account(env: &LoginEnv, input: &NewAccount) -> AppResult<Account> {
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
        if let Err(error) = super::verify_connection(env, &account).await {
            super::remove_account(env, &account.id).await?;
            return Err(error);
        }
        return env.accounts.get(&account.id);
    }
    Ok(account)
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
                    AccountAuth::ApiKey => ClientAuthStyle::Basic,
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
