//! Yespo Admin's core: everything that does not need Tauri or WebKit.
//!
//! The Tauri app (`src-tauri/lib.rs`) is a thin shell over this crate: its commands parse
//! arguments, call in here and map the result. Everything here builds and is tested with plain
//! `cargo test -p yespo-core`.
//!
//! The Yespo sandbox (an emulator of Yespo's API and OAuth server) is its own crate,
//! `yespo-sandbox`, built on this one; the integration tests in `tests/` run against it.

pub mod app_info;
pub mod browse;
pub mod clock;
pub(crate) mod config_file;
pub mod error;
pub mod forget;
pub mod html;
pub mod keychain;
pub mod logging;
pub mod login;
pub mod paths;
pub mod random;
pub mod registration;
pub mod secret;
pub mod settings;
pub mod tokens;
pub mod yespo;

pub use error::{AppError, AppResult, ErrorCode};
pub use secret::Secret;
