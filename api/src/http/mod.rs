//! Shared HTTP machinery used by every resource: errors, extractors, pagination,
//! preconditions, idempotency and the request-context middleware.

pub mod body;
pub mod canonical;
pub mod codes;
pub mod conditional;
pub mod context;
mod database_errors;
pub mod error;
pub mod fallback;
pub mod forget_principals;
pub mod form;
pub mod idempotency;
pub mod json;
pub mod limiter;
pub mod media;
pub mod pagination;
pub mod precondition;
pub mod problem;
pub mod query;
pub mod rate_limit;
pub mod responses;
pub mod route_table;
pub mod safe_values;
mod serde_errors;
pub mod text;
pub mod validate;

pub use error::{ApiError, FieldIssue};
pub use json::ApiJson;
pub use pagination::{Page, PageRequest};
pub use precondition::{IfMatch, etag, etag_of};
pub use query::ApiQuery;
pub use text::{Lang, Text};
