//! Accounts (tài khoản), their role grants, and the caller's own account (`/me`).

pub mod access;
pub mod handlers;
pub mod me;
pub mod models;
pub mod password_change;
pub mod queries;
pub mod roles;
pub mod wire;
