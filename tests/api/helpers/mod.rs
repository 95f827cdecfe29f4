pub mod app;
pub mod database;
pub mod private_pg;

pub use app::{TestApp, assert_problem, field_error, spawn_app, spawn_app_on, spawn_app_with};
