//! The support ledger (sổ hỗ trợ): capital, jobs, training, charity houses, rice… given to a
//! member or her household, with source, linked need and pair, follow-up and outcome. Support
//! and amounts are sensitive: every read needs `members:sensitive` and is audited. Edits keep
//! every earlier version; voiding keeps the entry.
//!
//! **(decision)** A household is represented by the member it is recorded for (the union works
//! through the woman): `for_household` says the support went to the whole household, and
//! "households supported" counts distinct members.

pub mod access;
pub mod edit;
pub mod handlers;
pub mod household;
pub mod kinds;
pub mod models;
pub mod validate;
pub mod wire;
