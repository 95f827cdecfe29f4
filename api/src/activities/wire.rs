//! What activities and attendance look like on the wire.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// State of an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    /// Dự kiến.
    Planned,
    /// Đã tổ chức.
    Held,
    /// Hủy.
    Cancelled,
}

impl ActivityStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityStatus::Planned => "planned",
            ActivityStatus::Held => "held",
            ActivityStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> ActivityStatus {
        match text {
            "planned" => ActivityStatus::Planned,
            "cancelled" => ActivityStatus::Cancelled,
            _ => ActivityStatus::Held,
        }
    }
}

/// Whether she came (có mặt, vắng có phép, vắng).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceStatus {
    Present,
    Excused,
    Absent,
}

impl AttendanceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "present",
            AttendanceStatus::Excused => "excused",
            AttendanceStatus::Absent => "absent",
        }
    }

    pub fn parse(text: &str) -> AttendanceStatus {
        match text {
            "present" => AttendanceStatus::Present,
            "excused" => AttendanceStatus::Excused,
            _ => AttendanceStatus::Absent,
        }
    }
}

/// Counts of a recorded roster.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct AttendanceSummary {
    /// Members present.
    pub present: i64,
    /// Members excused.
    pub excused: i64,
    /// Members absent.
    pub absent: i64,
    /// Guests (prospects) present.
    pub guests: i64,
    /// Hội viên danh dự có mặt / Honorary members among those present (in `present`, not in
    /// the rate: honorary members are in no ratio).
    pub honorary_present: i64,
    /// Tỷ lệ dự sinh hoạt = regular members present (`present` − `honorary_present`) ÷
    /// expected × 100, two decimals; `null` if none expected.
    pub rate_percent: Option<f64>,
}

/// An activity (hoạt động, buổi sinh hoạt).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a51", "unit_id": "0193a5c8-0000-7000-8000-00000000a001",
    "kind": "monthly_meeting", "starts_at": "2026-11-15T01:00:00Z", "ends_at": "2026-11-15T03:00:00Z", "held_on": "2026-11-15",
    "title": "Sinh hoạt tháng 11", "topic": "Phòng chống bạo lực gia đình", "location": "Nhà văn hóa ấp Rẫy",
    "organiser_member_id": null, "expected": 60, "notes": "", "status": "held", "attendance_recorded_at": "2026-11-15T03:05:00Z",
    "attendance": {"present": 52, "excused": 5, "absent": 3, "guests": 2, "honorary_present": 0, "rate_percent": 86.67},
    "version": 2, "created_at": "2026-11-15T01:00:00Z", "updated_at": "2026-11-15T03:05:00Z"}))]
pub struct Activity {
    pub id: Uuid,
    /// The branch, group or commune holding it.
    pub unit_id: Uuid,
    /// Activity kind code.
    pub kind: String,
    /// Start (UTC).
    pub starts_at: DateTime<Utc>,
    /// End (UTC), if known.
    pub ends_at: Option<DateTime<Utc>>,
    /// Its day in Vietnam: months are counted by it.
    pub held_on: NaiveDate,
    /// Tên buổi sinh hoạt.
    pub title: String,
    /// Chủ đề.
    pub topic: String,
    /// Địa điểm.
    pub location: String,
    /// The member who organised it.
    pub organiser_member_id: Option<Uuid>,
    /// Expected participants (số hội viên dự kiến).
    pub expected: i32,
    /// Ghi chú.
    pub notes: String,
    pub status: ActivityStatus,
    /// When the roster was recorded; `null` before.
    pub attendance_recorded_at: Option<DateTime<Utc>>,
    /// Counts of the roster, once recorded.
    pub attendance: Option<AttendanceSummary>,
    /// Version for `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An activity to record or plan.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"unit_id": "0193a5c8-0000-7000-8000-00000000a001", "kind": "monthly_meeting",
    "starts_at": "2026-11-15T08:00:00+07:00", "title": "Sinh hoạt tháng 11", "topic": "Phòng chống bạo lực gia đình",
    "location": "Nhà văn hóa ấp Rẫy"}))]
