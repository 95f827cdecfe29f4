//! Prospects (phụ nữ chưa vào hội): women 18+ not yet members, each assigned to a member who
//! brings her in ("1+1" recruit). Converting one registers the member without retyping her data.

pub mod access;
pub mod convert;
pub mod handlers;
pub mod models;
mod validate;
pub mod wire;
