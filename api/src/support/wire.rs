//! What support entries look like on the wire.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::models::SupportRow;

/// Where the support came from (nguồn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SupportSource)]
pub enum Source {
    /// Quỹ hội.
    UnionFund,
    /// Cặp đỡ đầu (needs `pair_id`).
    SponsorPair,
    /// Nhà hảo tâm, doanh nghiệp.
    Donor,
    /// Vốn ủy thác Ngân hàng Chính sách xã hội.
    SocialPolicyBank,
    Other,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::UnionFund => "union_fund",
            Source::SponsorPair => "sponsor_pair",
            Source::Donor => "donor",
            Source::SocialPolicyBank => "social_policy_bank",
            Source::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Source {
        match text {
            "union_fund" => Source::UnionFund,
            "sponsor_pair" => Source::SponsorPair,
            "donor" => Source::Donor,
            "social_policy_bank" => Source::SocialPolicyBank,
            _ => Source::Other,
        }
    }
}

/// What came of it (kết quả).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = SupportOutcome)]
pub enum Outcome {
    /// Thoát nghèo.
    OutOfPoverty,
    /// Có việc làm ổn định.
    StableJob,
    /// Khởi nghiệp, có mô hình kinh tế.
    BusinessStarted,
    /// Đã trả nợ vay.
    Repaid,
    /// Đang theo dõi.
    InProgress,
    /// Chưa chuyển biến.
    NoChange,
    Other,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::OutOfPoverty => "out_of_poverty",
            Outcome::StableJob => "stable_job",
            Outcome::BusinessStarted => "business_started",
            Outcome::Repaid => "repaid",
            Outcome::InProgress => "in_progress",
            Outcome::NoChange => "no_change",
            Outcome::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Outcome {
        [
            Outcome::OutOfPoverty,
            Outcome::StableJob,
            Outcome::BusinessStarted,
            Outcome::Repaid,
            Outcome::InProgress,
            Outcome::NoChange,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
        .unwrap_or(Outcome::Other)
    }
}

/// An entry of the support ledger. Sensitive.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9c01", "member_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d02",
    "unit_id": "0193a5c8-0000-7000-8000-00000000a001", "for_household": true, "kind": "capital_loan", "amount_vnd": 10000000,
    "quantity": null, "quantity_unit": "", "source": "sponsor_pair", "source_detail": "", "given_on": "2026-03-15",
    "need_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9e01", "pair_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9f01",
    "follow_up": "Thăm lại sau 3 tháng", "outcome": null, "outcome_on": null, "status": "recorded", "void_reason": "",
    "notes": "", "created_by": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a01", "version": 1,
    "created_at": "2026-03-15T09:00:00Z", "updated_at": "2026-03-15T09:00:00Z"}))]
pub struct SupportEntry {
    pub id: Uuid,
    /// The member (and her household) who received it.
    pub member_id: Uuid,
    /// Her unit when it was given; reports count it there.
    pub unit_id: Uuid,
    /// Given to the whole household (hộ gia đình), not only her.
    pub for_household: bool,
    /// Support kind code (`capital_loan`, `job`, `rice`, …).
    pub kind: String,
    /// Số tiền (VND, integer).
    pub amount_vnd: Option<i64>,
    /// In-kind quantity, in `quantity_unit`.
    pub quantity: Option<i32>,
    /// Đơn vị tính (kg, con, ngày công…).
    pub quantity_unit: String,
    pub source: Source,
    /// The donor's name, loan programme…
    pub source_detail: String,
    /// Ngày hỗ trợ.
    pub given_on: NaiveDate,
    /// The need it answers.
    pub need_id: Option<Uuid>,
    /// The pair it belongs to (a sponsor pair).
    pub pair_id: Option<Uuid>,
    /// Theo dõi sau hỗ trợ.
    pub follow_up: String,
    pub outcome: Option<Outcome>,
    /// Day the outcome was observed.
    pub outcome_on: Option<NaiveDate>,
    /// `recorded`, or `voided` (kept, excluded from totals).
    pub status: String,
    /// Why it was voided.
    pub void_reason: String,
    /// Ghi chú.
    pub notes: String,
    /// Who recorded it.
    pub created_by: Option<Uuid>,
    /// Version for `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<SupportRow> for SupportEntry {
    fn from(r: SupportRow) -> Self {
        SupportEntry {
            id: r.id,
            member_id: r.member_id,
            unit_id: r.unit_id,
            for_household: r.for_household,
            kind: r.kind,
            amount_vnd: r.amount_vnd,
            quantity: r.quantity,
            quantity_unit: r.quantity_unit,
            source: Source::parse(&r.source),
            source_detail: r.source_detail,
            given_on: r.given_on,
            need_id: r.need_id,
            pair_id: r.pair_id,
            follow_up: r.follow_up,
            outcome: r.outcome.as_deref().map(Outcome::parse),
            outcome_on: r.outcome_on,
            status: r.status,
            void_reason: r.void_reason,
            notes: r.notes,
            created_by: r.created_by,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Support to record.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"member_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9d02", "kind": "capital_loan", "amount_vnd": 10000000,
    "source": "sponsor_pair", "pair_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9f01", "given_on": "2026-03-15",
    "need_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9e01", "mark_need_met": true}))]
