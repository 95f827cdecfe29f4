//! Configuration from environment variables, with safe local defaults. Every variable is listed
//! in the README's configuration table.

mod auth;
pub mod database;
pub mod limits;
pub mod webhooks;

use std::fmt;
use std::time::Duration;

pub use auth::{AuthConfig, KeyList};

use database::PoolSettings;

/// Where the service runs. Production refuses unsafe defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Local,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrateMode {
    /// Apply pending migrations when the server starts (retrying while the database is down).
    Auto,
    /// Leave the schema alone; `chihoi migrate` does it.
    Off,
}

/// A value that must never be printed (logs, panics, debug output).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    pub database_url: Secret,
    /// A streaming replica for reports and sync (`DATABASE_READ_URL`); none: the primary.
    pub database_read_url: Option<Secret>,
    pub bind: String,
    pub log_format: LogFormat,
    pub log_filter: String,
    pub pool: PoolSettings,
    pub cors_origins: Vec<String>,
    pub max_body_bytes: usize,
    /// A request body that pauses this long is answered 408.
    pub body_idle_timeout: Duration,
    pub migrate: MigrateMode,
    pub workers: usize,
    pub shutdown_timeout: Duration,
    /// On SIGTERM, how long to keep serving while `/readyz` says `draining`, so that load
    /// balancers stop sending before the listener closes.
    pub shutdown_delay: Duration,
    pub idempotency_ttl: Duration,
    /// How long the sync change log is kept (older cursors must resync).
    pub sync_retention_days: i32,
    /// Request budgets per token and per client address.
    pub rate_limits: limits::RateLimits,
    /// Webhook delivery: retries, give-up time, polling, private targets.
    pub webhooks: webhooks::DeliverySettings,
    pub auth: AuthConfig,
}

#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

const LOCAL_DATABASE_URL: &str = "postgres://chihoi:chihoi@127.0.0.1:5432/chihoi";

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let environment = match get("CHIHOI_ENV").as_deref() {
            None | Some("local") => Environment::Local,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(invalid("CHIHOI_ENV", format!("expected local or production, got {other:?}")));
            }
        };
        let database_url = match (get("DATABASE_URL"), environment) {
            (Some(url), _) => url,
            (None, Environment::Local) => LOCAL_DATABASE_URL.to_owned(),
            (None, Environment::Production) => {
                return Err(invalid("DATABASE_URL", "required in production".into()));
            }
        };
        let log_format = match get("CHIHOI_LOG_FORMAT").as_deref() {
            None => match environment {
                Environment::Local => LogFormat::Pretty,
                Environment::Production => LogFormat::Json,
            },
            Some("json") => LogFormat::Json,
            Some("pretty") => LogFormat::Pretty,
            Some(other) => {
                return Err(invalid("CHIHOI_LOG_FORMAT", format!("expected json or pretty, got {other:?}")));
            }
        };
        let migrate = match get("CHIHOI_MIGRATE").as_deref() {
            None => match environment {
                Environment::Local => MigrateMode::Auto,
                Environment::Production => MigrateMode::Off,
            },
            Some("auto") => MigrateMode::Auto,
            Some("off") => MigrateMode::Off,
            Some(other) => {
                return Err(invalid("CHIHOI_MIGRATE", format!("expected auto or off, got {other:?}")));
            }
        };
        let default_workers = std::thread::available_parallelism().map_or(2, usize::from);
        let idempotency_hours = number(&get, "CHIHOI_IDEMPOTENCY_TTL_HOURS", 24, 24..=24 * 30)?;
        Ok(Config {
            environment,
            database_url: Secret::new(database_url),
            database_read_url: get("DATABASE_READ_URL").filter(|u| !u.is_empty()).map(Secret::new),
            bind: get("CHIHOI_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            log_format,
            log_filter: get("CHIHOI_LOG").unwrap_or_else(|| "info".to_owned()),
            pool: PoolSettings {
                max_size: number(&get, "CHIHOI_DB_POOL_SIZE", 16, 1..=1000)?,
                wait: Duration::from_millis(number(&get, "CHIHOI_DB_WAIT_MS", 2000, 1..=60_000)?),
                connect_timeout: Duration::from_millis(number(
                    &get,
                    "CHIHOI_DB_CONNECT_TIMEOUT_MS",
                    2000,
                    100..=60_000,
                )?),
                statement_timeout: Duration::from_millis(number(
                    &get,
                    "CHIHOI_DB_STATEMENT_TIMEOUT_MS",
                    30_000,
                    100..=3_600_000,
                )?),
            },
            cors_origins: get("CHIHOI_CORS_ORIGINS")
                .map(|list| list.split(',').map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect())
                .unwrap_or_default(),
            max_body_bytes: number(&get, "CHIHOI_MAX_BODY_BYTES", 1024 * 1024, 1024..=64 * 1024 * 1024)?,
            body_idle_timeout: Duration::from_secs(number(&get, "CHIHOI_BODY_IDLE_TIMEOUT_S", 15, 1..=300)?),
            migrate,
            workers: number(&get, "CHIHOI_WORKERS", default_workers, 1..=256)?,
            shutdown_timeout: Duration::from_secs(number(&get, "CHIHOI_SHUTDOWN_TIMEOUT_S", 30, 1..=600)?),
            shutdown_delay: Duration::from_secs(number(
                &get,
                "CHIHOI_SHUTDOWN_DELAY_S",
                if environment == Environment::Production { 5 } else { 0 },
                0..=600,
            )?),
            idempotency_ttl: Duration::from_secs(idempotency_hours * 3600),
            rate_limits: {
                use limits::{DEFAULT_PER_ADDRESS, DEFAULT_PER_TOKEN, Quotas, RateLimits};
                let token = get("CHIHOI_RATE_LIMITS").unwrap_or_else(|| DEFAULT_PER_TOKEN.to_owned());
                let address = get("CHIHOI_RATE_LIMITS_PER_ADDRESS").unwrap_or_else(|| DEFAULT_PER_ADDRESS.to_owned());
                RateLimits {
                    per_token: Quotas::parse(&token).map_err(|m| invalid("CHIHOI_RATE_LIMITS", m))?,
                    per_address: Quotas::parse(&address).map_err(|m| invalid("CHIHOI_RATE_LIMITS_PER_ADDRESS", m))?,
                    refusal_delay: Duration::from_millis(number(&get, "CHIHOI_RATE_LIMIT_DELAY_MS", 1000, 0..=10_000)?),
                }
            },
            webhooks: webhooks::DeliverySettings {
                retry_base: Duration::from_secs(number(&get, "CHIHOI_WEBHOOK_RETRY_BASE_S", 30, 1..=3600)?),
                give_up: Duration::from_secs(number(&get, "CHIHOI_WEBHOOK_GIVE_UP_S", 26 * 3600, 2..=14 * 86_400)?),
                poll: Duration::from_millis(number(&get, "CHIHOI_WEBHOOK_POLL_MS", 1000, 50..=60_000)?),
                allow_private: match get("CHIHOI_WEBHOOK_ALLOW_PRIVATE").as_deref() {
                    None => environment == Environment::Local,
                    Some("true" | "1") => true,
                    Some("false" | "0") => false,
                    Some(other) => {
                        return Err(invalid(
                            "CHIHOI_WEBHOOK_ALLOW_PRIVATE",
                            format!("expected true or false, got {other:?}"),
                        ));
                    }
                },
            },
            sync_retention_days: number(&get, "CHIHOI_SYNC_RETENTION_DAYS", 90, 7..=3650)?,
            auth: AuthConfig::from_lookup(&get, environment)?,
        })
    }
}

