//! Privacy rights under Law 91/2025/QH15 (Luật Bảo vệ dữ liệu cá nhân): a copy of everything
//! held about a member, erasure that anonymizes her while every aggregate stays as it was, the
//! legal basis and consent recorded per purpose, and a retention job. Corrections go through
//! the ordinary member updates, which are versioned and audited.

pub mod consents;
pub mod erasure;
pub mod export;
pub mod retention;
pub mod withdrawn;
