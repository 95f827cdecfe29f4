//! The fund of a unit (quỹ chi hội, "có nguồn lực"): income and spending in integer VND, each
//! entry dated and, for spending, linked to the activity it paid for. Voided entries are kept.
//! Needs `funds:read` / `funds:write` on the unit itself.

pub mod access;
pub mod balance;
pub mod entries;
pub mod wire;
