//! The period a fee falls due in.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How often the fee falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeePeriod {
    /// Monthly: periods 1–12.
    Month,
    /// Quarterly: periods 1–4.
    Quarter,
    /// Yearly: period 1.
    Year,
}

impl FeePeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            FeePeriod::Month => "month",
            FeePeriod::Quarter => "quarter",
            FeePeriod::Year => "year",
        }
    }

    pub fn parse(text: &str) -> FeePeriod {
        match text {
            "month" => FeePeriod::Month,
            "quarter" => FeePeriod::Quarter,
            _ => FeePeriod::Year,
        }
    }

    /// Periods in a year.
    pub fn count(self) -> i32 {
        match self {
            FeePeriod::Month => 12,
            FeePeriod::Quarter => 4,
            FeePeriod::Year => 1,
        }
    }
}