pub struct NewActivity {
    /// Mã do ứng dụng tạo khi ngoại tuyến / An id the client made offline (UUIDv7); by default
    /// the server makes one. A taken id is `409 id_exists`.
    pub id: Option<Uuid>,
    /// The unit holding it; the caller needs `members:write` there.
    pub unit_id: Uuid,
    /// Activity kind code.
    pub kind: String,
    /// Start, with its offset (e.g. `+07:00`).
    pub starts_at: DateTime<Utc>,
    /// End, if known.
    pub ends_at: Option<DateTime<Utc>>,
    /// Tên buổi sinh hoạt.
    pub title: String,
    /// Chủ đề.
    #[serde(default)]
    pub topic: String,
    /// Địa điểm (or the Zalo group for online sessions).
    #[serde(default)]
    pub location: String,
    /// The member who organised it.
    pub organiser_member_id: Option<Uuid>,
    /// Default: the unit's active regular members on that day.
    pub expected: Option<i32>,
    /// Ghi chú.
    #[serde(default)]
    pub notes: String,
    /// Default `held` for past starts, `planned` for future ones.
    pub status: Option<ActivityStatus>,
}

/// Changes to an activity.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "cancelled", "notes": "Hoãn vì mưa bão"}))]
pub struct ActivityPatch {
    /// Tên buổi sinh hoạt.
    pub title: Option<String>,
    /// Chủ đề.
    pub topic: Option<String>,
    /// Địa điểm.
    pub location: Option<String>,
    /// New start (moves `held_on`).
    pub starts_at: Option<DateTime<Utc>>,
    /// New end.
    pub ends_at: Option<DateTime<Utc>>,
    /// Expected participants.
    pub expected: Option<i32>,
    /// Ghi chú.
    pub notes: Option<String>,
    pub status: Option<ActivityStatus>,
}

/// Query of the activity list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityListQuery {
    /// Only activities of this unit's subtree.
    pub unit: Option<Uuid>,
    /// Only this kind (loại hoạt động); an unknown kind is refused.
    #[param(value_type = Option<crate::http::codes::KindCode>)]
    pub kind: Option<String>,
    /// Held on or after this day.
    pub from: Option<NaiveDate>,
    /// Held on or before this day.
    pub to: Option<NaiveDate>,
    /// Only this status.
    pub status: Option<ActivityStatus>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(ActivityPage, Activity, "activities");

/// One person of a roster: a member, or a guest prospect.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RosterEntry {
    /// A member placed in the activity's unit subtree on its day.
    pub member_id: Option<Uuid>,
    /// Or a prospect invited as a guest.
    pub prospect_id: Option<Uuid>,
    pub status: AttendanceStatus,
    /// Ghi chú (e.g. why excused).
    #[serde(default)]
    pub note: String,
}

/// The whole roster of an activity: replaces what was recorded.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"entries": [
    {"member_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d01", "status": "present"},
    {"member_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d02", "status": "excused", "note": "Con ốm"},
    {"prospect_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9c09", "status": "present"}]}))]
pub struct Roster {
    /// At most 2,000 people, each once.
    #[schema(max_items = 2000)]
    pub entries: Vec<RosterEntry>,
}

/// One person's attendance as recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attendee {
    /// The member, for members.
    pub member_id: Option<Uuid>,
    /// The prospect, for guests.
    pub prospect_id: Option<Uuid>,
    /// Full name.
    pub name: String,
    pub status: AttendanceStatus,
    /// Ghi chú.
    pub note: String,
}

/// A member expected but not on the recorded roster.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = UnrecordedAttendee)]
pub struct Unrecorded {
    /// The member.
    pub member_id: Uuid,
    /// Full name.
    pub name: String,
}

/// The roster of an activity.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceSheet {
    /// The activity.
    pub activity_id: Uuid,
    pub summary: AttendanceSummary,
    /// Recorded people, in Vietnamese name order.
    pub entries: Vec<Attendee>,
    /// Members placed in the unit that day with nothing recorded (at most 2,000).
    pub not_recorded: Vec<Unrecorded>,
}

/// Changing one member's attendance.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "excused", "note": "Đi làm xa"}))]
pub struct AttendanceChange {
    pub status: AttendanceStatus,
    /// Ghi chú.
    #[serde(default)]
    pub note: String,
}
