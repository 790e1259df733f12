//! `Secret`: the only type client secrets, tokens and API keys travel in.
//!
//! - `Debug` and `Display` print `<redacted>`, so `tracing::info!(?secret)`, `format!` and panic
//!   messages cannot leak it.
//! - `Serialize` fails: a secret can never be sent to the UI over IPC or written to a JSON config
//!   by accident. (It can be *received*: `Deserialize` works, for forms the user fills in.)
//! - While a `Secret` is alive its text is known to the log scrubber ([`scrub`]), which the
//!   logging writers run over every line, so even a secret copied out with `expose_secret()`
//!   and then logged prints as `<redacted>`.
//! - The memory is zeroed on drop, and equality is constant-time.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard, OnceLock};
use zeroize::Zeroize;

/// What a secret prints as.
pub const REDACTED: &str = "<redacted>";

/// Secrets shorter than this are not scrubbed from free text: a 3-character "secret" would
/// redact ordinary words. Real client secrets, tokens and API keys are far longer.
pub const MIN_SCRUBBED_LEN: usize = 8;

pub struct Secret {
    value: String,
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        register(&value);
        Secret { value }
    }

    /// The secret's text. The name is long on purpose: every call site is a place to review.
    pub fn expose_secret(&self) -> &str {
        &self.value
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }
}

impl Clone for Secret {
    fn clone(&self) -> Self {
        Secret::new(self.value.clone())
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        unregister(&self.value);
        self.value.zeroize();
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        constant_time_eq(self.value.as_bytes(), other.value.as_bytes())
    }
}
impl Eq for Secret {}

/// Compares in time that depends only on the lengths, not on where the bytes differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, _serializer: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(
            "refusing to serialise a secret: secrets stay in the OS keychain and never cross IPC or config files",
        ))
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

// The scrubber's registry: the text of every live secret, counted, so two `Secret`s holding the
// same token keep it registered until both are gone.
fn registry() -> MutexGuard<'static, HashMap<String, usize>> {
    static REGISTRY: OnceLock<Mutex<HashMap<String, usize>>> = OnceLock::new();
    REGISTRY
        .get_or_init(Default::default)
        .lock()
        // A panic while holding the lock leaves the map consistent (every update is one call).
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn register(value: &str) {
    if value.len() >= MIN_SCRUBBED_LEN {
        *registry().entry(value.to_owned()).or_insert(0) += 1;
    }
}

fn unregister(value: &str) {
    if value.len() < MIN_SCRUBBED_LEN {
        return;
    }
    let mut map = registry();
    if let Some(count) = map.get_mut(value) {
        *count -= 1;
        if *count == 0 {
            if let Some((mut key, _)) = map.remove_entry(value) {
                key.zeroize();
            }
        }
    }
}

/// Replaces the text of every live secret in `text` with `<redacted>`.
pub fn scrub(text: &str) -> Cow<'_, str> {
    let map = registry();
    let mut out = Cow::Borrowed(text);
    for secret in map.keys() {
        if out.contains(secret.as_str()) {
            out = Cow::Owned(out.replace(secret.as_str(), REDACTED));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "at-3f9c2e1b7d6a4f0e9b8c7d6e5f4a3b2c";

    #[test]
    fn debug_and_display_are_redacted() {
        let secret = Secret::new(TOKEN);
        assert_eq!(format!("{secret:?}"), REDACTED);
        assert_eq!(format!("{secret}"), REDACTED);
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            token: Secret,
        }
        let shown = format!("{:?}", Holder { token: secret.clone() });
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(shown.contains(REDACTED));
    }

    #[test]
    fn serialising_refuses_even_inside_a_struct() {
        #[derive(Serialize)]
        struct Form {
            name: String,
            client_secret: Secret,
        }
        let form = Form { name: "demo".into(), client_secret: Secret::new("cs-0123456789abcdef") };
        let error = serde_json::to_string(&form).unwrap_err();
        assert!(error.to_string().contains("refusing to serialise a secret"), "{error}");
        assert!(!error.to_string().contains("cs-0123456789abcdef"));
    }

    #[test]
    fn deserialising_from_a_string_works() {
        let secret: Secret = serde_json::from_str("\"key-from-the-form-123\"").unwrap();
        assert_eq!(secret.expose_secret(), "key-from-the-form-123");
    }

    #[test]
    fn equality_compares_the_text() {
        assert_eq!(Secret::new("same-value-1234"), Secret::new("same-value-1234"));
        assert_ne!(Secret::new("same-value-1234"), Secret::new("same-value-1235"));
        assert_ne!(Secret::new("short"), Secret::new("longer"));
    }

    #[test]
    fn scrub_redacts_live_secrets_only() {
        // A value no other test uses: tests run in parallel and share the registry.
        let value = "rt-only-in-the-scrub-test-77aa01";
        let line = format!("GET /api/v1/contacts Authorization: Bearer {value}");
        let secret = Secret::new(value);
        assert_eq!(scrub(&line), "GET /api/v1/contacts Authorization: Bearer <redacted>");
        let copy = secret.clone();
        drop(secret);
        assert!(!scrub(&line).contains(value), "a clone keeps the secret registered");
        drop(copy);
        assert_eq!(scrub(&line), line, "a dropped secret is forgotten");
    }

    #[test]
    fn short_values_are_not_scrubbed_from_ordinary_text() {
        let _secret = Secret::new("abc");
        assert_eq!(scrub("abc is a word"), "abc is a word");
    }
}
