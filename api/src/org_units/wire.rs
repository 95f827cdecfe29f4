use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::models::OrgUnitRow;

/// An org unit (đơn vị): central union, province, district (historical), commune, branch
/// (chi hội) or women's group (tổ phụ nữ).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c8-0000-7000-8000-00000000a001",
    "level": "branch",
    "name": "Chi hội ấp Rẫy",
    "official_code": null,
    "parent_id": "0193a5c8-0000-7000-8000-00000000c001",
    "valid_from": "2024-01-01",
    "valid_to": null,
    "version": 1,
    "created_at": "2026-11-29T08:00:00Z",
    "updated_at": "2026-11-29T08:00:00Z"
}))]
pub struct OrgUnit {
    pub id: Uuid,
    /// Level code (cấp): `central`, `province`, `district`, `commune`, `branch`, `group`, or
    /// another level configured as data.
    pub level: String,
    /// Name (tên đơn vị).
    pub name: String,
    /// Official code (mã đơn vị hành chính, GSO) where one exists.
    pub official_code: Option<String>,
    /// The unit above this one; `null` for the root.
    pub parent_id: Option<Uuid>,
    /// First day the unit exists (hiệu lực từ).
    pub valid_from: NaiveDate,
    /// Day the unit ceased to exist (hết hiệu lực), e.g. after a merge; `null` while current.
    pub valid_to: Option<NaiveDate>,
    /// Version for `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<OrgUnitRow> for OrgUnit {
    fn from(row: OrgUnitRow) -> Self {
        OrgUnit {
            id: row.id,
            level: row.level,
            name: row.name,
            official_code: row.official_code,
            parent_id: row.parent_id,
            valid_from: row.valid_from,
            valid_to: row.valid_to,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A new org unit under an existing one.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "level": "branch",
    "name": "Chi hội ấp Rẫy",
    "parent_id": "0193a5c8-0000-7000-8000-00000000c001",
    "valid_from": "2024-07-18"
}))]
pub struct NewOrgUnit {
    /// Level code; must be below the parent's level.
    pub level: String,
    /// Name, 1–200 characters.
    pub name: String,
    /// Official (GSO) code, if any: letters, digits, `.` and `-`, at most 32.
    pub official_code: Option<String>,
    /// The parent unit; the caller needs `org_units:write` on it.
    pub parent_id: Uuid,
    /// First day of existence (default: today, in Asia/Ho_Chi_Minh).
    pub valid_from: Option<NaiveDate>,
}

/// Query of the org unit list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrgUnitListQuery {
    /// Only this unit and its subtree (cây đơn vị trực thuộc).
    pub within: Option<Uuid>,
    /// Only direct children of this unit.
    pub parent_id: Option<Uuid>,
    /// Only units of this level (cấp), e.g. `branch`; an unknown level is refused.
    #[param(example = "branch", value_type = Option<crate::http::codes::KindCode>)]
    pub level: Option<String>,
    /// The tree as it was on this date: names, parents and units of that day (e.g. `2024-12-31`
    /// still shows xã Hưng Lễ under huyện Giồng Trôm).
    pub as_of: Option<NaiveDate>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(OrgUnitPage, OrgUnit, "org units");