pub(crate) fn invalid(variable: &'static str, message: String) -> ConfigError {
    ConfigError { variable, message }
}

pub(crate) fn number<T>(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + fmt::Display + Copy,
{
    let Some(raw) = get(variable) else {
        return Ok(default);
    };
    let value: T = raw.trim().parse().map_err(|_| invalid(variable, format!("expected a number, got {raw:?}")))?;
    if !range.contains(&value) {
        return Err(invalid(variable, format!("must be between {} and {}", range.start(), range.end())));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn local_defaults_are_safe() {
        let config = from(&[]).unwrap();
        assert_eq!(config.bind, "127.0.0.1:8080");
        assert_eq!(config.max_body_bytes, 1024 * 1024);
        assert!(config.cors_origins.is_empty());
        assert_eq!(config.migrate, MigrateMode::Auto);
        assert_eq!(config.idempotency_ttl, Duration::from_secs(24 * 3600));
    }

    #[test]
    fn production_needs_a_database_and_never_migrates_by_default() {
        assert_eq!(from(&[("CHIHOI_ENV", "production")]).unwrap_err().variable, "DATABASE_URL");
        assert_eq!(
            from(&[("CHIHOI_ENV", "production"), ("DATABASE_URL", "postgres://x")]).unwrap_err().variable,
            "CHIHOI_JWT_KEYS"
        );
        let key = "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
        let config =
            from(&[("CHIHOI_ENV", "production"), ("DATABASE_URL", "postgres://x"), ("CHIHOI_JWT_KEYS", key)]).unwrap();
        assert!(!format!("{config:?}").contains("MDEy"), "key material never prints");
        assert_eq!(config.migrate, MigrateMode::Off);
        assert_eq!(config.log_format, LogFormat::Json);
    }

    #[test]
    fn rejects_bad_numbers_by_name() {
        assert_eq!(from(&[("CHIHOI_DB_POOL_SIZE", "many")]).unwrap_err().variable, "CHIHOI_DB_POOL_SIZE");
        for (variable, value) in [
            ("CHIHOI_ACCESS_TOKEN_TTL_S", "3600"),
            ("CHIHOI_ARGON2_MEMORY_KIB", "4096"),
            ("CHIHOI_JWT_KEYS", "k1:c2hvcnQ="),
            ("CHIHOI_AUTH_CACHE_TTL_MS", "600000"),
            ("CHIHOI_AUTH_CACHE_TTL_MS", "-1"),
        ] {
            assert_eq!(from(&[(variable, value)]).unwrap_err().variable, variable);
        }
        assert_eq!(
            from(&[("CHIHOI_IDEMPOTENCY_TTL_HOURS", "1")]).unwrap_err().variable,
            "CHIHOI_IDEMPOTENCY_TTL_HOURS"
        );
    }

    #[test]
    fn secrets_do_not_print() {
        let config = from(&[("DATABASE_URL", "postgres://u:hunter2@h/d")]).unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