pub struct NewSupport {
    /// The member (and household) receiving it.
    pub member_id: Uuid,
    /// Support kind code.
    pub kind: String,
    /// Default `true`.
    pub for_household: Option<bool>,
    /// VND, integer, 0–100,000,000,000. Required for money kinds.
    pub amount_vnd: Option<i64>,
    /// Whole units, > 0. Required for in-kind kinds.
    pub quantity: Option<i32>,
    /// Default: the kind's unit.
    pub quantity_unit: Option<String>,
    pub source: Source,
    /// The donor's name, loan programme…
    #[serde(default)]
    pub source_detail: String,
    /// Default today.
    pub given_on: Option<NaiveDate>,
    /// One of her needs.
    pub need_id: Option<Uuid>,
    /// Mark that need met on `given_on`.
    #[serde(default)]
    pub mark_need_met: bool,
    /// A pair whose mentee she is (required for `sponsor_pair`).
    pub pair_id: Option<Uuid>,
    /// Theo dõi sau hỗ trợ.
    #[serde(default)]
    pub follow_up: String,
    /// Ghi chú.
    #[serde(default)]
    pub notes: String,
}

/// A correction, follow-up or outcome; or `status: voided` with a reason. The previous
/// version is kept (`GET /support/{id}/revisions`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "out_of_poverty", "outcome_on": "2026-11-20", "follow_up": "Đã thoát nghèo theo rà soát cuối năm"}))]
pub struct SupportPatch {
    /// Corrected kind code.
    pub kind: Option<String>,
    /// Corrected amount.
    pub amount_vnd: Option<i64>,
    /// Corrected quantity.
    pub quantity: Option<i32>,
    /// Corrected unit.
    pub quantity_unit: Option<String>,
    pub source: Option<Source>,
    /// Corrected source detail.
    pub source_detail: Option<String>,
    /// Corrected date.
    pub given_on: Option<NaiveDate>,
    /// Theo dõi sau hỗ trợ.
    pub follow_up: Option<String>,
    pub outcome: Option<Outcome>,
    /// Day the outcome was observed (default today when an outcome is set).
    pub outcome_on: Option<NaiveDate>,
    /// Ghi chú.
    pub notes: Option<String>,
    /// `voided` to cancel the entry (kept, excluded from totals); needs `void_reason`.
    pub status: Option<String>,
    /// Why it is voided.
    pub void_reason: Option<String>,
}

/// Query of the support ledger.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SupportListQuery {
    /// Only support counted in this unit's subtree.
    pub unit: Option<Uuid>,
    /// Only this member's.
    pub member_id: Option<Uuid>,
    /// Only this kind (loại hỗ trợ); an unknown kind is refused.
    #[param(value_type = Option<crate::http::codes::KindCode>)]
    pub kind: Option<String>,
    /// Only this source.
    pub source: Option<Source>,
    /// Only support of this pair.
    pub pair_id: Option<Uuid>,
    /// Given on or after this day.
    pub from: Option<NaiveDate>,
    /// Given on or before this day.
    pub to: Option<NaiveDate>,
    /// Include voided entries (default `false`).
    pub include_voided: Option<bool>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(SupportPage, SupportEntry, "support entries");

/// An earlier version of an entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupportRevision {
    /// The version this snapshot was.
    pub version: i32,
    /// The entry as it was (a `SupportEntry`).
    pub snapshot: serde_json::Value,
    /// Who changed it.
    pub edited_by: Option<Uuid>,
    /// When.
    pub edited_at: DateTime<Utc>,
}
