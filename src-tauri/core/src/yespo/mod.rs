#![warn(missing_docs)]
//! Yespo: the typed API client (reqwest + rustls), its models and lenient decoding, and the
//! rights table shared with the sandbox.

mod api;
pub(crate) mod client;
pub mod lenient;
#[allow(missing_docs)] // fields mirror the spec's names (camelCase as snake_case); the types are documented
pub mod models;
pub mod rights;
mod throttle;

pub use api::{paged, ContactSearch, Page};
pub use client::{
    Auth, RetryPolicy, TokenProvider, YespoClient, YespoClientBuilder, DEFAULT_BASE_URL, KNOWN_BASE_URLS,
    MAX_CONTACTS_PER_REQUEST, MAX_PAGE_SIZE,
};
pub use models::*;
pub use throttle::{RateLimits, Throttle};
