use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::models::MemberRow;
use super::vocabulary::{Circumstance, MemberInclude, NeedKind};
use crate::person::{cccd, phone};

/// Sex (giới tính). Members are women; honorary members may be men.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
}

/// Membership type (loại hội viên). Honorary members are excluded from every ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberType {
    /// Hội viên chính thức.
    Regular,
    /// Hội viên danh dự.
    Honorary,
}

/// Membership status (trạng thái), the result of lifecycle events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Active,
    /// A transfer to another unit awaits acceptance; she still counts in her current unit.
    Transferring,
    Left,
    Removed,
    Deceased,
}

impl MemberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Active => "active",
            MemberStatus::Transferring => "transferring",
            MemberStatus::Left => "left",
            MemberStatus::Removed => "removed",
            MemberStatus::Deceased => "deceased",
        }
    }

    pub fn parse(text: &str) -> MemberStatus {
        match text {
            "transferring" => MemberStatus::Transferring,
            "left" => MemberStatus::Left,
            "removed" => MemberStatus::Removed,
            "deceased" => MemberStatus::Deceased,
            _ => MemberStatus::Active,
        }
    }
}

impl MemberRow {
    /// Her stored status (a check constraint keeps it to the five above).
    pub fn status(&self) -> MemberStatus {
        MemberStatus::parse(&self.status)
    }
}

/// Sensitive fields (dữ liệu nhạy cảm, Law 91/2025/QH15): present only with `include=sensitive`
/// for a role holding `members:sensitive`; each such read is audited.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SensitiveFields {
    /// The full citizen id (số CCCD/CMND).
    pub cccd: Option<String>,
    /// Ethnicity code (mã dân tộc, 01–54).
    pub ethnicity_code: Option<String>,
    /// Religion code (mã tôn giáo, `00` = none).
    pub religion_code: Option<String>,
    /// Party member (đảng viên).
    pub party_member: bool,
    /// Admitted to the Party on.
    pub party_joined_on: Option<NaiveDate>,
}

/// A member (hội viên).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d01",
    "family_name": "Nguyễn", "middle_name": "Thị", "given_name": "Hòa", "full_name": "Nguyễn Thị Hòa",
    "sex": "female", "birth_date": "1985-03-12", "birth_year": 1985,
    "cccd_masked": "********0123", "cccd_legacy": false,
    "phone": "+84912345678", "address": "Ấp Rẫy, xã Hưng Nhượng, tỉnh Vĩnh Long",
    "occupation": "Nông dân", "education": "12/12",
    "joined_on": "2010-03-08", "card_number": "VL-000123", "member_type": "regular", "pioneer": false, "civil_servant": false,
    "status": "active", "unit_id": "0193a5c8-0000-7000-8000-00000000a001", "prospect_id": null,
    "last_contact_on": "2026-11-02", "version": 4,
    "created_at": "2026-11-01T08:00:00Z", "updated_at": "2026-11-20T08:00:00Z"
}))]
pub struct Member {
    pub id: Uuid,
    /// Family name (họ).
    pub family_name: String,
    /// Middle name (tên đệm); may be empty.
    pub middle_name: String,
    /// Given name (tên); lists sort by it first.
    pub given_name: String,
    /// The whole name in the Vietnamese order.
    pub full_name: String,
    pub sex: Sex,
    /// Birth date, when known (ngày sinh).
    pub birth_date: Option<NaiveDate>,
    /// Birth year (năm sinh); alone when only the year is known.
    pub birth_year: Option<i16>,
    /// The citizen id with all but the last four digits hidden.
    pub cccd_masked: Option<String>,
    /// The id on file is a legacy 9-digit CMND.
    pub cccd_legacy: bool,
    /// Phone in international form (`+84…`).
    pub phone: Option<String>,
    /// Address (địa chỉ).
    pub address: String,
    /// Occupation (nghề nghiệp).
    pub occupation: String,
    /// Education (trình độ học vấn), e.g. `12/12`, `Đại học`.
    pub education: String,
    /// Day she joined the union (ngày vào hội).
    pub joined_on: NaiveDate,
    /// Membership card number (số thẻ hội viên).
    pub card_number: Option<String>,
    pub member_type: MemberType,
    /// Pioneer member (hội viên tiên phong, nòng cốt).
    pub pioneer: bool,
    /// Cán bộ, công chức, viên chức / A cadre or civil servant (eligible for Party nurture).
    pub civil_servant: bool,
    pub status: MemberStatus,
    /// Her branch or group (chi hội / tổ).
    pub unit_id: Uuid,
    /// The prospect record she was converted from, if any.
    pub prospect_id: Option<Uuid>,
    /// Last recorded contact or visit (lần gặp gần nhất).
    pub last_contact_on: Option<NaiveDate>,
    /// Version for `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Only with `include=sensitive` and `members:sensitive`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<SensitiveFields>,
}

pub fn full_name(family: &str, middle: &str, given: &str) -> String {
    [family, middle, given].iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(" ")
}

