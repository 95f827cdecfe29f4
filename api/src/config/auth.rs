//! Authentication settings: token keys and lifetimes, password hashing cost, login throttling.

use std::fmt;
use std::time::Duration;

use super::{ConfigError, Environment, invalid, number};
use crate::auth::jwt::parse_key_list;
use crate::auth::passwords::{HashParams, MIN_ITERATIONS, MIN_MEMORY_KIB};

/// Signing keys; never printed.
#[derive(Clone)]
pub struct KeyList(pub Vec<(String, Vec<u8>)>);

impl fmt::Debug for KeyList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kids: Vec<&str> = self.0.iter().map(|(kid, _)| kid.as_str()).collect();
        write!(f, "KeyList({kids:?}, secrets hidden)")
    }
}

#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub jwt_keys: KeyList,
    /// True when no key was configured and one was generated for this process (local only).
    pub jwt_keys_ephemeral: bool,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub password_hash: HashParams,
    pub login_max_failures: i32,
    pub login_max_failures_per_ip: i32,
    pub login_window: Duration,
    pub login_block: Duration,
    /// Proxies whose `X-Forwarded-For` is believed for the client address.
    pub trusted_proxies: Vec<String>,
    /// The address clients reach the service at (`CHIHOI_PUBLIC_URL`, e.g.
    /// `https://chihoi.hoilhpn.vn`): the OAuth issuer. None: taken from each request's host.
    pub public_url: Option<String>,
    /// How long a checked access token's principal may be reused (`auth::principal_cache`);
    /// zero: every request reads it from the database.
    pub principal_cache_ttl: Duration,
}

impl AuthConfig {
    pub(super) fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
        environment: Environment,
    ) -> Result<AuthConfig, ConfigError> {
        let (jwt_keys, jwt_keys_ephemeral) = match (get("CHIHOI_JWT_KEYS"), environment) {
            (Some(spec), _) => (parse_key_list(&spec).map_err(|m| invalid("CHIHOI_JWT_KEYS", m))?, false),
            (None, Environment::Local) => {
                let mut secret = vec![0u8; 32];
                getrandom::fill(&mut secret).map_err(|e| invalid("CHIHOI_JWT_KEYS", e.to_string()))?;
                (vec![("local".to_owned(), secret)], true)
            }
            (None, Environment::Production) => {
                return Err(invalid("CHIHOI_JWT_KEYS", "required in production (kid:base64secret,…)".into()));
            }
        };
        Ok(AuthConfig {
            jwt_keys: KeyList(jwt_keys),
            jwt_keys_ephemeral,
            jwt_issuer: get("CHIHOI_JWT_ISSUER").unwrap_or_else(|| "chihoi".into()),
            jwt_audience: get("CHIHOI_JWT_AUDIENCE").unwrap_or_else(|| "chihoi-api".into()),
            access_token_ttl: Duration::from_secs(number(get, "CHIHOI_ACCESS_TOKEN_TTL_S", 900, 60..=900)?),
            refresh_token_ttl: Duration::from_secs(86_400 * number(get, "CHIHOI_REFRESH_TOKEN_TTL_DAYS", 30, 1..=90)?),
            password_hash: HashParams {
                memory_kib: number(get, "CHIHOI_ARGON2_MEMORY_KIB", MIN_MEMORY_KIB, MIN_MEMORY_KIB..=1_048_576)?,
                iterations: number(get, "CHIHOI_ARGON2_ITERATIONS", MIN_ITERATIONS, MIN_ITERATIONS..=20)?,
            },
            login_max_failures: number(get, "CHIHOI_LOGIN_MAX_FAILURES", 5, 1..=100)?,
            login_max_failures_per_ip: number(get, "CHIHOI_LOGIN_MAX_FAILURES_PER_IP", 50, 1..=10_000)?,
            login_window: Duration::from_secs(number(get, "CHIHOI_LOGIN_WINDOW_S", 900, 10..=86_400)?),
            login_block: Duration::from_secs(number(get, "CHIHOI_LOGIN_BLOCK_S", 900, 1..=86_400)?),
            trusted_proxies: get("CHIHOI_TRUSTED_PROXIES")
                .map(|list| list.split(',').map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect())
                .unwrap_or_default(),
            principal_cache_ttl: Duration::from_millis(number(get, "CHIHOI_AUTH_CACHE_TTL_MS", 5_000, 0..=60_000)?),
            public_url: match get("CHIHOI_PUBLIC_URL") {
                None => None,
                Some(url) => Some(public_url(&url).map_err(|m| invalid("CHIHOI_PUBLIC_URL", m))?),
            },
        })
    }
}

/// An origin (`https://host[:port]`, no path): the OAuth issuer must be an https URL with no
/// query or fragment (RFC 8414 §2); plain http only on a loopback address, for trying locally.
fn public_url(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://").filter(|r| r.starts_with("127.0.0.1") || r.starts_with("[::1]")))
        .ok_or("must start with https:// (http:// only for 127.0.0.1 or [::1])")?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err("must be an origin: scheme, host and optional port, nothing after".into());
    }
    Ok(url.to_owned())
}
