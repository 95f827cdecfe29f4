//! Instance settings (cài đặt hệ thống): configurable rules of this installation, such as the
//! coverage threshold below which a unit is flagged, or the attendance target of model branches.
//! Rules differ by province and year, so they live in data, not code.

pub mod handlers;
mod models;
mod queries;
pub mod wire;
