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

/// Runs `work` in a read-only transaction on one snapshot (`REPEATABLE READ`), so figures read
/// by several queries agree with each other (a report is a dozen queries). A larger `work_mem`
/// was tried here and made the planner hash whole tables instead: slower (docs/BENCHMARKS.md).
pub async fn in_report_snapshot<T>(
    conn: &mut AsyncPgConnection,
    work: impl AsyncFnOnce(&mut AsyncPgConnection) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    AnsiTransactionManager::begin_transaction_sql(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?;
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
