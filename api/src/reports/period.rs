//! Report periods: month `2025-06`, quarter `2025-Q2`, half `2025-H1`, nine months `2025-M9`,
//! year `2025`, or explicit `from`/`to` days, all as days in Vietnam.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::{ApiError, Text};

/// A reporting period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = ReportPeriod, example = json!({"label": "2025-Q2", "from": "2025-04-01", "to": "2025-06-30"}))]
pub struct Period {
    /// As asked (`2025-Q2`), or `from..to` for explicit days.
    pub label: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

/// The labels [`Period::parse`] reads: a year from 2000 to 2100, alone or with a month, a
/// quarter, a half or the nine months.
pub const PERIOD_PATTERN: &str = "^(20[0-9]{2}|2100)(-(0[1-9]|1[0-2]|Q[1-4]|H[12]|M9))?$";

/// The contract's name for a period label.
pub struct PeriodLabel;

impl utoipa::PartialSchema for PeriodLabel {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        label_schema(
            PERIOD_PATTERN,
            "Kỳ báo cáo / A period: month `2025-06`, quarter `2025-Q2`, half `2025-H1`, nine months `2025-M9` (January–September) or year `2025`.",
            "2025-Q2",
        )
    }
}

impl ToSchema for PeriodLabel {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("PeriodLabel")
    }
}

fn label_schema(
    pattern: &str,
    description: &str,
    example: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(pattern))
        .max_length(Some(7))
        .description(Some(description))
        .examples([serde_json::json!(example)])
        .into()
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
    /// Parses a period label, exactly the labels [`PERIOD_PATTERN`] matches (no sign, no
    /// missing or extra zero: `2025-6` and `2025-Q01` are refused, so the contract tells the
    /// truth about what is accepted).
    pub fn parse(label: &str) -> Option<Period> {
        let (year, rest) = match label.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (label, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = year.parse().ok().filter(|y| (2000..=2100).contains(y))?;
        let digit = |b: u8| u32::from(b - b'0');
        match rest.map(str::as_bytes) {
            None => span(label, year, 1, 12),
            Some([b'Q', q @ b'1'..=b'4']) => span(label, year, 3 * digit(*q) - 2, 3),
            Some([b'H', h @ b'1'..=b'2']) => span(label, year, 6 * digit(*h) - 5, 6),
            Some(b"M9") => span(label, year, 1, 9),
            Some([tens @ b'0'..=b'1', ones @ b'0'..=b'9']) => {
                let month = 10 * digit(*tens) + digit(*ones);
                (1..=12).contains(&month).then(|| span(label, year, month, 1)).flatten()
            }
            _ => None,
        }
    }

    /// A label given in the parameter (or field) `field`, refused naming it when malformed.
    pub fn labelled(field: &str, label: &str) -> Result<Period, ApiError> {
        Period::parse(label).ok_or_else(|| bad(field))
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

    /// The calendar months wholly inside the period, and the days of it outside them (at most
    /// two runs, each `(first, last)`; `first > last` when empty). Pre-aggregates are monthly.
    pub fn whole_months(&self) -> WholeMonths {
        let first = if self.from.day() == 1 { Some(self.from) } else { month_after(self.from) };
        let last = match self.to.succ_opt() {
            Some(next) if next.day() == 1 => Some(self.to),
            _ => NaiveDate::from_ymd_opt(self.to.year(), self.to.month(), 1).and_then(|d| d.pred_opt()),
        };
        match (first, last) {
            (Some(first), Some(last)) if first <= last => WholeMonths {
                first: (first.year(), first.month()),
                last: (last.year(), last.month()),
                edges: [(self.from, first.pred_opt().unwrap_or(first)), (last.succ_opt().unwrap_or(last), self.to)],
            },
            _ => WholeMonths { first: (1, 1), last: (0, 12), edges: [(self.from, self.to), (self.to, self.from)] },
        }
    }
}

fn month_after(day: NaiveDate) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(day.year(), day.month(), 1)?.checked_add_months(Months::new(1))
}

/// See [`Period::whole_months`]: `first` and `last` are (year, month); none when `first` is
/// after `last`.
#[derive(Debug, PartialEq, Eq)]
pub struct WholeMonths {
    pub first: (i32, u32),
    pub last: (i32, u32),
    pub edges: [(NaiveDate, NaiveDate); 2],
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

    #[test]
    fn whole_months_and_the_days_around_them() {
        let p = |from, to| Period { label: String::new(), from, to };
        let year = p(d(2025, 11, 1), d(2026, 10, 31)).whole_months();
        assert_eq!((year.first, year.last), ((2025, 11), (2026, 10)));
        assert!(year.edges.iter().all(|(a, b)| a > b), "no days outside whole months: {year:?}");
        let ragged = p(d(2025, 6, 10), d(2025, 9, 5)).whole_months();
        assert_eq!((ragged.first, ragged.last), ((2025, 7), (2025, 8)));
        assert_eq!(ragged.edges, [(d(2025, 6, 10), d(2025, 6, 30)), (d(2025, 9, 1), d(2025, 9, 5))]);
        let inside = p(d(2025, 6, 10), d(2025, 6, 20)).whole_months();
        assert!(inside.first > inside.last);
        assert_eq!(inside.edges[0], (d(2025, 6, 10), d(2025, 6, 20)));
        assert!(inside.edges[1].0 > inside.edges[1].1);
        let december = p(d(2025, 12, 1), d(2025, 12, 31)).whole_months();
        assert_eq!((december.first, december.last), ((2025, 12), (2025, 12)));
    }
}
