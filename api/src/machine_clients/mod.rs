//! Machine clients (hệ thống cấp trên): province, legacy district or national systems that pull
//! aggregates of one subtree with OAuth 2.0 client credentials.

pub mod handlers;
pub mod wire;
