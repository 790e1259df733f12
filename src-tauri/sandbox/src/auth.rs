//! Who is calling: the seeded OAuth apps and API keys, issued codes and tokens, and the check
//! every API request goes through (Basic with an API key, or Bearer with an access token).

use super::prng::{random_hex, random_uuid, SeededRng};
use super::rights::Right;
use base64::Engine;
use serde::Serialize;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use yespo_core::secret::constant_time_eq;

/// A registered OAuth app ("For partners" → "Register app").
#[derive(Debug, Clone, Serialize)]
pub struct OAuthApp {
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    pub callback_url: String,
    pub rights: Right,
    /// How the app may authenticate at the token endpoint (`"both"`, `"basic_only"`,
    /// `"params_only"` in `/__sandbox/info`).
    pub client_auth: ClientAuthMethods,
}

/// The client authentication methods an app accepts at the token endpoint, as a real OAuth
/// server configures them per registered client (Spring Authorization Server's
/// `client_secret_basic` / `client_secret_post`). Yespo documents both (yespo-api.md §1.4, §9),
/// so the seeded apps accept both; tests register apps that accept only one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuthMethods {
    /// HTTP Basic or parameters.
    #[default]
    Both,
    /// Only HTTP Basic `client_id:client_secret` (`client_secret_basic`).
    BasicOnly,
    /// Only `client_id` and `client_secret` as parameters, in the query string or the form body
    /// (`client_secret_post`).
    ParamsOnly,
}

impl ClientAuthMethods {
    /// Whether a client that authenticated with HTTP Basic (`basic`) or with parameters
    /// (`!basic`) used a method this app accepts.
    pub fn accepts(self, basic: bool) -> bool {
        match self {
            ClientAuthMethods::Both => true,
            ClientAuthMethods::BasicOnly => basic,
            ClientAuthMethods::ParamsOnly => !basic,
        }
    }
}

/// An API key (Settings → API keys).
#[derive(Debug, Clone, Serialize)]
pub struct ApiKey {
    pub name: String,
    pub key: String,
    pub rights: Right,
}

/// An issued authorization code: single use, short-lived.
pub struct CodeGrant {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: Option<(String, String)>,
    pub expires: Instant,
}

pub struct TokenGrant {
    pub client_id: String,
    pub expires: Instant,
}

pub struct AuthState {
    pub demo_user: String,
    pub demo_password: String,
    pub apps: Vec<OAuthApp>,
    pub keys: Vec<ApiKey>,
    pub codes: HashMap<String, CodeGrant>,
    /// Issued tokens by [`token_key`]: the tokens themselves are never kept, so the optional
    /// state file holds nothing that would let anyone call the API.
    pub access: HashMap<String, TokenGrant>,
    pub refresh: HashMap<String, TokenGrant>,
}