impl Member {
    /// The everyday view: basic data, CCCD masked.
    pub fn basic(row: MemberRow) -> Member {
        Member {
            full_name: full_name(&row.family_name, &row.middle_name, &row.given_name),
            id: row.id,
            sex: if row.sex == "male" { Sex::Male } else { Sex::Female },
            birth_date: row.birth_date,
            birth_year: row.birth_year,
            cccd_masked: row.cccd.as_deref().map(cccd::masked),
            cccd_legacy: row.cccd_legacy,
            phone: row.phone,
            address: row.address,
            occupation: row.occupation,
            education: row.education,
            joined_on: row.joined_on,
            card_number: row.card_number,
            member_type: if row.member_type == "honorary" { MemberType::Honorary } else { MemberType::Regular },
            pioneer: row.pioneer,
            civil_servant: row.civil_servant,
            status: MemberStatus::parse(&row.status),
            unit_id: row.unit_id,
            prospect_id: row.prospect_id,
            last_contact_on: row.last_contact_on,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
            family_name: row.family_name,
            middle_name: row.middle_name,
            given_name: row.given_name,
            sensitive: None,
        }
    }

    /// A member as a past day's list shows her to a scope she has since left: her name, sex,
    /// birth year, join date, card number and type, placed in the unit asked about. Her
    /// current contact data, unit, occupation and every sensitive field are not shown.
    pub fn former(row: MemberRow, unit_asked: Uuid) -> Member {
        let basic = Member::basic(row);
        Member {
            birth_date: None,
            cccd_masked: None,
            cccd_legacy: false,
            phone: None,
            address: String::new(),
            occupation: String::new(),
            education: String::new(),
            pioneer: false,
            civil_servant: false,
            unit_id: unit_asked,
            prospect_id: None,
            last_contact_on: None,
            sensitive: None,
            ..basic
        }
    }

    /// The view with sensitive fields (the caller was checked and the read is audited).
    pub fn with_sensitive(row: MemberRow) -> Member {
        let sensitive = SensitiveFields {
            cccd: row.cccd.clone(),
            ethnicity_code: row.ethnicity_code.clone(),
            religion_code: row.religion_code.clone(),
            party_member: row.party_member,
            party_joined_on: row.party_joined_on,
        };
        Member { sensitive: Some(sensitive), ..Member::basic(row) }
    }
}

/// Names of the fields a sensitive read discloses (for the audit trail).
pub const SENSITIVE_FIELDS: [&str; 5] = ["cccd", "ethnicity_code", "religion_code", "party_member", "party_joined_on"];

/// Input of a new member (and of the fields a correction may change).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "family_name": "Nguyễn", "middle_name": "Thị", "given_name": "Hoà",
    "birth_date": "1985-03-12", "cccd": "083185000123", "phone": "0912 345 678",
    "address": "Ấp Rẫy, xã Hưng Nhượng", "ethnicity_code": "01", "religion_code": "00",
    "occupation": "Nông dân", "joined_on": "2010-03-08", "card_number": "VL-000123",
    "unit_id": "0193a5c8-0000-7000-8000-00000000a001"
}))]
pub struct NewMember {
    /// Mã do ứng dụng tạo khi ngoại tuyến / An id the client made offline (UUIDv7); by default
    /// the server makes one. A taken id is `409 id_exists`.
    pub id: Option<Uuid>,
    /// Family name (họ), required.
    pub family_name: String,
    /// Middle name (tên đệm).
    #[serde(default)]
    pub middle_name: String,
    /// Given name (tên), required.
    pub given_name: String,
    /// Default `female`.
    pub sex: Option<Sex>,
    /// Birth date; or give only `birth_year`.
    pub birth_date: Option<NaiveDate>,
    /// Birth year, when the date is unknown.
    pub birth_year: Option<i16>,
    /// CCCD (12 digits; cross-checked with sex and birth year) or legacy CMND (9 digits).
    /// Sensitive: writing it needs `members:sensitive`.
    pub cccd: Option<String>,
    /// Any Vietnamese phone form (`0912 345 678`, `+84…`); stored as `+84…`.
    pub phone: Option<String>,
    /// Địa chỉ / Address (hamlet, street).
    pub address: Option<String>,
    /// Ethnicity code (01–54). Sensitive.
    pub ethnicity_code: Option<String>,
    /// Religion code. Sensitive.
    pub religion_code: Option<String>,
    /// Nghề nghiệp / Occupation.
    pub occupation: Option<String>,
    /// Trình độ học vấn / Education.
    pub education: Option<String>,
    /// Party member. Sensitive.
    pub party_member: Option<bool>,
    /// Admitted to the Party on. Sensitive.
    pub party_joined_on: Option<NaiveDate>,
    /// Day she joined the union; not in the future.
    pub joined_on: NaiveDate,
    /// Membership card number.
    pub card_number: Option<String>,
    /// Default `regular`.
    pub member_type: Option<MemberType>,
    /// Pioneer member.
    pub pioneer: Option<bool>,
    /// Cán bộ, công chức, viên chức / A cadre or civil servant (default `false`).
    pub civil_servant: Option<bool>,
    /// Her branch or group; the caller needs `members:write` on it.
    pub unit_id: Uuid,
}

