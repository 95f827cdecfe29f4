//! Report periods: month `2025-06`, quarter `2025-Q2`, half `2025-H1`, nine months `2025-M9`,
//! year `2025`, or explicit `from`/`to` days, all as days in Vietnam.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::{ApiError, Text};

/// A reporting period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"label": "2025-Q2", "from": "2025-04-01", "to": "2025-06-30"}))]
pub struct Period {
    /// As asked (`2025-Q2`), or `from..to` for explicit days.
    pub label: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

fn bad(field: &str) -> ApiError {
    ApiError::invalid_parameter(
        field,
        "invalid_period",
        Text::new(
            "Kỳ báo cáo: 2025-06, 2025-Q2, 2025-H1, 2025-M9, 2025, hoặc from/to.",
            "A period: 2025-06, 2025-Q2, 2025-H1, 2025-M9, 2025, or from/to.",
        ),
    )
}

fn span(label: &str, year: i32, first_month: u32, months: u32) -> Option<Period> {
    let from = NaiveDate::from_ymd_opt(year, first_month, 1)?;
    let to = from.checked_add_months(Months::new(months))?.checked_sub_days(Days::new(1))?;
    Some(Period { label: label.to_owned(), from, to })
}

impl Period {
    /// Parses a period label.
    pub fn parse(label: &str) -> Option<Period> {
        let (year, rest) = match label.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (label, None),
        };
        let year: i32 = year.parse().ok().filter(|y| (2000..=2100).contains(y))?;
        match rest {
            None => span(label, year, 1, 12),
            Some(r) if r.starts_with('Q') => {
                let q: u32 = r[1..].parse().ok().filter(|q| (1..=4).contains(q))?;
                span(label, year, 3 * q - 2, 3)
            }
            Some(r) if r.starts_with('H') => {
                let h: u32 = r[1..].parse().ok().filter(|h| (1..=2).contains(h))?;
                span(label, year, 6 * h - 5, 6)
            }
            Some("M9") => span(label, year, 1, 9),
            Some(r) if r.len() == 2 => {
                let m: u32 = r.parse().ok().filter(|m| (1..=12).contains(m))?;
                span(label, year, m, 1)
            }
            _ => None,
        }
    }

    /// From `period`, or from `from` and `to` (at most five years).
    pub fn from_query(
        period: Option<&str>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Period, ApiError> {
        match (period, from, to) {
            (Some(label), None, None) => Period::parse(label).ok_or_else(|| bad("period")),
            (None, Some(from), Some(to)) if from <= to && to <= from + Days::new(5 * 366) => {
                Ok(Period { label: format!("{from}..{to}"), from, to })
            }
            (None, Some(_), Some(_)) => Err(bad("to")),
            // Nothing asked: the current month (in Vietnam), the question asked most often.
            (None, None, None) => {
                let today = crate::time::today_in_vietnam(chrono::Utc::now());
                Period::parse(&format!("{}-{:02}", today.year(), today.month())).ok_or_else(|| bad("period"))
            }
            _ => Err(bad("period")),
        }
    }

    /// The same period a year earlier.
    pub fn year_before(&self) -> NaiveDate {
        self.to.checked_sub_months(Months::new(12)).unwrap_or(self.to)
    }

    /// First days of the months it covers.
    pub fn months(&self) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut month = NaiveDate::from_ymd_opt(self.from.year(), self.from.month(), 1).unwrap_or(self.from);
        while month <= self.to && out.len() < 61 {
            out.push(month);
            month = month + Months::new(1);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn labels_become_days_in_their_year() {
        assert_eq!(Period::parse("2025-06").map(|p| (p.from, p.to)), Some((d(2025, 6, 1), d(2025, 6, 30))));
        assert_eq!(Period::parse("2024-02").map(|p| p.to), Some(d(2024, 2, 29)));
        assert_eq!(Period::parse("2025-Q2").map(|p| (p.from, p.to)), Some((d(2025, 4, 1), d(2025, 6, 30))));
        assert_eq!(Period::parse("2025-H2").map(|p| (p.from, p.to)), Some((d(2025, 7, 1), d(2025, 12, 31))));
        assert_eq!(Period::parse("2025-M9").map(|p| (p.from, p.to)), Some((d(2025, 1, 1), d(2025, 9, 30))));
        assert_eq!(Period::parse("2025").map(|p| (p.from, p.to)), Some((d(2025, 1, 1), d(2025, 12, 31))));
        for bad in ["2025-13", "2025-Q5", "2025-H3", "1999", "25-06", "2025-M8", "x"] {
            assert!(Period::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(Period::parse("2025-Q1").unwrap().months().len(), 3);
    }
}
