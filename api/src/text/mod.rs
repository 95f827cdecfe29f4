//! Vietnamese text handling shared by validation and search.

pub mod fold;
