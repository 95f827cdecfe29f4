//! API tokens (mã truy cập cho script): long-lived bearer tokens of a user for scripts and curl,
//! limited to scopes, shown once and stored as SHA-256.

pub mod handlers;
pub mod wire;