/// The key a token is kept under: its SHA-256, hex.
pub fn token_key(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Issued grants as saved in the state file: token hash → client and expiry (Unix seconds).
#[derive(Serialize, serde::Deserialize, Default)]
struct SavedGrants {
    access: Vec<(String, String, u64)>,
    refresh: Vec<(String, String, u64)>,
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The caller of an API request, once authenticated.
#[derive(Debug, Clone)]
pub struct Caller {
    pub rights: Right,
    /// For logs and 403 texts: the app or key name (never the secret).
    pub name: String,
    /// "API key" or "OAuth app", for 403 texts.
    pub via: &'static str,
}

/// Why a request is not authenticated: the 401 text.
#[derive(Debug)]
pub enum AuthFailure {
    Missing,
    BadKey,
    BadToken,
    ExpiredToken,
}

impl AuthFailure {
    pub fn message(&self) -> &'static str {
        match self {
            AuthFailure::Missing => "Full authentication is required to access this resource",
            AuthFailure::BadKey => "Bad credentials: the API key is not valid",
            AuthFailure::BadToken => "Invalid access token",
            AuthFailure::ExpiredToken => "Access token expired",
        }
    }
}

impl AuthState {
    /// One OAuth app and one API key per right. Ids and secrets derive from the seed, so a
    /// developer's standalone sandbox keeps the same credentials across restarts.
    pub fn seeded(seed: u64, callback_url: &str) -> AuthState {
        let mut rng = SeededRng::new(seed ^ 0x0A07);
        let apps = Right::ALL
            .iter()
            .map(|r| OAuthApp {
                name: format!("Demo app ({})", r.label()),
                client_id: rng.hex(16),
                client_secret: rng.hex(32),
                callback_url: callback_url.to_string(),
                rights: *r,
                client_auth: ClientAuthMethods::Both,
            })
            .collect();
        let keys = Right::ALL
            .iter()
            .map(|r| ApiKey { name: format!("Demo key ({})", r.label()), key: rng.hex(20), rights: *r })
            .collect();
        AuthState {
            demo_user: super::demo_data::USER_EMAIL.to_string(),
            demo_password: format!("demo-{}", &rng.hex(4)),
            apps,
            keys,
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
        }
    }

    /// Save the issued grants (hashes only) so a restarted sandbox still knows them; the app's
    /// demo mode uses it so a login survives a restart, as it would with Yespo.
    pub fn save_grants(&self, path: &std::path::Path) {
        let now = Instant::now();
        let unix = unix_now();
        let dump = |m: &HashMap<String, TokenGrant>| -> Vec<(String, String, u64)> {
            m.iter()
                .filter(|(_, g)| g.expires > now)
                .map(|(k, g)| (k.clone(), g.client_id.clone(), unix + (g.expires - now).as_secs()))
                .collect()
        };
        let saved = SavedGrants { access: dump(&self.access), refresh: dump(&self.refresh) };
        let tmp = path.with_extension("tmp");
        let written = serde_json::to_vec(&saved)
            .map_err(std::io::Error::other)
            .and_then(|bytes| std::fs::write(&tmp, bytes))
            .and_then(|()| std::fs::rename(&tmp, path));
        if let Err(error) = written {
            tracing::warn!(%error, path = %path.display(), "the sandbox could not save its grants");
        }
    }

    /// Load grants saved by [`AuthState::save_grants`]; a missing or unreadable file is ignored.
    pub fn load_grants(&mut self, path: &std::path::Path) {
        let Ok(bytes) = std::fs::read(path) else { return };
        let Ok(saved) = serde_json::from_slice::<SavedGrants>(&bytes) else { return };
        let (now, unix) = (Instant::now(), unix_now());
        let load = |list: Vec<(String, String, u64)>, into: &mut HashMap<String, TokenGrant>| {
            for (key, client_id, expires) in list {
                if expires > unix {
                    into.insert(key, TokenGrant { client_id, expires: now + Duration::from_secs(expires - unix) });
                }
            }
        };
        load(saved.access, &mut self.access);
        load(saved.refresh, &mut self.refresh);
    }

    pub fn app(&self, client_id: &str) -> Option<&OAuthApp> {
        self.apps.iter().find(|a| a.client_id == client_id)
    }

    /// Register another app (tests that need their own Callback URL or right) that accepts both
    /// client authentication methods.
    pub fn register_app(&mut self, name: &str, callback_url: &str, rights: Right) -> OAuthApp {
        self.register_app_with(name, callback_url, rights, ClientAuthMethods::Both)
    }

    /// Register another app that accepts only the client authentication `methods` given.
    pub fn register_app_with(
        &mut self,
        name: &str,
        callback_url: &str,
        rights: Right,
        methods: ClientAuthMethods,
    ) -> OAuthApp {
        let app = OAuthApp {
            name: name.to_string(),
            client_id: random_hex(16),
            client_secret: random_hex(32),
            callback_url: callback_url.to_string(),
            rights,
            client_auth: methods,
        };
        self.apps.push(app.clone());
        app
    }

    /// Check an `Authorization` header value.
    pub fn authenticate(&self, header: Option<&str>, now: Instant) -> Result<Caller, AuthFailure> {
        let header = header.ok_or(AuthFailure::Missing)?.trim();
        let (scheme, rest) = header.split_once(' ').ok_or(AuthFailure::Missing)?;
        if scheme.eq_ignore_ascii_case("basic") {
            // Any username; the API key is the password.
            let decoded =
                base64::engine::general_purpose::STANDARD.decode(rest.trim()).map_err(|_| AuthFailure::BadKey)?;
            let decoded = String::from_utf8(decoded).map_err(|_| AuthFailure::BadKey)?;
            let (_, key) = decoded.split_once(':').ok_or(AuthFailure::BadKey)?;
            let key = self
                .keys
                .iter()
                .find(|k| constant_time_eq(k.key.as_bytes(), key.as_bytes()))
                .ok_or(AuthFailure::BadKey)?;
            return Ok(Caller { rights: key.rights, name: key.name.clone(), via: "API key" });
        }
        if scheme.eq_ignore_ascii_case("bearer") {
            let grant = self.access.get(&token_key(rest.trim())).ok_or(AuthFailure::BadToken)?;
            if grant.expires <= now {
                return Err(AuthFailure::ExpiredToken);
            }
            let app = self.app(&grant.client_id).ok_or(AuthFailure::BadToken)?;
            return Ok(Caller { rights: app.rights, name: app.name.clone(), via: "OAuth app" });
        }
        Err(AuthFailure::Missing)
    }

    pub fn issue_code(&mut self, grant: CodeGrant) -> String {
        let code = random_hex(12);
        self.codes.insert(code.clone(), grant);
        code
    }

    /// A fresh access and refresh token pair for `client_id`.
    pub fn issue_tokens(
        &mut self,
        client_id: &str,
        access_ttl: u64,
        refresh_ttl: u64,
        now: Instant,
    ) -> (String, String) {
        // Forget what expired, so a long-running sandbox does not grow without bound.
        self.access.retain(|_, g| g.expires > now);
        self.refresh.retain(|_, g| g.expires > now);
        self.codes.retain(|_, g| g.expires > now);
        let access = random_uuid();
        let refresh = random_uuid();
        self.access.insert(
            token_key(&access),
            TokenGrant { client_id: client_id.to_string(), expires: now + Duration::from_secs(access_ttl) },
        );
        self.refresh.insert(
            token_key(&refresh),
            TokenGrant { client_id: client_id.to_string(), expires: now + Duration::from_secs(refresh_ttl) },
        );
        (access, refresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_with_any_user_and_bearer_work_and_fail_as_yespo_does() {
        let mut auth = AuthState::seeded(1, "http://127.0.0.1:1/cb");
        let now = Instant::now();
        let key = auth.keys[1].key.clone();
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        for user in ["", "user", "api-user"] {
            let caller = auth.authenticate(Some(&format!("Basic {}", b64(&format!("{user}:{key}")))), now).unwrap();
            assert_eq!(caller.rights, Right::Events);
        }
        assert!(matches!(auth.authenticate(Some(&format!("Basic {}", b64("u:wrong"))), now), Err(AuthFailure::BadKey)));
        assert!(matches!(auth.authenticate(None, now), Err(AuthFailure::Missing)));
        let client = auth.apps[3].client_id.clone();
        let (access, _) = auth.issue_tokens(&client, 1, 10, now);
        let caller = auth.authenticate(Some(&format!("Bearer {access}")), now).unwrap();
        assert_eq!(caller.rights, Right::Messages);
        let later = now + Duration::from_secs(2);
        assert!(matches!(auth.authenticate(Some(&format!("Bearer {access}")), later), Err(AuthFailure::ExpiredToken)));
        assert!(matches!(auth.authenticate(Some("Bearer nope"), now), Err(AuthFailure::BadToken)));
    }

    #[test]
    fn seeded_credentials_are_stable_per_seed() {
        let a = AuthState::seeded(5, "x");
        let b = AuthState::seeded(5, "x");
        assert_eq!(a.apps[0].client_secret, b.apps[0].client_secret);
        assert_eq!(a.keys[2].key, b.keys[2].key);
        assert_ne!(AuthState::seeded(6, "x").keys[0].key, a.keys[0].key);
    }
}
