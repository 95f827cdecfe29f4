//! The member registry (sổ hội viên): members, their lifecycle and transfers, what cadres know
//! of them ("3 biết": face, circumstances, needs), and bulk import and export.

pub mod access;
pub mod contacts;
pub mod export;
pub mod handlers;
pub mod lifecycle;
pub mod models;
pub mod needs;
pub mod own;
pub mod photo;
pub mod profile;
pub mod queries;
pub mod registration;
pub mod search;
pub mod transfers;
pub mod validate;
pub mod vocabulary;
pub mod wire;
pub mod write;
