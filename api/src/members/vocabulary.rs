//! The fixed vocabularies of the member registry (kinds of need, circumstance tags, what
//! `include` may ask for), with their contract schemas written from the same lists.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Kind of need (loại nhu cầu).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NeedKind {
    /// Vốn.
    Capital,
    /// Việc làm.
    Job,
    /// Học nghề.
    VocationalTraining,
    /// Sức khỏe.
    Health,
    /// Nhà ở.
    Housing,
    /// Trợ giúp pháp lý.
    LegalAid,
    /// Học tập (for her or her children).
    Education,
    Other,
}

/// Circumstance tags (hoàn cảnh đặc biệt).
pub const CIRCUMSTANCES: [&str; 10] = [
    "single_mother",
    "widowed",
    "disability",
    "chronic_illness",
    "elderly_alone",
    "caring_for_disabled",
    "caring_for_orphans",
    "migrant_worker",
    "domestic_violence",
    "other",
];

crate::listed_values_schema!(
    /// The contract's name for a circumstance tag, listed from [`CIRCUMSTANCES`].
    Circumstance,
    CIRCUMSTANCES,
    "Hoàn cảnh đặc biệt / A circumstance tag (single mother, widowed, disability…)."
);

/// What `include` may ask for.
pub const INCLUDES: [&str; 1] = ["sensitive"];

crate::listed_values_schema!(
    /// The contract's name for the values of `include`, listed from [`INCLUDES`].
    MemberInclude,
    INCLUDES,
    "Dữ liệu thêm / What to add: `sensitive` (needs `members:sensitive`; audited)."
);
