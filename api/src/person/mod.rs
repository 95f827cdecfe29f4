//! Facts about people, parsed and validated once: names, citizen ids, phone numbers.

pub mod cccd;
pub mod names;
pub mod phone;

#[cfg(test)]
mod properties;
