//! Vietnamese text handling shared by validation and search.

pub mod collate;
pub mod csv_cell;
pub mod fold;
pub mod like;
