//! Time conventions: stored in UTC, periods and "today" in Asia/Ho_Chi_Minh (UTC+7, no DST).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// The calendar date in Vietnam at instant `now`.
pub fn today_in_vietnam(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&vietnam()).date_naive()
}

/// A month, `YYYY-MM`, in the years reports cover (2000–2100).
pub const MONTH_PATTERN: &str = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$";

/// The first day of a `YYYY-MM` month: exactly the months [`MONTH_PATTERN`] matches.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    if bytes.len() != 7 || bytes[4] != b'-' || !digits(0..4) || !digits(5..7) {
        return None;
    }
    let year: i32 = text[..4].parse().ok().filter(|y| (2000..=2100).contains(y))?;
    let month: u32 = text[5..].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, 1)
}

/// The contract's name for a month.
pub struct MonthLabel;

impl utoipa::PartialSchema for MonthLabel {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(MONTH_PATTERN))
            .max_length(Some(7))
            .description(Some("Tháng / A month, `YYYY-MM`."))
            .examples([serde_json::json!("2026-11")])
            .into()
    }
}

impl utoipa::ToSchema for MonthLabel {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("MonthLabel")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnam_is_seven_hours_ahead() {
        let late_utc = DateTime::parse_from_rfc3339("2025-06-30T18:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(today_in_vietnam(late_utc), NaiveDate::from_ymd_opt(2025, 7, 1).unwrap());
    }
}
