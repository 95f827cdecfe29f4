//! Org units (đơn vị): the tree of the union, from the centre down to women's groups. Roles are
//! granted on units and cover their subtree. The registry issue adds history operations.

pub mod handlers;
pub mod models;
pub mod queries;
pub mod wire;