/// Corrections to a member (JSON merge patch). Membership changes are lifecycle events, and a
/// move to another branch is a transfer; `unit_id` here moves her between groups of her branch.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "0987 654 321", "address": "Ấp An Lợi, xã Hưng Nhượng"}))]
pub struct MemberPatch {
    /// Họ / Family name.
    pub family_name: Option<String>,
    /// Tên đệm / Middle name(s).
    pub middle_name: Option<String>,
    /// Tên / Given name.
    pub given_name: Option<String>,
    pub sex: Option<Sex>,
    /// Ngày sinh / Date of birth.
    pub birth_date: Option<NaiveDate>,
    /// Năm sinh, when only the year is known.
    pub birth_year: Option<i16>,
    /// Sensitive.
    pub cccd: Option<String>,
    /// Số điện thoại / Vietnamese phone number, any usual spelling; stored as `0xxxxxxxxx`.
    pub phone: Option<String>,
    /// Địa chỉ / Address (hamlet, street).
    pub address: Option<String>,
    /// Sensitive.
    pub ethnicity_code: Option<String>,
    /// Sensitive.
    pub religion_code: Option<String>,
    /// Nghề nghiệp / Occupation.
    pub occupation: Option<String>,
    /// Trình độ học vấn / Education.
    pub education: Option<String>,
    /// Sensitive.
    pub party_member: Option<bool>,
    /// Sensitive.
    pub party_joined_on: Option<NaiveDate>,
    /// Ngày vào hội / Day she joined.
    pub joined_on: Option<NaiveDate>,
    /// Số thẻ hội viên / Membership card number.
    pub card_number: Option<String>,
    pub member_type: Option<MemberType>,
    /// Hội viên nòng cốt / A core member who leads by example.
    pub pioneer: Option<bool>,
    /// Cán bộ, công chức, viên chức / A cadre or civil servant.
    pub civil_servant: Option<bool>,
    /// Another group or the branch itself, within her current branch.
    pub unit_id: Option<Uuid>,
}

/// Query of the member list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MemberListQuery {
    /// Only members of this unit's subtree.
    pub unit: Option<Uuid>,
    /// Only this status (default: everyone).
    pub status: Option<MemberStatus>,
    /// Only this type.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub member_type: Option<MemberType>,
    /// Only pioneers (`true`) or non-pioneers.
    pub pioneer: Option<bool>,
    /// Only Party members (or not). Sensitive: needs `members:sensitive`.
    pub party: Option<bool>,
    /// Only members with this circumstance recorded, e.g. `single_mother`. Sensitive.
    #[param(value_type = Option<Circumstance>)]
    pub circumstance: Option<String>,
    /// Only members with an open need of this kind, e.g. `capital`. Sensitive.
    #[param(value_type = Option<NeedKind>)]
    pub need: Option<String>,
    /// Minimum age in full years today.
    #[param(minimum = 0, maximum = 130)]
    pub age_min: Option<i32>,
    /// Maximum age in full years today.
    #[param(minimum = 0, maximum = 130)]
    pub age_max: Option<i32>,
    /// Only members with no contact recorded in this many months (cần thăm hỏi).
    #[param(minimum = 1, maximum = 120)]
    pub no_contact_months: Option<i32>,
    /// Tìm theo tên / Name search ignoring case and diacritics: the members whose full name
    /// contains the text (`nguyen thi hoa` finds `Nguyễn Thị Hòa`; `thi lan` also finds
    /// `Lê Thị Lanh`), every character taken literally (`%` and `_` too); or the last digits
    /// (four or more) of a phone number.
    #[param(example = "hoa")]
    pub q: Option<String>,
    /// Members placed in the unit on this past date (requires `unit`). A member who has since
    /// left the caller's scope is shown as the unit knew her then — name, sex, birth year,
    /// join date, card number, type — with no contact data, no current unit and no sensitive
    /// field, and filters on sensitive or current data (`party`, `circumstance`, `need`,
    /// `pioneer`, `no_contact_months`, phone digits in `q`) leave her out.
    pub as_of: Option<NaiveDate>,
    /// `sensitive` adds the sensitive fields (needs `members:sensitive`; audited).
    #[param(value_type = Option<MemberInclude>)]
    pub include: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Query of a single member.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MemberReadQuery {
    /// `sensitive` adds the sensitive fields (needs `members:sensitive`; audited).
    #[param(value_type = Option<MemberInclude>)]
    pub include: Option<String>,
}

/// The national phone form, for spreadsheets.
pub fn national_phone(stored: Option<&str>) -> String {
    stored.map(phone::national).unwrap_or_default()
}

crate::page_schema!(MemberPage, Member, "members");
