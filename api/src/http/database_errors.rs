//! What a database error means to a client: a lost connection, a deadlock, a serialization
//! failure or a write reaching a demoted leader is 503 (retry), a taken id is 409, a missing
//! row 404, anything else 500 with its cause kept for the log.

use super::error::ApiError;
use super::text::Text;

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &error {
            Error::NotFound => ApiError::NotFound,
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _) => {
                ApiError::Unavailable(error.to_string())
            }
            Error::DatabaseError(_, info) if is_connection_loss(info.message()) => {
                ApiError::Unavailable(error.to_string())
            }
            // Transient: the same request succeeds when sent again (503 with Retry-After).
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::Unavailable(error.to_string())
            }
            // The server behind `DATABASE_URL` became a replica (a failover under way; the proxy
            // cuts this connection within a second and the next one reaches the new leader).
            Error::DatabaseError(DatabaseErrorKind::ReadOnlyTransaction, _) => ApiError::Unavailable(error.to_string()),
            Error::DatabaseError(_, info) if info.message().starts_with("deadlock detected") => {
                ApiError::Unavailable(error.to_string())
            }
            // A client-chosen id (offline creation) that is already taken.
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
                if info.constraint_name().is_some_and(|c| c.ends_with("_pkey")) =>
            {
                ApiError::Conflict {
                    code: "id_exists",
                    detail: Text::new("Đã có đối tượng với mã (id) này.", "An object with this id already exists."),
                    field: Some("id".into()),
                }
            }
            _ => ApiError::internal(error),
        }
    }
}

/// Server-side messages that mean "this connection is gone" rather than "this query is wrong":
/// an administrator shutdown or a cancelled statement during failover.
fn is_connection_loss(message: &str) -> bool {
    message.contains("terminating connection")
        || message.contains("the database system is")
        || message.contains("canceling statement due to statement timeout")
}

impl From<crate::db::pool::PoolError> for ApiError {
    fn from(error: crate::db::pool::PoolError) -> Self {
        ApiError::Unavailable(error.to_string())
    }
}
