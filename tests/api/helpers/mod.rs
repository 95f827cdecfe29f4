pub mod app;
pub mod auth;
pub mod database;
pub mod private_pg;

pub use app::{TestApp, assert_problem, field_error, spawn_app, spawn_app_on, spawn_app_with};
pub use auth::{As, PASSWORD, ROOT_UNIT, Session};
