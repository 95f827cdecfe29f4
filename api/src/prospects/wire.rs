use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::members::wire::NewMember;

/// State of a prospect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProspectStatus {
    /// Still to be brought in.
    Open,
    /// Became a member (`converted_member_id`).
    Converted,
    /// No longer followed.
    Dropped,
}

impl ProspectStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProspectStatus::Open => "open",
            ProspectStatus::Converted => "converted",
            ProspectStatus::Dropped => "dropped",
        }
    }

    /// The status a stored row holds (a check constraint keeps it to these three).
    pub fn from_stored(value: &str) -> ProspectStatus {
        match value {
            "converted" => ProspectStatus::Converted,
            "dropped" => ProspectStatus::Dropped,
            _ => ProspectStatus::Open,
        }
    }
}

/// A prospect (phụ nữ chưa vào hội).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9f01", "family_name": "Lê", "middle_name": "Thị",
    "given_name": "Mai", "full_name": "Lê Thị Mai", "birth_date": null, "birth_year": 1998, "phone": "+84987654321",
    "address": "Ấp Rẫy", "unit_id": "0193a5c8-0000-7000-8000-00000000a001", "assigned_member_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d01",
    "status": "open", "converted_member_id": null, "converted_on": null, "notes": "", "version": 1,
    "created_at": "2026-11-01T08:00:00Z", "updated_at": "2026-11-01T08:00:00Z"}))]
pub struct Prospect {
    pub id: Uuid,
    /// Họ / Family name.
    pub family_name: String,
    /// Tên đệm / Middle name(s).
    pub middle_name: String,
    /// Tên / Given name.
    pub given_name: String,
    /// The whole name in the Vietnamese order.
    pub full_name: String,
    /// Ngày sinh / Date of birth.
    pub birth_date: Option<NaiveDate>,
    /// Năm sinh / Year of birth.
    pub birth_year: Option<i16>,
    /// Số điện thoại / Phone number (`0xxxxxxxxx`).
    pub phone: Option<String>,
    /// Địa chỉ / Address.
    pub address: String,
    /// The branch or group she would join.
    pub unit_id: Uuid,
    /// The member who brings her in (người vận động).
    pub assigned_member_id: Option<Uuid>,
    pub status: ProspectStatus,
    /// The member record she became.
    pub converted_member_id: Option<Uuid>,
    /// Day she joined.
    pub converted_on: Option<NaiveDate>,
    /// Ghi chú / Notes.
    pub notes: String,
    /// Version for `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

crate::page_schema!(ProspectPage, Prospect, "prospects");

/// A new prospect.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"family_name": "Lê", "middle_name": "Thị", "given_name": "Mai", "birth_year": 1998, "phone": "0987 654 321",
    "address": "Ấp Rẫy", "unit_id": "0193a5c8-0000-7000-8000-00000000a001", "assigned_member_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d01"}))]
pub struct NewProspect {
    /// Họ / Family name.
    pub family_name: String,
    /// Tên đệm / Middle name(s).
    #[serde(default)]
    pub middle_name: String,
    /// Tên / Given name.
    pub given_name: String,
    /// Ngày sinh / Date of birth (18 or older).
    pub birth_date: Option<NaiveDate>,
    /// Năm sinh, when only the year is known (from 1900).
    #[schema(minimum = 1900, maximum = 2100)]
    pub birth_year: Option<i16>,
    /// Số điện thoại / Vietnamese phone number.
    pub phone: Option<String>,
    /// Địa chỉ / Address.
    #[serde(default)]
    pub address: String,
    /// The branch or group she would join; `members:write` on it.
    pub unit_id: Uuid,
    /// The member who brings her in; must be visible and active.
    pub assigned_member_id: Option<Uuid>,
    /// Ghi chú / Notes for whoever visits her.
    #[serde(default)]
    pub notes: String,
}

/// Changes to a prospect.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"assigned_member_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d02", "notes": "Hẹn gặp sau vụ lúa"}))]
pub struct ProspectPatch {
    /// Họ / Family name.
    pub family_name: Option<String>,
    /// Tên đệm / Middle name(s).
    pub middle_name: Option<String>,
    /// Tên / Given name.
    pub given_name: Option<String>,
    /// Ngày sinh / Date of birth.
    pub birth_date: Option<NaiveDate>,
    /// Năm sinh / Year of birth (from 1900).
    #[schema(minimum = 1900, maximum = 2100)]
    pub birth_year: Option<i16>,
    /// Số điện thoại / Phone number.
    pub phone: Option<String>,
    /// Địa chỉ / Address.
    pub address: Option<String>,
    /// The member who will bring her in ("1+1").
    pub assigned_member_id: Option<Uuid>,
    /// Ghi chú / Notes.
    pub notes: Option<String>,
    /// `open` or `dropped` (conversion has its own operation).
    pub status: Option<ProspectStatus>,
}

/// What conversion adds to the prospect's data: everything a member record has and a prospect
/// does not. Her name, birth, phone, address and unit come from the prospect.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ProspectConversion, example = json!({"joined_on": "2026-11-20", "card_number": "VL-000987", "cccd": "083198000321"}))]
pub struct Conversion {
    /// Day she joined (default today).
    pub joined_on: Option<NaiveDate>,
    /// Số thẻ hội viên / Membership card number.
    pub card_number: Option<String>,
    /// Sensitive.
    pub cccd: Option<String>,
    /// Sensitive.
    pub ethnicity_code: Option<String>,
    /// Sensitive.
    pub religion_code: Option<String>,
    /// Nghề nghiệp / Occupation.
    pub occupation: Option<String>,
    /// Trình độ học vấn / Education.
    pub education: Option<String>,
    /// A group of her branch to place her in, instead of the prospect's unit.
    pub unit_id: Option<Uuid>,
}

impl Conversion {
    pub fn into_member(self, prospect: &Prospect, joined_on: NaiveDate) -> NewMember {
        NewMember {
            family_name: prospect.family_name.clone(),
            middle_name: prospect.middle_name.clone(),
            given_name: prospect.given_name.clone(),
            birth_date: prospect.birth_date,
            birth_year: prospect.birth_year,
            phone: prospect.phone.clone(),
            address: Some(prospect.address.clone()),
            cccd: self.cccd,
            ethnicity_code: self.ethnicity_code,
            religion_code: self.religion_code,
            occupation: self.occupation,
            education: self.education,
            joined_on,
            card_number: self.card_number,
            unit_id: self.unit_id.unwrap_or(prospect.unit_id),
            ..NewMember::default()
        }
    }
}

/// Query of the prospect list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProspectListQuery {
    /// Only prospects of this unit's subtree.
    pub unit: Option<Uuid>,
    /// Only this status.
    pub status: Option<ProspectStatus>,
    /// Only those assigned to this member.
    pub assigned_member_id: Option<Uuid>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
