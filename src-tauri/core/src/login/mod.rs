//! Logging in to Yespo: accounts, the keychain, the loopback OAuth flow and token refresh.

pub mod accounts;
pub mod loopback;
pub mod manage;
pub mod oauth;
pub mod secrets;
pub mod session;

pub use accounts::{Account, AccountAuth, AccountStore, AccountsFile, ClientAuthStyle, LoginState};
pub use manage::{add_account, ensure_demo_account, select_account, NewAccount};
pub use oauth::{begin_login, LoginEnv, PendingLogin, LOGIN_TIMEOUT};
pub use secrets::{KeychainStore, SecretKind, SecretStore};
pub use session::OAuthSession;

use crate::error::{AppError, AppResult};
use crate::yespo::{Auth, YespoClient};
use std::sync::Arc;

/// A Yespo client for an account: Basic with its API key, or Bearer through an [`OAuthSession`].
pub async fn client_for(env: &LoginEnv, account: &Account) -> AppResult<(YespoClient, Option<Arc<OAuthSession>>)> {
    match &account.auth {
        AccountAuth::ApiKey => {
            let key = secrets::get(&env.secrets, &account.id, SecretKind::ApiKey).await?.ok_or_else(|| {
                AppError::validation("This account has no API key in the keychain; edit it and enter the key")
            })?;
            Ok((YespoClient::builder(&account.api_base_url, Auth::ApiKey(key)).build()?, None))
        }
        AccountAuth::OAuth { .. } => {
            let session = Arc::new(OAuthSession::new(env.clone(), &account.id));
            let client = YespoClient::builder(&account.api_base_url, Auth::Bearer(session.clone())).build()?;
            Ok((client, Some(session)))
        }
    }
}

/// Check the credentials work: `GET v2/version` (Yespo's own test) and `GET v1/account/info`;
/// remember the organisation's name.
pub async fn verify_connection(env: &LoginEnv, account: &Account) -> AppResult<Account> {
    let (client, _) = client_for(env, account).await?;
    client.version_v2().await?;
    let info = client.account_info().await?;
    let id = account.id.clone();
    env.accounts.update(move |f| {
        let a =
            f.accounts.iter_mut().find(|a| a.id == id).ok_or_else(|| AppError::not_found("The account was removed"))?;
        a.organisation = info.organisation_name.clone().or(info.user_email.clone());
        a.state = accounts::LoginState::Connected;
        Ok(a.clone())
    })
}

/// Log out: forget the tokens (Yespo has no revocation endpoint; the user disconnects the app
/// under Connected apps in Yespo to revoke it fully).
pub async fn log_out(env: &LoginEnv, account_id: &str) -> AppResult<Account> {
    secrets::delete(&env.secrets, account_id, SecretKind::AccessToken).await?;
    secrets::delete(&env.secrets, account_id, SecretKind::RefreshToken).await?;
    let id = account_id.to_string();
    env.accounts.update(move |f| {
        let a = f.accounts.iter_mut().find(|a| a.id == id).ok_or_else(|| AppError::not_found("No such account"))?;
        a.state = accounts::LoginState::LoggedOut;
        a.access_expires_at = None;
        a.access_obtained_at = None;
        a.refresh_expires_at = None;
        Ok(a.clone())
    })
}

/// Remove an account and every secret of it.
pub async fn remove_account(env: &LoginEnv, account_id: &str) -> AppResult<()> {
    for kind in SecretKind::ALL {
        secrets::delete(&env.secrets, account_id, kind).await?;
    }
    let id = account_id.to_string();
    env.accounts.update(move |f| {
        f.accounts.retain(|a| a.id != id);
        if f.active.as_deref() == Some(id.as_str()) {
            f.active = f.accounts.first().map(|a| a.id.clone());
        }
        Ok(())
    })
}
