//! Database access: the connection pool, transactions and migrations.

pub mod migrations;
pub mod pool;
pub mod prepared;

pub use pool::{DbPool, PoolError, PoolSettings, build_pool};
pub(crate) use prepared::fixed_sql;
pub use prepared::prepared;

use diesel::result::Error as DieselError;
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, TransactionManager};

/// Runs `work` in one transaction: committed when it returns `Ok`, rolled back otherwise.
///
/// Used instead of `AsyncConnection::transaction` so that request handlers can pass plain
/// async closures (their futures need not be `Send` on actix's per-thread runtime). If the
/// caller's future is dropped half-way, the connection still holds an open transaction and
/// the pool discards it rather than reusing it. Generic over the caller's error type, so that
/// this layer knows nothing of HTTP.
pub async fn in_transaction<T, E: From<DieselError>>(
    conn: &mut AsyncPgConnection,
    work: impl AsyncFnOnce(&mut AsyncPgConnection) -> Result<T, E>,
) -> Result<T, E> {
    AnsiTransactionManager::begin_transaction(conn).await?;
    let result = work(conn).await;
    finish(conn, result).await
}

/// Runs `work` in a read-only transaction on one snapshot (`REPEATABLE READ`), so figures read
/// by several queries agree with each other (a report is a dozen queries). A larger `work_mem`
/// was tried here and made the planner hash whole tables instead: slower (docs/BENCHMARKS.md).
pub async fn in_report_snapshot<T, E: From<DieselError>>(
    conn: &mut AsyncPgConnection,
    work: impl AsyncFnOnce(&mut AsyncPgConnection) -> Result<T, E>,
) -> Result<T, E> {
    in_shared_snapshot(conn, None, work).await
}

/// The snapshot of the current `REPEATABLE READ` transaction, for other connections to share
/// with [`in_shared_snapshot`] (works on a hot standby too) while this transaction stays open.
pub async fn export_snapshot(conn: &mut AsyncPgConnection) -> Result<String, DieselError> {
    #[derive(diesel::QueryableByName)]
    struct Exported {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let exported: Exported =
        diesel_async::RunQueryDsl::get_result(diesel::sql_query("SELECT pg_export_snapshot() AS id"), conn).await?;
    Ok(exported.id)
}

/// Like [`in_report_snapshot`], on the snapshot another transaction exported when given.
pub async fn in_shared_snapshot<T, E: From<DieselError>>(
    conn: &mut AsyncPgConnection,
    snapshot: Option<&str>,
    work: impl AsyncFnOnce(&mut AsyncPgConnection) -> Result<T, E>,
) -> Result<T, E> {
    let begin = match snapshot {
        // Snapshot ids are hexadecimal numbers and dashes; `SET TRANSACTION` takes no parameter.
        Some(id) if id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') => {
            format!("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{id}'")
        }
        Some(_) => return Err(DieselError::QueryBuilderError("malformed snapshot id".into()).into()),
        None => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY".to_owned(),
    };
    if let Err(error) = AnsiTransactionManager::begin_transaction_sql(conn, &begin).await {
        // `BEGIN` may have run before the snapshot was refused: close it before the pool
        // hands the connection to someone else.
        let _ = diesel_async::SimpleAsyncConnection::batch_execute(conn, "ROLLBACK").await;
        return Err(error.into());
    }
    let result = work(conn).await;
    finish(conn, result).await
}

/// Commits the open transaction when `result` is `Ok`, rolls it back otherwise.
async fn finish<T, E: From<DieselError>>(conn: &mut AsyncPgConnection, result: Result<T, E>) -> Result<T, E> {
    match result {
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
