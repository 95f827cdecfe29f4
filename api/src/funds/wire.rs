//! The fund's wire types: entries as the API shows and takes them, and the list query.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Income (thu) or spending (chi).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = FundDirection)]
pub enum Direction {
    Income,
    Spending,
}

/// What the money is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = FundCategory)]
pub enum Category {
    /// Thu hội phí (income).
    Fees,
    /// Ủng hộ, quyên góp (income).
    Donation,
    /// Tài trợ (income).
    Sponsorship,
    /// Kinh phí được cấp (income).
    Budget,
    /// Thu khác (income).
    OtherIncome,
    /// Chi cho hoạt động (spending).
    Activity,
    /// Chi hỗ trợ hội viên (spending).
    Support,
    /// Chi khác (spending).
    OtherSpending,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Category::Fees,
        Category::Donation,
        Category::Sponsorship,
        Category::Budget,
        Category::OtherIncome,
        Category::Activity,
        Category::Support,
        Category::OtherSpending,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Fees => "fees",
            Category::Donation => "donation",
            Category::Sponsorship => "sponsorship",
            Category::Budget => "budget",
            Category::OtherIncome => "other_income",
            Category::Activity => "activity",
            Category::Support => "support",
            Category::OtherSpending => "other_spending",
        }
    }

    pub fn parse(text: &str) -> Category {
        Category::ALL.into_iter().find(|c| c.as_str() == text).unwrap_or(Category::OtherSpending)
    }

    pub fn direction(self) -> Direction {
        match self {
            Category::Activity | Category::Support | Category::OtherSpending => Direction::Spending,
            _ => Direction::Income,
        }
    }
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        if self == Direction::Income { "income" } else { "spending" }
    }
}

/// An entry of a unit's fund.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9f71", "unit_id": "0193a5c8-0000-7000-8000-00000000a001",
    "direction": "spending", "category": "activity", "amount_vnd": 350000, "entry_on": "2026-11-15",
    "activity_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a51", "description": "Nước uống, bánh cho buổi sinh hoạt",
    "status": "recorded", "void_reason": "", "version": 1, "created_at": "2026-11-15T04:00:00Z", "updated_at": "2026-11-15T04:00:00Z"}))]
pub struct FundEntry {
    pub id: Uuid,
    /// The unit whose fund it is.
    pub unit_id: Uuid,
    pub direction: Direction,
    pub category: Category,
    /// Số tiền (VND, integer, > 0).
    pub amount_vnd: i64,
    /// Ngày thu / chi.
    pub entry_on: NaiveDate,
    /// The activity it paid for (spending).
    pub activity_id: Option<Uuid>,
    /// Nội dung.
    pub description: String,
    /// `recorded` or `voided` (kept, excluded from balances).
    pub status: String,
    /// Why it was voided.
    pub void_reason: String,
    /// Version for `If-Match`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An entry to record.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category": "activity", "amount_vnd": 350000, "entry_on": "2026-11-15",
    "activity_id": "0193a5c8-7f6e-7b52-9d1a-3c2f1e0b9a51", "description": "Nước uống, bánh cho buổi sinh hoạt"}))]
pub struct NewFundEntry {
    /// The category decides income or spending.
    pub category: Category,
    /// VND, 1–100,000,000,000.
    pub amount_vnd: i64,
    /// Default today.
    pub entry_on: Option<NaiveDate>,
    /// For spending: the activity of this unit (or below) it paid for.
    pub activity_id: Option<Uuid>,
    /// Nội dung.
    #[serde(default)]
    pub description: String,
}

/// A correction, or `status: voided` with a reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "voided", "void_reason": "Ghi trùng"}))]
pub struct FundEntryPatch {
    /// Corrected category (same direction only).
    pub category: Option<Category>,
    /// Corrected amount.
    pub amount_vnd: Option<i64>,
    /// Corrected date.
    pub entry_on: Option<NaiveDate>,
    /// Nội dung.
    pub description: Option<String>,
    /// `voided` to cancel the entry.
    pub status: Option<String>,
    /// Why it is voided.
    pub void_reason: Option<String>,
}

/// Query of a fund's entries.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FundEntryQuery {
    /// On or after this day.
    pub from: Option<NaiveDate>,
    /// On or before this day.
    pub to: Option<NaiveDate>,
    /// Only this category.
    pub category: Option<Category>,
    /// Include voided entries (default `false`).
    pub include_voided: Option<bool>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

crate::page_schema!(FundEntryPage, FundEntry, "fund entries");
