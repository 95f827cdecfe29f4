//! The deadpool pool of diesel-async connections, with short timeouts so that a database
//! outage turns into a quick 503 rather than a hung client.

pub use crate::config::database::PoolSettings;

use deadpool::managed::{Hook, HookError, Metrics};
use diesel::ConnectionError;
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

/// How long a pooled connection may rest before it is checked with a query on reuse.
const PING_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

pub type DbPool = diesel_async::pooled_connection::deadpool::Pool<AsyncPgConnection>;
pub type PoolError = diesel_async::pooled_connection::deadpool::PoolError;

/// Builds the pool. No connection is opened here: the service starts while PostgreSQL is
/// down and connects when it comes back.
/// `application_name` tells the pools apart in `pg_stat_activity`.
pub fn build_pool(
    database_url: &str,
    settings: &PoolSettings,
    application_name: &'static str,
) -> Result<DbPool, String> {
    let connect_timeout = settings.connect_timeout;
    let statement_timeout_ms = settings.statement_timeout.as_millis();
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    config.custom_setup = Box::new(move |url| {
        let url = url.to_owned();
        Box::pin(async move {
            let mut conn = tokio::time::timeout(connect_timeout, AsyncPgConnection::establish(&url))
                .await
                .map_err(|_| ConnectionError::BadConnection("connection timed out".into()))??;
            // JIT compilation costs tens to hundreds of milliseconds per query and pays off only
            // for long analytical scans; every query here is meant to answer in milliseconds.
            conn.batch_execute(&format!(
                "SET statement_timeout = {statement_timeout_ms}; SET application_name = '{application_name}'; SET TIME ZONE 'UTC'; \
                 SET jit = off"
            ))
            .await
            .map_err(ConnectionError::CouldntSetupConfiguration)?;
            Ok(conn)
        })
    });
    // A connection is checked with a `SELECT 1` before reuse only when it was last taken more
    // than `PING_AFTER` ago: after a database restart every pooled connection is dead, and the
    // check replaces it instead of failing a request; a connection in steady use (its closed
    // socket is seen without a query, `is_broken`) skips the round trip, which was one of the
    // four a member read made (docs/BENCHMARKS.md).
    config.recycling_method = RecyclingMethod::Fast;
    let manager = AsyncDieselConnectionManager::new_with_config(database_url, config);
    let ping = Hook::async_fn(move |conn: &mut AsyncPgConnection, metrics: &Metrics| {
        Box::pin(async move {
            if metrics.last_used() < PING_AFTER {
                return Ok(());
            }
            match tokio::time::timeout(connect_timeout, conn.batch_execute("SELECT 1")).await {
                Ok(Ok(())) => Ok(()),
                _ => Err(HookError::message("connection failed its check")),
            }
        })
    });
    DbPool::builder(manager)
        .max_size(settings.max_size)
        .wait_timeout(Some(settings.wait))
        .create_timeout(Some(connect_timeout))
        .recycle_timeout(Some(connect_timeout))
        .pre_recycle(ping)
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| e.to_string())
}
