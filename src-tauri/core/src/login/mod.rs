//! Logging in to Yespo: accounts, the keychain, the loopback OAuth flow, and the sessions
//! registry every caller asks for a client (one live session per account).

pub mod accounts;
pub mod login_manager;
pub mod loopback;
pub mod manage;
pub mod oauth;
pub mod secrets;
pub mod session;
pub mod sessions;

pub use accounts::{Account, AccountAuth, AccountStore, AccountsFile, ClientAuthStyle, LoginState};
pub use login_manager::{LoginManager, LoginStarted};
pub use manage::{
    accounts_view, add_account, edit_account, ensure_demo_account, select_account, AccountEdit, AccountsView,
    NewAccount,
};
pub use oauth::{begin_login, LoginEnv, PendingLogin, LOGIN_TIMEOUT};
pub use secrets::{KeychainStore, SecretKind, SecretStore};
pub use session::OAuthSession;
pub use sessions::{Session, SessionOptions, SessionWarning, Sessions, SessionsStatus};
