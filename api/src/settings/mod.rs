//! Instance settings (cài đặt hệ thống): configurable rules of this installation, such as the
//! coverage threshold below which a unit is flagged, or the attendance target of model branches.
//! Rules differ by province and year, so they live in data, not code.

pub mod handlers;
mod models;
mod queries;
pub mod wire;

use diesel_async::AsyncPgConnection;

/// A setting's JSON value, if set.
pub async fn json(conn: &mut AsyncPgConnection, key: &str) -> diesel::QueryResult<Option<serde_json::Value>> {
    Ok(queries::find(conn, key).await?.map(|s| s.value))
}

/// A numeric setting, or `default` when it is not set (or not a whole number).
pub async fn integer(conn: &mut AsyncPgConnection, key: &str, default: i64) -> diesel::QueryResult<i64> {
    Ok(queries::find(conn, key).await?.and_then(|s| s.value.as_i64()).unwrap_or(default))
}
