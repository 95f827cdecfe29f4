//! Third-party apps (ứng dụng bên thứ ba) registered to sign officers in with OAuth 2.0, and
//! the authorizations officers gave them.

pub mod access;
pub mod grants;
pub mod handlers;
pub mod models;
mod validate;
pub mod wire;
