//! Machine clients (hệ thống cấp trên): province, legacy district or national systems that pull
//! aggregates of one subtree with OAuth 2.0 client credentials.

mod access;
pub mod handlers;
mod models;
pub mod wire;
