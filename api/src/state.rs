//! State shared by all workers.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::auth::jwt::JwtKeys;
use crate::config::Config;
use crate::db::DbPool;
use crate::http::limiter::RateLimiter;
use crate::http::route_table::RouteTable;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub pool: DbPool,
    /// Reads that tolerate replication lag (reports, sync): a streaming replica when
    /// `DATABASE_READ_URL` is set, otherwise the same pool as `pool`.
    pub read_pool: DbPool,
    pub jwt: Arc<JwtKeys>,
    pub metrics: Arc<Metrics>,
    pub routes: Arc<RouteTable>,
    /// The OpenAPI document, serialised once.
    pub openapi_json: Arc<String>,
    /// Migration versions this binary expects to find applied.
    pub expected_migrations: Arc<BTreeSet<String>>,
    /// Where this server listens, for the batch endpoint's calls to itself.
    pub local_addr: std::net::SocketAddr,
    /// An HTTP client (batch operations, webhook deliveries).
    pub http: reqwest::Client,
    /// Request counters of the rate limits.
    pub rate_limiter: Arc<RateLimiter>,
    /// Bounds concurrent password hashing (logins must not starve reads).
    pub password_gate: Arc<crate::auth::password_gate::PasswordGate>,
    /// Principals of access tokens checked a moment ago (`auth::principal_cache`).
    pub principals: Arc<crate::auth::principal_cache::PrincipalCache>,
    /// Set on SIGTERM: `/readyz` answers 503 `draining` while requests are still served.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
}
