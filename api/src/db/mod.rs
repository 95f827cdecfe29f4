//! Database access: the connection pool, transactions and migrations.

pub mod migrations;
mod pool;

pub use pool::{DbPool, PoolError, PoolSettings, build_pool};

use diesel_async::{AnsiTransactionManager, AsyncPgConnection, TransactionManager};

use crate::http::error::ApiError;

/// Runs `work` in one transaction: committed when it returns `Ok`, rolled back otherwise.
///
/// Used instead of `AsyncConnection::transaction` so that request handlers can pass plain
/// async closures (their futures need not be `Send` on actix's per-thread runtime). If the
/// caller's future is dropped half-way, the connection still holds an open transaction and
/// the pool discards it rather than reusing it.
pub async fn in_transaction<T>(
    conn: &mut AsyncPgConnection,
    work: impl AsyncFnOnce(&mut AsyncPgConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    AnsiTransactionManager::begin_transaction(conn).await?;
    match work(conn).await {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(conn).await?;
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = AnsiTransactionManager::rollback_transaction(conn).await {
                tracing::warn!(error = %rollback, "rollback failed");
            }
            Err(error)
        }
    }
}
