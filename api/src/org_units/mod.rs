//! Org units (đơn vị): the tree of the union, from the centre down to women's groups, with its
//! history (effective-dated periods, merges and splits), population and positions. Roles are
//! granted on units and cover their subtree.

pub mod access;
pub mod handlers;
pub mod history;
pub mod lineage;
pub mod models;
pub mod population;
pub mod positions;
pub mod queries;
pub mod summary;
pub mod tree;
pub mod wire;
