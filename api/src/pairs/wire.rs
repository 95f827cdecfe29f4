//! What pairs look like on the wire.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::models::PairRow;
use super::rules::PartyType;

/// State of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PairStatus {
    /// Đang thực hiện.
    Active,
    /// Đạt mục tiêu (the prospect joined, she was admitted to the Party, out of poverty…).
    Achieved,
    /// Kết thúc không đạt / ended without the outcome.
    Ended,
}

impl PairStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PairStatus::Active => "active",
            PairStatus::Achieved => "achieved",
            PairStatus::Ended => "ended",
        }
    }

    pub fn parse(text: &str) -> PairStatus {
        match text {
            "achieved" => PairStatus::Achieved,
            "ended" => PairStatus::Ended,
            _ => PairStatus::Active,
        }
    }
}

impl PairRow {
    /// The pair's stored status.
    pub fn status(&self) -> PairStatus {
        PairStatus::parse(&self.status)
    }
}

/// One side of a pair.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = PairParty)]
pub struct Party {
    #[serde(rename = "type")]
    pub party_type: PartyType,
    /// Id of the member, prospect or org unit.
    pub id: Uuid,
    /// Her full name, or the unit's name.
    pub name: String,
}

/// A stage the pair reached (or a reversal, with its reason).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageReached {
    /// The stage code.
    pub stage: String,
    /// Day it was reached (for a reversal: the day of the correction).
    pub reached_on: NaiveDate,
    /// A correction by an officer back to this stage.
    pub reverted: bool,
    /// Why, for reversals.
    pub reason: String,
}

/// A "1+1" pair (cặp "1+1").
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9f01", "kind": "party_nurture",
    "unit_id": "0193a5c8-0000-7000-8000-00000000a001",
    "mentor": {"type": "member", "id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d01", "name": "Trần Thị Mai"},
    "mentee": {"type": "member", "id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d02", "name": "Lê Thị Hoa"},
    "started_on": "2025-03-01", "ended_on": null, "status": "active", "goal": "Giới thiệu kết nạp Đảng năm 2026",
    "stage": "introduced", "stages": [{"stage": "nurturing", "reached_on": "2025-03-01", "reverted": false, "reason": ""},
    {"stage": "introduced", "reached_on": "2025-11-20", "reverted": false, "reason": ""}],
    "outcome": "", "result_member_id": null, "notes": "", "version": 2,
    "created_at": "2025-03-01T08:00:00Z", "updated_at": "2025-11-20T08:00:00Z"}))]
pub struct Pair {
    pub id: Uuid,
    /// Kind code (`recruit`, `party_nurture`, `sponsor`, `branch_twin`, …).
    pub kind: String,
    /// The unit that owns the pair: the mentee's branch, group or unit.
    pub unit_id: Uuid,
    pub mentor: Party,
    pub mentee: Party,
    /// Ngày bắt đầu.
    pub started_on: NaiveDate,
    /// Ngày kết thúc, once achieved or ended.
    pub ended_on: Option<NaiveDate>,
    pub status: PairStatus,
    /// Mục tiêu.
    pub goal: String,
    /// Current stage, for kinds with stages.
    pub stage: Option<String>,
    /// Stages reached, oldest first, with any reversals.
    pub stages: Vec<StageReached>,
    /// Kết quả (e.g. "thoát nghèo", "có việc làm ổn định").
    pub outcome: String,
    /// For a recruit: the membership she took.
    pub result_member_id: Option<Uuid>,
    /// Ghi chú.
    pub notes: String,
    /// Version for `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A pair to open.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "sponsor", "mentor_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d01",
    "mentee_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d02", "goal": "Thoát nghèo trong năm 2026", "started_on": "2026-01-05"}))]
pub struct NewPair {
    /// Kind code.
    pub kind: String,
    /// The mentor: a member, prospect or unit id, as the kind says.
    pub mentor_id: Uuid,
    /// The mentee, as the kind says.
    pub mentee_id: Uuid,
    /// Default today.
    pub started_on: Option<NaiveDate>,
    /// Mục tiêu.
    #[serde(default)]
    pub goal: String,
    /// Ghi chú.
    #[serde(default)]
    pub notes: String,
}

/// Changes to a pair's text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"goal": "Có việc làm ổn định", "notes": "Gặp hằng tháng"}))]
pub struct PairPatch {
    /// Mục tiêu.
    pub goal: Option<String>,
    /// Ghi chú.
    pub notes: Option<String>,
}

/// Moving a pair to a stage. Forward only, unless an officer (`org_units:write` on the pair's
/// unit) reverts with a reason.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"stage": "introduced", "reached_on": "2025-11-20"}))]
pub struct StageChange {
    /// One of the kind's stages.
    pub stage: String,
    /// Default today; not before the previous stage.
    pub reached_on: Option<NaiveDate>,
    /// Required to revert.
    #[serde(default)]
    pub reason: String,
}

/// How a pair closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = PairClosing)]
pub enum Closing {
    Achieved,
    Ended,
}

/// Closing a pair.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "achieved", "ended_on": "2026-10-30", "outcome": "Thoát nghèo"}))]
pub struct PairClose {
    pub status: Closing,
    /// Default today.
    pub ended_on: Option<NaiveDate>,
    /// Kết quả.
    #[serde(default)]
    pub outcome: String,
}

/// Query of the pair list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PairListQuery {
    /// Only pairs owned by this unit's subtree.
    pub unit: Option<Uuid>,
    /// Only this kind (loại cặp); an unknown kind is refused.
    #[param(value_type = Option<crate::http::codes::KindCode>)]
    pub kind: Option<String>,
    /// Only this status.
    pub status: Option<PairStatus>,
    /// Only pairs at this stage (of `kind` when given, else of any kind); an unknown stage is
    /// refused.
    #[param(value_type = Option<crate::http::codes::StageCode>)]
    pub stage: Option<String>,
    /// Only pairs with this mentor (member, prospect or unit id).
    pub mentor_id: Option<Uuid>,
    /// Only pairs with this mentee.
    pub mentee_id: Option<Uuid>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(PairPage, Pair, "pairs");
